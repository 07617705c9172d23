"""Shared set-up of the agent tests: a centre (database, CA, the hub on an
OS-picked loopback port), agents with their own state directories, and a raw
TLS client for what a real agent would never send."""
import json
import os
import signal
import socket
import ssl
import struct
import subprocess
import sys
import time

import cgtest

HUB = os.environ.get("CANHGAC_HUB_HARNESS")
AGENT = os.environ.get("CANHGAC_AGENT_BIN")
for name, path in (("CANHGAC_HUB_HARNESS", HUB), ("CANHGAC_AGENT_BIN", AGENT)):
    if not path or not os.access(path, os.X_OK):
        print(f"FAIL: {name} is not an executable (run through 'meson test')")
        sys.exit(1)


class Centre:
    def __init__(self, tmp):
        self.tmp = tmp
        self.db = os.path.join(tmp, "centre", "canhgac.db")
        os.makedirs(os.path.dirname(self.db), exist_ok=True)
        self.proc = None
        self.port = None
        self.log_path = os.path.join(tmp, "hub.log")

    def cli(self, *args, extra_env=None):
        return cgtest.run(list(args), db=self.db, extra_env=extra_env)

    def cli_ok(self, *args, extra_env=None):
        r = self.cli(*args, extra_env=extra_env)
        if r.returncode != 0:
            raise AssertionError(f"canhgac {' '.join(args)} failed ({r.returncode}): {r.stderr}")
        return r.stdout

    def start(self):
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen([HUB, self.db, "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=log,
                                     env=cgtest.env(), text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("port "):
            raise AssertionError(f"hub did not start: {line!r}; log: {self.log()}")
        self.port = int(line.split()[1])
        return self.port

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            rc = self.proc.wait(timeout=60)
            self.proc = None
            return rc
        return 0

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def agents(self):
        return [json.loads(l) for l in self.cli_ok("agent", "list", "--json").splitlines()]

    def tasks(self, agent=None):
        args = ["agent", "tasks"] + ([str(agent)] if agent else []) + ["--json"]
        return [json.loads(l) for l in self.cli_ok(*args).splitlines()]

    def logs(self, agent):
        return [json.loads(l) for l in self.cli_ok("agent", "logs", str(agent), "--json").splitlines()]

    def token(self, *args, extra_env=None):
        return json.loads(self.cli_ok("agent", "token", "--json", *args, extra_env=extra_env))["token"]


class Agent:
    def __init__(self, tmp, name, centre, watch=()):
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir, exist_ok=True)
        self.state = os.path.join(self.dir, "state")
        self.config = os.path.join(self.dir, "agent.yaml")
        self.centre = centre
        self.watch = list(watch)
        self.write_config()

    def write_config(self):
        with open(self.config, "w") as f:
            f.write(f"server: {self.centre.address}\nstate: {self.state}\nheartbeat: 1\ninventory: 3600\n")
            if self.watch:
                f.write("watch:\n" + "".join(f"  - {w}\n" for w in self.watch))

    def run(self, *args, timeout=120):
        return subprocess.run([AGENT, "-c", self.config, *args], capture_output=True, text=True,
                              env=cgtest.env(), timeout=timeout)

    def enroll(self, token, server=None):
        return self.run("enroll", "--server", server or self.centre.address, "--token", token, "--json")

    def once(self):
        self.write_config()  # the centre's port changes when it restarts
        return self.run("run", "--once")

    def outbox(self):
        d = os.path.join(self.state, "outbox")
        return sorted(f for f in os.listdir(d) if f.endswith(".json")) if os.path.isdir(d) else []

    @property
    def cert(self):
        return os.path.join(self.state, "agent.crt")

    @property
    def key(self):
        return os.path.join(self.state, "agent.key")


def tls_client(port, cert=None, key=None):
    """A raw TLS connection to the hub (no server check: the test pins nothing)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if cert:
        ctx.load_cert_chain(cert, key)
    raw = socket.create_connection(("127.0.0.1", port), timeout=30)
    return ctx.wrap_socket(raw)


def send(s, obj=None, raw=None, length=None):
    body = raw if raw is not None else json.dumps(obj).encode()
    s.sendall(struct.pack(">I", len(body) if length is None else length) + body)


def recv(s):
    """One frame as a dict, or None when the hub closed the connection."""
    try:
        hdr = b""
        while len(hdr) < 4:
            chunk = s.recv(4 - len(hdr))
            if not chunk:
                return None
            hdr += chunk
        n = struct.unpack(">I", hdr)[0]
        body = b""
        while len(body) < n:
            chunk = s.recv(n - len(body))
            if not chunk:
                return None
            body += chunk
        return json.loads(body)
    except (ssl.SSLError, ConnectionError, socket.timeout, OSError):
        return None


def wait_for(cond, what, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.2)
    print(f"FAIL: timed out waiting for {what}")
    return False
