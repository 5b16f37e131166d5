#!/usr/bin/env bash
# Builds gopls with portlint's analyzer compiled in, and prints the path of
# the binary. gopls loads no analyzers at run time (golang/go#59869), so
# this takes gopls's source from the module cache, applies gopls.patch
# (portlint in gopls's analyzer list, the registry in its analysis cache
# key) to a temporary copy, and builds it.
#
#   tools/gopls-portlint/build.sh [-o file]
#
# The binary is cached under ${PORTLINT_CACHE:-$XDG_CACHE_HOME/portlint},
# keyed by the gopls version, the Go toolchain, the patch and portlint's
# sources: the first build takes minutes, later runs print the cached path.
# -o also copies the binary to file.
#
# Version skew: portlint requires golang.org/x/tools v0.52.0, and gopls
# imports x/tools's internal packages, which change between versions.
# gopls v0.23.0 does not compile against x/tools v0.52.0 (undefined:
# astutil.UnparenEnclosingCursor, packagepath.IsStdPackage), so the build
# replaces x/tools with the version gopls v0.23.0 was released with; the
# analyzer uses only x/tools's public API and compiles against both.
set -euo pipefail

GOPLS_VERSION=v0.23.0

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=""
while [ $# -gt 0 ]; do
	case "$1" in
	-o) out="$2"; shift 2 ;;
	*) echo "usage: build.sh [-o file]" >&2; exit 2 ;;
	esac
done

log() { echo "gopls-portlint: $*" >&2; }

cache=${PORTLINT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portlint}
mkdir -p "$cache"

# The key: everything the binary is built from on this side.
key=$(
	cd "$root"
	{
		echo "$GOPLS_VERSION"
		go version
		cat "$here/gopls.patch" go.mod go.sum
		go list -deps -f '{{if not .Standard}}{{if .Module}}{{if .Module.Main}}{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}
{{end}}{{range .EmbedFiles}}{{$d}}/{{.}}
{{end}}{{end}}{{end}}{{end}}' ./tools/gopls-portlint/goplsportlint | sort | xargs cat
	} | sha256sum | cut -c1-16
)
bin="$cache/gopls-portlint-$GOPLS_VERSION-$key"

if [ ! -x "$bin" ]; then
	src=$(go mod download -json "golang.org/x/tools/gopls@$GOPLS_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	if [ -z "$src" ] || [ ! -d "$src" ]; then
		log "go mod download golang.org/x/tools/gopls@$GOPLS_VERSION gave no source directory"
		exit 1
	fi
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	cp -R "$src" "$work/gopls"
	chmod -R u+w "$work/gopls"
	cd "$work/gopls"
	if command -v patch >/dev/null; then
		patch -s -p1 <"$here/gopls.patch"
	else
		git apply -p1 "$here/gopls.patch"
	fi
	tools=$(go list -m -f '{{.Version}}' golang.org/x/tools)
	log "building gopls $GOPLS_VERSION (x/tools $tools) with portlint from $root; this takes a few minutes"
	go mod edit \
		-require=github.com/portlint/portlint@v0.0.0 \
		-replace=github.com/portlint/portlint="$root" \
		-replace=golang.org/x/tools=golang.org/x/tools@"$tools"
	go mod tidy >&2
	if ! go build -trimpath -o "$bin.tmp" . 2>"$work/build.log"; then
		cat "$work/build.log" >&2
		log "the build failed. gopls imports golang.org/x/tools's internal packages, so it"
		log "compiles only against the x/tools it was released with ($tools); portlint's"
		log "analyzer must compile against that version too. The errors above say which"
		log "side no longer fits."
		exit 1
	fi
	mv "$bin.tmp" "$bin"
fi

if [ -n "$out" ]; then
	cp "$bin" "$out"
	bin=$out
fi
echo "$bin"
