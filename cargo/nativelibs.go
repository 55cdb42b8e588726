package cargo

import (
	"fmt"
	"slices"
	"strings"
)

// pkg-config's variables, as the pkg-config crate (which most -sys
// crates' build scripts use) reads them.
const (
	pkgConfigAllStatic  = "PKG_CONFIG_ALL_STATIC"
	pkgConfigAllDynamic = "PKG_CONFIG_ALL_DYNAMIC"
)

// staticPkgConfig returns env with PKG_CONFIG_ALL_STATIC=1, so that the
// build scripts of -sys crates ask pkg-config for a library's static
// flags (its Libs.private and Requires.private too), as a static build
// needs; env as it is when the user set either variable.
func staticPkgConfig(env []string) []string {
	for _, key := range []string{pkgConfigAllStatic, pkgConfigAllDynamic} {
		if _, ok := lookupEnv(env, key); ok {
			return env
		}
	}
	return setEnv(env, pkgConfigAllStatic, "1")
}

// nativeLink is what one crate's build script asked cargo to link.
type nativeLink struct {
	// crate is "NAME VERSION"; libs the native libraries' names.
	crate string
	libs  []string
}

// Bounds of what readMessages keeps of build scripts' link requests.
const (
	maxNativeLinks = 256
	maxLinkedLibs  = 64
)

// addNativeLink records the libraries a build-script-executed message
// names, each as NAME whatever its kind and modifiers
// ("static:+whole-archive=z" is z).
func addNativeLink(links []nativeLink, packageID string, specs []string) []nativeLink {
	id, ok := parsePackageID(packageID)
	if !ok || len(specs) == 0 || len(links) >= maxNativeLinks {
		return links
	}
	l := nativeLink{crate: id.name + " " + id.version}
	for _, spec := range specs {
		if i := strings.LastIndexByte(spec, '='); i >= 0 {
			spec = spec[i+1:]
		}
		name, _, _ := strings.Cut(spec, ":")
		if validLibName(name) && len(l.libs) < maxLinkedLibs && !slices.Contains(l.libs, name) {
			l.libs = append(l.libs, name)
		}
	}
	return append(links, l)
}

// cratesLinking lists the crates whose build scripts asked for any of libs.
func cratesLinking(links []nativeLink, libs []string) []string {
	var out []string
	for _, l := range links {
		for _, lib := range libs {
			if slices.Contains(l.libs, lib) && !slices.Contains(out, l.crate) {
				out = append(out, l.crate)
			}
		}
	}
	return out
}

// NativeLibError is ErrLibraryNotFound or ErrLink for the native libraries
// of a static build, with the crates that link them and the fixes.
type NativeLibError struct {
	// Kind is ErrLibraryNotFound or ErrLink.
	Kind error
	// Triple is the target built for.
	Triple string
	// Libs are the native libraries at fault ("udev" for libudev.a);
	// Crates ("NAME VERSION") the crates whose build scripts link them.
	Libs, Crates []string
	// Symbols are the first symbols the archives of Libs need and no
	// linked library provides (ErrLink).
	Symbols []string
	// BuildScript says the build script of Crates failed to find Libs
	// (their links key), rather than the linker.
	BuildScript bool
}

// Is makes the error its Kind.
func (e *NativeLibError) Is(target error) bool { return target == e.Kind }

func (e *NativeLibError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cargo build for %s failed: %v: ", e.Triple, e.Kind)
	crates := "a crate's build script"
	if len(e.Crates) > 0 {
		crates = "crate " + strings.Join(e.Crates, ", ")
	}
	libs, archives := strings.Join(e.Libs, ", "), archiveNames(e.Libs)
	switch {
	case e.BuildScript:
		fmt.Fprintf(&b, "the build script of %s could not find native library %s", crates, libs)
	case e.Kind == ErrLink:
		fmt.Fprintf(&b, "%s (which %s links) needs symbols that no linked library provides (%s): "+
			"the libraries it depends on are not linked, or have no static archive", archives, crates, strings.Join(e.Symbols, ", "))
	default:
		fmt.Fprintf(&b, "the linker found no static archive %s of library %s, which %s links", archives, libs, crates)
	}
	b.WriteString(" (see cargo's messages above)\n  to fix it, either:")
	if e.Kind == ErrLink {
		fmt.Fprintf(&b, "\n  - link what %s depends on too, each as a static archive: its pkg-config file lists them "+
			"(Libs.private, Requires.private); rustflags such as -C link-arg=-lNAME add them", archives)
	} else {
		fmt.Fprintf(&b, "\n  - install the static archive (%s) and its dependencies: on Debian, the library's -dev package, where it ships one", archives)
	}
	b.WriteString("\n  - turn on the crate's vendored or static feature, where it has one: it builds the library from source and links it statically")
	b.WriteString("\n  - for OpenSSL (openssl-sys), use rustls instead: most crates offer a rustls feature")
	return b.String()
}

// archiveNames names the static archives of libs: libNAME.a.
func archiveNames(libs []string) string {
	names := make([]string, len(libs))
	for i, l := range libs {
		names[i] = "lib" + l + ".a"
	}
	return strings.Join(names, ", ")
}

// nativeLibError says which native library a failed build for triple
// could not link, from what cargo printed (scan) and the build scripts'
// link requests (msgs); nil when the failure is about something else.
func nativeLibError(triple string, scan *linkScan, msgs buildMessages) *NativeLibError {
	switch {
	case scan.linkFailed && len(scan.missing) > 0:
		return &NativeLibError{Kind: ErrLibraryNotFound, Triple: triple, Libs: scan.missing,
			Crates: cratesLinking(msgs.links, scan.missing)}
	case scan.linkFailed && len(scan.archives) > 0 && len(scan.symbols) > 0:
		return &NativeLibError{Kind: ErrLink, Triple: triple, Libs: scan.archives,
			Crates: cratesLinking(msgs.links, scan.archives), Symbols: scan.symbols}
	}
	for _, crate := range scan.scriptFailed {
		if links := crateLinks(msgs.packages, crate); links != "" {
			// The links key often names the library as its file does.
			if name := strings.TrimPrefix(links, "lib"); name != "" {
				links = name
			}
			return &NativeLibError{Kind: ErrLibraryNotFound, Triple: triple, Libs: []string{links},
				Crates: []string{strings.Replace(crate, " v", " ", 1)}, BuildScript: true}
		}
	}
	return nil
}

// crateLinks is the links key of crate ("NAME vVERSION") among the
// packages cargo compiled: "" when it has none, as for a build script
// that links no native library.
func crateLinks(packages []BuiltPackage, crate string) string {
	name, version, _ := strings.Cut(crate, " v")
	for _, p := range packages {
		id, ok := parsePackageID(p.ID)
		if !ok || id.name != name || id.version != version || p.ManifestPath == "" {
			continue
		}
		f, _, err := readManifestFields(p.ManifestPath)
		if err != nil || !validLibName(f.links) {
			return ""
		}
		return f.links
	}
	return ""
}

// validLibName reports whether s looks like a library's name, which an
// error may show: not empty, short, in the characters of file names.
func validLibName(s string) bool {
	return s != "" && len(s) <= 100 && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-") == ""
}
