package layout

import (
	"errors"
	"testing"
)

// TestReferrersKeepTheIndexLimits: referrers count towards
// MaxIndexEntries like tags; an update is measured after the orphaned
// referrers it drops, so a rebuild at the limit still fits, and one that
// would pass it is refused with index.json left as it was.
func TestReferrersKeepTheIndexLimits(t *testing.T) {
	g := graph{t: t, l: newLayout(t)}
	a := g.build("a")
	perBuild := 1 + len(a.all()) // the tag and the referrers
	seedIndex(t, g.l, ciEntries(MaxIndexEntries-perBuild))
	g.apply(a, "latest")
	g.apply(g.build("b"), "latest") // room only once a's referrers are dropped
	if n := len(mustIndex(t, g.l).Manifests); n != MaxIndexEntries {
		t.Fatalf("index.json holds %d entries, want %d", n, MaxIndexEntries)
	}
	before := readIndexBytes(t, g.l)
	c := g.build("c")
	err := g.l.Apply(t.Context(), Update{Desc: c.index, Tags: []string{"other"}, Referrers: c.all()})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Apply past MaxIndexEntries = %v, want ErrTooLarge", err)
	}
	if readIndexBytes(t, g.l) != before {
		t.Error("a refused Apply changed index.json")
	}
	if _, err := g.l.Index(t.Context()); err != nil {
		t.Fatalf("the index Apply wrote cannot be read: %v", err)
	}
}
