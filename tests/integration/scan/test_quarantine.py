#!/usr/bin/env python3
"""`canhgac scan --quarantine` over a tree with EICAR files (built here, the
repository never holds the string whole): the hit files are gone, nothing
else moved; the store is 0700 with 0400 items whose bytes are not the
original; `quarantine list` shows each with the SHA-256 computed here;
restore gives back byte-identical files with mode, owner and mtime (compared
with os.stat and hashlib), refuses to overwrite, restores elsewhere with
--to; purge removes. Then `sweep plan` on hosts imported with a botnet list
puts the listed hosts first (order derived here from the input)."""
import csv
import hashlib
import json
import os
import sqlite3
import stat
import sys
import tempfile
import zipfile

from cgtest import run, Checks

checks = Checks()
check = checks.check

EICAR = ("X5O!P%@AP[4\\PZX54" + "(P^)7CC)7}$" + "EICAR-STANDARD-" + "ANTIVIRUS-TEST-FILE!$H+H*").encode()
assert len(EICAR) == 68


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def build_tree(root):
    """Files with hits -> (content, mode, mtime); clean files -> content."""
    hit, clean = {}, {}

    def put(rel, data, mode, mtime, is_hit):
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        os.chmod(p, mode)
        os.utime(p, ns=(mtime - 7_000_000_000, mtime))
        (hit if is_hit else clean)[p] = (data, mode, mtime)

    put("eicar.com", EICAR, 0o640, 1_500_000_000_123_456_789, True)
    put("deep/er/run.sh", EICAR + b"\r\n", 0o755, 1_600_000_000_000_000_001, True)
    buf = os.path.join(root, "z.tmp")
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("inner/eicar.txt", EICAR)
    with open(buf, "rb") as f:
        zdata = f.read()
    os.unlink(buf)
    put("mail/attach.zip", zdata, 0o600, 1_400_000_000_000_000_000, True)
    put("readme.txt", b"nothing here\n", 0o644, 1_450_000_000_000_000_000, False)
    put("near-miss.com", EICAR[:-1] + b"x", 0o644, 1_450_000_000_000_000_000, False)
    return hit, clean


