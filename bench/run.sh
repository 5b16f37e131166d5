#!/usr/bin/env bash
# bench/run.sh [SIZES...]: time portlint ./... against go vet ./... on
# generated modules (bench/gen) of SIZES packages (default 50 200 800),
# each with SIZES/5 manifests, on the same tree in the same run, with a
# warm build cache. Prints a markdown table: median wall time of RUNS runs
# (default 5; hyperfine when installed, else a loop of /usr/bin/time),
# the ratio portlint / go vet, the cost per package, and peak RSS (the
# largest process of the run, from /usr/bin/time).
#
# Both tools keep each package's result, so a second run on an unchanged
# tree only replays them. Each gets two columns: "replayed" (unchanged
# tree, results cached) and "analyzed" (results recomputed: portlint with
# -no-cache; go vet with a vet flag of a fresh value, which changes every
# cache key, so go vet analyzes the module and, for facts, the standard
# library it imports). The ratios compare like with like.
set -euo pipefail

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(50 200 800)
runs=${RUNS:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# portlint's result cache, of this run only
export PORTLINT_CACHE="$work/cache"

go build -o "$work/portlint" "$root/cmd/portlint"
go build -o "$work/gen" "$root/bench/gen"
timer=/usr/bin/time
[ -x "$timer" ] || { echo "bench: /usr/bin/time is needed (apt-get install -y time)" >&2; exit 1; }
have_hyperfine=false
command -v hyperfine >/dev/null && have_hyperfine=true

# median SECONDS of "$@" over $runs runs
median() {
	if $have_hyperfine; then
		hyperfine --style none --warmup 1 --runs "$runs" -i --export-csv "$work/h.csv" "$*" >/dev/null 2>&1
		awk -F, 'NR == 2 { printf "%.2f", $4 }' "$work/h.csv"
		return
	fi
	for _ in $(seq "$runs"); do
		"$timer" -f %e -o "$work/t" "$@" >/dev/null 2>&1 || true
		tail -1 "$work/t"
	done | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# peak RSS in MB of one run of "$@"
rss() {
	"$timer" -f %M -o "$work/m" "$@" >/dev/null 2>&1 || true
	awk '{ v = $1 } END { printf "%.0f", v / 1024 }' "$work/m"
}

echo "portlint $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $(go version | cut -d' ' -f3), $(nproc) cores, timer: $($have_hyperfine && echo hyperfine || echo /usr/bin/time), $runs runs"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| packages | manifests | portlint (replayed) | go vet (replayed) | ratio | portlint (analyzed) | go vet (analyzed) | ratio | portlint -no-prefilter (analyzed) | portlint ms/package (analyzed) | peak RSS portlint (analyzed) | peak RSS go vet (analyzed) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
	m=$((n / 5))
	dir="$work/m$n"
	"$work/gen" -o "$dir" -n "$n" -m "$m"
	cd "$dir"
	# warm the build cache (export data of the module and the standard
	# library) and go vet's results
	go build ./... >/dev/null
	go vet ./... >/dev/null 2>&1 || true
	"$work/portlint" ./... >/dev/null 2>&1 || true
	# a counter file makes every analyzed go vet run use a new flag value
	echo 0 >"$work/n"
	cat >"$work/vet-analyze" <<-'EOF'
		#!/bin/sh
		n=$(($(cat "$1") + 1)); echo $n >"$1"
		exec go vet -printf.funcs="benchmark$n" ./...
	EOF
	chmod +x "$work/vet-analyze"
	plc=$(median "$work/portlint" ./...)
	pla=$(median "$work/portlint" -no-cache ./...)
	plnp=$(median "$work/portlint" -no-cache -no-prefilter ./...)
	vetc=$(median go vet ./...)
	veta=$(median "$work/vet-analyze" "$work/n")
	plrss=$(rss "$work/portlint" -no-cache ./...)
	vetrss=$(rss "$work/vet-analyze" "$work/n")
	ratioc=$(awk -v a="$plc" -v b="$vetc" 'BEGIN { printf "%.2f", a / b }')
	ratioa=$(awk -v a="$pla" -v b="$veta" 'BEGIN { printf "%.2f", a / b }')
	per=$(awk -v a="$pla" -v n="$n" 'BEGIN { printf "%.1f", 1000 * a / n }')
	echo "| $n | $m | ${plc} s | ${vetc} s | $ratioc | ${pla} s | ${veta} s | $ratioa | ${plnp} s | $per | ${plrss} MB | ${vetrss} MB |"
	cd "$root"
	rm -rf "$dir"
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
