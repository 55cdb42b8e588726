package testkube

import (
	"strings"
	"testing"
)

const deployment = `apiVersion: v1
kind: Namespace
metadata:
  name: apply-get
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: apply-get
data:
  image: registry.example/app@sha256:0123
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apply-get
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: registry.example/web@sha256:4567
`

func TestApplyGetDelete(t *testing.T) {
	t.Parallel()
	s := kube.Server(t)
	out := s.KubectlIn(t, deployment, "apply", "-f", "-").OK(t)
	for _, want := range []string{"namespace/apply-get created", "configmap/settings created", "deployment.apps/web created"} {
		if !strings.Contains(out, want) {
			t.Errorf("apply output lacks %q:\n%s", want, out)
		}
	}
	get := []struct {
		args []string
		want string
	}{
		{[]string{"get", "deployment", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"}, "registry.example/web@sha256:4567"},
		{[]string{"get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"}, "2"},
		{[]string{"get", "configmap", "settings", "-o", "jsonpath={.data.image}"}, "registry.example/app@sha256:0123"},
	}
	for _, g := range get {
		if got := s.Kubectl(t, append(g.args, "-n", "apply-get")...).OK(t); got != g.want {
			t.Errorf("kubectl %s = %q, want %q", strings.Join(g.args, " "), got, g.want)
		}
	}
	if out := s.KubectlIn(t, deployment, "apply", "-f", "-").OK(t); !strings.Contains(out, "deployment.apps/web unchanged") {
		t.Errorf("a second apply changed something:\n%s", out)
	}
	s.KubectlIn(t, deployment, "delete", "-f", "-", "--wait=false").OK(t)
	for _, kind := range []string{"deployment/web", "configmap/settings"} {
		r := s.Kubectl(t, "get", kind, "-n", "apply-get")
		if r.Code == 0 || !strings.Contains(r.Stderr, "NotFound") {
			t.Errorf("get %s after delete: exit %d, stderr %q; want NotFound", kind, r.Code, r.Stderr)
		}
	}
}

func TestServerSideValidationFails(t *testing.T) {
	t.Parallel()
	s := kube.Server(t)
	const head = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: invalid\n"
	cases := []struct {
		name, yaml string
		args       []string
		want       string
	}{
		{"unknown field", head + "  colour: blue\n",
			[]string{"--validate=strict"}, `unknown field "metadata.colour"`},
		{"bad name", strings.Replace(head, "invalid", "Not_A_Name", 1),
			nil, "a lowercase RFC 1123 subdomain"},
		{"negative replicas", strings.NewReplacer("replicas: 2", "replicas: -1", "namespace: apply-get", "namespace: default").
			Replace(deployment[strings.Index(deployment, "apiVersion: apps/v1"):]), nil, "spec.replicas: Invalid value: -1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"apply", "--dry-run=server", "-n", "default", "-f", "-"}, c.args...)
			r := s.KubectlIn(t, c.yaml, args...)
			if r.Code == 0 || !strings.Contains(r.Stderr, c.want) {
				t.Fatalf("kubectl apply: exit %d, stderr %q; want non-zero and %q", r.Code, r.Stderr, c.want)
			}
		})
	}
}

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.krust.example
spec:
  group: krust.example
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              image: {type: string}
`

const widget = `apiVersion: krust.example/v1
kind: Widget
metadata:
  name: gear
  namespace: default
spec:
  image: registry.example/gear@sha256:89ab
`

func TestCustomResource(t *testing.T) {
	t.Parallel()
	s := kube.Server(t)
	s.KubectlIn(t, crd, "apply", "-f", "-").OK(t)
	s.Kubectl(t, "wait", "--for=condition=Established", "crd/widgets.krust.example", "--timeout=60s").OK(t)
	s.KubectlIn(t, widget, "apply", "-f", "-").OK(t)
	got := s.Kubectl(t, "get", "widget", "gear", "-n", "default", "-o", "jsonpath={.spec.image}").OK(t)
	if got != "registry.example/gear@sha256:89ab" {
		t.Errorf("widget image = %q", got)
	}
	bad := strings.Replace(widget, "image: registry", "size: 3\n  image: registry", 1)
	r := s.KubectlIn(t, bad, "apply", "--dry-run=server", "--validate=strict", "-f", "-")
	if r.Code == 0 || !strings.Contains(r.Stderr, `unknown field "spec.size"`) {
		t.Errorf("a field the CRD's schema lacks: exit %d, stderr %q", r.Code, r.Stderr)
	}
	s.KubectlIn(t, widget, "delete", "-f", "-").OK(t)
	s.KubectlIn(t, crd, "delete", "-f", "-").OK(t)
	r = s.Kubectl(t, "get", "crd", "widgets.krust.example")
	if r.Code == 0 || !strings.Contains(r.Stderr, "NotFound") {
		t.Errorf("get the CRD after deleting it: exit %d, stderr %q", r.Code, r.Stderr)
	}
	// kubectl's discovery cache may still list widgets, then the server
	// answers NotFound; either way there are none.
	r = s.Kubectl(t, "get", "widgets", "-A")
	if r.Code == 0 || !strings.Contains(r.Stderr, "NotFound") && !strings.Contains(r.Stderr, "doesn't have a resource type") {
		t.Errorf("get widgets after deleting the CRD: exit %d, stderr %q", r.Code, r.Stderr)
	}
}
