#!/usr/bin/env python3
"""collect's listeners driven by real clients on loopback: util-linux
`logger` over UDP and TCP (RFC 3164 and 5424, LF and octet-counted framing,
IPv4 and IPv6), TLS with `openssl s_client` and Python's ssl module against
certificates made here with the `openssl` command (client certificate
required: a valid one passes with its subject, none or a foreign one is
refused and counted), `loggen` (syslog-ng) for a load run checked message by
message from its sequence numbers (also with a slow consumer: back-pressure,
no loss), over-long messages cut and counted, and hostile clients (more
connections than allowed, slow-loris partial frames, a broken octet count,
random bytes) that leave the loop running with bounded memory.

The harness (collect_probe, argv[1]) prints each message as a JSON line."""
import os
import random
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe import PROBE, TIMEOUT, Probe, check, failures  # noqa: E402


def logger(*args):
    r = subprocess.run(["logger"] + list(args), capture_output=True, text=True, timeout=TIMEOUT)
    check(r.returncode == 0, f"logger {args}: {r.stderr}")


def tag():
    return "m%08x" % random.getrandbits(32)


# ------------------------------------------------------------------ logger

def test_logger():
    pr = Probe("udp:u4:127.0.0.1", "tcp:t4:127.0.0.1", "udp:u6:::1", "tcp:t6:::1")
    pu4, pt4, pu6, pt6 = pr.ports
    sent = []  # (listener, host, rfc, framing, text)
    for rfc in ("--rfc3164", "--rfc5424"):
        for name, host, port, proto in (("u4", "127.0.0.1", pu4, "-d"), ("t4", "127.0.0.1", pt4, "-T"),
                                        ("u6", "::1", pu6, "-d"), ("t6", "::1", pt6, "-T")):
            framings = [[]] if proto == "-d" else [[], ["--octet-count"]]
            for fr in framings:
                text = f"collect test {tag()} ü Sở Mẫu"
                logger("-n", host, "-P", str(port), proto, rfc, *fr, "-t", "probe", text)
                sent.append((name, host, rfc, bool(fr), text))
    ok = check(pr.wait_for(len(sent)), f"logger: {len(pr.msgs)} of {len(sent)} messages arrived")
    stats = pr.stop()
    by_text = {}
    for m in pr.msgs:
        by_text.setdefault(m["msg"].rsplit(": ", 1)[-1].split("] ", 1)[-1].strip(), []).append(m)
    for name, host, rfc, octet, text in sent:
        got = [m for m in pr.msgs if m["msg"].endswith(text)]
        what = f"logger {name} {rfc} {'octet' if octet else 'lf'}"
        if not check(len(got) == 1, f"{what}: '{text}' arrived {len(got)} times"):
            continue
        m = got[0]
        check(m["name"] == name, f"{what}: source {m['name']}")
        check(m["proto"] == ("udp" if name[0] == "u" else "tcp"), f"{what}: proto {m['proto']}")
        want_peer = re.compile(r"^127\.0\.0\.1:\d+$" if host == "127.0.0.1" else r"^\[::1\]:\d+$")
        check(want_peer.match(m["peer"] or ""), f"{what}: peer {m['peer']}")
        check(m["tls_subject"] is None, f"{what}: no TLS subject")
        check(not m["truncated"], f"{what}: not truncated")
        check(abs(m["received_us"] / 1e6 - time.time()) < 3600, f"{what}: received_us {m['received_us']}")
        # RFC 5424: "<13>1 " then a stamp; RFC 3164: "<13>Mmm dd hh:mm:ss".
        if rfc == "--rfc5424":
            check(re.match(r"^<13>1 \d{4}-\d\d-\d\dT", m["msg"]), f"{what}: RFC 5424 header: {m['msg'][:40]}")
        else:
            check(re.match(r"^<13>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d ", m["msg"]),
                  f"{what}: RFC 3164 header: {m['msg'][:40]}")
        check("\n" not in m["msg"], f"{what}: no LF left in the message")
    if ok:
        n_udp4 = sum(1 for s in sent if s[0] == "u4")
        check(stats["u4"]["msgs"] == n_udp4, f"stats u4 msgs {stats['u4']['msgs']} != {n_udp4}")
        n_t4 = sum(1 for s in sent if s[0] == "t4")
        check(stats["t4"]["msgs"] == n_t4 and stats["t4"]["conns"] == n_t4,
              f"stats t4: {stats['t4']} (one connection per logger run)")
        check(stats["t4"]["bytes"] == sum(len(m["msg"].encode()) for m in pr.msgs if m["name"] == "t4"),
              "stats t4 bytes = the bytes delivered")
        check(stats["t4"]["conns_open"] == 0, "no connection left open")


