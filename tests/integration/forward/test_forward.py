#!/usr/bin/env python3
"""Zero-loss forwarding: fwd_pump (the forward queue and its upstreams, as the
daemon runs them) sends records at a steady rate to a REAL syslog-ng (Debian
syslog-ng-core: RFC 5424 with octet counting over TCP, and over TLS) and to
a Python HTTP receiver (JSON batches).

1. The receivers are stopped for a while under load, then restarted: every
   sequence number arrives, and a copy after the first is always marked as a
   possible re-delivery.
2. The sender is killed with SIGKILL mid-run and restarted: every record whose
   commit had returned (fwd_pump logs it after the commit) arrives.
3. TLS (syslog) and HTTPS with the CA pinned: delivered; with another CA:
   nothing is delivered.
Expected values come from the test (the records carry their number in the
message; RFC 5424's sequenceId wraps at 2147483647), never from the program."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

from socsim import SYSLOG_NG, HttpSink, SyslogNg, free_port

PUMP = sys.argv[1]
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)
    return bool(cond)


def verify(name, rows, n):
    """rows: [(seq, marked, message)] in arrival order. Every 1..n exactly
    once, or more often with every later copy marked."""
    seen = {}
    for seq, marked, message in rows:
        check(message == "test record %s" % seq or (message or "").endswith('"message":"test record %s"}' % seq),
              "%s: record %s carries message %r" % (name, seq, (message or "")[:120]))
        if seq in seen:
            check(marked, "%s: record %s arrived again without the re-delivery mark" % (name, seq))
        seen[seq] = seen.get(seq, 0) + 1
    missing = [s for s in range(1, n + 1) if s not in seen]
    extra = [s for s in seen if not (1 <= s <= n)]
    check(not missing, "%s: %d records missing, e.g. %s" % (name, len(missing), missing[:10]))
    check(not extra, "%s: unexpected numbers %s" % (name, extra[:10]))
    dups = sum(c - 1 for c in seen.values())
    print("# %s: %d received, %d distinct, %d marked re-deliveries" % (name, len(rows), len(seen), dups))
    return dups


def pump(qdir, n, rate, sport, hport, log=None, extra=()):
    args = [PUMP, "--dir", qdir, "--count", str(n), "--rate", str(rate), "--hold-ms", "300", "--batch", "200",
            "--drain-s", "90"]
    if sport:
        args += ["--syslog", "127.0.0.1:%d" % sport]
    if hport:
        args += ["--http", "http://127.0.0.1:%d/ingest" % hport]
    if log:
        args += ["--committed-log", log]
    return subprocess.Popen(args + list(extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(p, what):
    out, err = p.communicate(timeout=180)
    check(p.returncode == 0, "%s: fwd_pump exited %s: %s" % (what, p.returncode, err[-2000:]))
    print("# %s: %s" % (what, out.strip()))


def scenario_outage(tmp):
    n, rate = 3000, 300
    sport, hport = free_port(), free_port()
    sw = os.path.join(tmp, "sng1")
    os.mkdir(sw)
    sng, web = SyslogNg(sw, sport, check), HttpSink(check, hport)
    sng.start()
    web.start()
    p = pump(os.path.join(tmp, "q1"), n, rate, sport, hport)
    time.sleep(2.5)
    check(p.poll() is None, "outage: the sender finished before the receivers went down")
    sng.stop()
    web.stop()
    time.sleep(3.0)
    check(p.poll() is None, "outage: the sender finished while the receivers were down")
    sng.start()
    web.start()
    finish(p, "outage")
    sng.stop()
    web.stop()
    verify("outage/syslog-ng", sng.rows(), n)
    verify("outage/http", web.rows, n)


def scenario_kill(tmp):
    n, rate = 3000, 500
    sport, hport = free_port(), free_port()
    sw = os.path.join(tmp, "sng2")
    os.mkdir(sw)
    sng, web = SyslogNg(sw, sport, check), HttpSink(check, hport)
    sng.start()
    web.start()
    qdir, log = os.path.join(tmp, "q2"), os.path.join(tmp, "committed.log")
    p = pump(qdir, n, rate, sport, hport, log)
    time.sleep(2.5)
    check(p.poll() is None, "kill: the sender finished too early")
    p.kill()
    p.wait()
    committed = [int(x) for x in open(log).read().split()]
    check(committed == list(range(1, len(committed) + 1)), "kill: committed numbers are not 1..k")
    c = len(committed)
    check(0 < c < n, "kill: %d records committed before the kill" % c)
    print("# kill -9 after %d committed records" % c)
    p = pump(qdir, n, rate, sport, hport, log)
    finish(p, "after kill")
    sng.stop()
    web.stop()
    # The restarted sender continues the numbers: the log has 1..n once.
    committed = [int(x) for x in open(log).read().split()]
    check(sorted(set(committed)) == list(range(1, len(set(committed)) + 1)), "kill: numbers not continuous")
    verify("kill/syslog-ng", sng.rows(), n)
    verify("kill/http", web.rows, n)


def make_ca(tmp, name):
    d = os.path.join(tmp, name)
    os.mkdir(d)
    run = lambda *a: subprocess.run(a, check=True, capture_output=True, cwd=d, timeout=60)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=So Mau Test CA")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr",
        "-subj", "/CN=soc.so-mau.example")
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:soc.so-mau.example,IP:127.0.0.1\n")
    run("openssl", "x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "srv.pem", "-days", "2", "-extfile", "ext.cnf")
    return d


def scenario_tls(tmp):
    good, other = make_ca(tmp, "pki"), make_ca(tmp, "pki-other")
    sport = free_port()
    sw = os.path.join(tmp, "sng3")
    os.mkdir(sw)
    sng = SyslogNg(sw, sport, check, tls=(os.path.join(good, "srv.key"), os.path.join(good, "srv.pem")))
    sng.start()
    # A CA that did not sign the server: nothing may be delivered.
    p = pump(os.path.join(tmp, "q3bad"), 50, 500, sport, None,
             extra=["--tls-ca", os.path.join(other, "ca.pem"), "--tls-name", "soc.so-mau.example", "--drain-s", "3"])
    out, err = p.communicate(timeout=60)
    check(p.returncode == 1, "tls: an untrusted server was accepted (exit %s)" % p.returncode)
    check("certificate" in err, "tls: the error does not say why: %r" % err[-500:])
    n = 400
    p = pump(os.path.join(tmp, "q3"), n, 400, sport, None,
             extra=["--tls-ca", os.path.join(good, "ca.pem"), "--tls-name", "soc.so-mau.example"])
    time.sleep(0.6)
    sng.stop()
    time.sleep(1.0)
    sng.start()
    finish(p, "tls")
    sng.stop()
    verify("tls/syslog-ng", sng.rows(), n)
    # HTTPS: the same CA pinned through libcurl; another CA delivers nothing.
    hport = free_port()
    web = HttpSink(check, hport, tls=(os.path.join(good, "srv.key"), os.path.join(good, "srv.pem")))
    web.start()
    p = subprocess.Popen([PUMP, "--dir", os.path.join(tmp, "q4bad"), "--count", "20", "--rate", "500",
                          "--http", "https://127.0.0.1:%d/ingest" % hport, "--tls-ca", os.path.join(other, "ca.pem"),
                          "--drain-s", "3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = p.communicate(timeout=60)
    check(p.returncode == 1 and not web.rows, "https: an untrusted server was accepted")
    check("certificate" in err.lower() or "ssl" in err.lower(), "https: the error does not say why: %r" % err[-500:])
    p = subprocess.Popen([PUMP, "--dir", os.path.join(tmp, "q4"), "--count", "300", "--rate", "1000",
                          "--http", "https://127.0.0.1:%d/ingest" % hport, "--tls-ca", os.path.join(good, "ca.pem")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finish(p, "https")
    web.stop()
    verify("https", web.rows, 300)


def main():
    if not os.path.exists(SYSLOG_NG):
        print("FAIL: syslog-ng (Debian syslog-ng-core) is not installed")
        return 1
    tmp = tempfile.mkdtemp(prefix="canhgac-fwd-")
    try:
        scenario_outage(tmp)
        scenario_kill(tmp)
        scenario_tls(tmp)
    finally:
        if not failures:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("# kept", tmp)
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