def test_quarantine(tmp):
    root, store = os.path.join(tmp, "tree"), os.path.join(tmp, "store")
    hit, clean = build_tree(root)
    before = {p: os.stat(p) for p in hit}
    r = run(["scan", "--json", "--quarantine", store, root])
    check(r.returncode == 4, f"scan exit {r.returncode}: {r.stderr}")
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    moved = {x["file"]: x["id"] for x in lines if x.get("type") == "quarantined"}
    check(set(moved) == set(hit), f"quarantined {sorted(moved)} != hits {sorted(hit)}")
    for p in hit:
        check(not os.path.lexists(p), f"{p} still there after quarantine")
    for p, (data, _, _) in clean.items():
        with open(p, "rb") as f:
            check(f.read() == data, f"{p} changed")
    st = os.stat(store)
    check(stat.S_IMODE(st.st_mode) == 0o700, f"store mode {oct(st.st_mode)}")
    for name in os.listdir(store):
        m = stat.S_IMODE(os.stat(os.path.join(store, name)).st_mode)
        check(m == 0o400, f"{name} mode {oct(m)}")
        if name.endswith(".bin"):
            with open(os.path.join(store, name), "rb") as f:
                b = f.read()
            check(EICAR[:20] not in b and b"EICAR-STANDARD" not in b and b"PK\x03\x04" not in b,
                  f"{name} holds the original bytes")

    r = run(["quarantine", "list", "--json", "--dir", store])
    check(r.returncode == 0, f"list: {r.stderr}")
    items = {x["path"]: x for x in json.loads(r.stdout)}
    check(set(items) == set(hit), f"list {sorted(items)}")
    for p, (data, mode, mtime) in hit.items():
        x = items.get(p, {})
        check(x.get("sha256") == sha256(data), f"{p}: sha256 {x.get('sha256')}")
        check(x.get("sha1") == hashlib.sha1(data).hexdigest(), f"{p}: sha1")
        check(x.get("md5") == hashlib.md5(data).hexdigest(), f"{p}: md5")
        check(x.get("mode") == "%04o" % mode, f"{p}: mode {x.get('mode')}")
        check(x.get("size") == len(data), f"{p}: size")
        check(x.get("id") == moved.get(p), f"{p}: id")
        check(any("EICAR" in h["name"] for h in x.get("hits", [])), f"{p}: hits {x.get('hits')}")
    zip_item = items.get(os.path.join(root, "mail/attach.zip"), {})
    check(any("inner/eicar.txt" in h["name"] for h in zip_item.get("hits", [])), f"zip hit {zip_item}")

    r = run(["quarantine", "list", "--dir", store])
    check(r.returncode == 0 and all(i in r.stdout for i in moved.values()), f"text list: {r.stdout}")

    # Restore refuses an existing file, leaves it alone.
    p0 = os.path.join(root, "eicar.com")
    with open(p0, "wb") as f:
        f.write(b"placeholder")
    r = run(["quarantine", "restore", "--dir", store, moved[p0]])
    check(r.returncode == 1 and "exists" in r.stderr, f"restore over a file: {r.returncode} {r.stderr}")
    with open(p0, "rb") as f:
        check(f.read() == b"placeholder", "the existing file was changed")
    os.unlink(p0)

    # Restore every item: byte-identical, mode, owner, mtime.
    for p, (data, mode, mtime) in hit.items():
        r = run(["quarantine", "restore", "--dir", store, moved[p]])
        check(r.returncode == 0, f"restore {p}: {r.stderr}")
        with open(p, "rb") as f:
            got = f.read()
        check(sha256(got) == sha256(data) and got == data, f"{p}: restored bytes differ")
        s, b = os.stat(p), before[p]
        check(stat.S_IMODE(s.st_mode) == mode, f"{p}: mode {oct(s.st_mode)} != {oct(mode)}")
        check((s.st_uid, s.st_gid) == (b.st_uid, b.st_gid), f"{p}: owner")
        check(s.st_mtime_ns == mtime, f"{p}: mtime {s.st_mtime_ns} != {mtime}")
    r = run(["quarantine", "list", "--json", "--dir", store])
    check(r.returncode == 0 and json.loads(r.stdout) == [], f"store not empty after restore: {r.stdout}")

    # Again with a database (recorded there too), then --to and --keep, then
    # purge by id and --all.
    db = os.path.join(tmp, "q.db")
    r = run(["scan", "--json", "--quarantine", store, root], db=db)
    moved = {json.loads(x)["file"]: json.loads(x)["id"] for x in r.stdout.splitlines()
             if json.loads(x).get("type") == "quarantined"}
    check(set(moved) == set(hit), f"second sweep quarantined {sorted(moved)}")
    other = os.path.join(tmp, "copy.com")
    r = run(["quarantine", "restore", "--keep", "--to", other, "--dir", store, moved[p0]])
    with open(other, "rb") as f:
        check(r.returncode == 0 and f.read() == EICAR, f"restore --to: {r.stderr}")
    check(not os.path.exists(p0), "restore --to wrote the original path")
    rows = {x[0]: x[1:] for x in sqlite3.connect(db).execute(
        "SELECT path, id, sha256, mode, state FROM quarantine_item")}
    check(set(rows) == set(hit), f"database rows {sorted(rows)}")
    for p, (data, mode, _) in hit.items():
        check(rows.get(p, (None,) * 4)[:3] == (moved[p], sha256(data), mode), f"{p}: database row {rows.get(p)}")
    r = run(["quarantine", "purge", "--dir", store, moved[p0]], db=db)
    check(r.returncode == 0, f"purge id: {r.stderr}")
    state = sqlite3.connect(db).execute("SELECT state FROM quarantine_item WHERE id = ?", (moved[p0],)).fetchone()
    check(state == ("purged",), f"state after purge: {state}")
    r = run(["quarantine", "show", "--dir", store, moved[p0]])
    check(r.returncode == 1, f"show after purge: {r.returncode}")
    r = run(["quarantine", "purge", "--all", "--dir", store])
    check(r.returncode == 2, f"purge --all without --yes: {r.returncode}")
    r = run(["quarantine", "purge", "--all", "--yes", "--json", "--dir", store])
    check(r.returncode == 0 and len(json.loads(r.stdout)["purged"]) == len(hit) - 1, f"purge --all: {r.stdout}")
    check(sorted(os.listdir(store)) == [], f"store after purge: {os.listdir(store)}")


