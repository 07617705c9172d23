"""canhgacd under load and failure:
- kill -9 while the memory queue between the receiver and the (one, slow)
  worker still holds many messages, all of which were read off TCP: after
  the restart the SOC receiver has every message exactly once unmarked
  (other copies marked as re-deliveries), and a listed address that was
  still waiting for detection at the kill raises its alert;
- kill -9 in the middle of a run that forwards to a SOC receiver, then a
  restart: every record the forward queue committed (1..N by sequence
  number) reaches the receiver; a record seen twice is marked as a possible
  re-delivery;
- 1 M random and mutated messages over TCP and UDP (fewer under ASan):
  the daemon keeps running, answers its metrics, and its resident memory
  stays bounded (it does not grow with the number of messages)."""
import os
import random
import re
import signal
import socket
import sqlite3
import sys
import tempfile
import threading
import time

import cgtest
from dtest import DBIN, Daemon, SyslogReceiver, alerts, asan_build

C = cgtest.Checks()
check = C.check


def config(extra=""):
    return f"""database: canhgac.db
pid_file: canhgacd.pid
state_dir: state
workers: 2
queue_bytes: 4194304
listeners:
  - {{name: udp, proto: udp, port: 0}}
  - {{name: tcp, proto: tcp, port: 0}}
metrics: {{port: 0}}
detect:
  intel_poll: 0
{extra}"""


def sender(port, stop, count):
    """Send numbered RFC 5424 messages over TCP until `stop` is set."""
    i = 0
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                while not stop.is_set():
                    batch = b"".join(b"<14>1 2026-12-01T10:00:00+07:00 web01 app - - - load message %d\n" % (i + k)
                                     for k in range(100))
                    s.sendall(batch)
                    i += 100
                    count[0] = i
                    time.sleep(0.01)
        except OSError:
            time.sleep(0.05)


def test_kill9_forward(tmp):
    soc = SyslogReceiver()
    cfg = config(f"""forward:
  upstreams:
    - {{name: soc, kind: syslog-tcp, address: 127.0.0.1, port: {soc.port}, retry_max: 1}}
""")
    d = Daemon(tmp, cfg)
    if not check(d.start(), f"daemon starts: {d.log()}"):
        return
    stop, count = threading.Event(), [0]
    th = threading.Thread(target=sender, args=(d.ports["tcp"], stop, count), daemon=True)
    th.start()
    committed = d.wait_metric("canhgacd_forward_committed_seq", lambda v: v >= 3000, timeout=60)
    check(committed >= 3000, f"records committed before the kill: {committed}")
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait()
    stop.set()
    th.join()
    # Restart on the same state: the queue and the cursor survive.
    d2 = Daemon(tmp, cfg, name="d2")
    if not check(d2.start(), f"restart: {d2.log()}"):
        soc.close()
        return
    try:
        stop2, count2 = threading.Event(), [0]
        th2 = threading.Thread(target=sender, args=(d2.ports["tcp"], stop2, count2), daemon=True)
        th2.start()
        d2.wait_metric("canhgacd_forward_committed_seq", lambda v: v >= committed + 500, timeout=60)
        stop2.set()
        th2.join()
        time.sleep(0.5)
        final = d2.metric("canhgacd_forward_committed_seq")
        delivered = d2.wait_metric('canhgacd_forward_delivered_seq{upstream="soc"}', lambda v: v >= final,
                                   timeout=60)
        check(delivered == final, f"the upstream caught up: delivered {delivered} of {final}")
        time.sleep(0.5)
        got = soc.seqs()
        seen = {}
        for seq, redelivery in got:
            seen.setdefault(seq, []).append(redelivery)
        missing = [s for s in range(1, int(final) + 1) if s not in seen]
        check(not missing, f"every committed record reached the SOC ({int(final)}); missing {missing[:10]}")
        unmarked = [s for s, marks in seen.items() if len(marks) > 1 and not any(marks[1:])]
        check(not unmarked, f"every duplicate is marked as a re-delivery: {unmarked[:10]}")
        print(f"kill -9: committed before {int(committed)}, final {int(final)}, received {len(got)}, "
              f"duplicates {len(got) - len(seen)}")
    finally:
        d2.stop()
        soc.close()


