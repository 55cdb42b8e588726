// Package testkube runs a throw-away Kubernetes API server for tests: etcd
// and kube-apiserver on free 127.0.0.1 ports, with a temporary data
// directory, a token that is a member of system:masters, and a kubeconfig
// for kubectl. There are no nodes, controllers or scheduler: objects are
// stored, validated and served as a cluster would, but no Pod ever runs.
//
// The binaries come from `make test-tools` (hack/test-tools.sh), which builds
// them once per machine into a cache directory keyed by version; Start finds
// them through KRUST_TEST_TOOLS (set by the Makefile) or that same default
// directory. Without them a test fails, naming `make test-tools`: the tests
// that need an API server are part of the suite, not optional.
//
// Start ties a server to one test; a Shared starts one server lazily for a
// whole test package, stopped by its TestMain. The package is meant to be
// imported from _test.go files only.
package testkube