# ------------------------------------------------------------ truncation

def test_truncation_and_framing():
    pr = Probe("--max-msg", "100", "tcp:t:127.0.0.1", "udp:u:127.0.0.1")
    pt, pu = pr.ports
    long = bytes(random.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(300))
    s = socket.create_connection(("127.0.0.1", pt))
    # LF frame over the cap, then an octet-counted one over the cap, then
    # a normal one: the stream stays in sync.
    s.sendall(b"<13>" + long + b"\n")
    s.sendall(b"304 <14>" + long)
    s.sendall(b"after the long ones\n")
    s.sendall(b"10 octet done")
    s.close()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b"<15>" + long, ("127.0.0.1", pu))
    u.sendto(b"short datagram\n", ("127.0.0.1", pu))
    ok = check(pr.wait_for(6), f"truncation: {len(pr.msgs)} of 6 messages")
    # A broken octet count closes that connection only.
    s = socket.create_connection(("127.0.0.1", pt))
    s.sendall(b"12x broken\nnot seen\n")
    time.sleep(0.3)
    s.close()
    s = socket.create_connection(("127.0.0.1", pt))
    s.sendall(b"still alive\n")
    s.close()
    pr.wait_for(7)
    stats = pr.stop()
    texts = [m["msg"] for m in pr.msgs]
    if ok:
        t = [m for m in pr.msgs if m["name"] == "t"]
        check(t[0]["msg"] == ("<13>" + long.decode())[:100] and t[0]["truncated"], f"LF cut: {t[0]}")
        check(t[1]["msg"] == ("<14>" + long.decode())[:100] and t[1]["truncated"], f"octet cut: {t[1]}")
        check(t[2]["msg"] == "after the long ones" and not t[2]["truncated"], f"in sync after: {t[2]}")
        check(t[3]["msg"] == "octet done", f"octet after: {t[3]}")
        u = [m for m in pr.msgs if m["name"] == "u"]
        check(len(u) == 2 and u[0]["msg"] == ("<15>" + long.decode())[:100] and u[0]["truncated"],
              f"datagram cut: {u[:1]}")
        check(len(u) == 2 and u[1]["msg"] == "short datagram" and not u[1]["truncated"], f"datagram: {u[1:]}")
    check("not seen" not in texts and "broken" not in " ".join(texts), "nothing after a broken octet count")
    check("still alive" in texts, "the listener survives a broken octet count")
    check(stats["t"]["truncated"] == 2 and stats["u"]["truncated"] == 1,
          f"truncated counted: t {stats['t']['truncated']} u {stats['u']['truncated']}")
    check(stats["t"]["framing_errors"] == 1, f"framing errors {stats['t']['framing_errors']}")


# ------------------------------------------------------------------- TLS

