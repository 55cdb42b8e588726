package main

import (
	"os"

	"github.com/docker-krust/docker-krust/builder"
	"github.com/docker-krust/docker-krust/config"
	"github.com/docker-krust/docker-krust/internal/outpath"
	"github.com/docker-krust/docker-krust/layout"
	"github.com/docker-krust/docker-krust/publish"
)

// checkOutputs checks every path the build will write, the layout's
// place included, before cargo runs, and reports every problem at once.
func (f *buildFlags) checkOutputs(env *environment, plan *builder.Plan, r config.Settled) (publish.Files, error) {
	files := publish.Files{
		Rules: outpath.Rules{Kept: keptDirs(plan, r), Streams: standardStreams()},
		Write: outpath.WriteOptions{Wait: f.registry.timeout, Log: env.stderr},
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
	add(&files.Tarball, "--tarball", f.tarball, outpath.File)
	add(&files.ImageRefs, "--image-refs", f.imageRefs, outpath.File)
	add(&files.SBOMDir, "--sbom-dir", f.sbomDir, outpath.Dir)
	targets, err := files.Rules.Check(outs...)
	if err != nil {
		return publish.Files{}, err
	}
	for i, slot := range slots {
		*slot = &targets[i+1]
	}
	return files, checkDocumentFiles(files, plan.Entrypoint, r)
}

// checkDocumentFiles checks the files --sbom-dir gets, where their names are
// known before the base is read (not for --platform all), with the other
// files, which must not be one of them. A directory that does not exist
// yet holds none of them.
func checkDocumentFiles(files publish.Files, bin string, r config.Settled) error {
	if files.SBOMDir == nil || files.SBOMDir.New() {
		return nil
	}
	outs := files.Others()
	for _, name := range documentNames(bin, r) {
		outs = append(outs, files.SBOMDir.Join(name))
	}
	_, err := files.Rules.Check(outs...)
	return err
}

// keptDirs are the directories the build reads or writes as its own.
func keptDirs(plan *builder.Plan, r config.Settled) []outpath.Kept {
	kept := []outpath.Kept{{Dir: plan.LayoutDir, What: "the OCI layout this build writes", Layout: true}}
	for _, c := range plan.Caches() {
		kept = append(kept, outpath.Kept{Dir: c.Dir, What: c.What})
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
