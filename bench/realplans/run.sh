#!/usr/bin/env bash
# bench/realplans/run.sh [PROJECT...]: run portlint on real projects with
# the port plans written from their own documentation, and score the
# result against the committed classification (findings.txt) and the
# marked port uses (recall.txt). PROJECT is a directory of this kit; the
# default is every directory with a project.txt. See README.md.
#
# For each project: download MODULE@VERSION from the Go module proxy, copy
# it to a temporary directory, drop the replace directives that point at
# local directories outside the module (a released module's go.mod may
# still name its monorepo siblings; the required versions are used
# instead), copy registry.yaml to the tree root, and run
#   portlint -registry registry.yaml FLAGS SCAN
#   portlint ports -json FLAGS RECALL SCAN
# Prints one table row per project and a total; exits 1 on any attribution
# error, false positive, unclassified finding, stale entry, recall below
# 95% or reported negative, 2 when a project cannot be run.
#
# KEEP=1 keeps the temporary directory (the trees and the raw outputs).
set -euo pipefail

kit=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$kit/../.." && pwd)
work=$(mktemp -d)
if [ "${KEEP:-}" = 1 ]; then
	echo "realplans: keeping $work" >&2
else
	trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
fi
command -v jq >/dev/null || { echo "realplans: jq is needed (apt-get install -y jq)" >&2; exit 2; }

portlint="$work/portlint"
go build -o "$portlint" "$root/cmd/portlint"

