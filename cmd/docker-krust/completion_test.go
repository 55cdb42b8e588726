package main

import (
	"strings"
	"testing"
)

func TestCompletePlatforms(t *testing.T) {
	tests := []struct {
		typed string
		want  string
	}{
		{"", "linux/amd64 linux/arm64 linux/arm/v7 all"},
		{"linux/a", "linux/amd64 linux/arm64 linux/arm/v7 all"}, // the shell filters by prefix
		{"linux/arm64,", "linux/arm64,linux/amd64 linux/arm64,linux/arm/v7"},
		{"linux/arm64,linux/amd64,l", "linux/arm64,linux/amd64,linux/arm/v7"},
	}
	for _, tt := range tests {
		got, _ := completePlatforms(nil, nil, tt.typed)
		if strings.Join(got, " ") != tt.want {
			t.Errorf("completePlatforms(%q) = %q, want %q", tt.typed, got, tt.want)
		}
	}
}
