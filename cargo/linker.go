package cargo

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// linkerCandidates lists, best first, the cross linkers that link for
// triple as they are named by Debian's and musl.cc's toolchains.
func linkerCandidates(triple string) []string {
	switch triple {
	case "aarch64-unknown-linux-musl":
		return []string{"aarch64-linux-musl-gcc", "aarch64-linux-gnu-gcc"}
	case "aarch64-unknown-linux-gnu":
		return []string{"aarch64-linux-gnu-gcc"}
	case "armv7-unknown-linux-musleabihf":
		return []string{"armv7l-linux-musleabihf-gcc", "arm-linux-musleabihf-gcc", "arm-linux-gnueabihf-gcc"}
	case "armv7-unknown-linux-gnueabihf":
		return []string{"arm-linux-gnueabihf-gcc"}
	case "x86_64-unknown-linux-musl", "x86_64-unknown-linux-gnu":
		return []string{"x86_64-linux-gnu-gcc", "x86_64-linux-musl-gcc"}
	}
	return nil
}

// hostTriplePrefix is the architecture part of the triples this machine
// runs natively.
func hostTriplePrefix() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64-"
	case "arm64":
		return "aarch64-"
	case "arm":
		return "armv7-"
	}
	return runtime.GOARCH + "-"
}

// crossLinkers returns CARGO_TARGET_<TRIPLE>_LINKER settings for the
// triples that need a cross linker the user has not configured anywhere
// cargo looks (see cargoConfig.hasLinker), using the first candidate found
// on PATH. Triples for this machine's architecture link with the default
// cc and are left alone.
func crossLinkers(cfg cargoConfig, triples []string, lookPath func(string) (string, error)) ([]string, []string) {
	var set, notes []string
	for _, triple := range triples {
		if strings.HasPrefix(triple, hostTriplePrefix()) || cfg.hasLinker(triple) {
			continue
		}
		key := linkerEnvKey(triple)
		for _, name := range linkerCandidates(triple) {
			if path, err := lookPath(name); err == nil {
				set = append(set, key+"="+path)
				notes = append(notes, fmt.Sprintf("linking %s with %s (found on PATH; set %s or target.%s.linker to choose another)", triple, filepath.Base(path), key, triple))
				break
			}
		}
	}
	return set, notes
}

// linkerEnvKey is the variable cargo reads for target.<triple>.linker.
func linkerEnvKey(triple string) string {
	return "CARGO_TARGET_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(triple)) + "_LINKER"
}
