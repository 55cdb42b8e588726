package resolve_test

import (
	"fmt"
	"os"

	"github.com/docker-krust/docker-krust/resolve"
)

func Example() {
	deploy := `# the api and its sidecar
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
      - name: api
        image: krust://api   # built by krust
      - {name: proxy, image: "krust://proxy"}
`
	srcs := []resolve.Source{{Name: "deploy.yaml", Data: []byte(deploy)}}
	found, err := resolve.Find(srcs)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	for _, r := range found.References {
		fmt.Println(r)
	}
	// The caller builds each REF and maps it to its reference by digest.
	digests := map[string]string{}
	for _, ref := range found.Refs {
		digests[ref] = "127.0.0.1:5000/ws/" + ref + "@sha256:0d5e9b4f8c1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4"
	}
	out, err := found.Rewrite(digests)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// deploy.yaml:9:16: krust://api
	// deploy.yaml:10:30: krust://proxy
	// # the api and its sidecar
	// apiVersion: apps/v1
	// kind: Deployment
	// spec:
	//   template:
	//     spec:
	//       containers:
	//       - name: api
	//         image: 127.0.0.1:5000/ws/api@sha256:0d5e9b4f8c1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4   # built by krust
	//       - {name: proxy, image: "127.0.0.1:5000/ws/proxy@sha256:0d5e9b4f8c1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4"}
}
