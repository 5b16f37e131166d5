# bench/lib.sh: what the benchmark scripts share. Sourced, after
# set -euo pipefail, by bench/run.sh and bench/manifests.sh; it sets
# root (the repository), work (WORK, or a temporary directory removed at
# exit) and timer, and defines the functions below.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -n "${WORK:-}" ]; then
	work=$WORK
	mkdir -p "$work"
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi
timer=/usr/bin/time
[ -x "$timer" ] || { echo "bench: /usr/bin/time is needed (apt-get install -y time)" >&2; exit 1; }

# moddir MODULE@VERSION: the module's directory in the module cache,
# downloaded from the proxy if needed
moddir() {
	go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'
}

# measure NAME CMD...: one run of CMD, its seconds, peak RSS (KB), user
# and system seconds appended to $work/res/NAME; its standard input is $in
measure() {
	local name=$1
	shift
	"$timer" -f "%e %M %U %S" -o "$work/t" "$@" <"${in:-/dev/null}" >/dev/null 2>"$work/stderr" || true
	tail -1 "$work/t" >>"$work/res/$name"
}

# median FILE COLUMN
median() {
	awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ratio A B: A / B, two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
