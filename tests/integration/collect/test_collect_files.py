#!/usr/bin/env python3
"""collect's file tails through the real loop (collect_probe, argv[1]): a
writer appends numbered lines while the file is rotated the way logrotate
does it (rename + new file) and with copytruncate; every line arrives once,
in order. The position survives a restart of the collector (kept in a state
directory): only lines written while it was down arrive, none twice. A file
configured `from: end` starts at its end; stats count rotations and
truncations."""
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe import Probe, check, failures  # noqa: E402


def append(path, text):
    with open(path, "a") as f:
        f.write(text)


def main():
    d = tempfile.mkdtemp(prefix="collect-files-")
    try:
        state = os.path.join(d, "state")
        os.mkdir(state)
        log = os.path.join(d, "app.log")
        old = os.path.join(d, "history.log")
        expected = []

        def line(i):
            s = f"line {i:05d} Sở Mẫu"
            expected.append(s)
            return s + "\n"

        append(log, "".join(line(i) for i in range(0, 50)))
        with open(old, "w") as f:
            f.write("old 1\nold 2\n")
        pr = Probe("--state", state, f"file:app:{log}", f"file-end:hist:{old}")
        check(pr.wait_for(50), f"first lines: {len(pr.msgs)} of 50")
        append(old, "new in history\n")
        # logrotate: rename, then a new file; the last lines of the old one
        # were written just before (one of them without LF).
        append(log, "".join(line(i) for i in range(50, 60)) + "line 00060 partial")
        expected.append("line 00060 partial")
        os.rename(log, log + ".1")
        append(log, "".join(line(i) for i in range(61, 80)))
        check(pr.wait_for(50 + 1 + 30), f"after rotation: {len(pr.msgs)} of 81")
        # copytruncate: copy, truncate in place, go on writing.
        time.sleep(0.3)
        shutil.copy(log, log + ".2")
        with open(log, "r+") as f:
            f.truncate(0)
        append(log, "".join(line(i) for i in range(80, 90)))
        check(pr.wait_for(91), f"after truncation: {len(pr.msgs)} of 91")
        time.sleep(0.3)
        stats = pr.stop()
        got = [m["msg"] for m in pr.msgs if m["name"] == "app"]
        check(got == expected, f"every line once, in order: got {len(got)}, want {len(expected)}; "
              f"first difference at {next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), None)}")
        hist = [m["msg"] for m in pr.msgs if m["name"] == "hist"]
        check(hist == ["new in history"], f"from: end starts at the end: {hist}")
        check(all(m["peer"] == log for m in pr.msgs if m["name"] == "app"), "the peer is the file path")
        check(stats["app"]["rotations"] == 1, f"rotations: {stats['app']}")
        check(stats["app"]["truncations"] == 1, f"truncations: {stats['app']}")
        check(stats["app"]["msgs"] == len(expected), f"stats msgs: {stats['app']}")

        # Down for a while: lines written meanwhile arrive after the
        # restart, nothing twice (positions from the state directory).
        check(len(os.listdir(state)) == 2, f"one position file per tail: {os.listdir(state)}")
        while_down = [f"down {i}" for i in range(7)]
        append(log, "".join(s + "\n" for s in while_down))
        append(old, "history while down\n")
        pr = Probe("--state", state, f"file:app:{log}", f"file-end:hist:{old}")
        pr.wait_for(8, timeout=10)
        time.sleep(0.5)
        pr.stop()
        got = [m["msg"] for m in pr.msgs if m["name"] == "app"]
        check(got == while_down, f"after a restart only the new lines: {got[:3]}... ({len(got)})")
        hist = [m["msg"] for m in pr.msgs if m["name"] == "hist"]
        check(hist == ["history while down"], f"a known file resumes at its position, from: end or not: {hist}")
    finally:
        shutil.rmtree(d, ignore_errors=True)
    if failures:
        print(f"{len(failures)} failures")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
