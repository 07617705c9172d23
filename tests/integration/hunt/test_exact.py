#!/usr/bin/env python3
"""Exactness of `canhgac hunt`: generate a log corpus with a known answer and
require precision = recall = 1.0 for several thread counts and chunk sizes.

The corpus mixes sshd, iptables/UFW, Apache, Cisco ASA, CEF and dnsmasq lines.
Into each line go listed addresses, addresses inside (nested) listed CIDRs,
random addresses, near-miss decoys (a digit before or after, ".5" appended,
letters adjacent), IPv6 in many spellings (compressed, full with leading
zeros, upper case, [v6]:port, %zone, IPv4-mapped), sub-domains and look-alike
domains, hashes alone and inside longer hex, listed URLs and near misses.

The expected hits come from an independent oracle (Python's ipaddress module
and plain suffix checks) applied to the token each piece of text is, by the
boundary rules of canhgac-hunt(1)."""
import gzip
import ipaddress
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

# A missing binary fails (cgtest), it is never a skip.
from cgtest import BIN, PINNED, TIMEOUT  # noqa: E402

rng = random.Random(20261125)
LINES_PER_FILE = int(os.environ.get("HUNT_EXACT_LINES", "12000"))


# ---------------------------------------------------------------- the lists
def rand_v4():
    return ipaddress.IPv4Address(rng.getrandbits(32))


v4_nets = set()
v4_single = set()
# Nested chains: /8 > /16 > /24 > /25 > /32 and their neighbours.
for first in (10, 100, 172):
    a = ipaddress.IPv4Network(f"{first}.{rng.randrange(256)}.0.0/16")
    b = ipaddress.IPv4Network(f"{a.network_address + rng.randrange(256) * 256}/24")
    c = ipaddress.IPv4Network(f"{b.network_address + 128}/25")
    v4_nets.update({a, b, c})
    v4_single.add(c.network_address + rng.randrange(1, 127))
v4_nets.add(ipaddress.IPv4Network("192.0.2.0/25"))
v4_nets.add(ipaddress.IPv4Network("198.51.100.128/26"))
for _ in range(200):
    plen = rng.choice([12, 16, 20, 22, 24, 24, 26, 28, 30])
    v4_nets.add(ipaddress.IPv4Network(f"{rand_v4()}/{plen}", strict=False))
for _ in range(3000):
    v4_single.add(rand_v4())
v4_single.update(ipaddress.IPv4Address(x) for x in ("198.51.100.23", "198.51.100.45", "1.2.3.4", "203.0.113.25"))

v6_nets = {ipaddress.IPv6Network("2001:db8:bad::/48"), ipaddress.IPv6Network("2001:db8:bad:1::/64"),
           ipaddress.IPv6Network("2001:db8:77::/56")}
v6_single = {ipaddress.IPv6Address("2001:db8:bad:1::66"), ipaddress.IPv6Address("2001:db8:77::15"),
             ipaddress.IPv6Address("2001:db8::1")}
for _ in range(300):
    v6_single.add(ipaddress.IPv6Address((0x20010db8 << 96) | rng.getrandbits(96)))

domains = {"evil.example", "c2.badupdate.example", "login-verify.example", "x.y.cdn-sync.example"}
hashes = set()
for n in (32, 40, 64, 128):
    for _ in range(20):
        hashes.add("".join(rng.choice("0123456789abcdef") for _ in range(n)))
urls = {"http://dl.badupdate.example/payload.bin", "https://files.evil-cdn.example/a/b.exe"}

V4_BY_LEN = {}
for n in v4_nets:
    V4_BY_LEN.setdefault(n.prefixlen, {})[int(n.network_address)] = str(n)
for a in v4_single:
    V4_BY_LEN.setdefault(32, {})[int(a)] = str(a)
V6_BY_LEN = {}
for n in v6_nets:
    V6_BY_LEN.setdefault(n.prefixlen, {})[int(n.network_address)] = str(n)
for a in v6_single:
    V6_BY_LEN.setdefault(128, {})[int(a)] = str(a)


# ---------------------------------------------------------------- the oracle
def lpm(by_len, bits, value):
    for plen in sorted(by_len, reverse=True):
        key = value & (((1 << plen) - 1) << (bits - plen)) if plen else 0
        if key in by_len[plen]:
            return by_len[plen][key]
    return None


