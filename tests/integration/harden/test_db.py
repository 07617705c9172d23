#!/usr/bin/env python3
"""Databases (issue 12 items 4 and 6): commands that only read refuse a
database that does not exist (a mistyped --db must not yield an empty ruleset
with exit 0) and create nothing; a busy database makes a writer wait, say which
process holds it, and retry; a read-only file system is named as such."""
import os
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import BIN, check, finish, run, tmpdir  # noqa: E402

tmp = tmpdir("db")
missing = os.path.join(tmp, "typo.db")

# 1. Read-only commands on a missing database: exit 1, say so, create nothing.
for args in (["block", "export", "-F", "nft"], ["block", "export", "-F", "rpz", "-o", os.path.join(tmp, "z.rpz")],
             ["block", "list"], ["block", "check", "198.51.100.7"], ["block", "own-prefix", "list"],
             ["order", "status"], ["intel", "list"], ["intel", "stats"], ["intel", "remove", "x"], ["priority"],
             ["hunt", tmp], ["block", "serve", "--port", "0"]):
    rc, out, err = run(["--db", missing, *args], timeout=30)
    what = " ".join(args[:2])
    check(rc == 1 and "no such database" in err and "typo.db" in err, f"{what}: missing database refused ({rc}: {err.strip()[:200]})")
    check(out == "", f"{what}: nothing on standard output")
    check(not os.path.exists(missing), f"{what}: no database created")
    check(not os.path.exists(os.path.join(tmp, "z.rpz")), f"{what}: no export file written")

# A writing command still creates the database.
db = os.path.join(tmp, "t.db")
rc, out, err = run(["--db", db, "block", "add", "--reason", "t", "bad.so-mau.example"])
check(rc == 0 and os.path.exists(db), f"block add creates the database ({rc}: {err.strip()})")

# 2. Busy: another process holds the write lock for 3 s.
HOLD = 3.0
holder = subprocess.Popen([sys.executable, "-c", f"""
import sqlite3, sys, time
c = sqlite3.connect({db!r}, isolation_level=None)
c.execute("BEGIN IMMEDIATE")
c.execute("CREATE TABLE holder_marker(x)")
print("locked", flush=True)
time.sleep({HOLD})
c.execute("COMMIT")
"""], stdout=subprocess.PIPE, text=True)
check(holder.stdout.readline().strip() == "locked", "holder has the lock")
t = time.monotonic()
rc, out, err = run(["--db", db, "block", "add", "--reason", "t", "bad2.so-mau.example"], timeout=120)
waited = time.monotonic() - t
holder.wait(timeout=60)
check(rc == 0, f"the writer waited and succeeded ({rc}: {err.strip()[:300]})")
check("busy" in err and f"process {holder.pid}" in err and "python" in err,
      f"the wait names the holder's pid and command ({err.strip()[:300]})")
check(waited >= 1.0, f"it really waited ({waited:.1f} s)")
con = sqlite3.connect(db)
check(con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'holder_marker'").fetchone()[0] == 1,
      "the holder's transaction committed")
con.close()

# With a short limit it gives up, naming the holder and saying to retry.
holder = subprocess.Popen([sys.executable, "-c", f"""
import sqlite3, time
c = sqlite3.connect({db!r}, isolation_level=None)
c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep({HOLD})
c.execute("ROLLBACK")
"""], stdout=subprocess.PIPE, text=True)
holder.stdout.readline()
rc, out, err = run(["--db", db, "block", "add", "--reason", "t", "bad3.so-mau.example"], timeout=60,
                   env={"CANHGAC_BUSY_TIMEOUT": "1"})
holder.wait(timeout=60)
check(rc == 1 and f"process {holder.pid}" in err and "again" in err, f"gives up after the limit ({rc}: {err.strip()[:300]})")
rc, out, err = run(["--db", db, "block", "list"])
check(rc == 0 and "bad2.so-mau.example" in out and "bad3.so-mau.example" not in out, "the database is whole")

# 3. A read-only file system is named (root only: a tmpfs remounted read-only).
mnt = os.path.join(tmp, "ro")
os.mkdir(mnt)
if os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mnt],
                                        capture_output=True).returncode == 0:
    try:
        rodb = os.path.join(mnt, "ro.db")
        rc, out, err = run(["--db", rodb, "block", "add", "--reason", "t", "bad.so-mau.example"])
        check(rc == 0, "database on the tmpfs")
        subprocess.run(["mount", "-o", "remount,ro", mnt], check=True)
        for args in (["block", "add", "--reason", "t", "x.so-mau.example"], ["block", "list"]):
            rc, out, err = run(["--db", rodb, *args])
            check(rc == 1 and "read-only" in err and "ro.db" in err, f"{args[1]}: read-only file system named ({err.strip()})")
        rc, out, err = run(["--db", os.path.join(mnt, "new.db"), "block", "add", "x.so-mau.example"])
        check(rc == 1 and "read-only" in err, f"new database on a read-only file system ({err.strip()})")
    finally:
        subprocess.run(["umount", mnt])
else:
    print("note: not root or no tmpfs: read-only file system case not run")

finish()