def test_sweep_plan(tmp):
    db = os.path.join(tmp, "c.db")
    # Hosts (fictional), some of whose addresses are on the botnet list below.
    hosts = [("web-a.so-mau.example", "10.0.0.1;203.0.113.10", "Ubuntu 22.04"),
             ("ws-b.so-mau.example", "10.0.0.2", "Windows 10 Pro"),
             ("db-c.so-mau.example", "10.0.0.3;203.0.113.30", "Windows Server 2019"),
             ("app-d.so-mau.example", "10.0.0.4", "Debian 12"),
             ("mail-e.so-mau.example", "203.0.113.50", "Rocky Linux 9")]
    botnet = ["203.0.113.30", "203.0.113.50", "198.51.100.9"]
    hf, bf = os.path.join(tmp, "hosts.csv"), os.path.join(tmp, "botnet.csv")
    with open(hf, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Tên máy", "Địa chỉ IP", "Hệ thống", "Hệ điều hành"])
        for h in hosts:
            w.writerow([h[0], h[1], "", h[2]])
    with open(bf, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["STT", "Địa chỉ IP", "Cổng", "Tên botnet", "Thời gian phát hiện lần đầu",
                    "Thời gian phát hiện gần nhất", "ASN", "Đơn vị"])
        for i, a in enumerate(botnet):
            w.writerow([i + 1, a, 23, "Mirai", "02/10/2026", "28/10/2026 21:14", "AS64500", "Sở Mẫu"])
    for args in (["host", "import", hf], ["intel", "import", "--source", "botnet-list", bf]):
        r = run(args, db=db)
        check(r.returncode == 0, f"{args}: {r.stderr}")
    # Expected: hosts with an address on the list first, each group by name
    # (same level, one listing each, no logs).
    listed = sorted(h[0] for h in hosts if set(h[1].split(";")) & set(botnet))
    rest = sorted(h[0] for h in hosts if not set(h[1].split(";")) & set(botnet))
    r = run(["sweep", "plan", "--json"], db=db)
    check(r.returncode == 0, f"sweep plan: {r.stderr}")
    plan = json.loads(r.stdout) if r.returncode == 0 else []
    check([x["host"] for x in plan] == listed + rest, f"order {[x['host'] for x in plan]} != {listed + rest}")
    oses = {h[0]: h[2] for h in hosts}
    for x in plan:
        win = "windows" in oses[x["host"]].lower()
        check(("C:\\Users" in x["paths"]) == win and ("/tmp" in x["paths"]) != win, f"paths of {x['host']}")
        check(x["command"].startswith("canhgac scan ") and x["host"] in x["command"], f"command {x['command']}")
        check((x["tier"] == 1) == (x["host"] in listed), f"tier of {x['host']}")
    r = run(["sweep", "plan"], db=db)
    check(r.returncode == 0 and r.stdout.index(listed[0]) < r.stdout.index(rest[0]), f"text plan: {r.stdout}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        test_quarantine(tmp)
    with tempfile.TemporaryDirectory() as tmp:
        test_sweep_plan(tmp)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
