"""Shared helpers for the integration tests (imported as `cgtest`; meson puts
tests/integration on PYTHONPATH).

- The binary and the source tree come from meson's environment; a missing
  binary is a FAILURE (exit 1), never a skip: meson always builds it.
- Only data that may legitimately be absent (../shared/data) skips, with 77
  and a message naming what is missing.
- Every subprocess runs with a pinned locale (LC_ALL=C.UTF-8, LANGUAGE=en)
  and a timeout, so a hang fails the test instead of stalling CI.
"""
import os
import subprocess
import sys

TIMEOUT = 300  # seconds per command; a hung command fails the test


def _require_env(name):
    v = os.environ.get(name)
    if not v:
        print(f"FAIL: {name} is not set (run through 'meson test')")
        sys.exit(1)
    return v


BIN = _require_env("CANHGAC_BIN")
SRC = _require_env("CANHGAC_SRC")
SHARED = os.environ.get("CANHGAC_SHARED_DATA") or os.path.join(SRC, "..", "shared", "data")
if not os.access(BIN, os.X_OK):
    print(f"FAIL: {BIN} is not an executable")
    sys.exit(1)

# English messages and a UTF-8 C locale unless a test asks otherwise.
PINNED = {"LANGUAGE": "en", "LC_ALL": "C.UTF-8"}


def env(**extra):
    """os.environ with the pinned locale and `extra` (None removes a name)."""
    e = dict(os.environ, **PINNED)
    for k, v in extra.items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = str(v)
    return e


def run(args, db=None, extra_env=None, timeout=TIMEOUT, input=None, text=True):
    """Run canhgac with `args` (a list); `db` adds --db. Returns the
    CompletedProcess (stdout/stderr as text unless text=False)."""
    cmd = [BIN] + (["--db", db] if db else []) + list(args)
    return subprocess.run(cmd, capture_output=True, env=env(**(extra_env or {})), timeout=timeout, input=input,
                          text=text)


def shared(*parts):
    """A path under ../shared/data; skips the test (77) when it is absent."""
    p = os.path.join(SHARED, *parts)
    if not os.path.exists(p):
        print(f"SKIP: {p} not found (../shared/data; set CANHGAC_SHARED_DATA)")
        sys.exit(77)
    return p


class Checks:
    """Collects failures; check() returns the condition so a dependent check
    can be guarded with `if check(...)`."""

    def __init__(self):
        self.failures = []

    def check(self, cond, what):
        if not cond:
            self.failures.append(what)
            print("FAIL:", what)
        return bool(cond)

    def finish(self):
        if self.failures:
            print(f"{len(self.failures)} failures")
            return 1
        print("ok")
        return 0
