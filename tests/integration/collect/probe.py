"""What the collect tests share: the check list and collect_probe (the
harness that runs a collect loop and prints what arrives as JSON lines) run
in the background, its messages gathered by a thread."""
import json
import subprocess
import sys
import threading
import time

PROBE = sys.argv[1]
TIMEOUT = 60
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)
    return bool(cond)


class Probe:
    """collect_probe in the background; messages collected by a thread."""

    def __init__(self, *args):
        self.p = subprocess.Popen([PROBE, "--stats-on-exit"] + list(args), stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = self.p.stdout.readline()
        if not first:
            raise SystemExit("FAIL: collect_probe did not start: " + self.p.stderr.read())
        self.ports = json.loads(first).get("ports")
        self.msgs = []
        self.stats = None
        self.cv = threading.Condition()
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for line in self.p.stdout:
            o = json.loads(line)
            with self.cv:
                if "stats" in o:
                    self.stats = o["stats"]
                else:
                    self.msgs.append(o)
                self.cv.notify_all()

    def wait_for(self, n, timeout=TIMEOUT):
        """Wait until at least n messages arrived (or the timeout)."""
        end = time.monotonic() + timeout
        with self.cv:
            while len(self.msgs) < n and time.monotonic() < end:
                self.cv.wait(0.2)
            return len(self.msgs) >= n

    def alive(self):
        return self.p.poll() is None

    def rss_kib(self):
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return -1

    def stop(self):
        self.p.stdin.close()
        rc = self.p.wait(timeout=TIMEOUT)
        self.t.join(timeout=TIMEOUT)
        check(rc == 0, f"collect_probe exit status {rc}: {self.p.stderr.read()}")
        return {s["name"]: s for s in (self.stats or [])}
