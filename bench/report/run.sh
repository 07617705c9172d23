#!/bin/sh
# bench/report/run.sh — time of `canhgac report` on a large agency.
#
#   bench/report/run.sh [CANHGAC_BIN] [SYSTEMS] [HOSTS]   (default 500 and 20000)
#
# Builds an agency of SYSTEMS information systems (levels 1-5) and HOSTS
# inventory hosts, 1% of them on the botnet list, with 7-8 host facts each,
# then times the compliance gap list and the readiness report in Vietnamese
# and English. Needs python3 and sqlite3 (the facts are loaded directly, as
# `compliance facts import` would have stored them, and the systems as
# `system add` would).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/cli/canhgac}
n_sys=${2:-500}
n_hosts=${3:-20000}
work=$(mktemp -d /tmp/canhgac-bench-report-XXXXXX)
trap 'rm -rf "$work"' EXIT
export CANHGAC_DB=$work/bench.db
export CANHGAC_NOW=1795996800
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

python3 "$here/gen.py" "$work" "$n_sys" "$n_hosts"
t0=$(now)
"$bin" --quiet system list >/dev/null # creates the database
awk -F '\t' 'BEGIN { print "BEGIN;" } { printf "INSERT INTO system(name, level, created_at) VALUES(\x27%s\x27, %d, 1795996800);\n", $1, $2 }
	END { print "COMMIT;" }' "$work/systems.txt" | sqlite3 "$CANHGAC_DB"
"$bin" --quiet host import "$work/hosts.csv" >/dev/null
"$bin" --quiet intel import --source botnet-list "$work/botnet.csv" >/dev/null
sqlite3 "$CANHGAC_DB" <"$work/facts.sql"
t1=$(now)
echo "setup: $n_sys systems, $n_hosts hosts, $(($(wc -l <"$work/botnet.csv") - 1)) listed, $(sqlite3 "$CANHGAC_DB" 'SELECT count(*) FROM comp_fact') facts in $(secs "$t0" "$t1") s"

t0=$(now)
"$bin" --json compliance report >"$work/gaps.json"
t1=$(now)
echo "compliance report (gap list, JSON): $(secs "$t0" "$t1") s, $(wc -c <"$work/gaps.json") bytes"
for lang in vi en; do
	t0=$(now)
	"$bin" --quiet report --lang "$lang" --out "$work/report-$lang.html"
	t1=$(now)
	echo "report --lang $lang: $(secs "$t0" "$t1") s, $(wc -c <"$work/report-$lang.html") bytes"
done
