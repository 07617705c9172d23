"""canhgacd forwarding to a SOC that goes down under steady load (issue 13,
"zero loss"), black-box: only the daemon's configuration, its listeners,
its metrics page and what the receivers got are used.

- the SOC is a REAL syslog-ng (Debian syslog-ng-core; foreground, its own
  configuration, pid, control and persist files in the temporary directory,
  loopback only) receiving RFC 5424 with octet counting over TCP and writing
  a file; a second upstream posts JSON batches to a Python HTTP receiver
  that stays up;
- a sender writes numbered RFC 5424 lines over TCP at a steady rate for
  about 15 s; in the middle the SOC is stopped with SIGTERM for a few
  seconds and started again on the same port, later killed with SIGKILL
  and started again;
- while the SOC is down, the records waiting for it (the forward lag) grow;
  afterwards the queue drains;
- at the SOC, and at the HTTP receiver: every sequence number from 1 to the
  number of messages sent appears; a number seen again is marked as a
  possible re-delivery (redelivery="1" / "redelivery":true), so at most one
  unmarked copy of each; sequenceId (RFC 5424 meta) agrees with the number;
  and every numbered input message arrived, under exactly one sequence
  number.
Expected values come from the sender's own count (no detection rules are
loaded, so one event = one forwarded record), never from the daemon."""
import json
import os
import re
import signal
import socket
import sys
import tempfile
import threading
import time

import cgtest
from socsim import SYSLOG_NG, HttpSink, SyslogNg, free_port
from dtest import DBIN, Daemon, SyslogReceiver, alerts, asan_build

C = cgtest.Checks()
check = C.check


MSG_RE = re.compile(r"soc-test message (\d+)\b")


def sender(port, rate, stop, sent):
    """Numbered RFC 5424 lines, newline framed, at `rate` per second on one
    connection (reconnecting if it drops) until `stop` is set. sent[0]: how
    many were written completely."""
    step = 0.02
    per = max(1, int(rate * step))
    i = 0
    t_next = time.monotonic()
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                while not stop.is_set():
                    batch = b"".join(b"<14>1 2026-12-06T10:00:00+07:00 so-mau.example app - - - soc-test message %d\n"
                                     % (i + k) for k in range(per))
                    s.sendall(batch)
                    i += per
                    sent[0] = i
                    t_next += step
                    d = t_next - time.monotonic()
                    if d > 0:
                        time.sleep(d)
        except OSError as e:
            check(False, f"sender: {e}")
            time.sleep(0.1)


def verify(name, rows, n):
    """rows: [(seq, marked, message)] in arrival order; n messages were sent
    (numbers 0..n-1) and become sequence numbers 1..n."""
    seen, msg_of, seq_of, unmarked, changed = {}, {}, {}, [], []
    for seq, marked, message in rows:
        m = MSG_RE.search(message or "")
        if not check(isinstance(seq, int) and m is not None, f"{name}: record not understood: {seq} {message!r:.200}"):
            continue
        num = int(m.group(1))
        if seq in seen:
            if not marked:
                unmarked.append(seq)
            if msg_of[seq] != num:
                changed.append((seq, msg_of[seq], num))
        else:
            msg_of[seq] = num
        seen[seq] = seen.get(seq, 0) + 1
        seq_of.setdefault(num, set()).add(seq)
    check(not unmarked, f"{name}: {len(unmarked)} sequence numbers arrived again without the re-delivery mark, "
                        f"e.g. {unmarked[:10]}")
    check(not changed, f"{name}: sequence numbers that carried another message when sent again: {changed[:5]}")
    missing = [s for s in range(1, n + 1) if s not in seen]
    extra = sorted(s for s in seen if not 1 <= s <= n)
    check(not missing, f"{name}: {len(missing)} of {n} sequence numbers missing, e.g. {missing[:10]}")
    check(not extra, f"{name}: sequence numbers beyond the {n} messages sent: {extra[:10]}")
    lost = [k for k in range(n) if k not in seq_of]
    check(not lost, f"{name}: {len(lost)} input messages never arrived, e.g. {lost[:10]}")
    twice = [k for k, s in seq_of.items() if len(s) > 1]
    check(not twice, f"{name}: input messages forwarded under two sequence numbers: {twice[:10]}")
    bogus = [k for k in seq_of if not 0 <= k < n]
    check(not bogus, f"{name}: messages that were never sent: {bogus[:10]}")
    dups = len(rows) - len(seen)
    print(f"# {name}: {len(rows)} received, {len(seen)} distinct, {dups} marked re-deliveries")
    return dups


