#!/usr/bin/env python3
"""The smaller items of issue 12 (item 8), each reproduced: block serials
repeat within one second; a gzip bomb held ~1 GB before refusal;
'*.w.example' blocked the apex; '01.2.3.4' read as 1.2.3.4 and '-dash.com'
accepted; MISP errors said line 0; a STIX '\\n' escape was read as 'n'; a
FIFO or /dev/zero given to `intel import` blocked forever. (HEAD's length is
in test_serve, the read-only database in test_db, JSON numbers in the vuln
test and the cg_num unit test.)"""
import gzip
import json
import os
import re
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from common import BIN, T0, check, finish, run, tmpdir  # noqa: E402

tmp = tmpdir("small")
db = os.path.join(tmp, "t.db")


def soa_serial(rpz):
    m = re.search(r"IN SOA \S+ \S+ (\d+) ", rpz)
    return int(m.group(1)) if m else None


# 1. Serials: two different lists within the same second get two serials.
rc, out, err = run(["block", "add", "a.so-mau.example"], db)
rc, rpz1, err = run(["block", "export", "-F", "rpz"], db)
rc, out, err = run(["block", "add", "b.so-mau.example"], db)  # same CANHGAC_NOW: same second
rc, rpz2, err = run(["block", "export", "-F", "rpz"], db)
s1, s2 = soa_serial(rpz1), soa_serial(rpz2)
check(rpz1 != rpz2 and s1 is not None and s2 is not None and s2 > s1,
      f"different lists in one second, different serials ({s1}, {s2})")
rc, rpz3, err = run(["block", "export", "-F", "rpz"], db, now=T0 + 5)
check(soa_serial(rpz3) == s2 and rpz3 == rpz2, "same lists later: same serial and bytes")
tool = subprocess.run(["sh", "-c", "command -v named-checkzone"], capture_output=True, text=True).stdout.strip()
if tool:
    zf = os.path.join(tmp, "z.rpz")
    open(zf, "w").write(rpz2)
    r = subprocess.run([tool, "rpz.canhgac", zf], capture_output=True, text=True)
    check(r.returncode == 0, f"named-checkzone takes the zone ({r.stdout.strip()})")

# 2. A gzip bomb: 2 MB of gzip holding 2 GiB of zeros (32 concatenated
# members, which gzip readers take as one stream), refused early.
member = gzip.compress(b"\0" * (64 << 20), 9)
bomb = os.path.join(tmp, "bomb.txt.gz")
with open(bomb, "wb") as f:
    for _ in range(32):
        f.write(member)
print(f"note: bomb of {os.path.getsize(bomb)} bytes")
probe = subprocess.run([sys.executable, "-c", """
import resource, subprocess, sys
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(p.stderr)
""", BIN, "--db", db, "intel", "import", "--source", "bomb", bomb], capture_output=True, text=True, timeout=300)
first, _, stderr = probe.stdout.partition("\n")
rc, maxrss_kb = (int(x) for x in first.split())
check(rc == 1 and "bomb" in stderr, f"gzip bomb refused ({rc}: {stderr.strip()[:200]})")
check(maxrss_kb < 256 * 1024, f"peak memory {maxrss_kb // 1024} MiB stays far below 1 GiB")
# A real compressed feed still imports.
feed = os.path.join(tmp, "feed.txt.gz")
with open(feed, "wb") as f:
    f.write(gzip.compress("".join(f"203.0.113.{i}\n" for i in range(1, 200)).encode()))
rc, out, err = run(["intel", "import", "--source", "gzfeed", feed], db)
check(rc == 0, f"a normal gzip feed imports ({err.strip()[:200]})")

# 3. '*.w.example' is refused, and the apex stays unblocked.
rc, out, err = run(["block", "add", "*.w.example"], db)
check(rc == 1 and "wildcard" in err, f"'*.w.example' refused ({err.strip()})")
rc, out, err = run(["block", "check", "w.example"], db)
check(rc == 1 and "BLOCKED" not in out, "w.example is not blocked")

# 4. Leading zeros and dashes.
for bad in ("01.2.3.4", "1.2.3.04", "-dash.com", "dash-.com"):
    rc, out, err = run(["block", "add", "--", bad], db)
    check(rc == 1 and bad in err, f"block add {bad} refused ({err.strip()})")
rc, out, err = run(["block", "check", "1.2.3.4"], db)
check(rc == 1, "1.2.3.4 was never blocked")
plain = os.path.join(tmp, "list.txt")
open(plain, "w").write("01.2.3.4\n198.51.100.9\n")
rc, out, err = run(["intel", "import", "--source", "zeros", plain], db)
check(rc == 1 and "01.2.3.4" in err, f"intel import refuses 01.2.3.4 ({err.strip()[:200]})")

# 5. MISP: errors name the line of the attribute, even without a uuid.
misp = os.path.join(tmp, "event.json")
text = ('{"Event": {"info": "test", "date": "2026-11-01",\n'
        '  "Attribute": [\n'
        '    {"type": "ip-dst", "value": "198.51.100.9"},\n'
        '    {"type": "domain", "value": "-bad.so-mau.example"},\n'
        '    {"type": "ip-dst",\n'
        '     "value": "300.1.2.3"}\n'
        '  ]}}\n')
open(misp, "w").write(text)
lines = text.split("\n")
want = {v: next(i + 1 for i, line in enumerate(lines) if v in line) for v in ("-bad.so-mau.example", "300.1.2.3")}
rc, out, err = run(["intel", "import", "--source", "misp", "--format", "misp", misp], db)
for v, n in want.items():
    check(f"event.json:{n}:" in err and v in err, f"MISP error for {v} names line {n} ({err.strip()[:300]})")
check(":0:" not in err, "no line 0")

# 6. STIX: a '\\n' escape is not read as 'n'.
stix = os.path.join(tmp, "bundle.json")
ind = {"type": "indicator", "spec_version": "2.1", "created": "2026-11-01T00:00:00Z",
       "modified": "2026-11-01T00:00:00Z", "pattern_type": "stix", "valid_from": "2026-11-01T00:00:00Z"}
json.dump({"type": "bundle", "id": "bundle--1", "objects": [
    dict(ind, id="indicator--a1", pattern="[domain-name:value = 'evil\\n.so-mau.example']"),
    dict(ind, id="indicator--a2", pattern="[domain-name:value = 'ok.so-mau.example']"),
    dict(ind, id="indicator--a3", pattern="[url:value = 'http://x.so-mau.example/it\\'s\\\\a']")]}, open(stix, "w"))
rc, out, err = run(["intel", "import", "--source", "stix", "--skip-bad", stix], db)
check("escape" in err and "indicator--a1" in err, f"the \\n escape is reported ({err.strip()[:300]})")
rc, out, err = run(["--json", "intel", "list", "stix"], db)
values = [i["value"] for i in json.loads(out)["indicators"]] if rc == 0 else []
check("eviln.so-mau.example" not in values and "ok.so-mau.example" in values, f"imported: {values}")
check("http://x.so-mau.example/it's\\a" in values, f"the \\' and \\\\ escapes are read ({values})")

# 7. A FIFO or /dev/zero given to intel import: refused at once.
fifo = os.path.join(tmp, "fifo")
os.mkfifo(fifo)
for special in (fifo, "/dev/zero"):
    rc, out, err = run(["intel", "import", "--source", "sp", special], db, timeout=30)
    check(rc == 1 and "not a regular file" in err, f"intel import {special} refused ({rc}: {err.strip()})")
finish()
