#!/usr/bin/env python3
"""Text from input reaches the terminal escaped (issue 12 item 7): an event
whose Computer field holds a newline, a forged hit line and escape sequences
prints as one escaped line in `sigma hunt`; the same for log lines and file
names in `hunt`, `order add --ref` in `order status`, and error messages;
--json output keeps the exact text."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import SRC, check, finish, run, tmpdir  # noqa: E402

ESC = "\x1b"
tmp = tmpdir("esc")
db = os.path.join(tmp, "t.db")


def clean(text, what):
    """No control character but the line ends."""
    bad = [c for c in text if (ord(c) < 0x20 and c != "\n") or ord(c) == 0x7f or 0x80 <= ord(c) <= 0x9f]
    check(not bad, f"{what}: no raw control characters ({bad[:5]!r})")


# 1. sigma hunt: a forged line in the Computer field.
forged = "ws01.so-mau.example\n2026-01-01T00:00:00Z  critical  FORGED HIT  dc01" + ESC + "[2J" + ESC + "]0;pwned\x07"
ev = os.path.join(tmp, "ev.json")
with open(ev, "w") as f:
    f.write(json.dumps({"Event": {"System": {"EventID": 4624, "Channel": "Security", "Computer": forged}}}) + "\n")
rules = os.path.join(SRC, "tests", "integration", "sigma", "rules", "any_logon.yml")
rc, out, err = run(["sigma", "hunt", "-r", rules, ev])
check(rc == 0, f"sigma hunt ({rc}: {err.strip()[:200]})")
lines = out.splitlines()
check(len(lines) == 1, f"one hit, one line ({len(lines)}: {out!r})")
clean(out, "sigma hunt")
check("ws01.so-mau.example\\n2026-01-01T00:00:00Z  critical  FORGED HIT" in out and "\\e[2J" in out,
      "the field is shown escaped")
rc, out, err = run(["--json", "sigma", "hunt", "-r", rules, ev])
check(rc == 0 and json.loads(out.splitlines()[0])["computer"] == forged, "--json keeps the exact field")

# 2. hunt: a log line with escape sequences, a file name with a newline.
ioc = os.path.join(tmp, "ioc.txt")
with open(ioc, "w") as f:
    f.write("c2.so-mau.example\n")
logs = os.path.join(tmp, "logs")
os.mkdir(logs)
evil_name = "a.log\n" + "b.log:1: FORGED → c2.so-mau.example"
with open(os.path.join(logs, evil_name), "w") as f:
    f.write("query c2.so-mau.example from 10.0.0.1 " + ESC + "[2J" + ESC + "[1;1H\r over\n")
rc, out, err = run(["hunt", "--intel", ioc, logs])
hit_lines = [line for line in out.splitlines() if "c2.so-mau.example" in line and "→" in line]
check(rc == 0 and len(hit_lines) == 1, f"one hit line ({rc}: {out!r})")
clean(out, "hunt")
check("a.log\\nb.log:1: FORGED" in out, f"escaped file name ({out!r})")
rc, out, err = run(["--json", "hunt", "--intel", ioc, logs])
hits = [json.loads(line) for line in out.splitlines() if line.startswith("{") and '"line"' in line]
check(hits and hits[0]["file"].endswith(evil_name), "--json keeps the exact file name")

# 3. order add --ref with a newline and an escape sequence.
targets = os.path.join(tmp, "order.txt")
with open(targets, "w") as f:
    f.write("c2.so-mau.example\n")
ref = "123/QĐ\norder 999 (issued x): compliant" + ESC + "[31m"
rc, out, err = run(["order", "add", "--ref", ref, "--issued", "2026-11-30", "--deadline", "2026-12-02", targets], db)
check(rc == 0, f"order add ({rc}: {err.strip()[:200]})")
clean(out, "order add")
rc, out, err = run(["order", "status"], db)
clean(out, "order status")
check("123/QĐ\\norder 999" in out, f"the reference is escaped, Vietnamese kept ({out!r})")

# 4. Error messages quoting input stay one line.
rc, out, err = run(["block", "add", "bad\ntarget" + ESC + "[2J"], db)
check(rc != 0 and "bad\\ntarget\\e[2J" in err, f"error quoting input escaped ({err!r})")
clean(err, "error message")
finish()
