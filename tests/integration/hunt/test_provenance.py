#!/usr/bin/env python3
"""Provenance and special-purpose blocks on the real shared feeds and logs.

The six shared address feeds imported in one command become six sources, one
per file. A hunt of the shared logs labels every hit with exactly the lists
whose entries cover the address, and by default reports no hit in a
special-purpose block (private, loopback, "this network", multicast, ...);
with --hunt-special those hits come back. Expected sets are computed here,
independently: the feeds parsed with Python's ipaddress, the special blocks
from Python's own tables (ipaddress is_global/is_multicast/is_reserved), the
addresses of the logs found with a regular expression."""
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile

BIN = os.environ.get("CANHGAC_BIN")
DATA = os.environ.get("CANHGAC_SHARED_DATA", "")
if not BIN:
    print("SKIP: CANHGAC_BIN not set")
    sys.exit(77)
if not os.path.isdir(os.path.join(DATA, "intel")) or not os.path.isdir(os.path.join(DATA, "logs")):
    print("SKIP: ../shared/data not found (set CANHGAC_SHARED_DATA)")
    sys.exit(77)

FEEDS = ("feodotracker_ipblocklist.csv", "et_compromised-ips.txt", "spamhaus_drop.txt", "spamhaus_dropv6.txt",
         "spamhaus_edrop_2023.txt", "firehol_level1.netset")
INTEL = os.path.join(DATA, "intel")
LOGS = os.path.join(DATA, "logs")
failures = 0


def check(cond, what):
    global failures
    print(("ok" if cond else "not ok") + " - " + what)
    if not cond:
        failures += 1


def run(args, env):
    r = subprocess.run([BIN] + args, capture_output=True, env=env, timeout=600)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def feed_networks(name):
    """The networks of a feed file, parsed here: the first address-shaped
    token of each data line (Feodo: the quoted dst_ip column)."""
    nets = set()
    with open(os.path.join(INTEL, name), encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if name.startswith("feodo"):
                m = re.search(r'"(\d+\.\d+\.\d+\.\d+)"', line)
                tok = m.group(1) if m else None
            else:
                tok = re.split(r"[\s;]+", line)[0]
            if not tok:
                continue
            try:
                nets.add(ipaddress.ip_network(tok, strict=False))
            except ValueError:
                pass
    return nets


# Documentation blocks are hunted by default (they never occur in real
# traffic; samples use them for public addresses).
DOC = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32",
                                         "3fff::/20")]


def special(addr):
    """Is the address in a special-purpose block not hunted by default?"""
    if any(addr in d for d in DOC):
        return False
    return (not addr.is_global) or addr.is_multicast or addr.is_reserved or addr.is_unspecified


def check_canonical(h):
    """"address" is the RFC 5952 / dotted-quad form of what was written."""
    global failures
    w = h["indicator"]
    if re.fullmatch(r"[0-9.]+", w):
        want = ".".join(str(int(p)) for p in w.split("."))
    else:
        a = ipaddress.IPv6Address(w)
        want = str(a.ipv4_mapped) if a.ipv4_mapped else a.compressed
    if h["address"] != want:
        print(f"not ok - {w!r} shown as {h['address']!r}, expected {want!r}")
        failures += 1


