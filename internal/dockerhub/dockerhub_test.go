package dockerhub

import (
	"slices"
	"testing"
)

func TestHubNames(t *testing.T) {
	tests := []struct {
		host string
		hub  bool
		api  string
	}{
		{"docker.io", true, APIHost},
		{"index.docker.io", true, APIHost},
		{"registry-1.docker.io", true, APIHost},
		{"ghcr.io", false, "ghcr.io"},
		{"127.0.0.1:5000", false, "127.0.0.1:5000"},
		{"docker.io:443", false, "docker.io:443"},
		{"registry.docker.io", false, "registry.docker.io"},
		{"", false, ""},
	}
	for _, tt := range tests {
		if got := Is(tt.host); got != tt.hub {
			t.Errorf("Is(%q) = %v, want %v", tt.host, got, tt.hub)
		}
		if got := RegistryHost(tt.host); got != tt.api {
			t.Errorf("RegistryHost(%q) = %q, want %q", tt.host, got, tt.api)
		}
		if slices.Contains(Names(), tt.host) != tt.hub {
			t.Errorf("Names() = %q and Is(%q) = %v disagree", Names(), tt.host, tt.hub)
		}
	}
}
