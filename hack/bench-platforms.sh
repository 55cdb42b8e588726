#!/usr/bin/env bash
# Compares two ways of building two platforms from clean: one cargo
# invocation with both --target flags (what docker-krust does) against one
# invocation per target, run one after the other. Needs Debian's cargo with
# the arm64 std and aarch64-linux-gnu-gcc (see .ci/run). Prints the ratio.
set -euo pipefail
runs=${RUNS:-5}
src=$(cd "$(dirname "$0")/../example/hello-krust" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$src/Cargo.toml" "$work/" && cp -r "$src/src" "$work/"
export PATH=/usr/bin:$PATH CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export RUSTFLAGS='-C target-feature=+crt-static'
cd "$work"
build() { cargo build -q --release "$@"; }
clock() { local s e; s=$(date +%s%N); "$@"; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
one=0 each=0
for _ in $(seq "$runs"); do
  rm -rf target; one=$(( one + $(clock build --target x86_64-unknown-linux-gnu --target aarch64-unknown-linux-gnu) ))
  rm -rf target; each=$(( each + $(clock sh -c 'cargo build -q --release --target x86_64-unknown-linux-gnu && cargo build -q --release --target aarch64-unknown-linux-gnu') ))
done
echo "one invocation: $((one / runs)) ms, one per target: $((each / runs)) ms (mean of $runs clean builds)"
awk -v a="$one" -v b="$each" 'BEGIN { printf "per-target / one invocation = %.2f\n", b / a }'
