package publish

import (
	"context"

	"github.com/docker-krust/docker-krust/internal/outpath"
)

// Files are the paths a build writes for the user besides its layout
// (--tarball, --image-refs, --sbom-dir), checked before cargo runs: see
// internal/outpath for what is refused and how each is written.
type Files struct {
	// Rules check the document files, whose names may be known only once
	// built, as the other paths were checked.
	Rules outpath.Rules
	// Write says how each file is written.
	Write outpath.WriteOptions
	// Each is nil when its flag is not given.
	Tarball, ImageRefs, SBOMDir *outpath.Target
}

// Others are the file outputs other than the documents, which a document
// written later must not be.
func (o Files) Others() []outpath.Output {
	var outs []outpath.Output
	for _, t := range []*outpath.Target{o.Tarball, o.ImageRefs} {
		if t != nil {
			outs = append(outs, t.Output)
		}
	}
	return outs
}

// writeImageRefs writes the printed reference to --image-refs, if given.
func (o Files) writeImageRefs(ctx context.Context, ref string) error {
	if o.ImageRefs == nil {
		return nil
	}
	return o.ImageRefs.WriteFile(ctx, o.Write, []byte(ref+"\n"))
}
