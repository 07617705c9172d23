#!/usr/bin/env python3
"""`block serve` under attack (issue 12 items 5 and 8): 70 slow clients (a
header line every 2 s, never finishing the request head) do not keep a
normal fetch out, and are cut off at the head deadline; HEAD answers the
real Content-Length; enforcement is recorded only for points that send their
token, once per point and list version, and a database held by another
writer delays no response. Loopback only."""
import json
import os
import select
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from common import BIN, T0, check, finish, run, tmpdir  # noqa: E402

tmp = tmpdir("serve")
db = os.path.join(tmp, "t.db")
rc, out, err = run(["block", "add", "--reason", "t", "c2.so-mau.example", "203.0.113.9"], db)
check(rc == 0, f"block add ({err.strip()})")
rc, token, err = run(["block", "point", "add", "fw-core"], db)
token = token.strip()
check(rc == 0 and token.startswith("cgp_") and len(token) == 68, f"block point add prints a token ({token!r})")
rc, out, err = run(["block", "point", "add", "fw-core"], db)
check(rc == 1 and "exists" in err, "a point name is unique")
rc, out, err = run(["block", "point", "add", "bad name\n"], db)
check(rc == 2, "a point name with spaces is refused")
rc, out, err = run(["--json", "block", "point", "list"], db)
check(rc == 0 and [json.loads(line)["name"] for line in out.splitlines()] == ["fw-core"], "block point list")
con = sqlite3.connect(db)
check(con.execute("SELECT count(*) FROM block_point WHERE token_sha256 LIKE ?", (token[4:20] + "%",)).fetchone()[0] == 0,
      "the token itself is not stored")
con.close()
rc, out, err = run(["block", "serve", "--port", "0", "--record", "x"], db)
check(rc == 2 and "token" in err, "serve --record is refused with a pointer to tokens")

env = dict(os.environ, LANGUAGE="en", LC_ALL="C.UTF-8", CANHGAC_DB=db, CANHGAC_NOW=str(T0))
srv = subprocess.Popen([BIN, "--json", "block", "serve", "--port", "0"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, env=env)
slow = []
try:
    port = json.loads(srv.stdout.readline())["port"]
    base = f"http://127.0.0.1:{port}"

    def fetch(path, token=None, method="GET", timeout=30):
        h = {"Authorization": f"Bearer {token}"} if token else {}
        req = urllib.request.Request(base + path, headers=h, method=method)
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()

    def enforcement_rows():
        c = sqlite3.connect(db)
        try:
            return c.execute("SELECT point, format, digest FROM block_enforcement ORDER BY id").fetchall()
        finally:
            c.close()

    # HEAD: the length of the body a GET sends.
    st, h, body = fetch("/nft")
    st2, h2, body2 = fetch("/nft", method="HEAD")
    check(st2 == 200 and body2 == b"" and int(h2["Content-Length"]) == len(body) > 0,
          f"HEAD Content-Length {h2.get('Content-Length')} == GET body {len(body)}")

    # Recording: none for anonymous pulls, one per point and list version.
    fetch("/nft")
    check(enforcement_rows() == [], "anonymous pulls are not recorded")
    try:
        fetch("/nft", token="cgp_" + "0" * 64)
        check(False, "an unknown token is refused")
    except urllib.error.HTTPError as e:
        check(e.code == 401, f"an unknown token gets 401 ({e.code})")
    for _ in range(3):
        fetch("/nft", token=token)

    def wait_rows(n):
        for _ in range(300):  # bounded: up to 30 s for the writer thread
            rows = enforcement_rows()
            if len(rows) >= n:
                return rows
            time.sleep(0.1)
        return enforcement_rows()

    rows = wait_rows(1)
    time.sleep(0.5)
    rows = enforcement_rows()
    check(len(rows) == 1 and rows[0][0] == "fw-core" and rows[0][1] == "nft", f"three pulls, one record ({rows})")

    # A writer holds the database: the pull is answered anyway, recorded later.
    holder = subprocess.Popen([sys.executable, "-c", f"""
import sqlite3, sys
c = sqlite3.connect({db!r}, isolation_level=None)
c.execute("BEGIN IMMEDIATE")
c.execute("INSERT INTO block_decision SELECT * FROM block_decision WHERE 0")
print("locked", flush=True)
sys.stdin.readline()
c.execute("COMMIT")
"""], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    check(holder.stdout.readline().strip() == "locked", "holder has the write lock")
    st, h, body_rpz = fetch("/rpz", token=token, timeout=60)
    check(st == 200 and b"SOA" in body_rpz, "pull answered while another writer holds the database")
    check(len(enforcement_rows()) == 1, "its record waits for the lock")
    holder.stdin.write("go\n")
    holder.stdin.flush()
    holder.wait(timeout=60)
    rows = wait_rows(2)
    check(len(rows) == 2 and rows[1][:2] == ("fw-core", "rpz"), f"recorded once the lock is free ({rows})")

    # 70 slow clients from another loopback address: a header line every 2 s.
    refused = 0
    for i in range(70):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.2", 0))
            s.settimeout(5)
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /nft HTTP/1.1\r\nHost: x\r\n")
            s.setblocking(False)
            slow.append(s)
        except OSError:
            refused += 1
            s.close()
    t = time.monotonic()
    st, h, body3 = fetch("/nft", timeout=60)
    took = time.monotonic() - t
    check(st == 200 and body3 == body, f"a normal fetch succeeds beside 70 slow clients ({took:.2f} s)")
    print(f"note: normal fetch took {took:.3f} s; {refused} slow connects refused at connect")

    # Keep the slow ones trickling; each must be closed by the server (EOF or
    # reset) long before the idle timeout could apply (they are never idle).
    open_ = {s: True for s in slow}
    end = time.monotonic() + 25
    last_send = time.monotonic()
    while any(open_.values()) and time.monotonic() < end:
        r, _, _ = select.select([s for s in slow if open_[s]], [], [], 0.5)
        for s in r:
            try:
                if s.recv(4096) == b"":
                    open_[s] = False
            except OSError:
                open_[s] = False
        if time.monotonic() - last_send >= 2:
            last_send = time.monotonic()
            for s in slow:
                if open_[s]:
                    try:
                        s.send(b"X-Slow: 1\r\n")
                    except OSError:
                        open_[s] = False
    still = sum(open_.values())
    check(still == 0, f"every slow client was cut off at the head deadline ({still} of {len(slow)} still open)")
    st, h, body4 = fetch("/nft", timeout=60)
    check(st == 200, "serving goes on")
finally:
    for s in slow:
        s.close()
    srv.terminate()
    try:
        srv.wait(timeout=30)
    except subprocess.TimeoutExpired:
        srv.kill()
check(srv.returncode == 0, f"block serve exit {srv.returncode}: {srv.stderr.read()[:300]}")
finish()
