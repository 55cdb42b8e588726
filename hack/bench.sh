#!/usr/bin/env bash
# make bench: how fast krust packages, rebuilds and pushes a big binary,
# side by side with crane append, cargo's own no-op and skopeo copy, in one
# run. Each figure is the median of BENCH_RUNS runs (default 3) and the
# tools take turns (A B, then B A, ...), so a change in the machine's load
# falls on both. Not part of `make test`.
#
#   BENCH_RUNS=1 make bench        # one run of each, under a minute once compiled
#
# Environment: BENCH_RUNS (3), BENCH_MIB (100, the payload of the test
# crate), BENCH_BIG_MIB (500, for peak memory), BENCH_DIR (target/bench:
# the generated crates, about 1.4 GB, kept so the next run needs no 500 MiB
# compile; rm -rf it to reclaim), BENCH_GOTIME (go test -benchtime, 1s),
# BENCH_KRUST_ARGS (more krust build flags, e.g. "--compression zstd"),
# BENCH_GOPKGS (the packages whose Go benchmarks run, ./oci),
# BENCH_ONLY=workspace (only the workspace section: three members in one
# krust build against one cargo build of them, cold target directories),
# BENCH_DOCS_PROJECT (the project with real dependencies whose no-op
# rebuild with SBOM and provenance is timed: example/crates-krust, or e.g.
# fd-find's Debian sources, see README's Performance), BENCH_DOCS_RUNS (11),
# BENCH_ONLY=docs (time only that, in a few seconds once compiled),
# BENCH_ONLY=resolve (krust resolve of YAML naming the workspace's three
# members against krust build -p a -p b -p c, both pushing),
# BENCH_KRUST (the krust binary to time, bin/krust).
# A check of the script itself in about 10 s:
#   BENCH_MIB=2 BENCH_BIG_MIB=4 BENCH_RUNS=1 BENCH_DIR=/tmp/b hack/bench.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=${BENCH_RUNS:-3}
mib=${BENCH_MIB:-100}
big_mib=${BENCH_BIG_MIB:-500}
work=${BENCH_DIR:-$root/target/bench}
krust=${BENCH_KRUST:-$root/bin/krust}
triple=x86_64-unknown-linux-gnu
cores=$(nproc)
read -ra krust_args <<<"${BENCH_KRUST_ARGS:-}"

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }

# load warns when the 1-minute load average says other work is running:
# above half the cores, the timings below are slower than on a quiet machine.
load() {
  echo "machine ($1): $cores cores, $(uptime | sed 's/.*load average/load average/')"
  awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v c="$cores" 'BEGIN { exit !(l > c / 2) }' &&
    echo "WARNING: load is high for $cores cores; figures are slower than on a quiet machine and ratios noisier"
  return 0
}