def oracle(kind, tok):
    """The list entry a token matches, or None."""
    if kind == "v4":
        # Octets are decimal; a leading zero does not make them octal.
        o = [int(x) for x in tok.split(".")]
        return lpm(V4_BY_LEN, 32, o[0] << 24 | o[1] << 16 | o[2] << 8 | o[3])
    if kind == "v6":
        a = ipaddress.IPv6Address(tok)
        if a.ipv4_mapped:
            return lpm(V4_BY_LEN, 32, int(a.ipv4_mapped))
        return lpm(V6_BY_LEN, 128, int(a))
    if kind == "dom":
        d = tok.lower().rstrip(".")
        labels = d.split(".")
        for i in range(len(labels) - 1):
            if ".".join(labels[i:]) in domains:
                return ".".join(labels[i:])
        return None
    if kind == "hash":
        return tok.lower() if tok.lower() in hashes else None
    if kind == "url":
        return tok if tok in urls else None
    raise ValueError(kind)


# ---------------------------------------------------------------- pieces
# A piece is (text, [(kind, token)]): the bytes put into the line and the
# tokens the documented boundary rules make of them.
def v4_in(net):
    return net.network_address + rng.randrange(net.num_addresses)


def pick_v4():
    r = rng.random()
    if r < 0.25:
        return rng.choice(SINGLES4)
    if r < 0.6:
        return v4_in(rng.choice(NETS4))
    return rand_v4()


SINGLES4 = sorted(v4_single)
NETS4 = sorted(v4_nets)
SINGLES6 = sorted(v6_single)
NETS6 = sorted(v6_nets)


def valid_quad(s):
    parts = s.split(".")
    return len(parts) == 4 and all(p.isdigit() and 1 <= len(p) <= 3 and int(p) <= 255 for p in parts)


def addr_piece():
    """An IPv4 address as a token, or a near-miss decoy."""
    a = str(pick_v4())
    r = rng.random()
    if r < 0.6:
        return a, [("v4", a)]
    if r < 0.7:  # a digit before
        t = str(rng.randrange(1, 10)) + a
        return t, [("v4", t)] if valid_quad(t) else []
    if r < 0.8:  # a digit after
        t = a + str(rng.randrange(10))
        return t, [("v4", t)] if valid_quad(t) else []
    if r < 0.87:  # a fifth part
        return a + ".5", []
    if r < 0.94:  # a letter before: one word, no address, no domain (top label is digits)
        return "a" + a, []
    # a trailing letter makes a domain-shaped word
    return a + "x", [("dom", a + "x")]


def v6_text(a):
    """One of the textual forms of an IPv6 address."""
    r = rng.random()
    if r < 0.35:
        return a.compressed
    if r < 0.55:
        return a.exploded
    if r < 0.7:
        return a.compressed.upper()
    if r < 0.85:
        # groups without leading zeros, nothing compressed
        return ":".join(format(int(g, 16), "x") for g in a.exploded.split(":"))
    return a.exploded.upper()


def v6_piece():
    r = rng.random()
    if r < 0.3:
        a = rng.choice(SINGLES6)
    elif r < 0.75:
        n = rng.choice(NETS6)
        a = n.network_address + rng.randrange(min(n.num_addresses, 1 << 64))
    elif r < 0.85:
        v4 = pick_v4()
        t = "::ffff:" + str(v4)
        return t, [("v6", t)]
    else:
        a = ipaddress.IPv6Address((0x20010db8 << 96) | rng.getrandbits(96))
    t = v6_text(a)
    shape = rng.random()
    if shape < 0.2:
        return f"[{t}]:{rng.randrange(1, 65536)}", [("v6", t)]
    if shape < 0.3:
        return f"{t}%eth{rng.randrange(4)}", [("v6", t)]
    if shape < 0.35:
        return "x" + t, []  # a letter glued on: not an address
    return t, [("v6", t)]


def domain_piece():
    base = rng.choice(sorted(domains) + ["so-mau.example", "example.org", "badupdate.example"])
    r = rng.random()
    if r < 0.3:
        t = base
    elif r < 0.55:
        t = rng.choice(["www", "a.b", "mail", "x1"]) + "." + base
    elif r < 0.65:
        t = ("SUB." + base).upper()
        return t + ".", [("dom", t)]
    elif r < 0.8:
        t = "not" + base
    else:
        t = base + ".org"
    return t, [("dom", t)]


