package main

import (
	"context"
	"os"

	"github.com/docker-krust/docker-krust/builder"
	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/internal/outpath"
	"github.com/docker-krust/docker-krust/layout"
)

// outputFiles are the paths a build writes for the user besides its
// layout (--tarball, --image-refs, --sbom-dir), checked before cargo runs:
// see internal/outpath for what is refused and how each is written.
type outputFiles struct {
	rules outpath.Rules
	write outpath.WriteOptions
	// Each is nil when its flag is not given.
	tarball, imageRefs, sbomDir *outpath.Target
}

// checkOutputs checks every path the build will write, the layout's
// place included, before cargo runs, and reports every problem at once.
func (f *buildFlags) checkOutputs(env *environment, plan *builder.Plan, r config.Settled) (*outputFiles, error) {
	files := &outputFiles{
		rules: outpath.Rules{Kept: keptDirs(plan, r), Streams: standardStreams()},
		write: outpath.WriteOptions{Wait: f.registry.timeout, Log: env.stderr},
	}
	layoutSetting := "--oci-layout"
	if f.layoutDir == "" {
		layoutSetting = "the OCI layout"
	}
	outs := []outpath.Output{{Setting: layoutSetting, Path: plan.LayoutDir, Kind: outpath.Layout}}
	var slots []**outpath.Target
	add := func(slot **outpath.Target, setting, path string, kind outpath.Kind) {
		if path != "" {
			outs = append(outs, outpath.Output{Setting: setting, Path: path, Kind: kind})
			slots = append(slots, slot)
		}
	}
	add(&files.tarball, "--tarball", f.tarball, outpath.File)
	add(&files.imageRefs, "--image-refs", f.imageRefs, outpath.File)
	add(&files.sbomDir, "--sbom-dir", f.sbomDir, outpath.Dir)
	targets, err := files.rules.Check(outs...)
	if err != nil {
		return nil, err
	}
	for i, slot := range slots {
		*slot = &targets[i+1]
	}
	return files, files.checkDocuments(plan.Bin, r)
}

// checkDocuments checks the files --sbom-dir gets, where their names are
// known before the base is read (not for --platform all), with the other
// files, which must not be one of them. A directory that does not exist
// yet holds none of them.
func (o *outputFiles) checkDocuments(bin string, r config.Settled) error {
	if o.sbomDir == nil || o.sbomDir.New() {
		return nil
	}
	outs := o.others()
	for _, name := range documentNames(bin, r) {
		outs = append(outs, o.sbomDir.Join(name))
	}
	_, err := o.rules.Check(outs...)
	return err
}

// others are the file outputs other than the documents, which a document
// written later must not be.
func (o *outputFiles) others() []outpath.Output {
	var outs []outpath.Output
	for _, t := range []*outpath.Target{o.tarball, o.imageRefs} {
		if t != nil {
			outs = append(outs, t.Output)
		}
	}
	return outs
}

// keptDirs are the directories the build reads or writes as its own.
func keptDirs(plan *builder.Plan, r config.Settled) []outpath.Kept {
	kept := []outpath.Kept{
		{Dir: plan.LayoutDir, What: "the OCI layout this build writes", Layout: true},
		{Dir: plan.CacheDir(), What: "krust's layer cache"},
	}
	if dir, _, ok := layout.ParseRef(r.Base); ok {
		kept = append(kept, outpath.Kept{Dir: dir, What: "the OCI layout of the base image", Layout: true})
	}
	return kept
}

// standardStreams are the files krust's standard streams are, which no
// output may name: /dev/stdout is stdout's file when stdout is a pipe or
// a file, and replacing it would lose the reference.
func standardStreams() []outpath.Stream {
	var out []outpath.Stream
	for _, s := range []struct {
		name string
		f    *os.File
	}{
		{"standard output, which carries the image reference alone", os.Stdout},
		{"standard error, which carries its messages", os.Stderr},
	} {
		if info, err := s.f.Stat(); err == nil {
			out = append(out, outpath.Stream{Name: s.name, Info: info})
		}
	}
	return out
}

// writeImageRefs writes the printed reference to --image-refs, if given.
func (o *outputFiles) writeImageRefs(ctx context.Context, ref string) error {
	if o.imageRefs == nil {
		return nil
	}
	return o.imageRefs.WriteFile(ctx, o.write, []byte(ref+"\n"))
}