# need checks every tool up front and says how to get what is missing;
# crane is installed with go, as it is not packaged by Debian.
need() {
  local missing=()
  [[ -x $krust ]] || missing+=("$krust: run make build (make bench does)")
  command -v cargo >/dev/null || missing+=("cargo: install Rust with rustup")
  command -v skopeo >/dev/null || missing+=("skopeo: apt-get install -y skopeo")
  command -v docker-registry >/dev/null || missing+=("docker-registry: apt-get install -y docker-registry")
  command -v curl >/dev/null || missing+=("curl: apt-get install -y curl")
  [[ -x /usr/bin/time ]] || missing+=("/usr/bin/time (for peak memory): apt-get install -y time")
  if ((${#missing[@]})); then
    printf 'bench: missing %s\n' "${missing[@]}" >&2
    exit 1
  fi
  local gobin
  gobin=$(go env GOBIN)
  crane=$(command -v crane || echo "${gobin:-$(go env GOPATH)/bin}/crane")
  if [[ ! -x $crane ]]; then
    say "installing crane v0.22.1 with go install (about 45 s)"
    go install github.com/google/go-containerregistry/cmd/crane@v0.22.1
  fi
  [[ $work != *[[:space:]:]* ]] || die "BENCH_DIR must hold no spaces or colons (it is in oci:DIR:TAG references): $work"
}

# clock runs a command with its output in $tmp/out and $tmp/err and
# prints how long it took, in milliseconds; a failure shows its stderr.
clock() {
  local s e
  s=$(date +%s%N)
  if ! "$@" >"$tmp/out" 2>"$tmp/err"; then
    say "failed: $*"
    cat "$tmp/err" >&2
    return 1
  fi
  e=$(date +%s%N)
  echo $(((e - s) / 1000000))
}

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
secs() { awk -v ms="$1" 'BEGIN { printf "%.2f s", ms / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }
# verdict prints "met" or "MISSED" for a comparison awk evaluates.
verdict() { awk "BEGIN { exit !($1) }" && echo met || echo MISSED; }

# crate copies the test crate to $work/cNNN; sources keep their
# modification times (cp -p), so a second bench run compiles nothing.
crate() {
  local dir=$work/c$1
  mkdir -p "$dir/src"
  cp -p "$root/hack/bigcrate/Cargo.toml" "$root/hack/bigcrate/build.rs" "$dir/"
  cp -p "$root/hack/bigcrate/src/main.rs" "$dir/src/"
}

# warm builds the crate as krust will, so the timed runs find cargo up to
# date, plus a plain `cargo build --release` into cargo-target for cargo's
# own no-op time.
warm() {
  local dir=$work/c$mib
  say "building the $mib MiB test crate in $dir (compiling, the first time, takes about 1 s per 10 MiB)"
  kbuild "$mib" "$tmp/warm" "$dir" >/dev/null 2>"$tmp/err" ||
    { cat "$tmp/err" >&2; die "building the $mib MiB crate failed"; }
  rm -rf "$tmp/warm"
  cargo_noop "$dir"
}

# fresh makes the next krust build rebuild its layer: no layout, nothing
# under TARGET_DIR/krust, an empty user cache, whatever a layer cache keeps.
fresh() {
  rm -rf "$1" "$2/target/krust" "$tmp/cache"
  mkdir -p "$tmp/cache"
}

kbuild() { XDG_CACHE_HOME=$tmp/cache KRUST_BENCH_MIB=$1 "$krust" build --no-push --libc glibc --base scratch "${krust_args[@]}" --tag latest --oci-layout "$2" "$3"; }
crane_append() { rm -f "$tmp/image.tar"; "$crane" append -f "$tmp/layer.tar" --oci-empty-base -t bench.invalid/bigcrate:latest -o "$tmp/image.tar"; }
cargo_noop() {
  KRUST_BENCH_MIB=$mib RUSTFLAGS='-C target-feature=+crt-static' \
    cargo build -q --release --target $triple --manifest-path "$1/Cargo.toml" --target-dir "$1/cargo-target"
}
# largest prints the size of the biggest file under a layout (its one
# layer, on scratch) or entry in a tarball.
largest_blob() { find "$1/blobs" -type f -printf '%s\n' | sort -n | tail -1; }
largest_entry() { tar -tvf "$1" | awk '{ print $3 }' | sort -n | tail -1; }

package_and_noop() {
  local dir=$work/c$mib layout=$tmp/layout i
  local -a kb=() kn=() cr=() cn=()
  mkdir -p "$tmp/stage/app"
  cp "$dir/target/$triple/release/bigcrate" "$tmp/stage/app/bigcrate"
  chmod 0755 "$tmp/stage/app/bigcrate"
  tar --owner=0 --group=0 --numeric-owner --mtime=@0 -cf "$tmp/layer.tar" -C "$tmp/stage" app
  binary_bytes=$(stat -c %s "$tmp/stage/app/bigcrate")
  krust_round() {
    fresh "$layout" "$dir"
    kb+=("$(clock kbuild "$mib" "$layout" "$dir")")
    kn+=("$(clock kbuild "$mib" "$layout" "$dir")")
  }
  peer_round() {
    cr+=("$(clock crane_append)")
    cn+=("$(clock cargo_noop "$dir")")
  }
  for ((i = 1; i <= runs; i++)); do
    say "packaging and no-op, run $i of $runs"
    if ((i % 2)); then krust_round; peer_round; else peer_round; krust_round; fi
  done
  krust_build=$(median "${kb[@]}") krust_noop=$(median "${kn[@]}")
  crane_ms=$(median "${cr[@]}") cargo_ms=$(median "${cn[@]}")
  krust_layer=$(largest_blob "$layout") crane_layer=$(largest_entry "$tmp/image.tar")
}

peak_memory() {
  local dir=$work/c$big_mib layout=$tmp/big
  say "peak memory packaging the $big_mib MiB binary"
  big_build "$dir" "$layout"
  # A run in which cargo compiled (the first, or after krust changed its
  # flags) measures rustc: measure again, with cargo up to date.
  if grep -q 'Compiling bigcrate' "$tmp/err"; then
    say "cargo compiled the $big_mib MiB crate (the first time, about 1 s per 10 MiB); measuring again"
    big_build "$dir" "$layout"
  fi
  peak_kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tmp/time")
  big_wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$tmp/time")
  # The maximum covers krust's children too: cargo's own no-op peak says
  # whether the figure is krust's.
  /usr/bin/time -v -o "$tmp/time" env KRUST_BENCH_MIB="$mib" RUSTFLAGS='-C target-feature=+crt-static' \
    cargo build -q --release --target $triple --manifest-path "$work/c$mib/Cargo.toml" --target-dir "$work/c$mib/cargo-target"
  cargo_kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tmp/time")
  rm -rf "$layout"
}

# big_build packages the big crate from a fresh layout under /usr/bin/time.
big_build() {
  fresh "$2" "$1"
  XDG_CACHE_HOME=$tmp/cache KRUST_BENCH_MIB=$big_mib /usr/bin/time -v -o "$tmp/time" \
    "$krust" build --no-push --libc glibc --base scratch "${krust_args[@]}" --tag latest --oci-layout "$2" "$1" >/dev/null 2>"$tmp/err" ||
    { cat "$tmp/err" >&2; die "packaging the $big_mib MiB binary failed"; }
}

# docs_noop times a no-op rebuild with the SBOM and provenance (krust's
# defaults) of a project with real dependencies, against cargo's own
# no-op build of it, and without the documents. The project is copied
# once into $work/docs (sources with their mtimes, so later runs compile
# nothing); krust builds into its target directory, cargo into
# docs.cargo-target beside the project: not inside it, where krust's
# writes would make cargo run a build script without rerun-if-changed.
docs_noop() {
  local src=${BENCH_DOCS_PROJECT:-$root/example/crates-krust} dir=$work/docs i
  local -a kd=() kn=() cg=()
  if [[ ! -f $dir/Cargo.toml || $(cat "$dir/.bench-source" 2>/dev/null) != "$src" ]]; then
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$src" && tar --exclude=./target -cf - .) | tar -C "$dir" -xpf -
    echo "$src" >"$dir/.bench-source"
  fi
  docs_name=$(basename "$src")
  say "no-op rebuild with documents of $docs_name (compiling it, the first time)"
  kdocs "$dir" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; die "building $src failed"; }
  cargo_docs "$dir" 2>"$tmp/err" || { cat "$tmp/err" >&2; die "cargo build of $src failed"; }
  for ((i = 1; i <= ${BENCH_DOCS_RUNS:-11}; i++)); do
    if ((i % 2)); then
      kd+=("$(clock kdocs "$dir")") kn+=("$(clock kdocs "$dir" --sbom none --provenance none)") cg+=("$(clock cargo_docs "$dir")")
    else
      cg+=("$(clock cargo_docs "$dir")") kn+=("$(clock kdocs "$dir" --sbom none --provenance none)") kd+=("$(clock kdocs "$dir")")
    fi
  done
  docs_ms=$(median "${kd[@]}") nodocs_ms=$(median "${kn[@]}") cargo_docs_ms=$(median "${cg[@]}")
  docs_crates=$(grep -c '^name = ' "$dir/Cargo.lock" || true)
}
docs_row() {
  echo "| no-op rebuild with SBOM and provenance, $docs_name ($docs_crates crates locked) | $(secs "$docs_ms") (without documents $(secs "$nodocs_ms")) | \`cargo build\` no-op $(secs "$cargo_docs_ms") | +$(secs $((docs_ms - cargo_docs_ms))), $(ratio "$docs_ms" "$cargo_docs_ms") | ≤ cargo + 0.1 s: $(verdict "$docs_ms <= $cargo_docs_ms + 100") |"
}
kdocs() { local d=$1; shift; "$krust" build --no-push --libc glibc --base scratch "${krust_args[@]}" --tag latest "$@" "$d"; }
# cargo runs in the project, so that its .cargo/config.toml applies.
cargo_docs() {
  (cd "$1" && RUSTFLAGS='-C target-feature=+crt-static' \
    cargo build -q --release --target $triple --target-dir "$1.cargo-target" 2>/dev/null)
}

# registry starts distribution on a free loopback port with its own
# storage and prints host:port; the EXIT trap stops it.
registry() {
  local port dir
  for _ in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 40000))
    ss -Htln "sport = :$port" | grep -q . && continue
    dir=$(mktemp -d "$tmp/registry.XXXX")
    printf 'version: 0.1\nlog: { level: error }\nstorage: { filesystem: { rootdirectory: %s/data } }\nhttp: { addr: 127.0.0.1:%s }\n' "$dir" "$port" >"$dir/config.yml"
    docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
    echo $! >>"$tmp/pids"
    for _ in $(seq 100); do
      curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && { echo "127.0.0.1:$port"; return; }
      kill -0 "$!" 2>/dev/null || break
      sleep 0.05
    done
  done
  die "could not start docker-registry on a free port"
}

push() {
  local layout=$tmp/layout image=$tmp/layout-image i r1 r2 r3
  local -a kp=() sp=() again=() kd=()
  # skopeo copies the image alone: krust's ratio is taken on the same
  # work, a copy of the layout whose index.json lists the image without
  # its SBOM and provenance; the push with them is timed on its own.
  rm -rf "$image" && cp -a "$layout" "$image"
  python3 -c 'import json,sys; p=sys.argv[1]; i=json.load(open(p)); i["manifests"]=[m for m in i["manifests"] if "org.opencontainers.image.ref.name" in m.get("annotations",{})]; json.dump(i,open(p,"w"))' "$image/index.json"
  krust_push() {
    r1=$(registry)
    kp+=("$(clock "$krust" push "oci:$image:latest" "$r1/bench/krust:latest")")
    first_summary=$(grep -E '^pushed .*: [0-9]+ uploaded' "$tmp/err" | tail -1)
    again+=("$(clock "$krust" push "oci:$image:latest" "$r1/bench/krust:latest")")
    second_summary=$(grep -E '^pushed .*: [0-9]+ uploaded' "$tmp/err" | tail -1)
    r3=$(registry)
    kd+=("$(clock "$krust" push "oci:$layout:latest" "$r3/bench/krust:latest")")
    documents_summary=$(grep -E '^pushed .* with [0-9]+ referrers' "$tmp/err" | tail -1)
  }
  skopeo_push() {
    r2=$(registry)
    sp+=("$(clock skopeo copy --quiet --dest-tls-verify=false "oci:$layout:latest" "docker://$r2/bench/skopeo:latest")")
  }
  for ((i = 1; i <= runs; i++)); do
    say "push, run $i of $runs (a fresh registry for each tool)"
    if ((i % 2)); then krust_push; skopeo_push; else skopeo_push; krust_push; fi
  done
  krust_push_ms=$(median "${kp[@]}") skopeo_ms=$(median "${sp[@]}") second_ms=$(median "${again[@]}")
  documents_ms=$(median "${kd[@]}")
  [[ -n $second_summary ]] || die "krust push printed no summary (pushed REF: N uploaded ...) on stderr"
  second_uploaded=$(sed -E 's/.*: ([0-9]+) uploaded.*/\1/' <<<"$second_summary")
}

go_bench() {
  local pkg list
  for pkg in ${BENCH_GOPKGS:-./oci}; do
    echo
    echo "go test -bench in $pkg:"
    list=$(cd "$root" && go test -list '^Benchmark' "$pkg")
    list=$(grep '^Benchmark' <<<"$list" || true)
    if [[ -z $list ]]; then
      echo "  (no benchmarks in $pkg yet)"
      continue
    fi
    while read -r name; do echo "  $name"; done <<<"$list"
    (cd "$root" && go test -run '^$' -bench . -benchmem -benchtime "${BENCH_GOTIME:-1s}" "$pkg")
  done
}

report() {
  local pack=$((krust_build - cargo_ms))
  echo
  echo "docker-krust $("$krust" version | head -1 | cut -d' ' -f2)${BENCH_KRUST_ARGS:+ with $BENCH_KRUST_ARGS}, crane $("$crane" version), medians of $runs, $(mb "$binary_bytes") static binary ($mib MiB payload):"
  echo
  echo "| step | krust | peer or floor | ratio | target |"
  echo "|---|---|---|---|---|"
  echo "| packaging into a layout, layer rebuilt (\`krust build\`, cargo up to date) | $(secs "$krust_build") (less cargo's no-op: $(secs "$pack")) | \`crane append\` $(secs "$crane_ms") | $(ratio "$krust_build" "$crane_ms") | ≤ 0.35x: $(verdict "$krust_build <= 0.35 * $crane_ms") |"
  echo "| layer size | $(mb "$krust_layer") ($(ratio "$krust_layer" "$binary_bytes") of the binary) | crane $(mb "$crane_layer") | $(ratio "$krust_layer" "$crane_layer") | ≤ crane's: $(verdict "$krust_layer <= $crane_layer") |"
  echo "| no-op rebuild of the up-to-date project | $(secs "$krust_noop") | \`cargo build\` no-op $(secs "$cargo_ms") | +$(secs $((krust_noop - cargo_ms))), $(ratio "$krust_noop" "$cargo_ms") | ≤ cargo + 0.2 s: $(verdict "$krust_noop <= $cargo_ms + 200") |"
  docs_row
  echo "| peak memory packaging $big_mib MiB ($big_wall) | $((peak_kib / 1024)) MiB max RSS (cargo's no-op alone: $((cargo_kib / 1024)) MiB) | | | ≤ 64 MiB: $(verdict "$peak_kib <= 65536") |"
  echo "| first push to a fresh loopback registry | $(secs "$krust_push_ms") | \`skopeo copy\` $(secs "$skopeo_ms") | $(ratio "$krust_push_ms" "$skopeo_ms") | ≤ 1.0x: $(verdict "$krust_push_ms <= $skopeo_ms") |"
  echo "| second push of the same image | $(secs "$second_ms"), ${second_uploaded:-?} uploaded | | | 0: $(verdict "${second_uploaded:-1} == 0") |"
  echo "| first push with the image's SBOM and provenance (referrers tag schema) | $(secs "$documents_ms") | the image alone $(secs "$krust_push_ms") | $(ratio "$documents_ms" "$krust_push_ms") | |"
  echo
  echo "krust's push with documents: ${documents_summary:-no referrers line found on stderr}"
  echo "krust's first push: ${first_summary:-no summary found on stderr}"
  echo "krust's second push: ${second_summary:-no summary found on stderr}"
}

# workspace writes a workspace of three members with binaries and a
# shared library to $work/ws, std only.
workspace_crates() {
  local ws=$work/ws m
  mkdir -p "$ws/shared/src"
  printf '[workspace]\nmembers = ["a", "b", "c", "shared"]\nresolver = "2"\n' >"$ws/Cargo.toml"
  printf '[package]\nname = "shared"\nversion = "0.1.0"\nedition = "2021"\n' >"$ws/shared/Cargo.toml"
  printf 'pub fn greet(who: &str) -> String { let mut v: Vec<String> = (0..64).map(|i| format!("{who}{i}")).collect(); v.sort(); v.join(",") }\n' >"$ws/shared/src/lib.rs"
  for m in a b c; do
    mkdir -p "$ws/$m/src"
    printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nshared = { path = "../shared" }\n' "$m" >"$ws/$m/Cargo.toml"
    printf 'fn main() { println!("{}", shared::greet("%s")); }\n' "$m" >"$ws/$m/src/main.rs"
  done
  (cd "$ws" && cargo generate-lockfile --offline -q)
}

# workspace_build times, from cold target directories, one krust build of
# the three members (one image each, documents on) against one
# `cargo build --release` of them, taking turns.
workspace_build() {
  local ws=$work/ws i
  local -a kw=() cw=()
  workspace_crates
  krust_ws() {
    rm -rf "$ws/target" "$tmp/cache" && mkdir -p "$tmp/cache"
    kw+=("$(clock env XDG_CACHE_HOME="$tmp/cache" "$krust" build --no-push --libc glibc --base scratch "${krust_args[@]}" -p a -p b -p c "$ws")")
  }
  cargo_ws() {
    rm -rf "$ws/cargo-target"
    cw+=("$(clock env RUSTFLAGS='-C target-feature=+crt-static' cargo build -q --release --target $triple --manifest-path "$ws/Cargo.toml" --target-dir "$ws/cargo-target" -p a -p b -p c)")
  }
  for ((i = 1; i <= runs; i++)); do
    say "workspace of three members, run $i of $runs (cold target directories)"
    if ((i % 2)); then krust_ws; cargo_ws; else cargo_ws; krust_ws; fi
  done
  ws_krust_ms=$(median "${kw[@]}") ws_cargo_ms=$(median "${cw[@]}")
}

workspace_report() {
  echo
  echo "| step | krust | peer or floor | ratio | target |"
  echo "|---|---|---|---|---|"
  echo "| three workspace members, cold target directory (\`krust build -p a -p b -p c --no-push\`, one image each) | $(secs "$ws_krust_ms") | \`cargo build --release -p a -p b -p c\` $(secs "$ws_cargo_ms") | $(ratio "$ws_krust_ms" "$ws_cargo_ms") | ≤ 1.15x: $(verdict "$ws_krust_ms <= 1.15 * $ws_cargo_ms") |"
}

# resolve_build times, from cold target directories and a fresh registry
# each run, `krust resolve` of YAML naming the workspace's three members
# against `krust build -p a -p b -p c` pushing the same three images
# (issue 20: at most 1.1x), taking turns.
resolve_build() {
  local ws=$work/ws i reg
  local -a rv=() bv=()
  [[ -f $ws/Cargo.lock ]] || workspace_crates
  printf 'a: krust://a\n---\nb: {image: "krust://b"}\n---\nc: [krust://c, krust://a]\n' >"$tmp/refs.yaml"
  kresolve() {
    rm -rf "$ws/target" "$tmp/cache" && mkdir -p "$tmp/cache"
    reg=$(registry)
    rv+=("$(clock env XDG_CACHE_HOME="$tmp/cache" KRUST_REPO="$reg/ws" "$krust" resolve -f "$tmp/refs.yaml" --libc glibc --base scratch --insecure-registry "$reg" "${krust_args[@]}")")
    grep -q "$reg/ws/c@sha256:" "$tmp/out" || die "krust resolve printed no reference of c: $(cat "$tmp/out")"
  }
  kbuild3() {
    rm -rf "$ws/target" "$tmp/cache" && mkdir -p "$tmp/cache"
    reg=$(registry)
    bv+=("$(clock env XDG_CACHE_HOME="$tmp/cache" KRUST_REPO="$reg/ws" "$krust" build -p a -p b -p c --libc glibc --base scratch --insecure-registry "$reg" "${krust_args[@]}" "$ws")")
  }
  for ((i = 1; i <= runs; i++)); do
    say "resolve of three members, run $i of $runs (cold target directories, fresh registries)"
    # resolve finds the workspace from the current directory.
    cd "$ws"
    if ((i % 2)); then kresolve; kbuild3; else kbuild3; kresolve; fi
    cd - >/dev/null
  done
  rs_resolve_ms=$(median "${rv[@]}") rs_build_ms=$(median "${bv[@]}")
  # 10,000 documents without a reference: parsed, checked, printed as
  # they are.
  local many=()
  awk 'BEGIN { for (i = 0; i < 10000; i++) printf "---\n# doc %d\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  labels: {app: x, tier: \"backend\"}\ndata:\n  key: '"'"'value %d'"'"'\n", i, i, i }' >"$tmp/many.yaml"
  for ((i = 1; i <= runs; i++)); do
    many+=("$(clock "$krust" resolve -f "$tmp/many.yaml")")
    cmp -s "$tmp/out" "$tmp/many.yaml" || die "krust resolve changed YAML that holds no reference"
  done
  rs_many_ms=$(median "${many[@]}")
}

resolve_report() {
  echo "| resolve of 10,000 documents without a reference (\`krust resolve -f\`, output byte for byte the input) | $(secs "$rs_many_ms") | | | < 1 s: $(verdict "$rs_many_ms < 1000") |"
  echo "| resolve of YAML naming three members, pushed (\`krust resolve -f\`) | $(secs "$rs_resolve_ms") | \`krust build -p a -p b -p c\`, pushed, $(secs "$rs_build_ms") | $(ratio "$rs_resolve_ms" "$rs_build_ms") | ≤ 1.1x: $(verdict "$rs_resolve_ms <= 1.1 * $rs_build_ms") |"
}

# cleanup stops the registries this run started and removes its files.
cleanup() {
  local pid
  while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$tmp/pids"
  rm -rf "$tmp"
}

main() {
  need
  load start
  tmp=$(mktemp -d)
  : >"$tmp/pids"
  trap cleanup EXIT
  mkdir -p "$work"
  if [[ ${BENCH_ONLY:-} == workspace ]]; then
    workspace_build
    workspace_report
    load end
    return
  fi
  if [[ ${BENCH_ONLY:-} == resolve ]]; then
    resolve_build
    echo "| step | krust | peer or floor | ratio | target |"
    echo "|---|---|---|---|---|"
    resolve_report
    load end
    return
  fi
  if [[ ${BENCH_ONLY:-} == docs ]]; then
    docs_noop
    echo "| step | krust | peer or floor | ratio | target |"
    echo "|---|---|---|---|---|"
    docs_row
    load end
    return
  fi
  crate "$mib"
  crate "$big_mib"
  warm
  package_and_noop
  docs_noop
  peak_memory
  push
  workspace_build
  resolve_build
  report
  workspace_report
  resolve_report
  go_bench
  echo
  load end
}

main "$@"
