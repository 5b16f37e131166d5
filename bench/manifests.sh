#!/usr/bin/env bash
# bench/manifests.sh: portlint's manifest scan against yaml.v3 alone and
# kube-score, on the manifests of real modules.
#
# For each module of SETS (MODULE@VERSION ..., default k8s.io/kubernetes
# v1.37.2), fetched from the module proxy, its YAML and JSON files are
# copied out of the module cache into a directory without Go files (which
# portlint scans for manifests alone). Then, alternating, RUNS times
# (default 3), it times:
#
#   parallel    portlint -registry builtin -test DIR      (GOMAXPROCS workers)
#   sequential  GOMAXPROCS=1 portlint -registry builtin -test DIR
#               (one worker on one core: the scan as it was)
#   yamlparse   bench/yamlparse < FILES   (decode every document of the
#               files portlint scans to yaml.Node, one file at a time, as
#               yq does: the floor under a sequential scan)
#   yamlparse-j bench/yamlparse -j 0 < FILES   (the same on every core)
#   kube-score  kube-score score KFILES   (the files of FILES it reads:
#               one it cannot parse stops it)
#
# and prints medians of wall time, peak RSS and CPU time (user + system;
# /usr/bin/time) and the ratios. On a loaded machine the parallel run
# gains no wall time (no core is free), while its CPU time stays the
# sequential run's: the load averages are printed with the table. It checks first that the parallel and sequential runs print the
# same bytes. kube-score is built with go install (KUBESCORE, default
# v1.20.0); when the proxy does not serve it, its column says so.
#
#   bench/manifests.sh
#   RUNS=5 SETS="k8s.io/kubernetes@v1.37.2" WORK=/tmp/mbench bench/manifests.sh
#
# The same directory can be timed in-process, per worker count:
#
#   PORTLINT_BENCH_MANIFESTS=DIR go test -run '^$' -bench Manifests ./internal/cli
set -euo pipefail

runs=${RUNS:-3}
read -r -a sets <<<"${SETS-k8s.io/kubernetes@v1.37.2}"
. "$(dirname "$0")/lib.sh"
bin="$work/bin"
mkdir -p "$bin"
(cd "$root" && go build -o "$bin/portlint" ./cmd/portlint && go build -o "$bin/yamlparse" ./bench/yamlparse)
pl="$bin/portlint"
ks=""
if [ -x "$bin/kube-score" ] || (cd "$work" && GOBIN="$bin" GOFLAGS=-mod=mod go install "github.com/zegl/kube-score/cmd/kube-score@${KUBESCORE:-v1.20.0}" 2>"$work/kube-score.err"); then
	ks="$bin/kube-score"
else
	echo "bench: kube-score not measured: go install failed: $(tail -1 "$work/kube-score.err")"
fi

# manifests MODULE@VERSION DIR: the YAML and JSON files of a module of the
# proxy, in DIR
manifests() {
	local dir=$2 src
	[ -f "$dir/.bench-ready" ] && return
	src=$(moddir "$1")
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$src" && find . -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -print0 | tar --null -T - -cf -) | (cd "$dir" && tar xf -)
	chmod -R u+w "$dir"
	touch "$dir/.bench-ready"
}

echo "portlint $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $(go version | cut -d' ' -f3), $(nproc) cores, median of $runs alternating runs, /usr/bin/time"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| manifests | files scanned | MB | parallel | sequential | yamlparse | yamlparse -j | kube-score (files) | sequential / parallel | parallel / yamlparse | parallel / kube-score | peak RSS parallel | sequential | yamlparse | yamlparse -j | kube-score | CPU parallel | sequential |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for s in "${sets[@]}"; do
	dir="$work/manifests-$(basename "${s%@*}")"
	manifests "$s" "$dir"
	files="$work/files"
	"$bin/yamlparse" -list "$dir" >"$files"
	n=$(grep -c . "$files")
	mb=$(tr '\n' '\0' <"$files" | xargs -0 cat | wc -c | awk '{ printf "%.1f", $1 / 1e6 }')
	# the parallel scan prints what the sequential one does
	(cd "$dir" && "$pl" -registry builtin -test . >"$work/out.par" 2>&1 || true)
	(cd "$dir" && GOMAXPROCS=1 "$pl" -registry builtin -test . >"$work/out.seq" 2>&1 || true)
	if ! cmp -s "$work/out.par" "$work/out.seq"; then
		echo "bench: $s: the parallel and sequential runs differ:" >&2
		diff "$work/out.seq" "$work/out.par" | head -20 >&2
		exit 1
	fi
	kfiles="$work/kfiles"
	: >"$kfiles"
	if [ -n "$ks" ]; then
		while read -r f; do
			"$ks" score -o ci "$f" >/dev/null 2>"$work/ks.err" || true
			grep -q "Failed to" "$work/ks.err" || echo "$f" >>"$kfiles"
		done <"$files"
	fi
	kn=$(grep -c . "$kfiles" || true)
	mapfile -t kargs <"$kfiles"
	rm -rf "$work/res"
	mkdir -p "$work/res"
	for _ in $(seq "$runs"); do
		(
			cd "$dir"
			measure parallel "$pl" -registry builtin -test .
			measure sequential env GOMAXPROCS=1 "$pl" -registry builtin -test .
		)
		in=$files measure yamlparse "$bin/yamlparse"
		in=$files measure yamlparse-j "$bin/yamlparse" -j 0
		if [ -n "$ks" ]; then
			measure kube-score "$ks" score -o ci "${kargs[@]}"
		fi
	done
	declare -A t m c
	for x in parallel sequential yamlparse yamlparse-j kube-score; do
		if [ -s "$work/res/$x" ]; then
			t[$x]=$(median "$work/res/$x" 1)
			m[$x]=$(awk -v k="$(median "$work/res/$x" 2)" 'BEGIN { printf "%.0f", k / 1024 }')
			awk '{ print $3 + $4 }' "$work/res/$x" >"$work/cpu"
			c[$x]=$(median "$work/cpu" 1)
		else
			t[$x]=- m[$x]=- c[$x]=-
		fi
	done
	kr=-
	[ "${t[kube-score]}" = - ] || kr=$(ratio "${t[parallel]}" "${t[kube-score]}")
	echo "| $s | $n | $mb | ${t[parallel]} s | ${t[sequential]} s | ${t[yamlparse]} s | ${t[yamlparse-j]} s | ${t[kube-score]} s ($kn) | $(ratio "${t[sequential]}" "${t[parallel]}") | $(ratio "${t[parallel]}" "${t[yamlparse]}") | $kr | ${m[parallel]} MB | ${m[sequential]} MB | ${m[yamlparse]} MB | ${m[yamlparse-j]} MB | ${m[kube-score]} MB | ${c[parallel]} s | ${c[sequential]} s |"
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
