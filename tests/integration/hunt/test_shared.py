#!/usr/bin/env python3
"""`canhgac hunt` over the real shared logs with the real shared feeds, checked
against facts established independently here (regular expressions over the
raw files), and over the project's fictional samples."""
import json
import os
import re
import subprocess
import sys

# Syslog stamps have no year and it is inferred from "now": pin the clock so
# runs seconds apart date every line alike.
os.environ["CANHGAC_NOW"] = "1795996800"
# A missing binary fails (cgtest), it is never a skip; the locale is pinned.
from cgtest import BIN, PINNED, TIMEOUT  # noqa: E402
os.environ.update(PINNED)
DATA = os.environ.get("CANHGAC_SHARED_DATA", "")
SRC = os.environ.get("CANHGAC_SRC", "")
if not os.path.isdir(os.path.join(DATA, "logs")):
    print("SKIP: ../shared/data not found (set CANHGAC_SHARED_DATA)")
    sys.exit(77)

failures = 0


def check(cond, what):
    global failures
    print(("ok" if cond else "not ok") + " - " + what)
    if not cond:
        failures += 1


def hunt(args, cwd=None):
    r = subprocess.run([BIN, "hunt", "--json", "--quiet"] + args, capture_output=True, cwd=cwd, timeout=TIMEOUT)
    hits = [json.loads(x) for x in r.stdout.decode().splitlines()]
    return r.returncode, hits, r.stderr.decode()


intel = os.path.join(DATA, "intel")
logs = os.path.join(DATA, "logs")

# 1. FireHOL level1 lists 5.188.10.0/23; OpenSSH_2k.log (CRLF, no final newline)
#    has addresses in it. Find them independently: whole dotted quads.
ssh = os.path.join(logs, "loghub", "OpenSSH_2k.log")
want = set()
with open(ssh, "rb") as f:
    for n, line in enumerate(f.read().split(b"\n"), 1):
        for m in re.finditer(rb"(?<![0-9A-Za-z._])5\.188\.1[01]\.(\d{1,3})(?![0-9A-Za-z_]|\.[0-9A-Za-z])", line):
            if int(m.group(1)) <= 255:
                want.add((n, m.group(0).decode()))
rc, hits, err = hunt(["--intel", os.path.join(intel, "firehol_level1.netset"), ssh])
check(rc == 0, f"firehol over OpenSSH_2k.log exits 0 ({rc}: {err[:200]})")
got = {(h["line"], h["indicator"]) for h in hits if h["match"] == "5.188.10.0/23"}
check(len(want) > 40, f"OpenSSH_2k.log has {len(want)} addresses in 5.188.10.0/23 (independent count)")
check(got == want, f"hunt finds exactly those lines and addresses ({len(got)} vs {len(want)})")
check(all(h["source"] == "firehol_level1" and h["type"] == "cidr4" for h in hits if h["match"] == "5.188.10.0/23"),
      "hits name their source and type")
check(max(h["line"] for h in hits) <= 2000, "line numbers stay within the file's 2,000 lines")

# 2. Every file of the shared logs with all address feeds: the output is the
#    same for 1 and 2 threads and tiny chunks, and sorted by file and line
#    (special-purpose blocks hunted too, for more hits).
feeds = ["--hunt-special"]
for name in ("firehol_level1.netset", "spamhaus_drop.txt", "spamhaus_dropv6.txt", "spamhaus_edrop_2023.txt",
             "et_compromised-ips.txt", "feodotracker_ipblocklist.csv"):
    feeds += ["--intel", os.path.join(intel, name)]
rc1, h1, err1 = hunt(feeds + ["--threads", "1", logs])
env_chunk = dict(os.environ, CANHGAC_HUNT_CHUNK="333")
r2 = subprocess.run([BIN, "hunt", "--json", "--quiet", "--threads", "2"] + feeds + [logs], capture_output=True,
                    env=env_chunk, timeout=TIMEOUT)
h2 = [json.loads(x) for x in r2.stdout.decode().splitlines()]
check(rc1 == 0 and r2.returncode == 0, f"all feeds over all logs exit 0 ({rc1}, {r2.returncode}: {err1[:200]})")
check(h1 == h2 and len(h1) > 100, f"same {len(h1)} hits with 1 thread and with 2 threads and 333-byte chunks")
keys = [(h["file"], h["line"]) for h in h1]
check(keys == sorted(keys), "hits come in file and line order")

# 3. No Feodo address of the shared list appears anywhere in the shared logs as
#    text, so an exact hunt must find none of them.
with open(os.path.join(intel, "feodotracker_ipblocklist.csv")) as f:
    feodo = set(re.findall(r'"(\d+\.\d+\.\d+\.\d+)"', f.read()))
present = False
for root, _, files in os.walk(logs):
    for name in files:
        with open(os.path.join(root, name), "rb") as f:
            blob = f.read()
        present |= any(ip.encode() in blob for ip in feodo)
check(len(feodo) == 28 and not present, "the 28 Feodo addresses do not occur in the shared logs")
check(not any(h["source"] == "feodotracker_ipblocklist" for h in h1), "and the hunt finds none")

# 4. The fictional samples: the story of docs/ and samples/demo.sh.
samples = os.path.join(SRC, "samples")
if os.path.isdir(os.path.join(samples, "logs")) and os.path.isdir(os.path.join(samples, "intel")):
    args = []
    for name in sorted(os.listdir(os.path.join(samples, "intel"))):
        if name.endswith((".csv", ".txt", ".netset", ".json")):  # not README.md
            args += ["--intel", os.path.join("intel", name)]
    rc, hits, err = hunt(args + ["logs"], cwd=samples)
    check(rc == 0, f"samples hunt exits 0 ({rc}: {err[:300]})")
    found = {(h["indicator"], h["match"]) for h in hits}
    for ind, match in (("198.51.100.23", "198.51.100.23"), ("192.0.2.14", "192.0.2.0/25"),
                       ("www.c2.badupdate.example", "c2.badupdate.example"),
                       ("2001:db8:bad:0:0:0:0:66", "2001:db8:bad::/48"), ("198.51.100.150", "198.51.100.128/26"),
                       ("198.51.100.45", "198.51.100.45")):
        check((ind, match) in found, f"samples: {ind} hits {match}")
    inds = {h["indicator"] for h in hits}
    for decoy in ("198.51.100.230", "198.51.100.2", "198.51.100.233", "1198.51.100.23", "198.51.100.23.5",
                  "notbadupdate.example", "badupdate.example.org"):
        check(decoy not in inds, f"samples: decoy {decoy} is not a hit")
    check(any(h["file"].endswith(".gz") for h in hits), "samples: the gzip log is hunted")
else:
    print("# samples/ not present: sample checks skipped")

sys.exit(1 if failures else 0)
