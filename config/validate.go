package config

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/distribution/reference"
	"github.com/docker-krust/docker-krust/cargo"
	"github.com/docker-krust/docker-krust/imageref"
	"github.com/docker-krust/docker-krust/internal/scrub"
	"github.com/docker-krust/docker-krust/oci"
)

// ErrInvalidSetting is wrapped by every error Settle returns for a value
// that breaks a rule.
var ErrInvalidSetting = errors.New("invalid setting")

// mergeChecked merges layers, highest precedence first (see merge), and
// checks the values that win against the rules Docker, the image spec and
// cargo impose, so that a bad value is refused before cargo runs rather
// than written into an image that fails later. Every problem is returned,
// each naming the setting, its source, the value and the rule.
func mergeChecked(layers ...Settings) (Settings, []error) {
	s := merge(layers...)
	var errs []error
	for _, p := range s.Ports {
		if err := checkPort(p); err != nil {
			errs = append(errs, invalid("ports", whereIs(layers, "ports"), p, err))
		}
	}
	if s.Workdir != "" && !path.IsAbs(s.Workdir) {
		errs = append(errs, invalid("workdir", whereIs(layers, "workdir"), s.Workdir,
			errors.New("want an absolute path such as /app: Docker refuses a relative working directory")))
	}
	for _, k := range sortedKeys(s.Env) {
		if err := checkEnv(k, s.Env[k]); err != nil {
			// The variable is named by its key: its value may be a secret.
			errs = append(errs, invalid("env", envSource(layers, k), k, err))
		}
	}
	if _, err := oci.ParseCompression(s.Compression); err != nil {
		errs = append(errs, invalid("compression", whereIs(layers, "compression"), s.Compression,
			errors.New("want gzip (the default, which every engine reads) or zstd (smaller and faster, read by fewer)")))
	}
	if s.Libc != "" {
		if _, err := cargo.ParseLibc(s.Libc); err != nil {
			errs = append(errs, invalid("libc", whereIs(layers, "libc"), s.Libc, errors.New("want musl (the default) or glibc")))
		}
	}
	if err := checkCargoArgs(s.CargoArgs, winner(layers, "cargo-args")); err != nil {
		errs = append(errs, err)
	}
	if err := checkBase(s.BaseImage); err != nil {
		errs = append(errs, invalid("base-image", whereIs(layers, "base-image"), s.BaseImage, err))
	}
	errs = append(errs, checkTags(s.Tags, whereIs(layers, "tags"))...)
	errs = append(errs, checkSupplyChain(s, layers)...)
	errs = append(errs, checkFiles(s.Files, layers)...)
	return s, errs
}

// checkCargoArgs refuses cargo arguments that krust sets itself; source
// is the settings they come from, whose keys the fix names.
func checkCargoArgs(args []string, source Settings) error {
	for _, a := range args {
		if a == "--target" || strings.HasPrefix(a, "--target=") {
			return invalid("cargo-args", source.where("cargo-args"), a,
				fmt.Errorf("krust chooses cargo's --target from the platforms setting and libc: set %s (e.g. linux/arm64) and %s instead",
					source.key("platforms"), source.key("libc")))
		}
		if isPackageArg(a) {
			// Wrapped, unlike invalid's rules: the command says how to
			// name packages to krust.
			return fmt.Errorf("%w: %w", invalid("cargo-args", source.where("cargo-args"), a,
				errors.New("krust chooses the packages it builds, one image each, and tells cargo")), ErrPackageArg)
		}
	}
	return nil
}

// ErrPackageArg means cargo arguments choose packages, which krust
// chooses itself; the command says how to name them to krust.
var ErrPackageArg = errors.New("name them to krust instead")

// isPackageArg reports whether a is a cargo option that chooses packages:
// -p/--package, --workspace (--all) or --exclude, in any of the forms
// cargo reads.
func isPackageArg(a string) bool {
	for _, long := range []string{"--package", "--exclude"} {
		if a == long || strings.HasPrefix(a, long+"=") {
			return true
		}
	}
	return a == "--workspace" || a == "--all" || strings.HasPrefix(a, "-p")
}

// checkBase checks the grammar of a base image named by its registry
// reference; scratch and oci:PATH[:TAG] (an image in a layout) are the
// builder's to read.
func checkBase(base string) error {
	if base == "" || base == "scratch" || strings.HasPrefix(base, "oci:") {
		return nil
	}
	if scrub.Reference(base) != base {
		// The grammar's own error would quote the credentials.
		return imageref.ErrCredentials
	}
	if _, err := reference.ParseNormalizedNamed(base); err != nil {
		return fmt.Errorf("%w: want scratch, oci:PATH[:TAG] (an image in an OCI layout) or a registry reference such as %s", err, DefaultBase)
	}
	return nil
}

// checkTags checks each tag against the OCI tag grammar; where says where
// they are written.
func checkTags(tags []string, where string) []error {
	var errs []error
	for _, t := range tags {
		if imageref.ValidTag(t) != nil {
			errs = append(errs, invalid("tags", where, t, errors.New(imageref.TagRule)))
		}
	}
	return errs
}

// maxJSONTime is the last second encoding/json can write as a time:
// 9999-12-31T23:59:59Z (RFC 3339 has four-digit years).
const maxJSONTime = 253402300799

// sourceDateEpoch reads SOURCE_DATE_EPOCH: unset means the Unix epoch and
// stamp false; set, it must be whole seconds from 0 to 253402300799
// (the last second of year 9999, the latest time an image config holds).
func sourceDateEpoch(v string) (created time.Time, stamp bool, err error) {
	if v == "" {
		return time.Unix(0, 0).UTC(), false, nil
	}
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil || sec < 0 || sec > maxJSONTime {
		return time.Time{}, false, fmt.Errorf("%w: SOURCE_DATE_EPOCH=%q (environment): want whole seconds since 1970-01-01 from 0 to %d (9999-12-31), e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%%ct)",
			ErrInvalidSetting, v, int64(maxJSONTime))
	}
	return time.Unix(sec, 0).UTC(), true, nil
}

// checkPort accepts PORT or PORT/PROTO: a decimal 1-65535 without sign or
// leading zero, and tcp, udp or sctp, as Docker's ExposedPorts keys are.
func checkPort(p string) error {
	num, proto, hasProto := strings.Cut(p, "/")
	rule := errors.New("want a port 1-65535 with an optional /tcp, /udp or /sctp, e.g. 8080 or 53/udp")
	if hasProto && !slices.Contains([]string{"tcp", "udp", "sctp"}, proto) {
		return rule
	}
	if num == "" || num[0] == '0' || strings.Trim(num, "0123456789") != "" {
		return rule
	}
	if n, err := strconv.Atoi(num); err != nil || n > 65535 {
		return rule
	}
	return nil
}

// checkEnv refuses what cannot be put into a process environment.
func checkEnv(key, value string) error {
	switch {
	case key == "":
		return errors.New("want a non-empty variable name")
	case strings.ContainsAny(key, "=\n\x00"):
		return errors.New(`a variable name cannot hold "=", a newline or NUL`)
	case strings.ContainsRune(value, 0):
		return errors.New("a value cannot hold NUL")
	}
	return nil
}

// invalid says that value of setting, written where, breaks rule. The
// value is quoted without user information (a --repo or --base written
// user:password@host/...), which no output may show.
func invalid(setting, where, value string, rule error) error {
	return fmt.Errorf("%w %s %q (%s): %v", ErrInvalidSetting, setting, scrub.Reference(value), where, rule)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
