// Package dockerhub knows Docker Hub's several names, so that auth (which
// files credentials by host) and remote (which talks to the host serving
// the registry API) map them one way: references are normalised to
// docker.io, older tools say index.docker.io, the API is served by
// registry-1.docker.io, and the docker CLI keeps Hub credentials under
// https://index.docker.io/v1/.
package dockerhub

// APIHost serves Docker Hub's registry API.
const APIHost = "registry-1.docker.io"

// ConfigKey is where the docker CLI files Docker Hub credentials.
const ConfigKey = "https://index.docker.io/v1/"

// Names lists the host names that mean Docker Hub.
func Names() []string {
	return []string{"docker.io", "index.docker.io", APIHost}
}

// Is reports whether host is one of Docker Hub's names.
func Is(host string) bool {
	switch host {
	case "docker.io", "index.docker.io", APIHost:
		return true
	}
	return false
}

// RegistryHost returns the host that serves the registry API for domain:
// APIHost for any of Docker Hub's names, else domain itself.
func RegistryHost(domain string) string {
	if Is(domain) {
		return APIHost
	}
	return domain
}
