"""Shared helpers of the hardening tests (issue 12): run the real binary on a
real SQLite file under a fake clock, collect failures, report."""
import os
import subprocess
import sys
import tempfile

BIN = os.environ["CANHGAC_BIN"]
SRC = os.environ["CANHGAC_SRC"]
T0 = 1796083200  # 2026-12-01T00:00:00Z
failures = []


def tmpdir(tag):
    return tempfile.mkdtemp(prefix=f"canhgac-{tag}-")


def run(args, db=None, now=T0, stdin=None, timeout=120, stdout=None, preexec_fn=None, env=None):
    e = dict(os.environ, LANGUAGE="en", LC_ALL="C.UTF-8", CANHGAC_NOW=str(now))
    e.pop("CANHGAC_DB", None)
    if db:
        e["CANHGAC_DB"] = db
    e.update(env or {})
    kw = dict(env=e, timeout=timeout, input=stdin, preexec_fn=preexec_fn)
    if stdout is not None:
        r = subprocess.run([BIN, *args], stdout=stdout, stderr=subprocess.PIPE, **kw)
        return r.returncode, "", r.stderr.decode("utf-8", "replace")
    r = subprocess.run([BIN, *args], capture_output=True, **kw)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def check(cond, what):
    print(("ok" if cond else "not ok") + " - " + what)
    if not cond:
        failures.append(what)
    return cond


def finish():
    if failures:
        print(f"{len(failures)} failures", file=sys.stderr)
        sys.exit(1)
    print("all passed")
    sys.exit(0)
