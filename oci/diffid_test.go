package oci

import (
	"io"
	"strings"
	"testing"
	"time"
)

// DiffID is the diffID WriteLayerCompressed reports, whatever the
// compression, without compressing; and it refuses what WriteLayer
// refuses.
func TestDiffIDMatchesTheWrittenLayer(t *testing.T) {
	tests := []struct {
		name    string
		files   []testFile
		modTime time.Time
	}{
		{"one executable", []testFile{{"app/hello", 0o755, strings.Repeat("\x7fELF", 5000)}}, layerTime},
		{"nested and unsorted", []testFile{{"b/c/d", 0o644, "d"}, {"a", 0o600, ""}}, layerTime},
		{"another time zone", []testFile{{"app/x", 0o755, "x"}}, layerTime.In(time.FixedZone("UTC-3", -3*3600))},
		{"sub-second time", []testFile{{"app/x", 0o755, "x"}}, layerTime.Add(time.Millisecond)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DiffID(toFiles(tt.files), tt.modTime)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []Compression{Gzip, Zstd} {
				l, err := WriteLayerCompressed(io.Discard, toFiles(tt.files), tt.modTime, c)
				if err != nil {
					t.Fatal(err)
				}
				if got != l.DiffID {
					t.Errorf("DiffID gives %s, the %s layer has %s", got, c, l.DiffID)
				}
			}
		})
	}
	if _, err := DiffID(toFiles([]testFile{{"../escape", 0o644, "x"}}), layerTime); err == nil {
		t.Error("DiffID accepted a path WriteLayer refuses")
	}
	short := File{Path: "app/x", Size: 10, Content: strings.NewReader("short")}
	if _, err := DiffID([]File{short}, layerTime); err == nil {
		t.Error("DiffID accepted content shorter than its size")
	}
}
