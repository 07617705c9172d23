"""End to end: samples/demo.sh (systems, inventory, intel, hunt, Sigma hunt,
priority).

mail01 must come first (its public address is on the authority's list), the
hosts whose logs show listed peers follow with the right counts, db01 is
ranked because of the Sigma rule that fired on its logs (and nothing else),
and the decoys in the sample logs produce nothing."""
import csv
import glob
import json
import math
import os
import re
import sqlite3
import subprocess
import sys
import tempfile

from cgtest import BIN, SRC, Checks, env as pinned_env

checks = Checks()
check = checks.check

DECOYS = ["198.51.100.230", "198.51.100.2", "198.51.100.233", "1198.51.100.23", "198.51.100.23.5",
          "notbadupdate.example", "badupdate.example.org", "192.0.2.130", "192.0.2.140"]

# host -> (tier, hit lines, distinct listed indicators), in rank order.
EXPECTED = [
    ("mail01.so-mau.example", 1, 2, 1),
    ("web01.so-mau.example", 2, 8, 1),
    ("dc01.so-mau.example", 2, 3, 1),
    ("vb01.so-mau.example", 2, 1, 1),
    ("ws-ketoan-01", 2, 4, 1),
    ("ws-lanhdao-03", 2, 1, 1),
    ("ws-vanthu-02", 2, 2, 1),
]


def sigma_model():
    """The sample rule (samples/sigma/rules/shadow_read_via_sudo.yml) applied
    by hand to the sample syslog: {inventory host: matching events}."""
    inventory = [row[0] for row in csv.reader(open(os.path.join(SRC, "samples", "inventory", "hosts.csv"),
                                                   encoding="utf-8"))][1:]
    events = {}
    for path in glob.glob(os.path.join(SRC, "samples", "sigma", "logs", "*.log")):
        for line in open(path, encoding="utf-8"):
            m = re.match(r"\w{3} [ \d]\d \d\d:\d\d:\d\d (\S+) (\w+)(?:\[\d+\])?: (.*)", line)
            if not m or m.group(2) != "sudo":
                continue
            msg = m.group(3).strip()
            if "COMMAND=" in msg and "/etc/shadow" in msg and "COMMAND=/usr/sbin/vipw" not in msg:
                host = next(h for h in inventory if h == m.group(1) or h.startswith(m.group(1) + "."))
                events[host] = events.get(host, 0) + 1
    return events


def levels_from_demo():
    """System levels as samples/demo.sh adds them, and each host's system."""
    demo = open(os.path.join(SRC, "samples", "demo.sh"), encoding="utf-8").read()
    level = {m.group(1): int(m.group(2)) for m in re.finditer(r'cg system add "([^"]+)" --level (\d)', demo)}
    rows = list(csv.reader(open(os.path.join(SRC, "samples", "inventory", "hosts.csv"), encoding="utf-8")))[1:]
    return {r[0]: level.get(r[2], 1) for r in rows}


