"""canhgac intel: real feeds, accounting, atomicity, diff, hostile input.

Runs the real binary on a real SQLite file in a temporary directory and checks
its counts against counts computed here, independently, from the files."""
import csv
import gzip
import io
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

BIN = os.environ["CANHGAC_BIN"]
SRC = os.environ["CANHGAC_SRC"]
DATA = os.environ.get("CANHGAC_SHARED_DATA", "")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(db, *args, stdin=None):
    p = subprocess.run([BIN, "--db", db, *args], capture_output=True, input=stdin, timeout=600)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def import_json(db, *args):
    """The report of an import; for one file, its file object merged in."""
    rc, out, err = run(db, "intel", "import", "--json", *args)
    j = json.loads(out) if rc == 0 and out.strip() else None
    if j and len(j["files"]) == 1:
        j = {**j, **j["files"][0]}
    return rc, j, err


def lines_of(path):
    with open(path, "rb") as f:
        data = f.read()
    return data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n")


def data_lines(path, comment=(b"#", b";")):
    return [l for l in lines_of(path) if l.strip() and not l.strip().startswith(comment)]


def count_rows(db, sql, *p):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, p).fetchone()[0]
    finally:
        con.close()


def accounted(f):
    return f["imported"] + f["bad"] + f["skipped"] + f["comments"] == f["entries"]


def real_feeds(tmp):
    if not DATA or not os.path.isdir(os.path.join(DATA, "intel")):
        print("# SKIP real feeds: ../shared/data not found")
        return False
    intel = os.path.join(DATA, "intel")
    db = os.path.join(tmp, "real.db")
    expect = {  # file: (format, indicators imported, independent count of entries that are data)
        "feodotracker_ipblocklist.csv": ("feodo", 28),
        "spamhaus_drop.txt": ("spamhaus", 1385),
        "spamhaus_dropv6.txt": ("spamhaus", 78),
        "spamhaus_edrop_2023.txt": ("spamhaus", 289),
        "firehol_level1.netset": ("firehol", 1802),
        "et_compromised-ips.txt": ("plain", 539),
    }
    for name, (fmt, n) in expect.items():
        path = os.path.join(intel, name)
        rc, j, err = import_json(db, path)
        check(rc == 0, f"{name}: import failed: {err}")
        if not j:
            continue
        f = j["files"][0]
        check(f["format"] == fmt, f"{name}: detected {f['format']}, expected {fmt}")
        check(f["imported"] == n, f"{name}: {f['imported']} imported, expected {n}")
        check(f["entries"] == len(lines_of(path)), f"{name}: entries {f['entries']} != lines {len(lines_of(path))}")
        check(accounted(f), f"{name}: counts do not add up: {f}")
        if fmt != "feodo":
            check(len(data_lines(path)) == n, f"{name}: independent count {len(data_lines(path))} != {n}")
    # Feodo independently: rows of the CSV after the '#' banner.
    feodo = os.path.join(intel, "feodotracker_ipblocklist.csv")
    rows = list(csv.reader(io.StringIO("\n".join(l.decode() for l in lines_of(feodo) if not l.startswith(b"#")))))
    check(len(rows) - 1 == 28, f"feodo: independent row count {len(rows) - 1}")

    # Every other feed: every entry accounted for, against an independent count.
    others = []
    for sub in ("domains", "hashes", "stix", "misp"):
        for name in sorted(os.listdir(os.path.join(intel, sub))):
            others.append(os.path.join(intel, sub, name))
    for path in others:
        name = os.path.basename(path)
        rc, j, err = import_json(db, "--skip-bad", path)
        check(rc == 0, f"{name}: import --skip-bad failed: {err}")
        if not j:
            continue
        f = j["files"][0]
        check(accounted(f), f"{name}: counts do not add up: {f}")
        if f["format"] == "stix":
            objs = json.load(open(path))["objects"]
            n = sum(1 for o in objs if o.get("type") == "indicator")
            check(f["entries"] == n, f"{name}: {f['entries']} entries, {n} indicator objects")
        elif f["format"] == "misp":
            d = json.load(open(path))
            evs = [d["Event"]] if "Event" in d else [r["Event"] for r in d["response"]]
            n = sum(len(e.get("Attribute", [])) + sum(len(o.get("Attribute", [])) for o in e.get("Object", []))
                    for e in evs)
            check(f["entries"] == n, f"{name}: {f['entries']} entries, {n} attributes")
        else:
            check(f["entries"] == len(lines_of(path)), f"{name}: entries {f['entries']} != lines")
            if f["format"] == "hosts":
                n = len([l for l in data_lines(path, (b"#",))])
                check(f["imported"] + f["skipped"] + f["bad"] == n, f"{name}: {f} vs {n} host lines")
            elif f["format"] == "rpz":
                n = len([l for l in lines_of(path) if b" CNAME " in l])
                check(f["imported"] == n, f"{name}: {f['imported']} imported, {n} CNAME records")
            else:
                n = len(data_lines(path))
                check(f["imported"] + f["bad"] + f["skipped"] == n, f"{name}: {f} vs {n} data lines")
        # Every bad entry is reported as file:line: reason on stderr.
        for b in f["bad_entries"][:50]:
            check(f"{path}:{b['line']}: " in err, f"{name}: bad line {b['line']} not on stderr")
    # x509 patterns in apt1 are reported as skipped, with the reason.
    rc, j, err = import_json(db, os.path.join(intel, "stix", "apt1.json"))
    check(rc == 0 and j and any("x509-certificate" in s["reason"] for s in j["files"][0]["skipped_entries"]),
          "apt1: x509 indicators not reported")
    # gzip input gives the same counts.
    gz = os.path.join(tmp, "drop.txt.gz")
    with open(os.path.join(intel, "spamhaus_drop.txt"), "rb") as src, gzip.open(gz, "wb") as dst:
        dst.write(src.read())
    rc, j, err = import_json(db, gz)
    check(rc == 0 and j and j["source"] == "drop" and j["unique"] == 1385, f"gzip import: {rc} {err}")
    # hunt side: foreach sees what list shows.
    rc, out, err = run(db, "intel", "list", "--json")
    check(rc == 0 and len(json.loads(out)["sources"]) >= 15, f"list sources: {err}")
    return True


