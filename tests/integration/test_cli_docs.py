#!/usr/bin/env python3
"""Every command has --help, a man page that documents every option its
--help shows, and clean usage errors."""
import os
import re
import subprocess
import sys

BIN = os.environ["CANHGAC_BIN"]
SRC = os.environ["CANHGAC_SRC"]
failures = []


def run(*args, env=None):
    e = dict(os.environ, LANGUAGE="en", LC_ALL="C.UTF-8")
    if env:
        e.update(env)
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=e, timeout=60)


def check(cond, msg):
    if not cond:
        failures.append(msg)


top = run("--help")
check(top.returncode == 0, "canhgac --help failed")
commands = re.findall(r"^  ([a-z]+) ", top.stdout, re.M)
check(len(commands) >= 5, f"expected at least 5 commands in --help, got {commands}")

man_top = os.path.join(SRC, "man", "canhgac.1")
check(os.path.exists(man_top), "man/canhgac.1 missing")

for cmd in commands:
    h = run(cmd, "--help")
    check(h.returncode == 0, f"canhgac {cmd} --help exited {h.returncode}")
    check(h.stdout.strip() != "", f"canhgac {cmd} --help printed nothing")
    check("--json" in h.stdout, f"canhgac {cmd} --help does not mention --json")
    page = os.path.join(SRC, "man", f"canhgac-{cmd}.1")
    if not os.path.exists(page):
        failures.append(f"man page {page} missing")
        continue
    text = open(page, encoding="utf-8").read().replace("\\-", "-")
    for opt in sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]+)", h.stdout))):
        check(opt in text, f"canhgac {cmd}: option {opt} is in --help but not in {os.path.basename(page)}")
    mm = open(os.path.join(SRC, "man", "meson.build")).read()
    check(f"canhgac-{cmd}.1" in mm, f"man/meson.build does not install canhgac-{cmd}.1")
    top_text = open(man_top, encoding="utf-8").read().replace("\\-", "-")
    check(f"canhgac-{cmd}" in top_text, f"canhgac.1 does not refer to canhgac-{cmd}")

bad = run("no-such-command")
check(bad.returncode == 2, f"unknown command exit status {bad.returncode}, expected 2")
check("no-such-command" in bad.stderr, "unknown command not named in the error")
v = run("--version")
check(v.returncode == 0 and v.stdout.startswith("canhgac "), "--version output")

if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
print(f"ok: {len(commands)} commands documented")
