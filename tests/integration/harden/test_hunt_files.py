#!/usr/bin/env python3
"""Hunts over changing and special files (issue 12 items 3 and 8): a log
truncated in place while it is read (logrotate's copytruncate) gives exit
status 3 and "file changed while reading", never SIGBUS, and the hunt row's
counters agree with the hit rows stored; a FIFO or /dev/zero named on the
command line is refused at once instead of blocking forever."""
import os
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import BIN, T0, check, finish, run, tmpdir  # noqa: E402

tmp = tmpdir("huntfiles")
ioc = os.path.join(tmp, "ioc.txt")
with open(ioc, "w") as f:
    f.write("c2.so-mau.example\n203.0.113.9\n")
log = os.path.join(tmp, "big.log")
LINES = 800_000


def write_log():
    with open(log, "w") as f:
        chunk = []
        for i in range(LINES):
            host = "c2.so-mau.example" if i % 50 == 0 else f"ok{i}.so-mau.example"
            chunk.append(f"Dec  1 10:{i // 60 % 60:02d}:{i % 60:02d} gw1 named[7]: client 10.1.2.3#5353 query {host} A\n")
            if len(chunk) == 10000:
                f.write("".join(chunk))
                chunk = []
        f.write("".join(chunk))


def read_pos(pid, path):
    """Offset of `path` in the process, from /proc (None until it is open)."""
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == path:
                    with open(f"/proc/{pid}/fdinfo/{fd}") as fi:
                        return int(fi.readline().split()[1])
            except OSError:
                continue
    except OSError:
        pass
    return None


caught = False
for attempt in range(4):
    write_log()
    size = os.path.getsize(log)
    db = os.path.join(tmp, f"t{attempt}.db")
    env = dict(os.environ, LANGUAGE="en", LC_ALL="C.UTF-8", CANHGAC_NOW=str(T0))
    p = subprocess.Popen([BIN, "--db", db, "--quiet", "hunt", "--threads", "1", "--intel", ioc, log],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 120
    truncated_at = None
    while p.poll() is None and time.monotonic() < deadline:
        pos = read_pos(p.pid, log)
        if pos is not None and 0 < pos < size // 2:
            os.truncate(log, 0)  # what copytruncate does after copying
            truncated_at = pos
            break
        time.sleep(0.002)
    err = p.communicate(timeout=300)[1].decode()
    rc = p.returncode
    check(rc >= 0, f"attempt {attempt}: not killed by a signal ({rc})")
    if truncated_at is None:
        continue
    caught = True
    check(rc == 3, f"exit status 3 after a truncation ({rc}: {err.strip()[:300]})")
    check("file changed while reading" in err and "big.log" in err, f"says the file changed ({err.strip()[:300]})")
    con = sqlite3.connect(db)
    row = con.execute("SELECT id, finished_at, n_files, n_hits, n_errors, n_lines FROM hunt").fetchall()
    check(len(row) == 1 and row[0][1] is not None, f"one finished hunt row ({row})")
    if row:
        hid, fin, nfiles, nhits, nerr, nlines = row[0]
        stored = con.execute("SELECT count(*) FROM hit WHERE hunt_id = ?", (hid,)).fetchone()[0]
        check(nhits == stored and stored > 0, f"n_hits {nhits} == hit rows stored {stored}")
        check(nfiles == 1 and nerr == 1, f"n_files 1 and n_errors 1 ({nfiles}, {nerr})")
        # Every stored hit is a line that was really read (line numbers within what was read).
        maxline = con.execute("SELECT max(line) FROM hit").fetchone()[0]
        check(maxline <= nlines, f"hits within the lines read ({maxline} <= {nlines})")
        check(nlines < LINES, f"fewer lines than the whole file ({nlines} < {LINES})")
    con.close()
    break
check(caught, "a truncation landed while the hunt was reading (4 attempts)")

# Special files named on the command line: refused at once, the rest hunted.
good = os.path.join(tmp, "good.log")
with open(good, "w") as f:
    f.write("Dec  1 10:00:00 gw1 named[7]: query c2.so-mau.example A\n")
fifo = os.path.join(tmp, "fifo")
os.mkfifo(fifo)
for special, word in ((fifo, "FIFO"), ("/dev/zero", "device")):
    rc, out, err = run(["hunt", "--intel", ioc, special, good], timeout=60)
    check(rc == 3 and word in err and special in err, f"{special} refused ({rc}: {err.strip()[:200]})")
    check("c2.so-mau.example" in out, f"{special}: the other file is still hunted")
# sigma hunt too.
rules = os.path.join(os.environ["CANHGAC_SRC"], "tests", "integration", "sigma", "rules", "any_logon.yml")
for special in (fifo, "/dev/zero"):
    rc, out, err = run(["sigma", "hunt", "-r", rules, special], timeout=60)
    check(rc == 1 and special in err and "not a regular file" in err, f"sigma hunt {special} refused ({rc}: {err.strip()})")
# '-' still reads a stream.
rc, out, err = run(["hunt", "--intel", ioc, "-"], stdin=open(good, "rb").read(), timeout=60)
check(rc == 0 and "c2.so-mau.example" in out, f"'-' reads standard input ({rc}: {err.strip()[:200]})")
os.remove(log)
finish()