def samples_and_diff(tmp):
    db = os.path.join(tmp, "samples.db")
    s = os.path.join(SRC, "samples", "intel")
    rc, j, err = import_json(db, "--source", "botnet", os.path.join(s, "botnet-2026-10.csv"))
    check(rc == 0 and j["unique"] == 9 and j["by_type"] == {"ipv4": 8, "ipv6": 1}, f"october: {j} {err}")
    rc, j, err = import_json(db, "--source", "botnet", os.path.join(s, "botnet-2026-11.csv"))
    check(rc == 0 and j["unique"] == 12 and j["added"] == 6 and j["removed"] == 3, f"november: {j} {err}")
    rc, out, err = run(db, "intel", "diff", "--json", "botnet")
    d = json.loads(out)
    added = {a["value"] for a in d["added"]}
    removed = {a["value"] for a in d["removed"]}
    check("203.0.113.25" in added and len(added) == 6, f"diff added: {added}")
    check(removed == {"203.0.113.54", "203.0.113.99", "203.0.113.166"}, f"diff removed: {removed}")
    rc, out, err = run(db, "intel", "diff", "botnet")
    check(rc == 0 and "+ 203.0.113.25" in out and "- 203.0.113.54" in out, f"diff text: {out}")
    rc, out, err = run(db, "intel", "list", "--json", "botnet", "--type", "ipv4")
    items = {i["value"]: i for i in json.loads(out)["indicators"]}
    m = items.get("203.0.113.25", {})
    check(m.get("family") == "Mirai" and m.get("first_seen") == "2026-11-03" and
          m.get("last_seen") == "2026-11-27T22:41:00Z" and m.get("extra", {}).get("port") == "25",
          f"mail01 entry: {m}")
    # --append keeps October's removed addresses.
    rc, j, err = import_json(db, "--source", "botnet", "--append", os.path.join(s, "botnet-2026-10.csv"))
    check(rc == 0 and j["unique"] == 15, f"append: {j}")
    # every sample imports cleanly
    for name in sorted(os.listdir(s)):
        if name.endswith(".md"):
            continue
        rc, j, err = import_json(db, os.path.join(s, name))
        check(rc == 0 and j["bad"] == 0 and accounted(j["files"][0]), f"sample {name}: {err}")
    rc, out, err = run(db, "intel", "list", "--json", "apt-report")
    fam = {i["value"]: i["family"] for i in json.loads(out)["indicators"]}
    check(fam.get("198.51.100.99") == "SyncRAT", f"STIX relationship family: {fam}")
    rc, out, err = run(db, "intel", "stats", "--json")
    st = json.loads(out)
    check(rc == 0 and st["shared"] >= 1, f"stats: {st}")
    rc, out, err = run(db, "intel", "remove", "botnet", "apt-report")
    check(rc == 0, f"remove: {err}")
    rc, out, err = run(db, "intel", "list", "botnet")
    check(rc == 1 and "botnet" in err, f"list removed source: {rc} {err}")
    check(count_rows(db, "SELECT count(*) FROM indicator WHERE value = 'cdn-sync.example'") == 0, "prune")