LAG = 'canhgacd_forward_lag_records{upstream="soc"}'
CONNECTED = 'canhgacd_forward_connected{upstream="soc"}'


def outage(d, sng, sig, secs, sent):
    """Take the SOC down with `sig` for `secs` seconds under load; returns
    (lag when it went down, lag just before it came back, messages sent meanwhile)."""
    lag0, n0 = d.metric(LAG), sent[0]
    sng.stop(sig)
    time.sleep(secs)
    lag1, n1 = d.metric(LAG), sent[0]
    conn = d.metric(CONNECTED)
    print(f"# SOC down ({signal.Signals(sig).name}, {secs} s): lag {int(lag0)} -> {int(lag1)}, "
          f"{n1 - n0} messages sent meanwhile, connected={int(conn)}, "
          f"queue {int(d.metric('canhgacd_forward_queue_bytes'))} bytes")
    check(conn == 0, f"{signal.Signals(sig).name}: the upstream shows disconnected while the SOC is down")
    # Most of what was sent during the outage waits for the SOC (a record
    # may still be in the daemon's input queue; half is a wide margin).
    check(lag1 >= (n1 - n0) // 2 and lag1 > lag0,
          f"{signal.Signals(sig).name}: records wait for the SOC while it is down: lag {lag0} -> {lag1}, "
          f"{n1 - n0} sent meanwhile")
    sng.start()
    return lag0, lag1, n1 - n0


def test_soc_outage(tmp):
    rate = 150 if asan_build() else 400
    sw = os.path.join(tmp, "soc")
    os.mkdir(sw)
    sng = SyslogNg(sw, free_port(), check)
    sng.start()
    web = HttpSink(check)
    web.start()
    d = Daemon(tmp, f"""database: canhgac.db
state_dir: state
workers: 2
listeners:
  - {{name: tcp, proto: tcp, port: 0}}
metrics: {{port: 0}}
detect:
  intel_poll: 0
forward:
  upstreams:
    - {{name: soc, kind: syslog-tcp, address: 127.0.0.1, port: {sng.port}, retry_max: 1}}
    - {{name: web, kind: http-json, url: "http://127.0.0.1:{web.port}/ingest", retry_max: 1}}
""")
    if not check(d.start(), f"daemon starts: {d.log()}"):
        sng.stop()
        web.stop()
        return
    stop, sent = threading.Event(), [0]
    th = threading.Thread(target=sender, args=(d.ports["tcp"], rate, stop, sent), daemon=True)
    try:
        th.start()
        time.sleep(3)
        check(d.metric(CONNECTED) == 1, "the SOC upstream is connected before the outage")
        outage(d, sng, signal.SIGTERM, 3, sent)
        time.sleep(3)
        outage(d, sng, signal.SIGKILL, 3, sent)
        time.sleep(3)
        stop.set()
        th.join()
        n = sent[0]
        # Everything sent was taken in, then committed, then delivered to both.
        done = d.wait_metric('canhgacd_events_processed_total{source="tcp",kind="tcp"}', lambda v: v >= n,
                             timeout=120)
        check(done == n, f"the daemon processed every message sent: {done} of {n}")
        committed = d.wait_metric("canhgacd_forward_committed_seq", lambda v: v >= n, timeout=60)
        check(committed == n, f"one forward record per message: committed {committed}, sent {n}")
        for up in ("soc", "web"):
            got = d.wait_metric(f'canhgacd_forward_delivered_seq{{upstream="{up}"}}', lambda v: v >= committed,
                                timeout=120)
            check(got == committed, f"{up}: the upstream caught up: delivered {got} of {committed}")
            lag = d.metric(f'canhgacd_forward_lag_records{{upstream="{up}"}}', -1)
            check(lag == 0, f"{up}: the queue drained: lag {lag}")
        m = d.metrics()
        redel = int(m.get('canhgacd_forward_redelivered_total{upstream="soc"}', 0))
        errs = int(m.get('canhgacd_forward_errors_total{upstream="soc"}', 0))
        print(f"# sent {n} at {rate}/s; SOC re-sent (marked) {redel}, errors {errs}")
    finally:
        stop.set()
        rc = d.stop()
        check(rc == 0, f"clean stop: {rc}")
        sng.stop()  # SIGTERM: syslog-ng writes out what it holds
        web.stop()
    n = sent[0]
    verify("SOC (syslog-ng)", sng.rows(), n)
    with web.lock:
        rows = list(web.rows)
    verify("HTTP", [(s, mk, msg) for s, mk, msg in rows], n)