INFLIGHT_LISTED = "203.0.113.25"


def test_kill9_inflight(tmp):
    kill9_inflight(tmp, via_file=False)


def test_kill9_inflight_file(tmp):
    """The same with the messages read from a tailed file: a line is read
    once (its position is saved right after its commit), not again after
    the restart."""
    kill9_inflight(tmp, via_file=True)


def kill9_inflight(tmp, via_file):
    rules = os.path.join(cgtest.SHARED, "sigma", "rules", "linux")
    if not os.path.isdir(rules):
        print(f"SKIP kill -9 in flight: {rules} not found (../shared/data; set CANHGAC_SHARED_DATA)")
        return
    total = 30_000 if asan_build() else 100_000
    if via_file:
        total //= 2
    db = os.path.join(tmp, "canhgac.db")
    # Many indicators (random public addresses, never 192.x or 203.x) and the
    # one the last message names.
    rng = random.Random(1313)
    listed = {f"{rng.choice([a for a in range(1, 224) if a not in (10, 127, 192, 203)])}."
              f"{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}" for _ in range(50_000)}
    with open(os.path.join(tmp, "listed.txt"), "w") as f:
        f.write("\n".join(sorted(listed) + [INFLIGHT_LISTED]) + "\n")
    r = cgtest.run(["--quiet", "intel", "import", "--source", "load-listed", os.path.join(tmp, "listed.txt")], db=db)
    if not check(r.returncode == 0, f"intel import: {r.stderr}"):
        return
    soc = SyslogReceiver()
    # One worker and a queue big enough for every message: the receiver
    # reads everything long before detection is through.
    cfg = f"""database: canhgac.db
pid_file: canhgacd.pid
state_dir: state
workers: 1
queue_bytes: 134217728
listeners:
  - {{name: tcp, proto: tcp, port: 0}}
files:
  - {{name: tailed, path: {os.path.join(tmp, "input.log")}}}
metrics: {{port: 0}}
detect:
  intel_poll: 0
  alert_flush_ms: 50
  sigma: {rules}
forward:
  upstreams:
    - {{name: soc, kind: syslog-tcp, address: 127.0.0.1, port: {soc.port}, retry_max: 1}}
"""
    d = Daemon(tmp, cfg)
    if not check(d.start(), f"daemon starts: {d.log()[-800:]}"):
        soc.close()
        return
    d2 = None
    try:
        # Every message names a listed address (an attack flood): each one
        # is an alert event for the one writer to store, so detection is
        # much slower than the receiver. The last one names another listed
        # address, seen nowhere else.
        pool = sorted(listed)[:2000]
        # And the database is busy (another writer holds it, as a long
        # `canhgac` import would): the alert writer waits, its queue fills,
        # the worker waits on it, so detection surely lags the receiver, on
        # any machine and under the sanitizers.
        hold = sqlite3.connect(db, isolation_level=None, timeout=30)
        hold.execute("BEGIN IMMEDIATE")

        def line(i):
            ip = INFLIGHT_LISTED if i == total - 1 else pool[i % len(pool)]
            return (f"<38>1 2026-12-06T10:00:00+07:00 web01 sshd {1000 + i % 5000} - - "
                    f"Failed password for user{i} from {ip} port 22 ssh2\n").encode()
        data = b"".join(line(i) for i in range(total))
        if via_file:
            with open(os.path.join(tmp, "input.log"), "ab") as f:
                f.write(data)
            key_in = 'canhgacd_messages_received_total{source="tailed",kind="file"}'
        else:
            with socket.create_connection(("127.0.0.1", d.ports["tcp"]), timeout=60) as s:
                s.sendall(data)
            key_in = 'canhgacd_messages_received_total{source="tcp",kind="tcp"}'
        got_in = d.wait_metric(key_in, lambda v: v >= total, timeout=120)
        m = d.metrics()
        depth = m.get("canhgacd_queue_messages", 0)
        processed = m.get(key_in.replace("messages_received", "events_processed"), 0)
        # The precondition of the whole test: everything was read off the
        # socket while the worker still had messages waiting.
        ok = check(got_in == total and m.get(key_in, 0) == total, f"all {total} messages received ({got_in})")
        ok = check(processed < total, f"messages still waiting for detection at the kill: {total - processed} "
                                      f"({depth} in the memory queue)") and ok
        d.proc.send_signal(signal.SIGKILL)
        d.proc.wait()
        hold.execute("ROLLBACK")
        hold.close()
        if not ok:
            return
        before = [a for a in alerts(db) if a.get("indicator") == INFLIGHT_LISTED]
        if not check(not before, f"the listed message was still waiting at the kill (no alert yet): {before}"):
            return
        print(f"kill -9 with {int(depth)} messages queued, {int(processed)} of {total} through detection")
        d2 = Daemon(tmp, cfg, name="d2")
        if not check(d2.start(), f"restart: {d2.log()[-800:]}"):
            return
        # Detection catches up on what it had not finished: the alert.
        t0 = time.time()
        mine = []
        while time.time() - t0 < 240 and not mine:
            time.sleep(0.5)
            mine = [a for a in alerts(db) if a.get("indicator") == INFLIGHT_LISTED]
        check(len(mine) == 1, f"the in-flight listed address raised its alert after the restart: {mine}")
        replayed = d2.metric("canhgacd_detect_replayed_total")
        check(replayed >= depth, f"the queued messages were detected again: replayed {replayed}, queued {depth}")
        final = d2.metric("canhgacd_forward_committed_seq")
        delivered = d2.wait_metric('canhgacd_forward_delivered_seq{upstream="soc"}', lambda v: v >= final,
                                   timeout=240)
        check(delivered >= final, f"the upstream caught up: delivered {delivered} of {final}")
        time.sleep(0.5)
        with soc.lock:
            msgs = list(soc.msgs)
        unmarked, marked = {}, {}
        last_event_seq = 0
        for msg in msgs:
            n = re.search(r"Failed password for user(\d+) ", msg)
            if not n:
                continue
            sd = re.search(r'\[canhgac@32473 seq="(\d+)"( redelivery="1")?\]', msg)
            if not check(sd, f"a forwarded record carries its sequence number: {msg[:120]}"):
                break
            last_event_seq = max(last_event_seq, int(sd.group(1)))
            redo = bool(sd.group(2))
            k = int(n.group(1))
            (marked if redo else unmarked)[k] = (marked if redo else unmarked).get(k, 0) + 1
        # A batch on its way at the kill may reach the SOC only as its marked
        # re-delivery: every message arrives, and only one copy is unmarked.
        missing = [i for i in range(total) if i not in unmarked and i not in marked]
        check(not missing, f"every message reached the SOC: {len(missing)} missing, e.g. {missing[:10]}")
        twice = [i for i, c in unmarked.items() if c > 1]
        check(not twice, f"no message reached the SOC twice unmarked: {twice[:10]}")
        # Detection's own cursor moves on too (once its alerts are committed),
        # so the next restart does not detect the same messages again.
        done = d2.wait_metric("canhgacd_detect_done_seq", lambda v: v >= last_event_seq, timeout=120)
        check(done >= last_event_seq > 0, f"the detect cursor caught up: {done} of {last_event_seq}")
        print(f"SOC: {len(unmarked)} messages unmarked, {sum(marked.values())} marked re-deliveries; "
              f"replayed into detection {int(replayed)}")
    finally:
        if d.proc.poll() is None:
            d.proc.kill()
            d.proc.wait()
        if d2:
            d2.stop()
        soc.close()


