#!/bin/sh
# bench/vuln/run.sh — speed of canhgac's vulnerability review.
#
#   bench/vuln/run.sh [CANHGAC_BIN] [NVD_DIR]
#
# Imports a full NVD year (NVD_DIR: CVE API 2.0 pages, e.g. from
# 'canhgac vuln fetch' saved pages or nvd-json-data-feeds; default: a
# generated year of 30,000 records) and the CISA KEV catalogue from
# ../shared/data, then matches 1,000 hosts x 2,000 packages. Prints records/s
# imported and host-packages/s matched, with jq parsing the same JSON in the
# same run and the ratio of the two, and the peak memory of each step (GNU
# time); exits 1 when a step goes over 1 GiB.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/cli/canhgac}
nvd=${2:-}
shared=${CANHGAC_SHARED_DATA:-$here/../../../shared/data}
hosts=${BENCH_HOSTS:-1000}
pkgs=${BENCH_PACKAGES:-2000}
work=$(mktemp -d /tmp/canhgac-bench-vuln-XXXXXX)
trap 'rm -rf "$work"' EXIT
db=$work/bench.db
export CANHGAC_DB=$db

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { d = b - a; if (d <= 0) d = 1e-9; printf "%.0f", n / d }'; }
# run a command, stdout to $out; its peak RSS goes to $work/rss.NAME
measure() { # NAME OUT command...
	name=$1 out=$2
	shift 2
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M' -o "$work/rss.$name" "$@" > "$out"
	else
		echo 0 > "$work/rss.$name"
		"$@" > "$out"
	fi
}
mib() { awk '{ if ($1 > 0) printf "%.0f MiB", $1 / 1024; else printf "n/a" }' "$work/rss.$1"; }

echo "generating data in $work ..."
python3 "$here/gen.py" "$work" --cves 30000 --hosts "$hosts" --packages "$pkgs"
[ -n "$nvd" ] || nvd=$work/nvd
kev=$shared/vuln/cisa_kev/known_exploited_vulnerabilities.json
records=$(cat "$nvd"/*.json | jq '.vulnerabilities | length' | awk '{ s += $1 } END { print s }')

t0=$(now)
measure import /dev/null "$bin" --quiet vuln import "$nvd"
[ -f "$kev" ] && "$bin" --quiet vuln import "$kev" >/dev/null
t1=$(now)
measure jq /dev/null jq -c '.vulnerabilities[].cve.id' "$nvd"/*.json
[ -f "$kev" ] && jq -c '.vulnerabilities[].cveID' "$kev" >/dev/null
t2=$(now)

echo "importing $hosts host inventories ..."
i=0
for f in "$work"/hosts/*.cpe; do
	"$bin" --quiet inventory import --create-host "$(basename "$f" .cpe).bench.example" "$f" >/dev/null
	i=$((i + 1))
done
t3=$(now)
measure scan "$work/scan.json" "$bin" --quiet --json vuln scan
t4=$(now)
hp=$((hosts * pkgs))

imp=$(rate "$records" "$t0" "$t1")
jqr=$(rate "$records" "$t1" "$t2")
scn=$(rate "$hp" "$t3" "$t4")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "n/a"; else printf "%.2f", a / b }'; }
echo "NVD records:           $records (+ KEV)"
echo "import:                $imp records/s (peak $(mib import))"
echo "jq, same JSON:         $jqr records/s (peak $(mib jq))"
echo "import / jq:           $(ratio "$imp" "$jqr")x  (canhgac parses, validates and stores; jq only parses)"
echo "scan:                  $scn host-packages/s ($hosts x $pkgs, peak $(mib scan))"
echo "scan result:           $(cat "$work/scan.json")"
# The issue's bound: every step stays within 1 GiB.
status=0
for step in import jq scan; do
	kib=$(cat "$work/rss.$step")
	if [ "$kib" -gt 1048576 ]; then
		echo "MEMORY: $step peaked at $(mib "$step"), over 1 GiB" >&2
		status=1
	fi
done
[ "$status" -eq 0 ] && echo "memory:                every step under 1 GiB"
exit "$status"
