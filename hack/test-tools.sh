#!/usr/bin/env bash
# Builds the tools the tests run that take minutes to build, from the Go
# module proxy, once per machine, into a cache directory keyed by version:
# etcd and kube-apiserver for the Kubernetes tests (internal/testkube),
# cosign for the signing tests (internal/testtools). A second run finds the
# binaries and does nothing.
#
#   hack/test-tools.sh [DIR]
#
# DIR defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/docker-krust/tools; the
# binaries land in DIR/NAME-VERSION/NAME. Neither etcd nor kube-apiserver
# can be installed with `go install` (their go.mod files have replace
# directives), so each is built from a tool module made in a temporary
# directory; cosign is installed with `go install`. Cold, kube-apiserver
# takes about 9 minutes on 2 cores and cosign about 6, with several GB of
# module and build cache (README, Development).
#
# Each binary is written to a temporary name beside its final place, run
# with --version, and only then renamed: an interrupted or failed build
# never leaves a binary that the tests would take for a good one.
set -euo pipefail

ETCD_VERSION=${ETCD_VERSION:-v3.6.16}
KUBE_VERSION=${KUBE_VERSION:-v1.36.3}
COSIGN_VERSION=${COSIGN_VERSION:-v3.1.3}
# cosign v2 reads the older signature format krust writes on request.
COSIGN_V2_VERSION=${COSIGN_V2_VERSION:-v2.6.5}
dir=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/docker-krust/tools}

die() { echo "test-tools: $*" >&2; exit 1; }

# version BINARY: what the binary says of its version (cosign has a
# version command, the others a --version flag).
version() {
  case $(basename "$1") in
  cosign*) "$1" version ;;
  *) "$1" --version ;;
  esac
}

# ok BINARY WANT: the binary exists, runs, and reports version WANT.
ok() {
  local out
  [ -x "$1" ] || return 1
  out=$(version "$1" 2>/dev/null) || return 1
  grep -qF "${2#v}" <<<"$out"
}

# install_binary TMP DEST WANT: verify the freshly built TMP and move it
# into place atomically (same directory, so rename(2)).
install_binary() {
  local tmp=$1 dest=$2 want=$3 out
  out=$(version "$tmp" 2>&1) || die "$dest: the built binary does not run: $out"
  grep -qF "${want#v}" <<<"$out" || die "$dest: built binary reports \"$out\", want $want"
  mv -f "$tmp" "$dest"
  echo "test-tools: $dest ($(du -h "$dest" | cut -f1)): $(grep -m1 -F "${want#v}" <<<"$out")" >&2
}

build_etcd() { # WORK DEST
  local work=$1/etcd dest=$2
  mkdir -p "$work"
  cat >"$work/main.go" <<'EOF'
// Command etcd is etcd's own server command, built from its module.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF
  (
    cd "$work"
    go mod init krust.local/tools/etcd >/dev/null 2>&1
    go mod edit -require="go.etcd.io/etcd/server/v3@$ETCD_VERSION"
    go mod tidy
    go build -trimpath -ldflags '-s -w' -o "$dest" .
  ) || die "building etcd $ETCD_VERSION failed (see above)"
}

# staging_replaces prints one -replace flag for each module kubernetes
# KUBE_VERSION replaces with its own staging directory.
staging_replaces() {
  local gomod staging=v0.${KUBE_VERSION#v1.}
  gomod=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')
  [ -f "$gomod" ] || die "no go.mod for k8s.io/kubernetes@$KUBE_VERSION from 'go mod download'"
  sed -n 's#^[[:space:]]*\(k8s.io/[^[:space:]]*\)[[:space:]]*=>[[:space:]]*\./staging/.*#\1#p' "$gomod" |
    sed "s#.*#-replace=&=&@$staging#"
}

build_kube_apiserver() { # WORK DEST
  local work=$1/kube-apiserver dest=$2 minor replaces
  minor=${KUBE_VERSION#v1.}
  minor=${minor%%.*}
  mkdir -p "$work"
  cat >"$work/tools.go" <<'EOF'
//go:build tools

// Package tools pins kube-apiserver's module for `go build`.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
EOF
  (
    cd "$work"
    go mod init krust.local/tools/kube-apiserver >/dev/null 2>&1
    mapfile -t replaces < <(staging_replaces)
    [ "${#replaces[@]}" -gt 10 ] || die "found only ${#replaces[@]} staging modules in kubernetes' go.mod"
    go mod edit -require="k8s.io/kubernetes@$KUBE_VERSION" "${replaces[@]}"
    go mod tidy
    go build -trimpath -o "$dest" -ldflags "-s -w
      -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION
      -X k8s.io/component-base/version.gitMajor=1
      -X k8s.io/component-base/version.gitMinor=$minor" k8s.io/kubernetes/cmd/kube-apiserver
  ) || die "building kube-apiserver $KUBE_VERSION failed (see above)"
}

# cosign_from MAJOR VERSION WORK DEST: go install cosign's module MAJOR.
cosign_from() {
  GOBIN=$3/bin go install -trimpath "github.com/sigstore/cosign/$1/cmd/cosign@$2" &&
    mv "$3/bin/cosign" "$4" || die "building cosign $2 failed (see above)"
}
build_cosign() { cosign_from v3 "$COSIGN_VERSION" "$1" "$2"; }     # WORK DEST
build_cosign_v2() { cosign_from v2 "$COSIGN_V2_VERSION" "$1" "$2"; } # WORK DEST

# tool NAME VERSION BUILDER: build NAME unless its cached binary is good.
tool() {
  local name=$1 version=$2 builder=$3 dest tmp work start
  dest=$dir/$name-$version/$name
  # Left by a build killed before its trap ran; the lock says none is running.
  rm -f "$dest".partial.*
  if ok "$dest" "$version"; then
    echo "test-tools: $dest is there" >&2
    return
  fi
  command -v go >/dev/null || die "go is not on PATH"
  mkdir -p "$(dirname "$dest")"
  tmp=$(mktemp "$dest.partial.XXXXXX")
  work=$(mktemp -d)
  # Cleared on every exit: a kill or a failure leaves neither behind.
  # Expanded now: the trap may run after this function's locals are gone.
  # shellcheck disable=SC2064
  trap "rm -rf '$work' '$tmp'" EXIT
  echo "test-tools: building $name $version (cold, kube-apiserver takes about 9 minutes, cosign about 6)" >&2
  start=$SECONDS
  "$builder" "$work" "$tmp"
  install_binary "$tmp" "$dest" "$version"
  echo "test-tools: $name built in $((SECONDS - start)) s" >&2
  rm -rf "$work"
  trap - EXIT
}

mkdir -p "$dir"
# One build at a time per cache: a second run waits for the first, then
# finds its binaries. (macOS has no flock(1); there, runs are not serialised.)
if command -v flock >/dev/null; then
  exec 9>"$dir/.lock"
  flock 9 || die "cannot lock $dir/.lock"
fi
tool etcd "$ETCD_VERSION" build_etcd
tool kube-apiserver "$KUBE_VERSION" build_kube_apiserver
tool cosign "$COSIGN_VERSION" build_cosign
tool cosign "$COSIGN_V2_VERSION" build_cosign_v2
