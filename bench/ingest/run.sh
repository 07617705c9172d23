#!/bin/sh
# bench/ingest/run.sh — canhgacd against syslog-ng on the same loggen load.
#
#   bench/ingest/run.sh [BUILD_DIR] [SECONDS]          (default: build, 15 s a run)
#   bench/ingest/run.sh BUILD_DIR SECONDS --soak       (memory over a long run)
#
# canhgacd runs with >= 50,000 listed addresses (random, plus the shared
# feeds), the threshold rules of samples/daemon and the SigmaHQ Linux rules
# (../shared/data/sigma/rules/linux), writing alerts to SQLite; syslog-ng
# (foreground, its own configuration, pid and control files in a temporary
# directory, loopback only) just receives and writes a plain file. loggen
# sends the same lines (gen.py) over TCP, then over UDP, as fast as it can;
# each daemon's rate is the events it processed divided by the time from the
# first message until it had processed them all. Prints events/s of each, the
# ratio, and canhgacd's resident memory every few seconds.
#
# CPU: each daemon's CPU seconds over each run (utime + stime from
# /proc/PID/stat, all its threads, before and after the run) give events per
# CPU-second, i.e. events/s per core, printed for both daemons with the ratio.
# loggen shares the machine, so events/s is bounded by the cores it leaves;
# events per CPU-second is not.
#
# --soak: canhgacd alone (same indicators and rules, writing alerts) under a
# steady TCP load of SOAK_RATE lines/s (default 20000; loggen -r) for SECONDS
# (600 for the 10-minute run). Samples its resident memory (VmRSS) every
# SOAK_EVERY seconds (default 5) and prints min/max RSS of the first minute and
# of the last minute and the overall maximum, the database and state directory
# sizes at the start and the end, and events and CPU seconds. The rule for
# "flat": the maximum of the last minute is at most the maximum of the first
# minute plus 10 % (at least 16 MiB); otherwise "growing".
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$(dirname "$here")")
build=${1:-$root/build}
secs=${2:-15}
mode=${3:-}
cg=$build/cli/canhgac
cgd=$build/daemon/canhgacd
rules=$root/../shared/data/sigma/rules/linux
[ -d "$rules" ] || { echo "ingest: $rules not found (../shared/data)" >&2; exit 1; }
command -v loggen >/dev/null || { echo "ingest: loggen not found (Debian syslog-ng-core)" >&2; exit 1; }
work=$(mktemp -d /tmp/canhgac-bench-ingest-XXXXXX)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
metric() { curl -s "http://127.0.0.1:$mport/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }

python3 "$here/gen.py" "$work" 50000 20000
"$cg" --db "$work/canhgac.db" --quiet intel import --source bench-listed "$work/listed.txt" >/dev/null
for f in "$root"/../shared/data/intel/*.txt "$root"/../shared/data/intel/*.netset; do
	[ -f "$f" ] && "$cg" --db "$work/canhgac.db" --quiet intel import "$f" >/dev/null 2>&1 || true
done
tport=$(free_port); uport=$(free_port); mport=$(free_port)
cat > "$work/canhgacd.yaml" <<CFG
database: canhgac.db
state_dir: state
workers: 2
listeners:
  - {name: tcp, proto: tcp, port: $tport}
  - {name: udp, proto: udp, port: $uport}
metrics: {port: $mport}
detect:
  sigma: $rules
  thresholds: $root/samples/daemon/thresholds.yaml
  intel_poll: 0
CFG
"$cgd" -n -c "$work/canhgacd.yaml"
"$cgd" -f -c "$work/canhgacd.yaml" 2>"$work/canhgacd.log" &
dpid=$!
pids="$dpid"
while ! grep -q event=started "$work/canhgacd.log"; do sleep 0.2; done

rss() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }
# CPU seconds (user + system, all threads) of process $1 so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"; }
per_cpu() { awk -v n="$1" -v c="$2" 'BEGIN { if (c > 0) printf "%.0f", n / c; else print 0 }'; }
size_kib() { du -sk "$1" 2>/dev/null | awk '{ print $1 }'; }

if [ "$mode" = "--soak" ]; then
	rate=${SOAK_RATE:-20000}
	every=${SOAK_EVERY:-5}
	key='canhgacd_events_processed_total{source="tcp",kind="tcp"}'
	db0=$(size_kib "$work/canhgac.db"); st0=$(size_kib "$work/state")
	before=$(metric "$key"); before=${before:-0}
	c0=$(cpu $dpid); t0=$(now)
	loggen -i -S -R "$work/messages.log" -l -d -r "$rate" -I "$secs" -Q 127.0.0.1 "$tport" >"$work/loggen-soak.txt" 2>&1 &
	lp=$!
	: >"$work/rss.txt"
	while kill -0 $lp 2>/dev/null; do
		echo "$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.0f", b - a }') $(rss $dpid)" >>"$work/rss.txt"
		sleep "$every"
	done
	wait $lp || true
	while [ "$(metric canhgacd_queue_messages)" != "0" ]; do sleep 0.1; done
	c1=$(cpu $dpid); t1=$(now)
	after=$(metric "$key")
	n=$((${after%.*} - ${before%.*}))
	cs=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.1f", b - a }')
	el=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	echo "soak: $n events over TCP in $el s ($(per_cpu "$n" "$el") events/s, asked $rate/s); canhgacd $cs CPU s = $(per_cpu "$n" "$cs") events per CPU-second"
	echo "soak: RSS KiB every ${every} s: $(awk '{ printf "%s ", $2 }' "$work/rss.txt")"
	awk -v secs="$secs" '
		{ t = $1; r = $2; if (r > all) all = r
		  if (t < 60) { if (fmin == "" || r < fmin) fmin = r; if (r > fmax) fmax = r }
		  if (t >= secs - 60) { if (lmin == "" || r < lmin) lmin = r; if (r > lmax) lmax = r } }
		END {
			slack = fmax * 0.10; if (slack < 16384) slack = 16384
			printf "soak: RSS first minute %s..%s KiB, last minute %s..%s KiB, overall max %s KiB: %s (rule: last-minute max <= first-minute max + max(10%%, 16 MiB))\n",
				fmin, fmax, lmin, lmax, all, (lmax <= fmax + slack) ? "flat" : "growing"
		}' "$work/rss.txt"
	echo "soak: database $db0 -> $(size_kib "$work/canhgac.db") KiB, state directory $st0 -> $(size_kib "$work/state") KiB; alerts $(metric canhgacd_alerts_total), alert events stored $(metric canhgacd_alerts_stored_total), new to the store $(metric canhgacd_alert_events_new_total)"
	"$cg" --db "$work/canhgac.db" --json alert list 2>/dev/null | wc -l | sed 's/^/soak: alerts in the database: /'
	kill "$dpid"; wait "$dpid" || true; pids=""
	exit 0
fi
# run NAME PROTO_FLAG PORT COUNTER: loggen into canhgacd, rate from its counter
run_cgd() {
	name=$1 flag=$2 port=$3 key=$4
	before=$(metric "$key"); before=${before:-0}
	c0=$(cpu $dpid); t0=$(now)
	loggen -i "$flag" -R "$work/messages.log" -l -d -r 1000000 -I "$secs" -Q 127.0.0.1 "$port" >"$work/loggen-$name.txt" 2>&1 &
	lp=$!
	samples=""
	while kill -0 $lp 2>/dev/null; do samples="$samples $(rss $dpid)"; sleep 3; done
	wait $lp || true
	# until the queue is empty
	while [ "$(metric canhgacd_queue_messages)" != "0" ]; do sleep 0.1; done
	t1=$(now); c1=$(cpu $dpid)
	after=$(metric "$key")
	n=$((${after%.*} - ${before%.*}))
	rate=$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
	cs=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
	pc=$(per_cpu "$n" "$cs")
	echo "canhgacd $name: $n events in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s = $rate events/s; $cs CPU s = $pc events per CPU-second; RSS KiB:$samples"
	eval "cgd_$name=$rate; cgdc_$name=$pc"
}
run_cgd tcp -S "$tport" 'canhgacd_events_processed_total{source="tcp",kind="tcp"}'
run_cgd udp -D "$uport" 'canhgacd_events_processed_total{source="udp",kind="udp"}'
echo "canhgacd UDP dropped (queue full): $(metric 'canhgacd_messages_dropped_total{source="udp",kind="udp"}')"
echo "canhgacd alerts: $(metric canhgacd_alerts_total) (indicator $(metric canhgacd_indicator_alerts_total), sigma $(metric canhgacd_sigma_alerts_total), threshold $(metric canhgacd_threshold_alerts_total)); snapshot: $(metric 'canhgacd_snapshot_items{part="indicators"}') indicators, $(metric 'canhgacd_snapshot_items{part="sigma_rules"}') Sigma rules, $(metric 'canhgacd_snapshot_items{part="threshold_rules"}') threshold rules"
kill "$dpid"; wait "$dpid" || true; pids=""

sport=$(free_port)
cat > "$work/syslog-ng.conf" <<CFG
@version: 3.35
options { threaded(yes); flush_lines(1000); log_fifo_size(100000); stats_freq(0); };
source s_net {
  network(ip(127.0.0.1) port($sport) transport("tcp") max-connections(16) log-iw-size(100000) flags(no-parse));
  network(ip(127.0.0.1) port($sport) transport("udp") so-rcvbuf(8388608) flags(no-parse));
};
destination d_file { file("$work/syslog-ng.out"); };
log { source(s_net); destination(d_file); };
CFG
syslog-ng -F -f "$work/syslog-ng.conf" -R "$work/sng.persist" -p "$work/sng.pid" -c "$work/sng.ctl" \
	--no-caps >"$work/syslog-ng.log" 2>&1 &
spid=$!
pids="$spid"
sleep 1
lines() { [ -f "$work/syslog-ng.out" ] && wc -l <"$work/syslog-ng.out" || echo 0; }
run_sng() {
	name=$1 flag=$2
	before=$(lines)
	c0=$(cpu $spid); t0=$(now)
	loggen -i "$flag" -R "$work/messages.log" -l -d -r 1000000 -I "$secs" -Q 127.0.0.1 "$sport" >/dev/null 2>&1 || true
	# until the file stops growing
	prev=-1; cur=$(lines)
	while [ "$cur" != "$prev" ]; do prev=$cur; sleep 0.5; cur=$(lines); done
	t1=$(now); c1=$(cpu $spid)
	n=$((cur - before))
	rate=$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a - 0.5) }')
	cs=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
	pc=$(per_cpu "$n" "$cs")
	echo "syslog-ng $name: $n lines in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a - 0.5 }') s = $rate lines/s (receive + write only); $cs CPU s = $pc lines per CPU-second"
	eval "sng_$name=$rate; sngc_$name=$pc"
}
run_sng tcp -S
run_sng udp -D
kill "$spid"; wait "$spid" 2>/dev/null || true; pids=""
echo "ratio canhgacd/syslog-ng: TCP $(awk -v a="$cgd_tcp" -v b="$sng_tcp" 'BEGIN { printf "%.2f", a / b }'), UDP $(awk -v a="$cgd_udp" -v b="$sng_udp" 'BEGIN { printf "%.2f", a / b }') (same machine, same run; $(nproc) processors shared)"
echo "per core (events per CPU-second of the daemon): canhgacd TCP $cgdc_tcp, UDP $cgdc_udp; syslog-ng TCP $sngc_tcp, UDP $sngc_udp; ratio TCP $(awk -v a="$cgdc_tcp" -v b="$sngc_tcp" 'BEGIN { printf "%.2f", a / b }'), UDP $(awk -v a="$cgdc_udp" -v b="$sngc_udp" 'BEGIN { printf "%.2f", a / b }') (target: canhgacd >= 100,000 per core)"
