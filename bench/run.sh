#!/usr/bin/env bash
# bench/run.sh: portlint's speed against its floors, in one run.
#
# For each module it times, alternating, RUNS times (default 3), with a
# warm build cache:
#
#   cold         portlint -no-cache ./...            (Go and manifests)
#   noprefilter  portlint -no-cache -no-prefilter ./...
#   floor        bench/typedload ./...   (only load every package with
#                syntax and types: what any go/analysis driver must do)
#   kept         bench/typedload on the packages the prefilter keeps
#                (PORTLINT_KEPT): the floor of loading only those, which
#                no prefilter that type-checks them with go/types beats
#   golist       go list -export -deps ./...
#   cached       portlint ./...          (unchanged tree, results replayed)
#   vet          go vet -vettool=portlint ./...   (unchanged tree, cached)
#
# and prints medians, peak RSS (/usr/bin/time, the largest process of the
# command, median too) and the ratios the targets are set in: cold/floor,
# cold/noprefilter, kept/floor, cached/vet, and the peak RSS of cold over
# floor's.
#
# Modules: the generated ones (bench/gen) of SIZES packages (default
# "100 1000 10000"; the slope of the cold run over them is printed with
# its r²), a copy of the first of at least 1,000 packages whose go mod
# graph fails (it requires a module the proxy does not serve), and the
# real modules of REAL, MODULE@VERSION[:PATTERN,...]
# (default: k8s.io/kubernetes v1.37.2 without its test/ tree, 1,040
# packages, and github.com/jaegertracing/jaeger v1.62.0), fetched from the module
# proxy, copied out of the module cache, their local replacements and
# go.work dropped (a module of k8s.io/kubernetes's staging directory is
# required at the version of its release instead), go mod tidy -e. Every
# command gets -registry builtin: the ports found are those of the
# embedded plan, and the work is the same.
#
#   bench/run.sh                       # everything (a cold build cache
#                                      # takes an hour for kubernetes)
#   SIZES="100 1000" REAL= bench/run.sh
#   WORK=/tmp/plbench bench/run.sh     # keep the modules between runs
set -euo pipefail

runs=${RUNS:-3}
read -r -a sizes <<<"${SIZES-100 1000 10000}"
k8s=./pkg/...,./cmd/...,./plugin/...,./third_party/...,./cluster/...,./hack/...,./build/...
read -r -a real <<<"${REAL-k8s.io/kubernetes@v1.37.2:$k8s github.com/jaegertracing/jaeger@v1.62.0}"
. "$(dirname "$0")/lib.sh"
# portlint's result cache, of this benchmark only
export PORTLINT_CACHE="$work/cache"
bin="$work/bin"
mkdir -p "$bin"
(cd "$root" && go build -o "$bin/portlint" ./cmd/portlint && go build -o "$bin/gen" ./bench/gen && go build -o "$bin/typedload" ./bench/typedload)
pl="$bin/portlint"

