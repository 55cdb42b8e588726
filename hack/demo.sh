#!/usr/bin/env bash
# Builds example/hello-krust into an OCI image layout with no network and
# runs it with whatever can run it here: the Docker Engine (--load), or umoci + chroot.
set -euo pipefail
cd "$(dirname "$0")/.."
libc=musl
if ! rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-linux-musl; then
  echo "demo: the musl Rust target is not installed; building against static glibc" >&2
  libc=glibc
fi
if docker info >/dev/null 2>&1; then
  # An engine answers: straight into it with --load, no registry, no skopeo.
  tag="demo-$$"
  id=$(bin/krust build --load --tag "$tag" --libc "$libc" --base scratch example/hello-krust)
  echo "demo: loaded $id as krust.local/hello-krust:$tag" >&2
  docker run --rm "$id" demo
  docker rmi "krust.local/hello-krust:$tag" >/dev/null
  exit 0
fi
ref=$(bin/krust build --no-push --libc "$libc" --base scratch example/hello-krust)
echo "demo: built $ref" >&2
if command -v umoci >/dev/null; then
  bundle=$(mktemp -d)
  trap 'rm -rf "$bundle"' EXIT
  umoci unpack --rootless --image "${ref#oci:}" "$bundle/b" >/dev/null
  chroot "$bundle/b/rootfs" /app/hello-krust demo
else
  echo "demo: install skopeo and a Docker engine, or umoci, to run $ref" >&2
fi
