"""canhgac system/host/priority: commands, CSV import atomicity, JSON, --help.

Drives the real binary on a real SQLite file in a temporary directory."""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

BIN = os.environ["CANHGAC_BIN"]
SRC = os.environ["CANHGAC_SRC"]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(db, *args):
    p = subprocess.run([BIN, "--db", db, *args], capture_output=True, timeout=300)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def rows(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_help(db):
    for cmd in ("system", "host", "priority"):
        rc, out, err = run(db, cmd, "--help")
        check(rc == 0 and "Usage: canhgac " + cmd in out, f"{cmd} --help: rc={rc}")
        # Every long option in --help is in the man page.
        with open(os.path.join(SRC, "man", f"canhgac-{cmd}.1"), encoding="utf-8") as f:
            page = f.read().replace("\\-", "-")
        for word in out.split():
            opt = word.rstrip(",")
            if opt.startswith("--") and len(opt) > 2:
                check(opt in page, f"{cmd}: {opt} in --help but not in the man page")
    rc, out, err = run(db, "system", "--bogus")
    check(rc == 2, f"unknown option is a usage error (rc={rc})")
    rc, out, err = run(db, "system", "frobnicate", "x")
    check(rc == 2 and "frobnicate" in err, "unknown subcommand")


def test_systems(db):
    rc, out, err = run(db, "system", "add", "Cổng thông tin điện tử", "--level", "3", "--owner", "Văn phòng Sở")
    check(rc == 0, f"system add: {err}")
    rc, out, err = run(db, "system", "add", "Cổng thông tin điện tử", "--level", "2")
    check(rc == 1 and "already exists" in err, f"duplicate system: rc={rc} {err}")
    rc, out, err = run(db, "system", "add", "X", "--level", "6")
    check(rc == 2 and "level" in err, f"level 6 refused: rc={rc}")
    rc, out, err = run(db, "system", "add", "X")
    check(rc == 2, "add without --level is a usage error")
    rc, out, err = run(db, "system", "add", "Máy trạm", "-l", "1")
    check(rc == 0, "system add Máy trạm")
    rc, out, err = run(db, "system", "set", "Máy trạm", "--level", "2", "--description", "Máy tính cán bộ")
    check(rc == 0, "system set")
    rc, out, err = run(db, "--json", "system", "list")
    data = json.loads(out)
    check([s["name"] for s in data] == ["Cổng thông tin điện tử", "Máy trạm"], f"system list order: {out}")
    check(data[1]["level"] == 2 and data[1]["description"] == "Máy tính cán bộ", "system set applied")
    rc, out, err = run(db, "system", "show", "Không có")
    check(rc == 1 and "does not exist" in err, "show unknown system")


HOSTS_OK = """Tên máy,Địa chỉ IP,Hệ thống,Hệ điều hành
web01.so-mau.example,10.10.1.11;203.0.113.11,Cổng thông tin điện tử,Ubuntu 22.04
ws-ketoan-01,10.10.3.21,Máy trạm,Windows 10
"""

HOSTS_BAD = """hostname,ip,system
web01.so-mau.example,10.10.1.99,Cổng thông tin điện tử
db01.so-mau.example,10.10.2.300,Cổng thông tin điện tử
vb01.so-mau.example,10.10.2.30,Hệ thống lạ
dc01.so-mau.example,"10.10.2.10 2001:DB8:0:0::10",
"""


def test_hosts(db, tmp):
    ok = os.path.join(tmp, "hosts.csv")
    with open(ok, "w", encoding="utf-8") as f:
        f.write(HOSTS_OK)
    rc, out, err = run(db, "--json", "host", "import", ok)
    check(rc == 0, f"host import: {err}")
    res = json.loads(out)
    check(res["added"] == 2 and res["bad"] == 0, f"import counts: {res}")

    bad = os.path.join(tmp, "bad.csv")
    with open(bad, "w", encoding="utf-8") as f:
        f.write(HOSTS_BAD)
    before = rows(db, "SELECT h.name, a.addr FROM host h JOIN host_addr a ON a.host_id = h.id ORDER BY 1, 2")
    rc, out, err = run(db, "host", "import", bad)
    check(rc == 1, f"bad rows fail the import (rc={rc})")
    check("bad.csv:3: field 'ip': '10.10.2.300' is not an IP address" in err, f"row 3 reported: {err}")
    check("bad.csv:4: field 'system': system 'Hệ thống lạ' does not exist" in err, f"row 4 reported: {err}")
    check("nothing imported" in err, "says nothing was imported")
    after = rows(db, "SELECT h.name, a.addr FROM host h JOIN host_addr a ON a.host_id = h.id ORDER BY 1, 2")
    check(before == after, "a bad file changes nothing (not even the good rows)")

    rc, out, err = run(db, "--json", "host", "import", "--skip-bad", bad)
    check(rc == 0, f"--skip-bad imports: {err}")
    res = json.loads(out)
    check(res == {"file": bad, "rows": 4, "added": 1, "updated": 1, "bad": 2, "systems_created": 0}, f"{res}")
    check("bad.csv:3:" in err and "bad.csv:4:" in err, "--skip-bad still reports the bad rows")
    addrs = rows(db, "SELECT a.addr FROM host h JOIN host_addr a ON a.host_id = h.id"
                     " WHERE h.name = 'web01.so-mau.example'")
    check(addrs == [("10.10.1.99",)], f"re-import replaced web01's addresses: {addrs}")
    rc, out, err = run(db, "--json", "host", "show", "DC01.so-mau.example")
    h = json.loads(out)
    check(h["addresses"] == ["10.10.2.10", "2001:db8::10"] and h["system"] == "", f"host show: {h}")

    rc, out, err = run(db, "host", "add", "mail01.so-mau.example", "--addr", "10.10.1.25", "-a",
                       "203.0.113.25;2001:db8:10::25", "--system", "Cổng thông tin điện tử", "--role", "mail")
    check(rc == 0, f"host add: {err}")
    rc, out, err = run(db, "host", "add", "mail01.so-mau.example")
    check(rc == 1 and "already exists" in err, "duplicate host")
    rc, out, err = run(db, "host", "add", "x1", "--addr", "300.1.2.3")
    check(rc == 1 and "'300.1.2.3' is not an IP address" in err, f"bad --addr: {err}")
    rc, out, err = run(db, "host", "add", "x2", "--system", "Không có")
    check(rc == 1 and "does not exist" in err, "unknown system")
    rc, out, err = run(db, "--json", "host", "list", "--system", "Cổng thông tin điện tử")
    check(sorted(h["name"] for h in json.loads(out)) == ["mail01.so-mau.example", "web01.so-mau.example"],
          f"host list --system: {out}")
    rc, out, err = run(db, "host", "list")
    check(rc == 0 and "ws-ketoan-01" in out, "human host list")
    rc, out, err = run(db, "host", "remove", "dc01.so-mau.example")
    check(rc == 0, "host remove")
    rc, out, err = run(db, "host", "show", "dc01.so-mau.example")
    check(rc == 1, "removed host is gone")
    rc, out, err = run(db, "host", "import", os.path.join(tmp, "missing.csv"))
    check(rc == 1 and "missing.csv" in err, "missing file named")


def test_priority(db):
    # A listed address straight into the intel tables (the intel import has its own tests).
    con = sqlite3.connect(db)
    con.executescript("""
        INSERT INTO intel_source(name, created_at) VALUES('botnet-list', 0);
        INSERT INTO intel_import(source_id, imported_at, files, format, n_records, n_unique, n_bad)
          VALUES(1, 0, 'botnet-2026-11.csv', 'csv', 1, 1, 0);
        UPDATE intel_source SET current_import_id = 1;
        INSERT INTO indicator(type, value) VALUES('ipv4', '203.0.113.25');
        INSERT INTO intel_item(import_id, indicator_id, family) VALUES(1, 1, 'Mirai');
        INSERT INTO hunt(started_at, paths) VALUES(0, 'x');
        INSERT INTO hit(hunt_id, file, line, line_hash, indicator, match, match_type, host_id, host_label, seen_at)
          SELECT 1, 'kern.log', 1, 1, '198.51.100.23', '198.51.100.23', 'ipv4', id, name, 1795507920
          FROM host WHERE name = 'ws-ketoan-01';
        INSERT INTO hit(hunt_id, file, line, line_hash, indicator, match, match_type, host_label)
          VALUES(1, 'kern.log', 2, 2, '198.51.100.67', '198.51.100.67', 'ipv4', 'nas01');
    """)
    con.commit()
    con.close()
    rc, out, err = run(db, "--json", "priority")
    check(rc == 0, f"priority: {err}")
    data = json.loads(out)
    hosts = [o for o in data if o["kind"] == "host"]
    check([h["host"] for h in hosts] == ["mail01.so-mau.example", "ws-ketoan-01"], f"ranking: {hosts}")
    m = hosts[0]
    check(m["rank"] == 1 and m["tier"] == 1 and m["level"] == 3, f"mail01: {m}")
    check(m["on_list"][0]["entry"] == "203.0.113.25" and m["on_list"][0]["family"] == "Mirai", "mail01 listing")
    check(hosts[1]["hits"]["lines"] == 1 and hosts[1]["score"] == 2 * (1 + 1 + 1), f"ws-ketoan-01: {hosts[1]}")
    un = [o for o in data if o["kind"] == "unattributed"]
    check(len(un) == 1 and un[0]["label"] == "nas01" and un[0]["host"] is None, f"unattributed: {un}")
    rc, out, err = run(db, "priority")
    check(rc == 0 and "203.0.113.25 is on list 'botnet-list'" in out and "nas01" in out, f"human: {out}")
    rc, out, err = run(db, "--json", "priority", "--all", "--limit", "3")
    check(len([o for o in json.loads(out) if o["kind"] == "host"]) == 3, "--all --limit 3")
    rc, out, err = run(db, "priority", "--limit", "0")
    check(rc == 2, "--limit 0 is a usage error")
    rc, out, err = run(db, "priority", "--system", "Không có")
    check(rc == 1 and "does not exist" in err, "priority --system unknown")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "canhgac.db")
        test_help(db)
        test_systems(db)
        test_hosts(db, tmp)
        test_priority(db)
    if failures:
        print(f"{len(failures)} failures")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
