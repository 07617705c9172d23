"""Stand-ins for the provincial SOC that the forwarding tests share: a real
syslog-ng in the foreground (its own configuration, pid, control and persist
files in a work directory, loopback only) writing the sequence number,
sequenceId, re-delivery mark and MSG of each RFC 5424 message, and an HTTP
receiver of JSON batches; both can be taken down and brought back on their
port. `check(cond, what)` is the calling test's own."""
import http.server
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time

SYSLOG_NG = shutil.which("syslog-ng") or "/usr/sbin/syslog-ng"
SEQ_ID_MAX = 2147483647  # RFC 5424 sequenceId wraps to 1 after this


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class SyslogNg:
    """tls: (key file, certificate file) for a TLS listener."""

    def __init__(self, work, port, check, tls=None):
        self.work, self.port, self.check, self.proc = work, port, check, None
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
        pid = os.path.join(w, "pid")
        if os.path.exists(pid):  # left by SIGKILL
            os.unlink(pid)
        self.proc = subprocess.Popen([SYSLOG_NG, "-F", "--no-caps", "-f", os.path.join(w, "syslog-ng.conf"),
                                      "-p", pid, "-c", os.path.join(w, "ctl"), "-R", os.path.join(w, "persist")],
                                     stdout=open(os.path.join(w, "syslog-ng.log"), "ab"), stderr=subprocess.STDOUT)
        end = time.time() + 30
        while time.time() < end:
            if self.proc.poll() is not None:
                raise SystemExit("FAIL: syslog-ng exited: " + open(os.path.join(w, "syslog-ng.log")).read())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("FAIL: syslog-ng did not listen")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        self.proc = None

    def rows(self):
        """[(seq, marked, message)] in arrival order; each line's sequenceId
        is checked against its sequence number."""
        rows = []
        if not os.path.exists(self.out):
            return rows
        with open(self.out, encoding="utf-8", errors="replace") as f:
            for line in f.read().splitlines():
                m = re.match(r"(\d+) (\d+) r=(\S*) (.*)$", line)
                if not self.check(m is not None, "syslog line not understood: %r" % line[:200]):
                    continue
                seq, sid = int(m.group(1)), int(m.group(2))
                self.check(sid == (seq - 1) % SEQ_ID_MAX + 1, "sequenceId %d for record %d" % (sid, seq))
                rows.append((seq, m.group(3) == "1", m.group(4)))
        return rows


class HttpSink:
    """Keeps (seq, marked, message) of every object of every batch; port 0:
    the OS picks one at the first start. tls as for SyslogNg."""

    def __init__(self, check, port=0, tls=None):
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
        self.port = self.server.server_address[1]
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