def test_store_trimmed_by_detection(tmp):
    """No upstream: every message is still stored at receipt, and detection's
    cursor alone frees the queue. Five times the queue's bound goes through
    TCP (which would wait for ever at the bound if nothing freed it)."""
    cfg = config("""forward:
  max_bytes: 2097152
""")
    d = Daemon(tmp, cfg)
    if not check(d.start(), f"daemon starts: {d.log()[-800:]}"):
        return
    try:
        total = 80_000
        pad = "x" * 100
        data = b"".join(f"<14>1 2026-12-01T10:00:00+07:00 web01 app - - - stored {i} {pad}\n".encode()
                        for i in range(total))
        check(len(data) > 5 * 2097152, f"the input is five times the bound: {len(data)} bytes")
        try:
            with socket.create_connection(("127.0.0.1", d.ports["tcp"]), timeout=60) as s:
                s.sendall(data)
        except OSError as e:
            check(False, f"the daemon took everything (nothing freed the queue at its bound?): {e}")
            return
        key = 'canhgacd_events_processed_total{source="tcp",kind="tcp"}'
        done = d.wait_metric(key, lambda v: v >= total, timeout=120)
        check(done == total, f"every message went through: {done} of {total}")
        m = d.metrics()
        stored, refused = m.get("canhgacd_forward_appended_total", 0), m.get("canhgacd_forward_refused_total", -1)
        # The receiver waits at most half a second at the bound, then refuses
        # to store (counted) while the bound stays; detection frees it far
        # sooner, so nearly everything is stored, and far more than the
        # bound holds (about 11,000 of these messages) went through it.
        check(stored + refused == total, f"stored {stored} + refused {refused} = {total}")
        check(stored >= total * 3 // 4, f"the detect cursor freed the queue: {stored} of {total} stored")
        check(m.get("canhgacd_forward_queue_bytes", 1 << 30) <= 2097152,
              f"the queue stays within its bound: {m.get('canhgacd_forward_queue_bytes')}")
        left = sum(os.path.getsize(os.path.join(tmp, "state", "forward", f))
                   for f in os.listdir(os.path.join(tmp, "state", "forward")) if f.startswith("seg-"))
        check(left <= 2097152, f"segments on disk within the bound: {left} bytes")
    finally:
        rc = d.stop()
        check(rc == 0, f"clean stop: {rc}")
    # A clean stop saved the detect cursor: nothing is detected again.
    d2 = Daemon(tmp, cfg, name="d2")
    if not check(d2.start(), f"restart: {d2.log()[-800:]}"):
        return
    try:
        time.sleep(0.5)
        check(d2.metric("canhgacd_detect_replayed_total", -1) == 0, "no replay after a clean stop")
    finally:
        d2.stop()


def corpus(rng, n):
    """Random and mutated syslog-ish messages (newline framed: no LF inside;
    each starts with '<' so no octet count is read)."""
    base = [b"<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
            b"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 "
            b"iut=\"3\" eventSource=\"Application\"] An application event",
            b"<86>Nov 28 01:58:02 db01 sshd[41022]: Failed password for root from 203.0.113.25 port 51544 ssh2",
            b"<4>Nov 28 02:00:00 fw kernel: [UFW BLOCK] IN=eth0 OUT= SRC=198.51.100.7 DST=10.0.0.1 PROTO=TCP "
            b"SPT=4444 DPT=22",
            b"<134>CEF:0|Vendor|Product|1.0|100|Name|5|src=10.0.0.1 dst=203.0.113.25 spt=1 dpt=2 act=blocked",
            b'<14>{"EventID":4625,"Computer":"dc01","TargetUserName":"admin","IpAddress":"203.0.113.77"}',
            b'<14>1 - - - - - - {"a":[1,2,{"b":"\xff\xfe"}]}']
    out = []
    for _ in range(n):
        m = bytearray(rng.choice(base))
        op = rng.randrange(6)
        if op == 0:
            m = bytearray(rng.randbytes(rng.randrange(1, 300)))
        elif op == 1:
            for _ in range(rng.randrange(1, 8)):
                m[rng.randrange(len(m))] = rng.randrange(256)
        elif op == 2:
            m = m[:rng.randrange(1, len(m))]
        elif op == 3:
            m += rng.randbytes(rng.randrange(1, 2000))
        elif op == 4:
            m = m * rng.randrange(2, 40)
        m = bytes(m).replace(b"\n", b" ")
        out.append(b"<" + m[1:] if m else b"<")
    return out


def test_hostile_load(tmp):
    total = 200_000 if asan_build() else 1_000_000
    rng = random.Random(13)
    msgs = corpus(rng, 20_000)
    extra = {}
    if asan_build():
        # ASan keeps freed memory in quarantine (256 MiB by default), which
        # would read as growth: keep it small so RSS measures the daemon.
        extra["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=4:thread_local_quarantine_size_kb=64"
    d = Daemon(tmp, config(), extra_env=extra)
    if not check(d.start(), f"daemon starts: {d.log()}"):
        return
    try:
        chunk = b"\n".join(msgs) + b"\n"
        per_chunk = len(msgs)
        tcp_n = udp_n = 0
        rss = []
        t0 = time.time()
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        while tcp_n + udp_n < total and time.time() - t0 < 50:
            with socket.create_connection(("127.0.0.1", d.ports["tcp"]), timeout=30) as s:
                s.sendall(chunk)
            tcp_n += per_chunk
            for m in msgs[: per_chunk // 2]:
                udp.sendto(m, ("127.0.0.1", d.ports["udp"]))
            udp_n += per_chunk // 2
            rss.append(d.rss_kib())
        # Oversized and broken frames on their own connections.
        for bad in (b"99999999999 <14>x\n", b"12 <14>short", b"<14>" + b"A" * 300_000 + b"\n"):
            try:
                with socket.create_connection(("127.0.0.1", d.ports["tcp"]), timeout=10) as s:
                    s.sendall(bad)
            except OSError:
                pass
        d.wait_metric('canhgacd_events_processed_total{source="tcp",kind="tcp"}', lambda v: v >= tcp_n,
                      timeout=120)
        time.sleep(1)
        check(d.proc.poll() is None, "the daemon is still running")
        m = d.metrics()
        tcp_done = m.get('canhgacd_events_processed_total{source="tcp",kind="tcp"}', 0)
        check(tcp_done >= tcp_n, f"every TCP message went through: {tcp_done} of {tcp_n}")
        udp_in = m.get('canhgacd_messages_received_total{source="udp",kind="udp"}', 0)
        udp_done = m.get('canhgacd_events_processed_total{source="udp",kind="udp"}', 0)
        dropped = m.get('canhgacd_messages_dropped_total{source="udp",kind="udp"}', 0)
        check(udp_in == udp_done + dropped, f"UDP received = processed + dropped: {udp_in} {udp_done} {dropped}")
        check(m.get('canhgacd_messages_truncated_total{source="tcp",kind="tcp"}', 0) >= 1,
              "the oversized message was counted as truncated")
        mid = rss[len(rss) // 2] if rss else 0
        end = d.rss_kib()
        print(f"hostile load: {tcp_n} TCP + {udp_n} UDP messages in {time.time() - t0:.1f} s; "
              f"UDP dropped {int(dropped)}; RSS KiB over the run {rss[::max(1, len(rss) // 8)]}, end {end}")
        check(end < 600 * 1024, f"resident memory stays bounded: {end} KiB")
        check(end <= mid + 64 * 1024, f"memory does not grow with the input: mid {mid} KiB, end {end} KiB")
    finally:
        rc = d.stop()
        check(rc == 0, f"clean stop after the load: {rc}")


def main():
    if not os.access(DBIN, os.X_OK):
        print("FAIL: canhgacd not built")
        return 1
    for t in (test_kill9_inflight, test_kill9_inflight_file, test_store_trimmed_by_detection, test_kill9_forward, test_hostile_load):
        with tempfile.TemporaryDirectory() as tmp:
            print("--", t.__name__, flush=True)
            t(tmp)
    return C.finish()


if __name__ == "__main__":
    sys.exit(main())