def hash_piece():
    h = rng.choice(sorted(hashes))
    r = rng.random()
    if r < 0.5:
        t = h if rng.random() < 0.7 else h.upper()
        return t, [("hash", t)]
    if r < 0.7 and len(h) == 32:  # an MD5 inside a 64-hex word is a SHA-256 shape
        t = h + "".join(rng.choice("0123456789abcdef") for _ in range(32))
        return t, [("hash", t)]
    if r < 0.85:
        return h + "g", []  # not hex
    t = h + "0"
    return t, []  # 33/41/65/129 hex digits: no hash


def url_piece():
    u = rng.choice(sorted(urls))
    host = u.split("/")[2]
    path_words = [w for w in u.split("/")[3:] if "." in w]
    toks = [("dom", host)] + [("dom", w) for w in path_words]
    r = rng.random()
    if r < 0.5:
        return u, [("url", u)] + toks
    if r < 0.7:
        scheme, rest = u.split("://", 1)
        h, p = rest.split("/", 1)
        t = scheme.upper() + "://" + h.upper() + "/" + p
        return t, [("url_ci", t, u), ("dom", h.upper())] + [("dom", w) for w in path_words]
    if r < 0.85:
        t = u + ".exe"
        return t, [("dom", host)] + [("dom", w + ".exe") for w in path_words[-1:]] + [("dom", w) for w in path_words[:-1]]
    return u + "?q=1", [("url", u), ("dom", host)] + [("dom", w) for w in path_words]


HOSTS = ["web01.so-mau.example", "mail01.so-mau.example", "fw01.so-mau.example", "dc01.so-mau.example"]


def host_piece():
    h = rng.choice(HOSTS)
    return h, [("dom", h)]


def line_of(shape):
    """Returns (text, tokens)."""
    P = []  # list of str or piece tuples

    def t(s):
        P.append((s, []))

    def p(piece):
        P.append(piece)

    ts = f"Nov {rng.randrange(1, 29):2d} {rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d} "
    if shape == "sshd":
        t(ts); p(host_piece()); t(f" sshd[{rng.randrange(100, 99999)}]: Failed password for root from ")
        p(addr_piece()); t(f" port {rng.randrange(1024, 65535)} ssh2")
    elif shape == "ufw":
        t(ts); p(host_piece()); t(" kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00:16:3e:aa:bb:cc:00:16:3e:dd:ee:ff:08:00 SRC=")
        p(addr_piece()); t(" DST="); p(addr_piece() if rng.random() < 0.8 else v6_piece())
        t(f" LEN=60 TOS=0x00 TTL=52 PROTO=TCP SPT={rng.randrange(65536)} DPT=22 WINDOW=29200 RES=0x00 SYN URGP=0")
    elif shape == "apache":
        t("("); p(addr_piece()); t(") - - [06/Nov/2026:11:32:42 +0700] \"GET ")
        if rng.random() < 0.3:
            p(url_piece())
        else:
            t("/index.php?id=1")
        t(" HTTP/1.1\" 200 5120 \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\" ref=")
        p(domain_piece())
    elif shape == "asa":
        t("Nov 06 2026 11:32:42: %ASA-4-106023: Deny tcp src outside:"); p(addr_piece())
        t(f"/{rng.randrange(65536)} dst inside:"); p(addr_piece()); t(f"/443 by access-group \"OUTSIDE_IN\" [0x0, 0x0]")
    elif shape == "cef":
        t("CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|10|src="); p(addr_piece())
        t(" dst="); p(v6_piece() if rng.random() < 0.5 else addr_piece()); t(" spt=1232 fileHash=")
        p(hash_piece()); t(" msg=")
        p(domain_piece())
    elif shape == "dns":
        t(ts); p(host_piece()); t(" dnsmasq[812]: query[A] "); p(domain_piece()); t(" from ")
        p(addr_piece()); t(", md5="); p(hash_piece())
    elif shape == "mixed":
        t("list: "); p(addr_piece()); t(","); p(v6_piece()); t(";"); p(addr_piece()); t(" (")
        p(addr_piece()); t(") ")
        p(addr_piece()); t(":22 ")
    text = "".join(x[0] for x in P)
    toks = [tok for x in P for tok in x[1]]
    return text, toks


SHAPES = ["sshd", "ufw", "apache", "asa", "cef", "dns", "mixed"]


def expected_hits(text, toks):
    out = set()
    for tok in toks:
        if tok[0] == "url_ci":
            out.add((tok[1], tok[2]))
            continue
        m = oracle(tok[0], tok[1])
        if m is not None:
            out.add((tok[1], m))
    return out