def atomicity(tmp):
    db = os.path.join(tmp, "atomic.db")
    good = os.path.join(tmp, "list.csv")
    with open(good, "w", encoding="utf-8") as f:
        f.write("Địa chỉ IP,Tên botnet\n192.0.2.1,Mirai\n192.0.2.2,Mozi\n")
    rc, j, err = import_json(db, "--source", "gov", good)
    check(rc == 0 and j["unique"] == 2, f"first import: {err}")
    bad = os.path.join(tmp, "bad.csv")
    with open(bad, "w", encoding="utf-8") as f:
        f.write("Địa chỉ IP,Tên botnet\n198.51.100.1,Mirai\n300.1.2.3,Mirai\n198.51.100.2,Mozi\n1.2.3,X\n")
    before = count_rows(db, "SELECT count(*) FROM intel_item")
    rc, out, err = run(db, "intel", "import", "--source", "gov", bad)
    check(rc == 1, f"bad file must fail: {rc}")
    check(f"{bad}:3: field 'Địa chỉ IP': '300.1.2.3' is not an IP address" in err, f"bad line message: {err}")
    check(f"{bad}:5: " in err, f"second bad line: {err}")
    check(count_rows(db, "SELECT count(*) FROM intel_item") == before, "a bad file changed the DB")
    check(count_rows(db, "SELECT count(*) FROM intel_import") == 1, "a bad file recorded an import")
    rc, j, err = import_json(db, "--source", "gov", "--skip-bad", bad)
    check(rc == 0 and j["unique"] == 2 and j["bad"] == 2 and j["removed"] == 2, f"--skip-bad: {j} {err}")
    check(f"{bad}:3: " in err and f"{bad}:5: " in err, f"--skip-bad reports: {err}")
    # an empty download must not empty the source
    empty = os.path.join(tmp, "empty.csv")
    open(empty, "w").close()
    rc, out, err = run(db, "intel", "import", "--source", "gov", empty)
    check(rc == 1 and "unchanged" in err, f"empty file: {rc} {err}")
    rc, out, err = run(db, "intel", "list", "--json", "gov")
    check(len(json.loads(out)["indicators"]) == 2, "empty file changed the source")
    # --map and stdin
    mapped = "Máy,Ghi chú\n203.0.113.9,Mirai bot\n"
    rc, out, err = run(db, "intel", "import", "--json", "--source", "m", "--map", "ip=Máy,family=ghi chú", "-",
                       stdin=mapped.encode())
    check(rc == 0 and json.loads(out)["files"][0]["unique"] == 1, f"--map from stdin: {err}")
    rc, out, err = run(db, "intel", "import", "--source", "m", "--map", "ip=Nope", "-", stdin=mapped.encode())
    check(rc == 1 and "Nope" in err, f"--map unknown column: {err}")


def hostile(tmp):
    db = os.path.join(tmp, "hostile.db")
    cases = {}
    cases["garbage.bin"] = os.urandom(200000)
    cases["longline.txt"] = b"192.0.2.1\n" + b"a" * (10 << 20) + b"\n192.0.2.2\n"
    cases["nested.json"] = b"[" * 100000 + b"]" * 100000
    cases["nested-stix.json"] = b'{"type":"bundle","objects":' + b"[" * 5000 + b"]" * 5000 + b"}"
    cases["deep-pattern.json"] = json.dumps({"type": "bundle", "objects": [
        {"type": "indicator", "id": "indicator--1", "pattern": "(" * 3000 + "[ipv4-addr:value = '1.2.3.4']" + ")" * 3000}]}).encode()
    gzdata = gzip.compress(b"192.0.2.1\n" * 100000)
    cases["truncated.txt.gz"] = gzdata[: len(gzdata) // 2]
    for name, data in cases.items():
        p = os.path.join(tmp, name)
        with open(p, "wb") as f:
            f.write(data)
        rc, out, err = run(db, "intel", "import", "--source", "h", p)
        check(rc in (1,), f"{name}: exit {rc} (expected 1): {err[:300]}")
        check("canhgac:" in err, f"{name}: no clear error: {err[:300]}")
        check(count_rows(db, "SELECT count(*) FROM intel_source WHERE name = 'h' AND current_import_id IS NOT NULL") == 0,
              f"{name}: half-imported source")
    rc, out, err = run(db, "intel", "import", "--source", "h", os.path.join(tmp, "does-not-exist.txt"))
    check(rc == 1 and "does-not-exist" in err, f"missing file: {err}")
    rc, out, err = run(db, "intel", "import", "--skip-bad", "--source", "h", os.path.join(tmp, "longline.txt"))
    check(rc == 0 and "longer than" in err, f"long line with --skip-bad: {rc} {err[:300]}")
    rc, out, err = run(db, "intel", "nonsense")
    check(rc == 2, "unknown subcommand exit 2")
    rc, out, err = run(db, "intel", "import", "--help")
    check(rc == 0 and "--skip-bad" in out, "--help")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        real_feeds(tmp)
        samples_and_diff(tmp)
        atomicity(tmp)
        hostile(tmp)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all intel integration checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
