"""canhgacd under load and failure:
- kill -9 in the middle of a run that forwards to a SOC receiver, then a
  restart: every record the forward queue committed (1..N by sequence
  number) reaches the receiver; a record seen twice is marked as a possible
  re-delivery;
- 1 M random and mutated messages over TCP and UDP (fewer under ASan):
  the daemon keeps running, answers its metrics, and its resident memory
  stays bounded (it does not grow with the number of messages)."""
import os
import random
import signal
import socket
import sys
import tempfile
import threading
import time

import cgtest
from dtest import DBIN, Daemon, SyslogReceiver, asan_build

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
    for t in (test_kill9_forward, test_hostile_load):
        with tempfile.TemporaryDirectory() as tmp:
            print("--", t.__name__, flush=True)
            t(tmp)
    return C.finish()


if __name__ == "__main__":
    sys.exit(main())