LISTED = "203.0.113.25"  # in samples/intel/botnet-2026-11.csv


def test_alert_records(tmp):
    """Forwarded alert records carry the stored alert: its id, its count,
    first/last seen and state. Forwarded when the alert opens and again when
    its count reaches 10, 100, ... (man/canhgacd.8)."""
    db = os.path.join(tmp, "canhgac.db")
    r = cgtest.run(["intel", "import", "--source", "botnet-list",
                    os.path.join(cgtest.SRC, "samples", "intel", "botnet-2026-11.csv")], db=db)
    if not check(r.returncode == 0, f"intel import: {r.stderr}"):
        return
    soc = SyslogReceiver()
    d = Daemon(tmp, f"""database: canhgac.db
state_dir: state
workers: 2
listeners:
  - {{name: tcp, proto: tcp, port: 0}}
metrics: {{port: 0}}
detect:
  intel_poll: 0
  alert_flush_ms: 50
forward:
  events: false
  upstreams:
    - {{name: soc, kind: syslog-tcp, address: 127.0.0.1, port: {soc.port}, retry_max: 1}}
""", name="alerts")
    if not check(d.start(), f"daemon starts: {d.log()}"):
        soc.close()
        return
    n = 23  # distinct events naming the listed address: one alert, count 23
    try:
        lines = b"".join(b"<38>1 2026-12-06T10:00:%02d+07:00 web01.so-mau.example sshd 4242 - - Connection from %s "
                         b"port %d on 10.0.0.5 port 22\n" % (i, LISTED.encode(), 40000 + i) for i in range(n))
        with socket.create_connection(("127.0.0.1", d.ports["tcp"]), timeout=10) as c:
            c.sendall(lines)
        d.wait_metric("canhgacd_alerts_stored_total", lambda v: v >= n, timeout=30)
        committed = d.wait_metric("canhgacd_forward_committed_seq", lambda v: v >= 2, timeout=30)
        time.sleep(0.5)  # a later record would show here
        committed = d.metric("canhgacd_forward_committed_seq")
        got = d.wait_metric('canhgacd_forward_delivered_seq{upstream="soc"}', lambda v: v >= committed, timeout=60)
        check(got == committed, f"the alert records were delivered: {got} of {committed}")
    finally:
        d.stop()
        soc.close()
    stored = [a for a in alerts(db) if a.get("kind") == "indicator"]
    if not check(len(stored) == 1, f"one stored indicator alert: {stored}"):
        return
    a = stored[0]
    check(a.get("count") == n, f"the stored alert counts the {n} events: {a.get('count')}")
    recs = []
    for m in soc.msgs:
        i = m.find("] {")
        check(i > 0 and " alert [meta " in m, f"an alert record in RFC 5424 with MSGID alert: {m[:200]!r}")
        if i > 0:
            recs.append(json.loads(m[i + 2:]))
    # The model: forwarded at count 1 (new) and at each power of ten <= n.
    want = [1] + [10 ** k for k in range(1, 6) if 10 ** k <= n]
    check([r.get("count") for r in recs] == want, f"forwarded counts {[r.get('count') for r in recs]}, want {want}")
    for r in recs:
        check(r.get("type") == "alert" and r.get("id") == a["id"],
              f"the record carries the stored alert's id {a['id']}: {r}")
        check(r.get("state") == "new" and r.get("indicator") == LISTED and r.get("kind") == "indicator",
              f"state, kind and indicator as stored: {r}")
        check(r.get("first_seen") == "2026-12-06T03:00:00Z",
              f"first_seen is the first event's time: {r.get('first_seen')}")
        c = r.get("count") or 0
        check(r.get("last_seen") == "2026-12-06T03:00:%02dZ" % (c - 1),
              f"last_seen of the record with count {c} is its last event's time: {r.get('last_seen')}")
    print(f"# alert {a['id']}: stored count {a.get('count')}, forwarded counts {[r.get('count') for r in recs]}")


def main():
    if not os.access(DBIN, os.X_OK):
        print("FAIL: canhgacd not built")
        return 1
    if not os.access(SYSLOG_NG, os.X_OK):
        print("FAIL: syslog-ng not found (Debian syslog-ng-core, in scripts/packages.txt)")
        return 1
    for t in (test_alert_records, test_soc_outage):
        with tempfile.TemporaryDirectory() as tmp:
            print("--", t.__name__, flush=True)
            t(tmp)
    return C.finish()


if __name__ == "__main__":
    sys.exit(main())