def openssl(*args, cwd):
    r = subprocess.run(["openssl"] + list(args), cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    if r.returncode != 0:
        raise SystemExit(f"FAIL: openssl {args}: {r.stderr}")


def make_certs(d):
    """A CA, a server certificate for 127.0.0.1, a client certificate from
    the CA and a self-signed one the CA never saw."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/O=So Mau/CN=Test CA", "-keyout", "ca.key", "-out", "ca.pem", cwd=d)
    for name, cn in (("server", "collector.so-mau.example"), ("client", "fw01.so-mau.example")):
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj",
                f"/O=So Mau/CN={cn}", "-keyout", f"{name}.key", "-out", f"{name}.csr", cwd=d)
        with open(os.path.join(d, f"{name}.ext"), "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n" if name == "server"
                    else "extendedKeyUsage=clientAuth\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.pem", cwd=d)
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/O=Nobody/CN=rogue.example", "-keyout", "rogue.key", "-out", "rogue.pem", cwd=d)


def tls_send(port, d, cert, payload):
    """Send payload over TLS; True when the handshake and the write went through."""
    ctx = ssl.create_default_context(cafile=os.path.join(d, "ca.pem"))
    if cert:
        ctx.load_cert_chain(os.path.join(d, cert + ".pem"), os.path.join(d, cert + ".key"))
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
                s.sendall(payload)
                # TLS 1.3: the server checks the client certificate after the
                # client's handshake ended; a read shows its verdict.
                s.settimeout(1.0)
                try:
                    s.recv(1)
                except (socket.timeout, TimeoutError):
                    pass
                return True
    except (ssl.SSLError, OSError):
        return False


def test_tls():
    d = tempfile.mkdtemp(prefix="collect-tls-")
    try:
        make_certs(d)
        j = lambda n: os.path.join(d, n)  # noqa: E731
        pr = Probe("--cert", j("server.pem"), "--key", j("server.key"), "--ca", j("ca.pem"), "--verify",
                   "tls:tv:127.0.0.1")
        port = pr.ports[0]
        good = f"tls good {tag()}"
        tls_send(port, d, "client", f"<13>1 - fw01 app - - - {good}\n".encode())
        none = f"tls nocert {tag()}"
        tls_send(port, d, None, f"{none}\n".encode())
        rogue = f"tls rogue {tag()}"
        tls_send(port, d, "rogue", f"{rogue}\n".encode())
        # openssl s_client with the client certificate, octet counting.
        sc = f"s_client {tag()}"
        frame = f"<14>1 - fw01 app - - - {sc}".encode()
        r = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", j("ca.pem"),
                            "-cert", j("client.pem"), "-key", j("client.key"), "-quiet", "-no_ign_eof", "-verify_return_error"],
                           input=str(len(frame)).encode() + b" " + frame, capture_output=True, timeout=TIMEOUT)
        check(r.returncode == 0, f"s_client: {r.stderr.decode(errors='replace')[-300:]}")
        pr.wait_for(2, timeout=10)
        time.sleep(0.5)
        stats = pr.stop()
        texts = [m["msg"] for m in pr.msgs]
        g = [m for m in pr.msgs if m["msg"].endswith(good)]
        if check(len(g) == 1, f"TLS with a valid client certificate: {texts}"):
            check(g[0]["proto"] == "tls", f"proto {g[0]['proto']}")
            subj = g[0]["tls_subject"] or ""
            check("CN=fw01.so-mau.example" in subj and "O=So Mau" in subj, f"subject passed on: {subj!r}")
        check(any(t.endswith(sc) for t in texts), f"s_client message: {texts}")
        check(not any(none in t for t in texts), "no certificate: nothing delivered")
        check(not any(rogue in t for t in texts), "foreign certificate: nothing delivered")
        check(stats["tv"]["tls_failures"] == 2, f"TLS failures counted: {stats['tv']}")
        check(stats["tv"]["conns"] == 4, f"TLS connections counted: {stats['tv']}")

        # Without verification: no certificate needed, no subject passed on.
        pr = Probe("--cert", j("server.pem"), "--key", j("server.key"), "tls:t:127.0.0.1")
        plain = f"tls noverify {tag()}"
        check(tls_send(pr.ports[0], d, None, f"{plain}\n".encode()), "TLS without verification: handshake")
        pr.wait_for(1, timeout=10)
        pr.stop()
        check([m["msg"] for m in pr.msgs] == [plain], f"TLS without verification: {pr.msgs}")
        check(all(m["tls_subject"] is None for m in pr.msgs), "no subject without verification")

        # A missing key file is a clear error at bind time.
        r = subprocess.run([PROBE, "--cert", j("server.pem"), "--key", j("absent.key"), "tls:t:127.0.0.1"],
                           capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
        check(r.returncode != 0 and "absent.key" in r.stderr and "'t'" in r.stderr,
              f"a missing key names the file and the listener: {r.stderr!r}")
    finally:
        shutil.rmtree(d, ignore_errors=True)


# ------------------------------------------------------------------ load

LOGGEN_SEQ = re.compile(r"seq: (\d+), thread: (\d+), runid: (\d+)")


def loggen_run(extra_probe, n, conns, label):
    pr = Probe(*extra_probe, "tcp:t:127.0.0.1")
    port = pr.ports[0]
    # -I: loggen's own time limit (10 s by default) must not end the run early.
    r = subprocess.run(["loggen", "-S", "-P", "-Q", "-I", "3600", "-n", str(n), "-r", "1000000", "--active-connections",
                        str(conns), "-s", "300", "127.0.0.1", str(port)], capture_output=True, text=True,
                       timeout=600)
    check(r.returncode == 0, f"loggen {label}: {r.stderr}")
    # loggen's -n is per connection.
    total = n * conns
    pr.wait_for(total, timeout=120)
    stats = pr.stop()
    seen = {}
    for m in pr.msgs:
        mm = LOGGEN_SEQ.search(m["msg"])
        if mm:
            seen.setdefault(int(mm.group(2)), []).append(int(mm.group(1)))
    check(len(pr.msgs) == total, f"loggen {label}: {len(pr.msgs)} of {total} messages")
    check(len(seen) == conns, f"loggen {label}: {len(seen)} threads of {conns}")
    for th, seqs in seen.items():
        check(seqs == list(range(n)), f"loggen {label}: thread {th}: sequence not 0..{n - 1} in order "
              f"({len(seqs)} messages)")
    check(stats["t"]["msgs"] == total, f"loggen {label}: stats {stats['t']['msgs']}")
    return pr


def test_loggen():
    loggen_run([], 20000, 4, "fast")
    # A slow consumer: the callback sleeps per message, the loop stops
    # reading, TCP holds the senders back; nothing is lost.
    loggen_run(["--delay-us", "200"], 1500, 2, "slow consumer")


# --------------------------------------------------------------- hostile

def test_hostile():
    pr = Probe("--max-conns", "40", "--idle-ms", "1500", "--max-msg", "4096", "tcp:t:127.0.0.1", "udp:u:127.0.0.1")
    pt, pu = pr.ports
    rss0 = pr.rss_kib()
    rnd = random.Random(6587)
    # Many connections: more than allowed are refused, the rest time out.
    socks = []
    for _ in range(120):
        try:
            socks.append(socket.create_connection(("127.0.0.1", pt), timeout=5))
        except OSError:
            pass
    # Slow loris: a partial frame, one byte at a time.
    for s in socks[:30]:
        try:
            s.sendall(b"<13>slow")
        except OSError:
            pass
    time.sleep(0.5)
    for s in socks[:30]:
        try:
            s.sendall(b"l")
        except OSError:
            pass
    # After the idle timeout every slow connection is gone.
    time.sleep(3.5)
    for s in socks:
        s.close()
    # Random bytes and mutated frames over fresh connections and UDP.
    sent_garbage = 0
    for i in range(200):
        blob = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 20000)))
        if i % 3 == 0:
            blob = b"%d " % rnd.randint(1, 99999) + blob
        try:
            with socket.create_connection(("127.0.0.1", pt), timeout=5) as s:
                s.sendall(blob)
        except OSError:
            pass
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.sendto(blob[:60000], ("127.0.0.1", pu))
        u.close()
        sent_garbage += len(blob)
    time.sleep(0.5)
    check(pr.alive(), "the loop survives hostile input")
    rss1 = pr.rss_kib()
    # Normal service afterwards.
    ok_text = f"after the storm {tag()}"
    logger("-n", "127.0.0.1", "-P", str(pt), "-T", ok_text)
    n_before = len(pr.msgs)
    pr.wait_for(n_before + 1, timeout=10)
    stats = pr.stop()
    check(any(m["msg"].endswith(ok_text) for m in pr.msgs), "a normal message gets through after the storm")
    st = stats["t"]
    check(st["conns_refused"] > 0, f"connections over max_conns refused: {st}")
    check(st["idle_closed"] >= 30, f"slow-loris connections closed after the idle timeout: {st}")
    check(st["framing_errors"] > 0, f"broken octet counts counted: {st}")
    check(all(len(m["msg"].encode("utf-8", "surrogatepass")) <= 4096 * 6 for m in pr.msgs), "messages within the cap")
    check(all(not m["msg"].startswith("<13>slowl") for m in pr.msgs), "a partial slow frame is never delivered")
    # Bounded memory: the growth is far below what was sent (about 2 MB
    # each way) plus the 40 connections' buffers.
    # (AddressSanitizer keeps freed memory in quarantine: a looser bound.)
    with open(PROBE, "rb") as f:
        bound = 96 * 1024 if b"__asan_init" in f.read() else 16 * 1024
    check(rss1 - rss0 < bound, f"memory grew by {rss1 - rss0} KiB under hostile input (sent {sent_garbage} B)")


def main():
    for tool in ("logger", "openssl", "loggen"):
        if not shutil.which(tool):
            print(f"FAIL: {tool} is not installed (scripts/packages.txt)")
            return 1
    random.seed()
    only = os.environ.get("COLLECT_ONLY")
    for t in (test_logger, test_truncation_and_framing, test_tls, test_loggen, test_hostile):
        if only and t.__name__ != only:
            continue
        print("#", t.__name__)
        t()
    if failures:
        print(f"{len(failures)} failures")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
