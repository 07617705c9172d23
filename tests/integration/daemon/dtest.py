"""Helpers for the canhgacd integration tests: a daemon in a temporary
directory with its own configuration and SQLite file, started in the
foreground on loopback ports the OS picks; its structured log (stderr) says
which ports it bound."""
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request

import cgtest

DBIN = os.environ.get("CANHGACD_BIN") or os.path.join(os.path.dirname(cgtest.BIN), "..", "daemon", "canhgacd")


def asan_build():
    """Is canhgacd built with AddressSanitizer? (Loads are scaled down.)"""
    with open(DBIN, "rb") as f:
        return b"__asan_init" in f.read()


class Daemon:
    def __init__(self, tmp, config_text, name="d", extra_env=None):
        self.tmp = tmp
        self.cfg = os.path.join(tmp, name + ".yaml")
        self.log_path = os.path.join(tmp, name + ".log")
        with open(self.cfg, "w") as f:
            f.write(config_text)
        self.proc = None
        self.extra_env = extra_env or {}
        self.ports = {}
        self.metrics_port = None

    def start(self, timeout=60):
        self.logf = open(self.log_path, "ab")
        self.start_offset = self.logf.tell()
        self.proc = subprocess.Popen([DBIN, "-f", "-c", self.cfg], stdout=subprocess.DEVNULL, stderr=self.logf,
                                     env=cgtest.env(**self.extra_env))
        t0 = time.time()
        while time.time() - t0 < timeout:
            text = self.log()
            if "event=started" in text:
                for m in re.finditer(r"event=listening listener=(\S+) proto=\S+ address=\S+ port=(\d+)", text):
                    self.ports[m.group(1)] = int(m.group(2))
                m = re.search(r"event=metrics address=\S+ port=(\d+)", text)
                self.metrics_port = int(m.group(1)) if m else None
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.05)
        return False

    def log(self):
        with open(self.log_path, "rb") as f:
            f.seek(self.start_offset)
            return f.read().decode("utf-8", "replace")

    def metrics(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10) as r:
            text = r.read().decode()
        out = {}
        for line in text.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
        return out

    def metric(self, name, default=0.0):
        return self.metrics().get(name, default)

    def wait_metric(self, name, pred, timeout=30):
        """Poll until pred(value) holds; returns the last value."""
        t0 = time.time()
        v = None
        while time.time() - t0 < timeout:
            v = self.metric(name)
            if pred(v):
                return v
            time.sleep(0.1)
        return v

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=60):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.logf.close()
        return self.proc.returncode if self.proc else None

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0


def logger(port, msg, rfc, tcp, tag="sshd", host=None):
    """Send one message with util-linux logger."""
    args = ["logger", "--rfc3164" if rfc == 3164 else "--rfc5424", "-n", "127.0.0.1", "-P", str(port),
            "-T" if tcp else "-d", "-t", tag]
    if tcp:
        args += ["--octet-count"] if rfc == 5424 else []
    args.append(msg)
    # RFC 3164 has no zone: canhgacd reads it as Vietnam's time (UTC+7), as
    # the agency's devices send it; the test's clients send it the same way
    # (a POSIX zone, no tzdata needed), so both framings give one time.
    env = dict(os.environ, TZ="ICT-7")
    return subprocess.run(args, capture_output=True, text=True, timeout=30, env=env)


def tcp_send(port, data):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        try:
            s.recv(1)
        except OSError:
            pass


def alerts(db):
    r = cgtest.run(["--json", "alert", "list"], db=db)
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


class SyslogReceiver:
    """A TCP receiver of octet-counted syslog (RFC 6587) standing in for the
    SOC: keeps every message it read completely."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.msgs = []
        self.lock = threading.Lock()
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._conn, args=(c,), daemon=True).start()

    def _conn(self, c):
        buf = b""
        while True:
            try:
                b = c.recv(65536)
            except OSError:
                break
            if not b:
                break
            buf += b
            while True:
                sp = buf.find(b" ")
                if sp <= 0 or not buf[:sp].isdigit():
                    break
                n = int(buf[:sp])
                if len(buf) < sp + 1 + n:
                    break
                with self.lock:
                    self.msgs.append(buf[sp + 1:sp + 1 + n].decode("utf-8", "replace"))
                buf = buf[sp + 1 + n:]
        c.close()

    def seqs(self):
        """[(seq, redelivery)] of what arrived."""
        out = []
        with self.lock:
            for m in self.msgs:
                s = re.search(r'\[canhgac@32473 seq="(\d+)"( redelivery="1")?\]', m)
                if s:
                    out.append((int(s.group(1)), bool(s.group(2))))
        return out

    def close(self):
        self.stopping = True
        self.sock.close()
