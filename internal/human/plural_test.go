package human

import "testing"

func TestCount(t *testing.T) {
	tests := []struct {
		n         int
		noun      string
		want      string
		wantNoun  string
		wantAlone string
	}{
		{0, "blob", "0 blobs", "blobs", "blobs"},
		{1, "blob", "1 blob", "blob", "blobs"},
		{2, "temp file", "2 temp files", "temp files", "temp files"},
		{1, "image manifest", "1 image manifest", "image manifest", "image manifests"},
	}
	for _, tt := range tests {
		if got := Count(tt.n, tt.noun); got != tt.want {
			t.Errorf("Count(%d, %q) = %q, want %q", tt.n, tt.noun, got, tt.want)
		}
		if got := Noun(tt.n, tt.noun); got != tt.wantNoun {
			t.Errorf("Noun(%d, %q) = %q, want %q", tt.n, tt.noun, got, tt.wantNoun)
		}
		if got := Plural(tt.noun); got != tt.wantAlone {
			t.Errorf("Plural(%q) = %q, want %q", tt.noun, got, tt.wantAlone)
		}
	}
}
