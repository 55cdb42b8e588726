#!/usr/bin/env bash
# same-behaviour.sh OLD NEW: run two docker-krust binaries through the same
# builds of the example projects and compare what a user sees: the exit
# status, stdout, stderr (cargo's own progress lines and timings left out,
# each project's directory written as PROJECT), the layout's index.json and
# blob names, the --sbom-dir files, the tarball and what a push sends. A
# refactoring must leave all of it unchanged. With no arguments, OLD is
# built from SAME_BASE and
# NEW from the working tree. SAME_BASE is any git revision; the default is
# where the current branch left main (main itself, on main: then only
# uncommitted changes are compared). SAME_KEEP=1 keeps the runs' files.
#
# Each binary builds its own copy of each project (in directories of the
# same name under two parents), so nothing one writes is read by the other.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/krust-same-XXXXXX)
trap 'kill "${registry_pid:-}" 2>/dev/null || true; [ -n "${SAME_KEEP:-}" ] || rm -rf "$work"' EXIT

build_bin() { # REV OUT: the plugin built from REV ("" = working tree)
	if [ -z "$1" ]; then
		(cd "$root" && go build -o "$2" ./cmd/docker-krust)
		return
	fi
	local src="$work/src-$(basename "$2")"
	git -C "$root" worktree add -q --detach "$src" "$1"
	(cd "$src" && go build -o "$2" ./cmd/docker-krust)
	git -C "$root" worktree remove --force "$src"
}

old=${1:-}
new=${2:-}
if [ -z "$old" ]; then
	base=${SAME_BASE:-$(git -C "$root" merge-base HEAD main)}
	mkdir -p "$work/bin/old"; old="$work/bin/old/krust"
	build_bin "$base" "$old"
	echo "old: $base"
fi
if [ -z "$new" ]; then
	mkdir -p "$work/bin/new"; new="$work/bin/new/krust"
	build_bin "" "$new"
	echo "new: the working tree"
fi

# A registry on a free loopback port, for the push cases.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/registry"
cat >"$work/registry/config.yml" <<EOF
version: 0.1
storage: { filesystem: { rootdirectory: $work/registry/data }, delete: { enabled: true } }
http: { addr: 127.0.0.1:$port }
log: { level: error }
EOF
docker-registry serve "$work/registry/config.yml" >/dev/null 2>&1 &
registry_pid=$!
until curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; do sleep 0.1; done

# normalise PROJECT_DIR: what a run printed, without what varies by run.
normalise() {
	sed -e "s#$1#PROJECT#g" -e "s#$work#WORK#g" -e 's/ in [0-9.]*m\?s$/ in TIME/' \
		-e '/^ *Compiling /d' -e '/^ *Finished /d' -e '/^ *Locking /d' -e '/^ *Blocking /d'
}

# summarise DIR: what a run left: index.json, blob names, other files' digests.
summarise() {
	local d=$1
	[ -d "$d" ] || return 0
	(cd "$d" && find . -type f ! -path './target/*' ! -name '*.lock' -print0 | sort -z |
		xargs -0 -r sha256sum)
}

fails=0
case_n=0
# check PROJECT NAME WANT ARGS...: run ARGS with both binaries, compare,
# and expect exit status WANT.
check() {
	local project=$1 name=$2 want=$3
	shift 3
	case_n=$((case_n + 1))
	local side
	for side in old new; do
		local bin=$old
		[ "$side" = new ] && bin=$new
		local dir="$work/$side/$case_n/$(basename "$project")"
		mkdir -p "$(dirname "$dir")"
		cp -r "$project" "$dir"
		rm -rf "$dir/target"
		mkdir -p "$work/$side/$case_n/out"
		local args=("${@//OUT/$work/$side/$case_n/out}")
		args=("${args[@]//REPO/127.0.0.1:$port/$side}")
		set +e
		(cd "$dir" && PATH="${CASE_PATH:-$PATH}" "$bin" "${args[@]}" >"$work/$side/$case_n/stdout" 2>"$work/$side/$case_n/stderr")
		echo "exit $?" >"$work/$side/$case_n/exit"
		set -e
		# Progress of concurrent uploads comes in any order: lines are
		# compared as a set.
		for f in stdout stderr; do
			normalise "$dir" <"$work/$side/$case_n/$f" | sed -e "s#$work/$side/$case_n#CASE#g" -e "s#/$side/#/SIDE/#g" |
				LC_ALL=C sort >"$work/$side/$case_n/$f.n"
		done
		summarise "$work/$side/$case_n/out" | grep -v ' ./refs$' >"$work/$side/$case_n/files" || true
		if [ -f "$work/$side/$case_n/out/refs" ]; then # it names the layout's path
			normalise "$dir" <"$work/$side/$case_n/out/refs" >>"$work/$side/$case_n/files"
		fi
		summarise "$dir/target/krust" | grep -v '/.cache/' >"$work/$side/$case_n/layout" || true
	done
	local what diff=0
	for what in exit stdout.n stderr.n files layout; do
		if ! cmp -s "$work/old/$case_n/$what" "$work/new/$case_n/$what"; then
			echo "DIFFERENT $name: $what"
			diff "$work/old/$case_n/$what" "$work/new/$case_n/$what" | head -20 || true
			diff=1
		fi
	done
	if [ "$(cat "$work/new/$case_n/exit")" != "exit $want" ]; then
		echo "UNEXPECTED $name: $(cat "$work/new/$case_n/exit"), want $want"
		sed 's/^/  /' "$work/new/$case_n/stderr" | tail -5
		diff=1
	fi
	[ $diff = 0 ] && echo "same: $name ($(cat "$work/new/$case_n/exit"), $(wc -l <"$work/new/$case_n/layout") layout files)"
	fails=$((fails + diff))
}

hello="$root/example/hello-krust"
crates="$root/example/crates-krust"
g=(build --libc glibc --base scratch)
for p in "$hello" "$crates"; do
	n=$(basename "$p")
	check "$p" "$n no-push" 0 "${g[@]}" --no-push
	check "$p" "$n settings and documents" 0 "${g[@]}" --no-push --sbom cyclonedx --tag a --tag b \
		--env K=V --port 8080 --label l=v --annotation an=v --user 1:1 --workdir /w --arg x --sbom-dir OUT/docs --image-refs OUT/refs
	check "$p" "$n zstd, no documents" 0 "${g[@]}" --no-push --compression zstd --sbom none --provenance none
	check "$p" "$n tarball" 0 "${g[@]}" --no-push --tarball OUT/image.tar
	check "$p" "$n push" 0 "${g[@]}" --repo REPO --tag v1
	check "$p" "$n bad input" 1 "${g[@]}" --no-push --tag "" --port 0 --workdir rel
done
if [ -x /usr/bin/cargo ] && command -v aarch64-linux-gnu-gcc >/dev/null; then
	CASE_PATH=/usr/bin:$PATH check "$crates" "crates-krust two platforms" 0 "${g[@]}" --no-push --platform linux/amd64,linux/arm64 \
		--cargo /usr/bin/cargo --sbom-dir OUT/docs
fi
check "$hello" "push of a missing layout" 1 push "oci:$hello/NOPE" "127.0.0.1:$port/x"

echo "$case_n cases, $fails different"
[ "$fails" = 0 ]
