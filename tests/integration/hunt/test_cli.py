#!/usr/bin/env python3
"""`canhgac hunt` as a command: help, usage errors, exit statuses, unreadable
and truncated input, ad hoc --intel leaving the database alone, and a hunt
over the database's indicators recorded in a real SQLite file."""
import gzip
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile

# A missing binary fails (cgtest), it is never a skip.
from cgtest import BIN, PINNED, TIMEOUT  # noqa: E402

failures = 0


def check(cond, what):
    global failures
    print(("ok" if cond else "not ok") + " - " + what)
    if not cond:
        failures += 1


def run(args, env=None):
    e = dict(os.environ, **PINNED)
    e.update(env or {})
    r = subprocess.run([BIN] + args, capture_output=True, env=e, timeout=TIMEOUT)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


tmp = tempfile.mkdtemp(prefix="canhgac-hunt-cli-")
try:
    db = os.path.join(tmp, "t.db")
    env = {"CANHGAC_DB": db, "CANHGAC_NOW": "1795996800"}
    intel = os.path.join(tmp, "list.txt")
    with open(intel, "w") as f:
        f.write("# test list\n198.51.100.23\n192.0.2.0/25\nc2.badupdate.example\nnot an indicator !!\n")
    logs = os.path.join(tmp, "logs")
    os.mkdir(logs)
    with open(os.path.join(logs, "auth.log"), "w") as f:
        f.write("Nov 26 10:00:01 web01 sshd[1]: Failed password for root from 192.0.2.14 port 2222 ssh2\n"
                "Nov 26 10:00:02 web01 sshd[1]: Failed password for root from 192.0.2.140 port 2222 ssh2\n")
    with open(os.path.join(logs, "kern.log"), "w") as f:
        f.write("Nov 27 08:00:00 fw01 kernel: [UFW BLOCK] SRC=10.10.3.21 DST=198.51.100.23 PROTO=TCP\n")
    # A truncated gzip file: the lines before the cut are still hunted.
    blob = gzip.compress("".join(f"{i} to 198.51.100.23 x{i * 7919:x}\n" for i in range(1, 3000)).encode())
    with open(os.path.join(logs, "old.log.gz"), "wb") as f:
        f.write(blob[:-40])

    # --help matches the man page's synopsis options.
    rc, out, err = run(["hunt", "--help"])
    check(rc == 0 and "--intel FILE" in out and "--no-store" in out and "Exit status" in out, "hunt --help")
    src = os.environ.get("CANHGAC_SRC")
    if src:
        with open(os.path.join(src, "man", "canhgac-hunt.1")) as f:
            man = f.read().replace("\\-", "-")
        for opt in ("--intel", "--source", "--format", "--map", "--threads", "--no-store", "--db", "--json", "--quiet",
                    "--help"):
            check(opt in out and opt in man, f"{opt} in --help and in the man page")

    # Usage errors: exit 2 with a message.
    for args, what in ((["hunt"], "no path"), (["hunt", "--threads", "0", logs], "--threads 0"),
                       (["hunt", "--format", "bogus", "--intel", intel, logs], "unknown format"),
                       (["hunt", "--intel", intel, "--source", "x", logs], "--intel with --source"),
                       (["hunt", "--bogus", logs], "unknown option")):
        rc, out, err = run(args, env)
        check(rc == 2 and err.strip() and not out, f"usage error: {what} (exit {rc})")

    # Unusable intel: exit 1, clear message.
    rc, out, err = run(["hunt", "--intel", os.path.join(tmp, "missing.txt"), logs], env)
    check(rc == 1 and "missing.txt" in err, f"missing --intel file: exit 1 naming it ({rc}: {err.strip()})")
    empty = os.path.join(tmp, "empty.txt")
    open(empty, "w").close()
    rc, out, err = run(["hunt", "--intel", empty, logs], env)
    check(rc == 1 and "no usable indicator" in err, f"empty --intel file: exit 1 ({rc}: {err.strip()})")

    # Ad hoc hunt: hits as JSON Lines, the bad feed line reported, the truncated
    # file reported with its line count, exit 3, and no database created.
    rc, out, err = run(["hunt", "--json", "--intel", intel, logs, os.path.join(tmp, "nope.log")], env)
    hits = [json.loads(x) for x in out.splitlines()]
    check(rc == 3, f"partial input gives exit 3 ({rc})")
    check("list.txt:5" in err, "the bad feed line is reported with file and line")
    check("old.log.gz: truncated gzip data" in err and "lines read" in err, "truncated gzip reported with lines read")
    check("nope.log" in err, "missing log path reported")
    check(not os.path.exists(db), "--intel without --db does not create the database")
    want_keys = {"file", "line", "indicator", "match", "source", "family", "type", "host"}
    check(hits and all(want_keys <= set(h) for h in hits), "JSON objects carry the documented fields")
    auth = [(h["line"], h["indicator"], h["match"]) for h in hits if h["file"].endswith("auth.log")]
    check(auth == [(1, "192.0.2.14", "192.0.2.0/25")], f"192.0.2.140 is outside 192.0.2.0/25 ({auth})")
    gz = [h for h in hits if h["file"].endswith("old.log.gz")]
    check(len(gz) > 2000 and [h["line"] for h in gz] == list(range(1, len(gz) + 1)),
          f"truncated gzip: {len(gz)} lines before the cut are hunted, numbered from 1")
    check(all(h["source"] == "list" for h in hits), "source of an --intel file is its name")

    # A 10 MB line (plain and gzip) with the address at its very end, and binary garbage.
    odd = os.path.join(tmp, "odd")
    os.mkdir(odd)
    long_line = b"x=" + b"ab " * (10 * 1024 * 1024 // 3) + b"198.51.100.23\n" + b"next 198.51.100.23"
    with open(os.path.join(odd, "long.log"), "wb") as f:
        f.write(long_line)
    with open(os.path.join(odd, "long.log.gz"), "wb") as f:
        f.write(gzip.compress(long_line))
    with open(os.path.join(odd, "random.bin"), "wb") as f:
        f.write(bytes(random.Random(5).getrandbits(8) for _ in range(300000)) + b"\0 198.51.100.23 \0\r\n")
    rc, out, err = run(["hunt", "--json", "--intel", intel, odd], {**env, "CANHGAC_HUNT_CHUNK": "65536"})
    got = sorted((os.path.basename(h["file"]), h["line"]) for h in map(json.loads, out.splitlines()))
    check(rc == 0 and got == [("long.log", 1), ("long.log", 2), ("long.log.gz", 1), ("long.log.gz", 2),
                              ("random.bin", got[-1][1] if got and got[-1][0] == "random.bin" else -1)],
          f"10 MB lines are hunted whole, binary garbage is survived ({rc}: {got}; {err.strip()[:200]})")

    # Human output: one line per hit and the summaries.
    rc, out, err = run(["hunt", "--intel", intel, os.path.join(logs, "auth.log"), os.path.join(logs, "kern.log")], env)
    check(rc == 0, f"all readable: exit 0 ({rc}: {err.strip()})")
    check("auth.log:1: 192.0.2.14 → 192.0.2.0/25 (list)" in out, "human hit line")
    check("By indicator:" in out and "By host:" in out and "web01" in out, "human summary by indicator and host")

    # Database: import, hunt from it, hits recorded.
    rc, out, err = run(["intel", "import", "--source", "botnet", "--skip-bad", intel], env)
    if rc != 0:
        print(f"# intel import failed ({rc}: {err.strip()}); database checks skipped")
    else:
        rc, out, err = run(["hunt", "--json", "--source", "botnet", os.path.join(logs, "auth.log"),
                            os.path.join(logs, "kern.log")], env)
        hits = [json.loads(x) for x in out.splitlines()]
        check(rc == 0 and len(hits) == 2, f"hunt over the database's source ({rc}, {len(hits)} hits: {err.strip()})")
        check(all(h["source"] == "botnet" for h in hits), "hits name the database source")
        con = sqlite3.connect(db)
        n_hits = con.execute("select count(*) from hit").fetchone()[0]
        n_hunts = con.execute("select count(*) from hunt").fetchone()[0]
        con.close()
        check(n_hits == 2 and n_hunts == 1, f"hunt and hits recorded ({n_hunts} hunts, {n_hits} hits)")
        rc, out, err = run(["hunt", "--no-store", "--source", "botnet", logs], env)
        con = sqlite3.connect(db)
        n_hunts = con.execute("select count(*) from hunt").fetchone()[0]
        con.close()
        check(rc == 3 and n_hunts == 1, f"--no-store records nothing ({rc}, {n_hunts} hunts)")
        rc, out, err = run(["hunt", "--source", "nosuch", logs], env)
        check(rc == 1 and "nosuch" in err, f"unknown source: exit 1 naming it ({rc}: {err.strip()})")
finally:
    shutil.rmtree(tmp, ignore_errors=True)

sys.exit(1 if failures else 0)