# ---------------------------------------------------------------- write it all
def main():
    tmp = tempfile.mkdtemp(prefix="canhgac-hunt-exact-")
    try:
        intel = os.path.join(tmp, "list.txt")
        with open(intel, "w") as f:
            for x in sorted(str(a) for a in v4_single) + sorted(str(n) for n in v4_nets):
                f.write(x + "\n")
            for x in sorted(str(a) for a in v6_single) + sorted(str(n) for n in v6_nets):
                f.write(x + "\n")
            for x in sorted(domains) + sorted(hashes) + sorted(urls):
                f.write(x + "\n")
        logs = os.path.join(tmp, "logs")
        os.makedirs(os.path.join(logs, "sub"))
        truth = set()
        layout = [("a-auth.log", "lf"), ("b-fw.log", "crlf"), ("sub/c-web.log.gz", "gz"), ("d-mixed.log", "nofinal")]
        for name, style in layout:
            path = os.path.join(logs, name)
            lines = []
            for i in range(LINES_PER_FILE):
                text, toks = line_of(rng.choice(SHAPES))
                lines.append(text)
                for ind, m in expected_hits(text, toks):
                    truth.add((path, i + 1, ind, m))
            nl = "\r\n" if style == "crlf" else "\n"
            data = nl.join(lines) + ("" if style == "nofinal" else nl)
            if style == "gz":
                with gzip.open(path, "wb") as g:
                    g.write(data.encode())
            else:
                with open(path, "wb") as f:
                    f.write(data.encode())
        print(f"# corpus: {len(layout) * LINES_PER_FILE} lines, {len(truth)} expected hits")
        kinds = {}
        for (_, _, ind, m) in truth:
            k = "url" if "://" in m else "v6" if ":" in m else "cidr4" if "/" in m else "dom" if m in domains else "hash" if m in hashes else "v4"
            kinds[k] = kinds.get(k, 0) + 1
        print("# expected by kind:", json.dumps(kinds, sort_keys=True))
        assert all(kinds.get(k, 0) > 50 for k in ("v4", "cidr4", "v6", "dom", "hash", "url")), kinds

        runs = [("1", None), ("2", None), ("2", "1"), ("3", "4096"), ("4", "100000"), ("1", "777")]
        reference = None
        failed = False
        for threads, chunk in runs:
            env = dict(os.environ, **PINNED)
            # Syslog stamps have no year: the year is inferred from "now", so
            # runs seconds apart could date a line differently. Pin the clock.
            env["CANHGAC_NOW"] = "1795996800"
            env.pop("CANHGAC_HUNT_CHUNK", None)
            if chunk:
                env["CANHGAC_HUNT_CHUNK"] = chunk
            # Exactness over the whole address space, special-purpose blocks
            # included (their policy is tested in test_provenance.py).
            r = subprocess.run([BIN, "hunt", "--json", "--quiet", "--hunt-special", "--threads", threads,
                                "--intel", intel, logs],
                               capture_output=True, env=env, timeout=TIMEOUT)
            if r.returncode != 0:
                print(f"not ok: threads={threads} chunk={chunk}: exit {r.returncode}: {r.stderr.decode()[:500]}")
                failed = True
                continue
            got = set()
            order = []
            for line in r.stdout.decode().splitlines():
                o = json.loads(line)
                got.add((o["file"], o["line"], o["indicator"], o["match"]))
                order.append((o["file"], o["line"]))
            tp = len(got & truth)
            precision = tp / len(got) if got else 0.0
            recall = tp / len(truth) if truth else 0.0
            print(f"# threads={threads} chunk={chunk or 'default'}: {len(got)} hits, precision={precision:.6f} recall={recall:.6f}")
            if precision != 1.0 or recall != 1.0:
                for x in sorted(got - truth)[:10]:
                    print("#   unexpected:", x)
                for x in sorted(truth - got)[:10]:
                    print("#   missed:", x)
                failed = True
            if order != sorted(order, key=lambda x: (x[0], x[1])):
                print("not ok: output not in file and line order")
                failed = True
            if reference is None:
                reference = r.stdout
            elif r.stdout != reference:
                print(f"not ok: output with threads={threads} chunk={chunk} differs from the first run")
                failed = True
        if failed:
            sys.exit(1)
        print("ok: precision = recall = 1.0 for every thread count and chunk size; output identical")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
