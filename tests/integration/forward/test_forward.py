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
import http.server
import json
import os
import re
import shutil
import signal
import ssl
import socket
import subprocess
import sys
import tempfile
import threading
import time

PUMP = sys.argv[1]
SYSLOG_NG = shutil.which("syslog-ng") or "/usr/sbin/syslog-ng"
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class SyslogNg:
    """One syslog-ng in the foreground with its own files in `work`."""

    def __init__(self, work, port, tls=None):
        self.work, self.port, self.proc = work, port, None
        self.out = os.path.join(work, "received.txt")
        transport = 'transport("tcp")'
        if tls:
            transport = ('transport("tls") tls(key-file("%s") cert-file("%s") peer-verify(optional-untrusted))'
                         % (tls[0], tls[1]))
        with open(os.path.join(work, "syslog-ng.conf"), "w") as f:
            f.write('@version: 3.35\n'
                    'options { stats_freq(0); keep-hostname(yes); };\n'
                    'source s { syslog(ip("127.0.0.1") port(%d) %s max-connections(10)); };\n'
                    'destination d { file("%s" template("${.SDATA.canhgac@32473.seq} ${.SDATA.meta.sequenceId} '
                    'r=${.SDATA.canhgac@32473.redelivery} $MSG\\n")); };\n'
                    'log { source(s); destination(d); };\n' % (port, transport, self.out))

    def start(self):
        w = self.work
        self.proc = subprocess.Popen([SYSLOG_NG, "-F", "--no-caps", "-f", os.path.join(w, "syslog-ng.conf"),
                                      "-p", os.path.join(w, "pid"), "-c", os.path.join(w, "ctl"),
                                      "-R", os.path.join(w, "persist")],
                                     stdout=open(os.path.join(w, "syslog-ng.log"), "ab"), stderr=subprocess.STDOUT)
        end = time.time() + 20
        while time.time() < end:
            if self.proc.poll() is not None:
                raise SystemExit("FAIL: syslog-ng exited: " + open(os.path.join(w, "syslog-ng.log")).read())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("FAIL: syslog-ng did not listen")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        self.proc = None

    def received(self):
        """[(seq, sequenceId, marked, message)] in arrival order."""
        rows = []
        if not os.path.exists(self.out):
            return rows
        for line in open(self.out, encoding="utf-8"):
            m = re.match(r"(\d+) (\d+) r=(\S*) (.*)$", line.rstrip("\n"))
            check(m is not None, "syslog line not understood: %r" % line[:200])
            if m:
                rows.append((int(m.group(1)), int(m.group(2)), m.group(3) == "1", m.group(4)))
        return rows


class HttpSink:
    """A JSON batch receiver that can be taken down and brought back on its port."""

    def __init__(self, port, tls=None):
        self.port, self.rows, self.lock, self.server, self.tls = port, [], threading.Lock(), None, tls
        sink = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    batch = json.loads(body)
                    ok = isinstance(batch, list)
                except ValueError:
                    ok = False
                if not ok:
                    check(False, "HTTP body is not a JSON array: %r" % body[:200])
                    self.send_response(400)
                    self.end_headers()
                    return
                with sink.lock:
                    for o in batch:
                        sink.rows.append((o.get("seq"), o.get("redelivery") is True, o.get("message")))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.handler = H

    def start(self):
        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), self.handler)
        if self.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(self.tls[1], self.tls[0])
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


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


def syslog_rows(sng):
    rows = []
    for seq, sid, marked, msg in sng.received():
        check(sid == (seq - 1) % 2147483647 + 1, "sequenceId %d for record %d" % (sid, seq))
        rows.append((seq, marked, msg))
    return rows


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
    sng, web = SyslogNg(sw, sport), HttpSink(hport)
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
    verify("outage/syslog-ng", syslog_rows(sng), n)
    verify("outage/http", web.rows, n)


def scenario_kill(tmp):
    n, rate = 3000, 500
    sport, hport = free_port(), free_port()
    sw = os.path.join(tmp, "sng2")
    os.mkdir(sw)
    sng, web = SyslogNg(sw, sport), HttpSink(hport)
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
    verify("kill/syslog-ng", syslog_rows(sng), n)
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
    sng = SyslogNg(sw, sport, tls=(os.path.join(good, "srv.key"), os.path.join(good, "srv.pem")))
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
    verify("tls/syslog-ng", syslog_rows(sng), n)
    # HTTPS: the same CA pinned through libcurl; another CA delivers nothing.
    hport = free_port()
    web = HttpSink(hport, tls=(os.path.join(good, "srv.key"), os.path.join(good, "srv.pem")))
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