# realmodule MODULE@VERSION DIR: a buildable copy of a module of the proxy
realmodule() {
	local mod=${1%@*} ver=${1#*@} dir=$2
	[ -f "$dir/.bench-ready" ] && return
	local src
	src=$(moddir "$mod@$ver")
	rm -rf "$dir"
	cp -r "$src" "$dir"
	chmod -R u+w "$dir"
	(
		cd "$dir"
		rm -rf go.work go.work.sum vendor
		# staging modules of a kubernetes release: v1.X.Y is v0.X.Y
		local staging=${ver/#v1./v0.}
		grep -E '=>[[:space:]]*(\./|\.\./|/)' go.mod | sed -E 's/^[[:space:]]*(replace[[:space:]]+)?([^[:space:]]+).*/\2/' |
			while read -r old; do
				go mod edit -dropreplace="$old"
				if [ "$mod" = k8s.io/kubernetes ] && [[ $old == k8s.io/* ]]; then
					go mod edit -require="$old@$staging"
				fi
			done
		go mod tidy -e >/dev/null 2>&1 || true
	)
	touch "$dir/.bench-ready"
}

names=(cold noprefilter floor kept golist cached vet)

# bench LABEL DIR [PATTERNS...]: time everything in DIR (on the package
# PATTERNS, default ./...) and print a table row
bench() {
	local label=$1 dir=$2
	shift 2
	local pats=("$@")
	[ ${#pats[@]} -gt 0 ] || pats=(./...)
	cd "$dir"
	local n
	n=$(go list "${pats[@]}" 2>/dev/null | wc -l)
	# a warm build cache, portlint's results and go vet's
	go list -export -deps "${pats[@]}" >/dev/null 2>&1 || true
	"$pl" -registry builtin "${pats[@]}" >/dev/null 2>&1 || true
	go vet -vettool="$pl" -registry=builtin "${pats[@]}" >/dev/null 2>&1 || true
	rm -rf "$work/res"
	mkdir -p "$work/res"
	local kept=()
	: >"$work/kept"
	PORTLINT_KEPT="$work/kept" "$pl" -no-cache -registry builtin "${pats[@]}" >/dev/null 2>&1 || true
	mapfile -t kept <"$work/kept"
	for _ in $(seq "$runs"); do
		measure cold "$pl" -no-cache -registry builtin "${pats[@]}"
		measure noprefilter "$pl" -no-cache -no-prefilter -registry builtin "${pats[@]}"
		measure floor "$bin/typedload" "${pats[@]}"
		if [ ${#kept[@]} -gt 0 ]; then
			measure kept "$bin/typedload" "${kept[@]}"
		else
			echo "0 0 0 0" >>"$work/res/kept" # nothing to load
		fi
		measure golist go list -export -deps "${pats[@]}"
		measure cached "$pl" -registry builtin "${pats[@]}"
		measure vet go vet -vettool="$pl" -registry=builtin "${pats[@]}"
	done
	declare -A t m
	for x in "${names[@]}"; do
		t[$x]=$(median "$work/res/$x" 1)
		m[$x]=$(awk -v k="$(median "$work/res/$x" 2)" 'BEGIN { printf "%.0f", k / 1024 }')
	done
	echo "| $label | $n | ${t[cold]} s | ${t[noprefilter]} s | ${t[floor]} s | ${#kept[@]}: ${t[kept]} s | ${t[golist]} s | ${t[cached]} s | ${t[vet]} s | $(ratio "${t[cold]}" "${t[floor]}") | $(ratio "${t[cold]}" "${t[noprefilter]}") | $(ratio "${t[kept]}" "${t[floor]}") | $(ratio "${t[cached]}" "${t[vet]}") | ${m[cold]} MB | ${m[noprefilter]} MB | ${m[floor]} MB | $(ratio "${m[cold]}" "${m[floor]}") |"
	echo "$n ${t[cold]}" >>"$work/growth"
	cd "$root"
}

echo "portlint $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $(go version | cut -d' ' -f3), $(nproc) cores, median of $runs alternating runs, /usr/bin/time"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| module | packages | cold | -no-prefilter | typed-load floor | floor of the kept packages | go list -export -deps | cached rerun | cached go vet rerun | cold / floor | cold / -no-prefilter | kept floor / floor | cached / go vet | peak RSS cold | peak RSS -no-prefilter | peak RSS floor | RSS cold / floor |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
rm -f "$work/growth"
for n in "${sizes[@]}"; do
	dir="$work/gen$n"
	[ -d "$dir" ] || "$bin/gen" -o "$dir" -n "$n"
	bench "generated $n" "$dir"
done
synthetic=$(cat "$work/growth" 2>/dev/null || true)
# the result cache where go mod graph fails: the smallest generated module
# of at least 1,000 packages, requiring a module the proxy does not serve
# and no package imports (as a corporate proxy refuses a test-only one)
for n in "${sizes[@]}"; do
	[ "$n" -ge 1000 ] || continue
	dir="$work/gen$n-graphfail"
	if [ ! -d "$dir" ]; then
		cp -r "$work/gen$n" "$dir"
		(cd "$dir" && go mod edit -require=example.com/testonly@v1.0.0)
	fi
	if (cd "$dir" && go mod graph >/dev/null 2>&1); then
		echo "bench: go mod graph works in $dir; the row needs a module whose graph fails" >&2
		exit 1
	fi
	bench "generated $n, go mod graph fails" "$dir"
	break
done
for r in "${real[@]}"; do
	spec=${r%%:*}
	pats=()
	[ "$spec" = "$r" ] || IFS=, read -r -a pats <<<"${r#*:}"
	dir="$work/real-$(basename "${spec%@*}")"
	realmodule "$spec" "$dir"
	bench "$r" "$dir" "${pats[@]}"
done
echo
if [ "$(echo "$synthetic" | grep -c .)" -ge 2 ]; then
	# least squares of the cold run's seconds over the generated packages
	echo "$synthetic" | awk '{ n++; x += $1; y += $2; xx += $1 * $1; xy += $1 * $2; yy += $2 * $2 }
		END {
			b = (n * xy - x * y) / (n * xx - x * x); a = (y - b * x) / n
			r = (n * xy - x * y) / sqrt((n * xx - x * x) * (n * yy - y * y))
			printf "cold run over generated modules: %.3f ms per package (slope), %.2f s fixed, r² %.4f\n", 1000 * b, a, r * r
		}'
	echo "$synthetic" | awk '{ printf "  %d packages: %.2f ms per package\n", $1, 1000 * $2 / $1 }'
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
