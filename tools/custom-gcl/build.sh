#!/usr/bin/env bash
# build.sh builds golangci-lint v2 with portlint's module plugin compiled in,
# through the Go module proxy only (no git clone of golangci-lint).
#
#   tools/custom-gcl/build.sh             writes bin/custom-gcl at the repository root
#   tools/custom-gcl/build.sh -o FILE     writes FILE instead
#   tools/custom-gcl/build.sh --key       prints the digest of the build's inputs
#
# The version is golangci-lint's with "+portlint." and the start of the
# digest of the inputs appended: golangci-lint salts its result cache with
# its version, so a binary built from other plugin sources must carry
# another version.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/bin/custom-gcl"
mode=build

while [ $# -gt 0 ]; do
	case "$1" in
	-o)
		[ $# -ge 2 ] || { echo "build.sh: -o needs a file" >&2; exit 2; }
		out=$2
		shift 2
		;;
	--key)
		mode=key
		shift
		;;
	-h | --help)
		sed -n '2,12s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	*)
		echo "build.sh: unknown argument $1" >&2
		exit 2
		;;
	esac
done

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum | cut -d' ' -f1
	else
		shasum -a 256 | cut -d' ' -f1
	fi
}

# inputs prints everything the binary is built from: the toolchain and
# target, this module's files, and every file of the portlint packages the
# plugin imports (Go sources and embedded files).
inputs() {
	cd "$here"
	go version
	go env GOOS GOARCH CGO_ENABLED
	for f in go.mod go.sum main.go build.sh; do
		echo "== tools/custom-gcl/$f"
		cat "$f"
	done
	for f in go.mod go.sum; do
		echo "== $f"
		cat "$root/$f"
	done
	go list -deps -f '{{if .Module}}{{if eq .Module.Path "github.com/portlint/portlint"}}{{.Dir}}{{range .GoFiles}} {{.}}{{end}}{{range .EmbedFiles}} {{.}}{{end}}{{end}}{{end}}' . |
		while read -r dir files; do
			rel=${dir#"$root"}
			rel=${rel#/}
			for f in $files; do
				echo "${rel:+$rel/}$f"
			done
		done | LC_ALL=C sort | while read -r rel; do
		echo "== $rel"
		cat "$root/$rel" || exit 1
	done
}

key=$(inputs | sha256) || { echo "build.sh: cannot read the build's inputs" >&2; exit 1; }
if [ "$mode" = key ]; then
	echo "$key"
	exit 0
fi

cd "$here"
gcl=$(go list -m -f '{{.Version}}' github.com/golangci/golangci-lint/v2)
version="${gcl#v}+portlint.${key:0:12}"
commit=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)

mkdir -p "$(dirname "$out")"
go build -buildvcs=false -o "$out.tmp.$$" \
	-ldflags "-s -w -X main.version=$version -X main.commit=$commit -X main.date=$date" .
mv -f "$out.tmp.$$" "$out"
echo "build.sh: built $out ($version)" >&2
