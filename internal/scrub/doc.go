// Package scrub removes from what krust writes, prints and pushes what
// must not leave the build machine: credentials and its local paths. It is
// the one owner of that rule: the SBOM and provenance, the annotations
// krust adds, -v output and errors that quote a user's value all go
// through it.
//
// The rules, each the same wherever the value goes:
//
//   - A URL loses its user information whatever it holds ("=", ";", "/",
//     "?", "#", "@", "%40", spaces, quotes): it is everything from "://" to
//     the "@" before the host (see Userinfo for how the host is found), and
//     whatever is left is parsed with net/url. A URL taken as a whole
//     (URL) also loses its query and fragment, where tokens travel too.
//   - A cargo argument is recorded only when it is known to be a build
//     setting (an allow-list of cargo build's options and of cargo config
//     keys: CargoArgs, Config); any other value is replaced by Redacted and
//     only its option or key is kept.
//   - An absolute path of the build machine becomes LocalPrefix followed
//     by its last element, and a relative one that leaves its directory
//     ("../x") too; a home directory (/home/NAME, /Users/NAME, /root,
//     ~NAME) becomes "<local>" alone, so no user name is left. Relative
//     paths inside the project and "~/..." are kept: they name nothing of
//     the machine, and are the same wherever the project is.
//
// The same input always gives the same output: documents stay
// reproducible.
package scrub

// Redacted replaces a value that is not known to be a build setting.
const Redacted = "<redacted>"

// LocalPrefix replaces the directories of a path of the build machine.
const LocalPrefix = "<local>/"

// local is what a home directory, or a path with no last element, becomes.
const local = "<local>"