projects=("$@")
if [ ${#projects[@]} -eq 0 ]; then
	for f in "$kit"/*/project.txt; do
		[ -e "$f" ] && projects+=("$(basename "$(dirname "$f")")")
	done
fi
[ ${#projects[@]} -gt 0 ] || { echo "realplans: no projects" >&2; exit 2; }

# prepare NAME MODVER: download the module, copy it to $work/NAME and make
# it build on its own; prints the tree's path.
prepare() {
	local name=$1 modver=$2 json dir tree p target req dropped
	json=$(go mod download -json "$modver") || { echo "realplans: $name: go mod download $modver failed" >&2; return 1; }
	dir=$(jq -r '.Dir // empty' <<<"$json")
	[ -n "$dir" ] || { echo "realplans: $name: $(jq -r '.Error // "no Dir"' <<<"$json")" >&2; return 1; }
	tree="$work/$name"
	cp -r "$dir" "$tree"
	chmod -R u+w "$tree"
	(
		cd "$tree"
		# replace directives with a local path (no version) that the module
		# copy does not contain: drop them all, then fetch the required
		# versions of the modules they replaced
		dropped=()
		while read -r p target; do
			[ -e "$target/go.mod" ] && continue
			go mod edit -dropreplace="$p"
			dropped+=("$p")
		done < <(go mod edit -json | jq -r '.Replace[]? | select(.New.Version == null) | "\(.Old.Path) \(.New.Path)"')
		for p in "${dropped[@]}"; do
			req=$(go mod edit -json | jq -r --arg p "$p" '.Require[]? | select(.Path == $p) | "\(.Path)@\(.Version)"')
			[ -z "$req" ] || go get "$req"
		done
		go mod download
	) >&2 || { echo "realplans: $name: preparing the module failed" >&2; return 1; }
	echo "$tree"
}

# has WORD FILE: FILE holds WORD as a whole line
has() { grep -qxF -- "$1" "$2"; }

total_findings=0 total_true=0 total_gap=0 total_attr=0 total_fp=0 total_uncl=0 total_stale=0
total_pos=0 total_found=0 total_neg=0 total_negrep=0
failed=0
details="$work/details"
: >"$details"
rows="$work/rows"
: >"$rows"

for name in "${projects[@]}"; do
	name=${name%/}
	pdir="$kit/$name"
	[ -f "$pdir/project.txt" ] || { echo "realplans: $name: no $pdir/project.txt" >&2; exit 2; }
	modver=""
	scan=()
	flags=()
	rflags=()
	while read -r kw rest; do
		case "$kw" in
		'' | '#'*) ;;
		scan) read -r -a scan <<<"$rest" ;;
		flags) read -r -a flags <<<"$rest" ;;
		recall) read -r -a rflags <<<"$rest" ;;
		*) if [ -z "$modver" ]; then modver=$kw; else
			echo "realplans: $name/project.txt: unknown line \"$kw $rest\"" >&2
			exit 2
		fi ;;
		esac
	done <"$pdir/project.txt"
	[ ${#scan[@]} -gt 0 ] || scan=(./...)
	echo "realplans: $name: $modver" >&2

	tree=$(prepare "$name" "$modver") || exit 2
	cp "$pdir/registry.yaml" "$tree/registry.yaml"
	# the project's own .portlint.yaml (test trees, excludes), when the kit has one
	if [ -f "$pdir/portlint.yaml" ]; then cp "$pdir/portlint.yaml" "$tree/.portlint.yaml"; fi
	out="$work/$name.out"
	inv="$work/$name.ports.json"
	rc=0
	(cd "$tree" && "$portlint" -registry registry.yaml "${flags[@]}" "${scan[@]}") >"$out" 2>"$work/$name.err" || rc=$?
	if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then
		echo "realplans: $name: portlint exited $rc:" >&2
		cat "$work/$name.err" >&2
		exit 2
	fi
	# the uses of a constant printed after its finding ("file:line:col: <TAB>X
	# used here", as go vet prints related information) are not findings;
	# a finding is classified by its message, without the remedy the text
	# output appends ("; hint: ... [check]")
	grep -v $': \t' "$out" | sed -E 's/; hint: .* \[([a-z-]+)\]$/ [\1]/' >"$out.related-dropped" || true
	mv "$out.related-dropped" "$out"
	rc=0
	(cd "$tree" && "$portlint" ports -json "${flags[@]}" "${rflags[@]}" "${scan[@]}") >"$inv" 2>"$work/$name.ports.err" || rc=$?
	if [ "$rc" != 0 ]; then
		echo "realplans: $name: portlint ports exited $rc:" >&2
		cat "$work/$name.ports.err" >&2
		exit 2
	fi

	# findings against findings.txt ("<finding> | CLASS | reason")
	classified="$work/$name.classified"
	: >"$classified"
	if [ -f "$pdir/findings.txt" ]; then
		while IFS= read -r line; do
			case "$line" in '' | '#'*) continue ;; esac
			finding=${line%% | *}
			rest=${line#* | }
			class=${rest%% | *}
			case "$class" in
			true | plan-gap | attribution | false-positive) ;;
			*)
				echo "realplans: $name/findings.txt: bad class \"$class\" in: $line" >&2
				exit 2
				;;
			esac
			printf '%s\t%s\n' "$class" "$finding" >>"$classified"
		done <"$pdir/findings.txt"
	fi
	n=0 t=0 g=0 a=0 fp=0 u=0 s=0
	while IFS= read -r finding; do
		n=$((n + 1))
		class=$(awk -F'\t' -v f="$finding" '$2 == f { print $1; exit }' "$classified")
		case "$class" in
		true) t=$((t + 1)) ;;
		plan-gap) g=$((g + 1)) ;;
		attribution) a=$((a + 1)) ;;
		false-positive) fp=$((fp + 1)) ;;
		*)
			u=$((u + 1))
			echo "$name: unclassified: $finding" >>"$details"
			;;
		esac
	done <"$out"
	while IFS=$'\t' read -r class finding; do
		if ! has "$finding" "$out"; then
			s=$((s + 1))
			echo "$name: stale ($class): $finding" >>"$details"
		fi
	done <"$classified"

	# recall.txt: "FILE:LINE PORT" and "FILE:LINE !NUMBER"
	uses="$work/$name.uses"
	jq -r 'select(.port != null) | "\(.file):\(.line) \(.port)"' "$inv" | sort -u >"$uses"
	pos=0 found=0 neg=0 negrep=0
	while read -r at want _; do
		case "$at" in '' | '#'*) continue ;; esac
		case "$want" in
		'!'*)
			num=${want#!}
			neg=$((neg + 1))
			# reported: in the inventory at that line, or a finding at that
			# line that names the number
			if has "$at $num" "$uses" || grep -F -- "$at:" "$out" | grep -qw -- "$num"; then
				negrep=$((negrep + 1))
				echo "$name: negative reported: $at $num" >>"$details"
			fi
			;;
		*)
			pos=$((pos + 1))
			if has "$at $want" "$uses"; then
				found=$((found + 1))
			else
				echo "$name: missed: $at $want" >>"$details"
			fi
			;;
		esac
	done < <(sed 's/#.*//' "$pdir/recall.txt")

	recall="-"
	[ "$pos" -eq 0 ] || recall=$(awk -v f="$found" -v p="$pos" 'BEGIN { printf "%.1f%%", 100 * f / p }')
	printf '| %s | %d | %d | %d | %d | %d | %d | %d | %d/%d %s | %d/%d |\n' \
		"$name" "$n" "$t" "$g" "$a" "$fp" "$u" "$s" "$found" "$pos" "$recall" "$negrep" "$neg" >>"$rows"
	if [ "$a" -gt 0 ] || [ "$fp" -gt 0 ] || [ "$u" -gt 0 ] || [ "$s" -gt 0 ] || [ "$negrep" -gt 0 ] ||
		[ "$pos" -eq 0 ] || [ $((found * 100)) -lt $((pos * 95)) ]; then
		failed=1
	fi
	total_findings=$((total_findings + n)) total_true=$((total_true + t)) total_gap=$((total_gap + g))
	total_attr=$((total_attr + a)) total_fp=$((total_fp + fp)) total_uncl=$((total_uncl + u)) total_stale=$((total_stale + s))
	total_pos=$((total_pos + pos)) total_found=$((total_found + found)) total_neg=$((total_neg + neg)) total_negrep=$((total_negrep + negrep))
done

echo "portlint $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), $(go version | cut -d' ' -f3)"
echo
echo "| project | findings | true | plan-gap | attribution | false-positive | unclassified | stale | recall | negatives reported |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
cat "$rows"
total_recall="-"
[ "$total_pos" -eq 0 ] || total_recall=$(awk -v f="$total_found" -v p="$total_pos" 'BEGIN { printf "%.1f%%", 100 * f / p }')
printf '| total | %d | %d | %d | %d | %d | %d | %d | %d/%d %s | %d/%d |\n' \
	"$total_findings" "$total_true" "$total_gap" "$total_attr" "$total_fp" "$total_uncl" "$total_stale" \
	"$total_found" "$total_pos" "$total_recall" "$total_negrep" "$total_neg"
if [ -s "$details" ]; then
	echo
	cat "$details"
fi
exit "$failed"