def main():
    nets = {os.path.splitext(f)[0]: feed_networks(f) for f in FEEDS}
    index = [(n, src) for src, ns in nets.items() for n in ns]

    def sources_of(addr):
        return {src for n, src in index if n.version == addr.version and addr in n}

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, CANHGAC_DB=os.path.join(tmp, "t.db"), CANHGAC_NOW="1795996800")
        # 1. one command, six sources named after the files
        rc, out, err = run(["intel", "import", "--json"] + [os.path.join(INTEL, f) for f in FEEDS], env)
        check(rc == 0, f"six feeds import in one command ({rc}: {err[:300]})")
        rep = json.loads(out) if rc == 0 else {"files": []}
        got = {f["source"]: f for f in rep["files"]}
        check(set(got) == set(nets), f"six sources named after the files: {sorted(got)}")
        rc, out, err = run(["intel", "list", "--json"], env)
        listed = {s["name"]: s for s in json.loads(out)["sources"]} if rc == 0 else {}
        check(set(listed) == set(nets), f"intel list shows the six sources: {sorted(listed)}")
        for src, ns in nets.items():
            check(listed.get(src, {}).get("indicators") == len(ns),
                  f"{src}: {listed.get(src, {}).get('indicators')} indicators, {len(ns)} parsed here")
        # the summary counts the entries in special-purpose blocks
        for src, ns in nets.items():
            want = sum(1 for n in ns if special(n.network_address) or special(n.broadcast_address))
            have = got.get(src, {}).get("special", {}).get("indicators")
            # a block counted as documentation is special too (reported, hunted)
            doc = sum(1 for n in ns if any(n.overlaps(d) for d in DOC))
            check(have == want + doc, f"{src}: {have} entries reported in special-purpose blocks "
                                      f"({want} + {doc} documentation computed here)")
        check(got.get("firehol_level1", {}).get("special", {}).get("hunted") is False,
              "firehol_level1's special-purpose entries are not hunted by default")

        # 2. --source with several files is refused; two files with one name too
        rc, out, err = run(["intel", "import", "--source", "x", os.path.join(INTEL, FEEDS[0]),
                            os.path.join(INTEL, FEEDS[1])], env)
        check(rc == 2 and "--source" in err, f"--source with several files is a usage error ({rc}: {err[:200]})")
        dup = os.path.join(tmp, "d")
        os.mkdir(dup)
        with open(os.path.join(dup, "spamhaus_drop.txt"), "w") as f:
            f.write("198.51.100.0/24 ; SBL1\n")
        rc, out, err = run(["intel", "import", os.path.join(INTEL, "spamhaus_drop.txt"),
                            os.path.join(dup, "spamhaus_drop.txt")], env)
        check(rc == 2 and "spamhaus_drop" in err, f"two files named alike are refused ({rc}: {err[:200]})")

        # 3. the hunt: labels and the special-purpose policy
        rc, out, err = run(["hunt", "--json", "--quiet", "--no-store", LOGS], env)
        check(rc == 0, f"default hunt exits 0 ({rc}: {err[:200]})")
        default = [json.loads(x) for x in out.splitlines()]
        rc, out, err = run(["hunt", "--json", "--quiet", "--no-store", "--hunt-special", LOGS], env)
        check(rc == 0, f"--hunt-special hunt exits 0 ({rc}: {err[:200]})")
        everything = [json.loads(x) for x in out.splitlines()]

        def addr(h):
            # the indicator as written may be any spelling ("00.00.000.00",
            # "::ffff:192.168.1.1"); "address" is its canonical form
            check_canonical(h)
            return ipaddress.ip_address(h["address"])

        bad_labels = [h for h in everything if set(h["source"].split(",")) != sources_of(addr(h))]
        check(not bad_labels, f"--hunt-special: every hit names exactly the lists covering it "
                              f"({len(bad_labels)} wrong, e.g. {bad_labels[:1]})")
        bad_labels = [h for h in default if set(h["source"].split(",")) != sources_of(addr(h))]
        check(not bad_labels, f"default: every hit names exactly the lists covering it ({len(bad_labels)} wrong)")
        check(not any(special(addr(h)) for h in default), "default: no hit in a special-purpose block")
        key = lambda h: (h["file"], h["line"], h["indicator"])
        want = {key(h) for h in everything if not special(addr(h))}
        check({key(h) for h in default} == want,
              f"default hits = --hunt-special hits outside special blocks ({len(default)} vs {len(want)})")
        bogons = [h for h in everything if special(addr(h))]
        check(len(bogons) > 100, f"with --hunt-special the {len(bogons)} hits in special blocks come back")
        check(len(everything) == len(default) + len(bogons), "and nothing else changes")

        # 4. the addresses hunted are those of the logs: IPv4 dotted quads as
        #    whole tokens, covered by a list
        quad = re.compile(rb"(?<![0-9A-Za-z._])(\d{1,3}(?:\.\d{1,3}){3})(?![0-9A-Za-z_]|\.[0-9A-Za-z])")
        want4 = set()
        for root, _, files in os.walk(LOGS):
            for name in files:
                path = os.path.join(root, name)
                if name.endswith(".gz"):
                    continue
                with open(path, "rb") as f:
                    for n, line in enumerate(f.read().split(b"\n"), 1):
                        for m in quad.finditer(line):
                            try:
                                a = ipaddress.IPv4Address(m.group(1).decode())
                            except ValueError:
                                continue
                            if sources_of(a):
                                want4.add((path, n, str(a)))
        have4 = {(h["file"], h["line"], h["address"]) for h in everything if h["type"] in ("ipv4", "cidr4")
                 and not h["file"].endswith(".gz")}
        check(have4 == want4, f"IPv4 hits = listed dotted quads of the logs found here ({len(have4)} vs "
                              f"{len(want4)}; missing {sorted(want4 - have4)[:3]}, extra {sorted(have4 - want4)[:3]})")
        print(f"# hits: {len(default)} by default, {len(everything)} with --hunt-special")

        # 5. a source set to hunt special blocks brings its own back
        rc, out, err = run(["intel", "import", "--hunt-special", os.path.join(INTEL, "firehol_level1.netset")], env)
        check(rc == 0, f"re-import with --hunt-special ({rc}: {err[:200]})")
        rc, out, err = run(["hunt", "--json", "--quiet", "--no-store", LOGS], env)
        per_source = [json.loads(x) for x in out.splitlines()]
        check({key(h) for h in per_source} == {key(h) for h in everything},
              "a source imported with --hunt-special is hunted in special blocks by default")
        rc, out, err = run(["intel", "import", os.path.join(INTEL, "firehol_level1.netset")], env)
        rc, out, err = run(["hunt", "--json", "--quiet", "--no-store", LOGS], env)
        check(len(out.splitlines()) == len(per_source), "the setting stays on a re-import without the option")
        rc, out, err = run(["intel", "import", "--no-hunt-special", os.path.join(INTEL, "firehol_level1.netset")],
                           env)
        rc, out, err = run(["hunt", "--json", "--quiet", "--no-store", LOGS], env)
        check(len(out.splitlines()) == len(default), "--no-hunt-special turns it off again")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