def main():
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "demo.db")
        env = pinned_env(CANHGAC_DB=db)
        p = subprocess.run(["sh", os.path.join(SRC, "samples", "demo.sh"), BIN], capture_output=True, env=env,
                           timeout=600)
        out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
        check(p.returncode == 0, f"demo.sh exit {p.returncode}: {err[-2000:]}")
        check("+ 203.0.113.25" in out, "intel diff shows mail01's address added in November")
        check("Hosts to sweep first" in out and "mail01.so-mau.example" in out.split("Hosts to sweep first")[1],
              "demo ends with the ranking")

        p = subprocess.run([BIN, "--db", db, "--json", "priority"], capture_output=True, env=env, timeout=300)
        check(p.returncode == 0, "priority --json")
        data = json.loads(p.stdout)
        hosts = [o for o in data if o["kind"] == "host"]
        # The Sigma-ranked hosts: tier 2 with no hit line, for the rule alone.
        sigma = sigma_model()
        check(sigma, "the sample Sigma rule matches some sample event (model)")
        level = levels_from_demo()
        for name, n in sigma.items():
            h = next((x for x in hosts if x["host"] == name), None)
            if not check(h is not None, f"{name} is ranked because of its Sigma alert: {out[-3000:]}"):
                continue
            check(h["tier"] == 2 and h["hits"]["lines"] == 0, f"{name}: tier {h['tier']}, hits {h['hits']}")
            check(h["sigma"]["rules"] == 1 and h["sigma"]["events"] == n and h["sigma"]["max_level"] == "high",
                  f"{name}: sigma {h['sigma']}, model {n} events")
            want = level[name] * (1 + int(math.log2(1 + n)) + 2)
            check(h["score"] == want, f"{name}: score {h['score']}, formula {want}")
            check(any("Password Hashes Read Through Sudo" in r for r in h["reasons"]), f"{name}: {h['reasons']}")
            check(name in out.split("Hosts to sweep first")[-1], f"the demo shows {name} in the ranking")
        ranks = [(h["tier"], -h["score"], h["host"]) for h in hosts]
        check(ranks == sorted(ranks), f"ranked by tier, score, name: {ranks}")
        hosts = [h for h in hosts if h["host"] not in sigma]
        got = [(h["host"], h["tier"], h["hits"]["lines"], h["hits"]["indicators"]) for h in hosts]
        check(got == EXPECTED, f"ranking:\n  got      {got}\n  expected {EXPECTED}")
        if hosts:
            m = hosts[0]
            lists = [(l["addr"], l["source"], l["entry"], l["family"]) for l in m["on_list"]]
            check(("203.0.113.25", "botnet-list", "203.0.113.25", "Mirai") in lists, f"mail01 listing: {lists}")
            check(m["hits"]["indicator_list"] == ["198.51.100.45"], f"mail01 peers: {m['hits']}")
        by_name = {h["host"]: h for h in hosts}
        if "web01.so-mau.example" in by_name:
            check(by_name["web01.so-mau.example"]["hits"]["indicator_list"] == ["192.0.2.14"], "web01 peer")
        if "dc01.so-mau.example" in by_name:
            check(by_name["dc01.so-mau.example"]["hits"]["indicator_list"] == ["www.c2.badupdate.example"],
                  "dc01 resolved a sub-domain of a listed domain")
        un = [(o["label"], o["hits"]["lines"]) for o in data if o["kind"] == "unattributed"]
        check(un == [("nas01", 1)], f"unattributed: {un}")

        con = sqlite3.connect(db)
        inds = [r[0] for r in con.execute("SELECT DISTINCT indicator FROM hit")]
        files = {os.path.basename(r[0]) for r in con.execute("SELECT DISTINCT file FROM hit")}
        con.close()
        for d in DECOYS:
            check(d not in inds, f"decoy {d} was reported as a hit")
        check("access.log" not in files, f"access.log has only decoys, yet has hits: {files}")
        check("proxy.log.gz" in files, "the gzip log was hunted")
        # Hunting again adds nothing (hit rows, alert events).
        con = sqlite3.connect(db)
        n_first = con.execute("SELECT count(*) FROM hit").fetchone()[0]
        n_events_first = con.execute("SELECT count(*) FROM alert_event").fetchone()[0]
        con.close()
        check(n_first > 0 and n_events_first > 0, "the demo stored hits and alerts")
        p = subprocess.run([BIN, "--db", db, "hunt", os.path.join(SRC, "samples", "logs")], capture_output=True,
                           env=env, timeout=300)
        con = sqlite3.connect(db)
        n_hits = con.execute("SELECT count(*) FROM hit").fetchone()[0]
        con.close()
        check(n_hits == n_first, f"re-hunt kept {n_first} hit rows, has {n_hits}")
        con = sqlite3.connect(db)
        n_events = con.execute("SELECT count(*) FROM alert_event").fetchone()[0]
        con.close()
        check(n_events == n_events_first, f"re-hunt kept {n_events_first} alert events, has {n_events}")
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
