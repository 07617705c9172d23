#!/usr/bin/env python3
"""Sigma correlations through the real binary against a model of the Sigma
Correlation Rules Specification written here, independently of the engine.

Events are generated (JSON with ISO times and UTC offsets, zone-less UTC
SystemTime,
RFC 3164 syslog without a year across midnight and New Year), shuffled and
split over several files of one directory, so the engine must judge on event
time, not on arrival. Every condition form, generate, nested correlations,
multi-field group-by (with values built to collide under naive joining) and
1 M distinct group keys with bounded memory.

Window semantics modelled (documented in src/sigma/sigma_corr.h):
  - lower bounds only (gt/gte, temporal default): sliding window of
    `timespan` ending at each hit; fire when the condition holds, then the
    group starts afresh;
  - with an upper bound (lt/lte/eq/range): a window opens at a group's first
    hit t0, holds the hits up to t0+timespan and is judged once when it closes.
"""
import calendar
import json
import os
import random
import resource
import subprocess
import sys
import tempfile

BIN = os.environ["CANHGAC_BIN"]
VN = 7 * 3600  # zone-less stamps are Asia/Ho_Chi_Minh
NOW = calendar.timegm((2027, 1, 1, 5, 0, 0)) - VN  # 2027-01-01 05:00 +07:00
failures = []
# The sanitizer build runs several times slower: smaller sizes there.
with open(BIN, "rb") as _f:
    SANITIZED = b"__asan_init" in _f.read()


def check(cond, msg):
    if not cond:
        failures.append(msg)


def run(args, stdin=None):
    env = dict(os.environ, LANGUAGE="en", LC_ALL="C.UTF-8", CANHGAC_NOW=str(NOW))
    env.pop("CANHGAC_DB", None)
    return subprocess.run([BIN, "sigma", "hunt", "--json", *args], capture_output=True, text=True, env=env,
                          timeout=900, input=stdin)


# ---------- time formats (the model's own parsing) ----------
def iso(t, style):
    """Event time t (UTC seconds) written in one of several ISO shapes."""
    if style == "Z":
        return "%04d-%02d-%02dT%02d:%02d:%02dZ" % tuple(__import__("time").gmtime(t)[:6])
    if style == "+07":
        return "%04d-%02d-%02dT%02d:%02d:%02d+07:00" % tuple(__import__("time").gmtime(t + VN)[:6])
    if style == "-0530":
        return "%04d-%02d-%02dT%02d:%02d:%02d.250-05:30" % tuple(__import__("time").gmtime(t - 19800)[:6])
    # zone-less: an EVTX SystemTime (the field these events carry) is UTC
    # (cg_event.h); zone-less syslog stamps are +07:00, tested below
    return "%04d-%02d-%02d %02d:%02d:%02d" % tuple(__import__("time").gmtime(t)[:6])


MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def rfc3164(t):
    g = __import__("time").gmtime(t + VN)
    return "%s %2d %02d:%02d:%02d" % (MONTHS[g.tm_mon - 1], g.tm_mday, g.tm_hour, g.tm_min, g.tm_sec)


# ---------- rules ----------
BASE = """title: Failed logon
id: 10000000-0000-4000-8000-000000000001
name: fail
logsource: {product: windows, service: security}
detection:
    sel: {EventID: 4625}
    condition: sel
level: low
---
title: Successful logon
id: 10000000-0000-4000-8000-000000000002
name: ok
logsource: {product: windows, service: security}
detection:
    sel: {EventID: 4624}
    condition: sel
level: low
---
title: Process created
id: 10000000-0000-4000-8000-000000000003
name: proc
logsource: {product: windows, service: security}
detection:
    sel: {EventID: 4688}
    condition: sel
level: low
"""
EID = {"fail": 4625, "ok": 4624, "proc": 4688}


def corr_rule(title, ctype, rules, group_by, timespan, cond=None, field=None, generate=None, name=None, cid="9"):
    y = f"---\ntitle: {title}\nid: 20000000-0000-4000-8000-00000000000{cid}\n"
    if name:
        y += f"name: {name}\n"
    y += f"correlation:\n    type: {ctype}\n    rules: [{', '.join(rules)}]\n"
    y += f"    group-by: [{', '.join(group_by)}]\n    timespan: {timespan}s\n"
    if cond is not None or field:
        y += "    condition:\n"
        if field:
            y += f"        field: {field}\n"
        for k, v in (cond or {}).items():
            y += f"        {k}: {v}\n"
    if generate is not None:
        y += f"    generate: {'true' if generate else 'false'}\n"
    return y + "level: high\n"


# ---------- the model ----------
def cond_ok(cond, n):
    return all({"gt": n > v, "gte": n >= v, "lt": n < v, "lte": n <= v, "eq": n == v}[k] for k, v in cond.items())


def prefix_in_order(hits, refs):
    k = 0
    for h in hits:
        if k < len(refs) and h["rule"] == refs[k]:
            k += 1
    return k


def measure(c, hits):
    if c["type"] == "event_count":
        return len(hits)
    if c["type"] == "value_count":
        return len({h["ev"][c["field"]] for h in hits})
    if c["type"] == "temporal":
        return len({h["rule"] for h in hits} & set(c["rules"]))
    return prefix_in_order(hits, c["rules"])


def model(c, hits):
    """hits: dicts {t, seq, rule, ev}; returns fires (group, count, last) and, for
    nested use, the hits they become."""
    cond = c["cond"] if c["cond"] is not None else {"gte": len(c["rules"])}
    upper = any(k in cond for k in ("lt", "lte", "eq"))
    span = c["span"]
    groups, fires = {}, []
    for h in sorted(hits, key=lambda h: (h["t"], h["seq"])):
        if c["type"] == "value_count" and c["field"] not in h["ev"]:
            continue
        key = tuple(h["ev"].get(f) for f in c["group_by"])
        if not upper:
            w = [x for x in groups.get(key, []) if x["t"] >= h["t"] - span] + [h]
            n = measure(c, w)
            if cond_ok(cond, n):
                fires.append({"key": key, "count": n, "last": h["t"], "hit": h})
                w = []
            groups[key] = w
        else:
            w = groups.get(key)
            if w and h["t"] > w[0]["t"] + span:
                n = measure(c, w)
                if cond_ok(cond, n):
                    fires.append({"key": key, "count": n, "last": max(x["t"] for x in w), "hit": w[-1]})
                w = None
            groups[key] = (w or []) + [h]
    if upper:
        for key, w in groups.items():
            n = measure(c, w)
            if w and cond_ok(cond, n):
                fires.append({"key": key, "count": n, "last": max(x["t"] for x in w), "hit": w[-1]})
    return fires


def group_text(c, key):
    return ", ".join(f"{f}={'' if v is None else v}" for f, v in zip(c["group_by"], key))


# ---------- data ----------
rng = random.Random(20261206)
START = calendar.timegm((2026, 12, 31, 16, 30, 0))  # 23:30 +07:00 on New Year's Eve
USERS = ["an", "binh", "chi", "x, IpAddress=y", "x"]
IPS = ["10.0.0.1", "10.0.0.2", "z", "y, IpAddress=z"]
events = []
used = set()
for i in range(1500):
    while True:  # distinct times: ties would only test the arrival order
        t = START + int(rng.expovariate(1 / 4.0) * 0 + rng.randrange(0, 3 * 3600))
        if t not in used:
            used.add(t)
            break
    rule = rng.choice(["fail", "fail", "fail", "ok", "proc"])
    events.append({"t": t, "rule": rule, "ev": {
        "TargetUserName": rng.choice(USERS[:3]), "IpAddress": rng.choice(IPS[:2]),
        "WorkstationName": "ws%d" % rng.randrange(6)}})
# bursts so that windows fill
for b in range(40):
    base = START + rng.randrange(0, 3 * 3600)
    u, ip = rng.choice(USERS[:3]), rng.choice(IPS[:2])
    for k in range(rng.randrange(2, 7)):
        t = base + k * rng.randrange(1, 40)
        while t in used:
            t += 1
        used.add(t)
        events.append({"t": t, "rule": rng.choice(["fail", "fail", "ok", "proc"]), "ev": {
            "TargetUserName": u, "IpAddress": ip, "WorkstationName": "ws%d" % rng.randrange(6)}})
# sparse groups, so that windows with few hits (lt, lte, eq, ranges) occur
for k in range(120):
    u = "rare%03d" % k
    base = START + rng.randrange(0, 3 * 3600)
    for j in range(rng.randrange(1, 6)):
        t = base + rng.randrange(0, 1500)
        while t in used:
            t += 1
        used.add(t)
        events.append({"t": t, "rule": rng.choice(["fail", "fail", "ok", "proc"]), "ev": {
            "TargetUserName": u, "IpAddress": "10.0.1.%d" % (k % 3), "WorkstationName": "ws%d" % rng.randrange(4)}})
# values that collide when keys are joined naively: (x, IpAddress=y | z) vs (x | y, IpAddress=z)
for k, (u, ip) in enumerate([("x, IpAddress=y", "z"), ("x", "y, IpAddress=z")]):
    t = START + 5000 + k
    used.add(t)
    events.append({"t": t, "rule": "fail", "ev": {"TargetUserName": u, "IpAddress": ip, "WorkstationName": "ws0"}})
# the pair: 11:00+07:00 comes before 04:00:30Z
t1 = calendar.timegm((2026, 12, 31, 4, 0, 0))
events.append({"t": t1, "rule": "fail", "ev": {"TargetUserName": "dung", "IpAddress": "10.0.0.9", "WorkstationName": "w"},
               "style": "+07"})
events.append({"t": t1 + 30, "rule": "ok", "ev": {"TargetUserName": "dung", "IpAddress": "10.0.0.9", "WorkstationName": "w"},
               "style": "Z"})

rng.shuffle(events)
tmp = tempfile.mkdtemp(prefix="canhgac-corr-")
ddir = os.path.join(tmp, "logs")
os.mkdir(ddir)
paths = [os.path.join(ddir, n) for n in ("a.json", "b.json", "c.json")]
outs = [open(p, "w") for p in paths]
per_file = [[], [], []]
for e in events:
    per_file[rng.randrange(3)].append(e)
seq = 0
for fi, lst in enumerate(per_file):  # arrival order: files by name, lines in order
    for e in lst:
        e["seq"] = seq
        seq += 1
        style = e.get("style") or rng.choice(["Z", "+07", "-0530", "none"])
        obj = dict(e["ev"], Channel="Security", Provider_Name="Microsoft-Windows-Security-Auditing",
                   EventID=EID[e["rule"]], Computer="dc1.so-mau.example", TimeCreated_SystemTime=iso(e["t"], style))
        outs[fi].write(json.dumps(obj) + "\n")
for o in outs:
    o.close()


def hunt(rules_text, inputs, extra=()):
    rp = os.path.join(tmp, "rules.yml")
    with open(rp, "w") as f:
        f.write(rules_text)
    r = run(["--rules", rp, *extra, *inputs])
    lines = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    return r, [x for x in lines if x["type"] == "correlation"], [x for x in lines if x["type"] == "hit"]


def compare(name, c, got, want):
    g = sorted((x["group"], x["count"], x["time"]) for x in got if x["title"] == c["title"])
    w = sorted((group_text(c, f["key"]), f["count"], f["last"]) for f in want)
    check(g == w, f"{name}: {len(g)} fires, model {len(w)}; first difference: "
          f"{next(((a, b) for a, b in zip(g, w) if a != b), (g[len(w):len(w)+1], w[len(g):len(g)+1]))}")
    for x in got:
        check(not x["first"].startswith("1969") and not x["timestamp"].startswith("1969"), f"{name}: 1969 in {x}")
    return len(w)


def base_hits(names):
    return [dict(e, rule=e["rule"]) for e in events if e["rule"] in names]


GB2 = ["TargetUserName", "IpAddress"]
scenarios = [
    ("event_count gte", "event_count", ["fail"], GB2, 600, {"gte": 3}, None),
    ("event_count gt", "event_count", ["fail"], GB2, 600, {"gt": 2}, None),
    ("event_count lt", "event_count", ["fail"], GB2, 600, {"lt": 3}, None),
    ("event_count lte", "event_count", ["fail"], GB2, 900, {"lte": 2}, None),
    ("event_count eq", "event_count", ["fail"], GB2, 600, {"eq": 2}, None),
    ("event_count range", "event_count", ["fail"], ["TargetUserName"], 1200, {"gt": 1, "lte": 3}, None),
    ("event_count collide", "event_count", ["fail"], GB2, 60, {"gte": 2}, None),
    ("value_count gte", "value_count", ["fail", "ok"], ["TargetUserName"], 900, {"gte": 3}, "WorkstationName"),
    ("value_count range", "value_count", ["fail"], GB2, 1800, {"gte": 2, "lt": 4}, "WorkstationName"),
    ("temporal", "temporal", ["fail", "ok", "proc"], ["TargetUserName"], 300, None, None),
    ("temporal lte", "temporal", ["fail", "ok", "proc"], GB2, 300, {"lte": 2}, None),
    ("temporal_ordered", "temporal_ordered", ["fail", "ok"], GB2, 120, None, None),
    ("temporal_ordered 3", "temporal_ordered", ["fail", "proc", "ok"], ["TargetUserName"], 900, None, None),
]
total_fires = 0
for name, ctype, refs, gb, span, cond, field in scenarios:
    c = {"title": name, "type": ctype, "rules": refs, "group_by": gb, "span": span, "cond": cond, "field": field}
    r, got, hits = hunt(BASE + corr_rule(name, ctype, refs, gb, span, cond, field), [ddir])
    check(r.returncode == 0, f"{name}: exit {r.returncode}: {r.stderr[-400:]}")
    ref_titles = {"fail": "Failed logon", "ok": "Successful logon", "proc": "Process created"}
    check(not [h for h in hits if h["title"] in {ref_titles[x] for x in refs}],
          f"{name}: referenced rules printed hits without generate: true")
    want = model(c, base_hits(refs))
    check(len(want) > 0, f"{name}: the data gives the model no fire to compare")
    total_fires += compare(name, c, got, want)
    print(f"  {name}: {len(got)} fires, model {len(want)}")
print(f"condition forms: {len(scenarios)} scenarios, {total_fires} fires compared with the model")

# The collision pair must not be one group.
c = {"title": "event_count collide", "group_by": GB2}
check(all(f["key"] != ("x", "y, IpAddress=z") for f in model({**c, "type": "event_count", "rules": ["fail"], "span": 60,
      "cond": {"gte": 2}, "field": None}, base_hits(["fail"]))), "model: the collision pair fired")

# generate: the referenced rule's own hits only with generate: true.
c = {"title": "gen", "type": "event_count", "rules": ["fail"], "group_by": ["TargetUserName"], "span": 600,
     "cond": {"gte": 4}, "field": None}
for gen in (True, False, None):
    r, got, hits = hunt(BASE + corr_rule("gen", "event_count", ["fail"], ["TargetUserName"], 600, {"gte": 4},
                                         generate=gen), [ddir])
    want_hits = len(base_hits(["fail"])) if gen else 0
    check(len([h for h in hits if h["title"] == "Failed logon"]) == want_hits,
          f"generate={gen}: {len(hits)} base hits, want {want_hits}")
    compare(f"generate={gen}", c, got, model(c, base_hits(["fail"])))
# Nested: an inner correlation (generate false by default) feeds an outer one
# and prints nothing itself.
inner = {"title": "inner", "type": "event_count", "rules": ["fail"], "group_by": ["TargetUserName"], "span": 300,
         "cond": {"gte": 2}, "field": None}
outer = {"title": "outer", "type": "temporal_ordered", "rules": ["inner", "ok"], "group_by": ["TargetUserName"],
         "span": 600, "cond": None, "field": None}
text = BASE + corr_rule("inner", "event_count", ["fail"], ["TargetUserName"], 300, {"gte": 2}, name="inner", cid="1") + \
    corr_rule("outer", "temporal_ordered", ["inner", "ok"], ["TargetUserName"], 600, cid="2")
r, got, hits = hunt(text, [ddir])
inner_fires = model(inner, base_hits(["fail"]))
nested = [dict(f["hit"], t=f["last"], rule="inner") for f in inner_fires] + base_hits(["ok"])
check(not [x for x in got if x["title"] == "inner"], "inner correlation printed its own fires (generate defaults to false)")
n_outer = compare("nested", outer, got, model(outer, nested))
print(f"generate and nesting: {len(inner_fires)} inner fires (not printed), {n_outer} outer fires")

# The pair: 11:00+07:00 (04:00:00Z) is before 04:00:30Z.
check(any(x["title"] == "temporal_ordered" and "dung" in x["group"] for x in
          hunt(BASE + corr_rule("temporal_ordered", "temporal_ordered", ["fail", "ok"], GB2, 120), [ddir])[1]),
      "11:00+07:00 then 04:00:30Z was not seen in order")

# ---------- syslog RFC 3164 without a year: midnight, New Year, 8 hours apart ----------
SSH = """title: SSH failure
id: 30000000-0000-4000-8000-000000000001
name: ssh_fail
logsource: {product: linux, service: sshd}
detection:
    sel: {message|contains: 'Failed password'}
    condition: sel
level: low
---
title: SSH brute force
id: 30000000-0000-4000-8000-000000000002
correlation:
    type: event_count
    rules: [ssh_fail]
    group-by: [host]
    timespan: 1m
    condition: {gte: 3}
level: high
"""
sdir = os.path.join(tmp, "syslog")
os.mkdir(sdir)
ssh = []
eve = calendar.timegm((2026, 12, 31, 16, 59, 20))  # 23:59:20 +07:00, 40 s before New Year
for k, d in enumerate([0, 15, 35, 55]):            # across midnight and New Year
    ssh.append((eve + d, "gw1"))
m = calendar.timegm((2026, 12, 30, 16, 59, 50))     # across an ordinary midnight
ssh += [(m, "gw2"), (m + 20, "gw2"), (m + 45, "gw2")]
ssh += [(START + 3600 * 8 * k, "gw3") for k in range(3)]  # the sshd example: 8 hours apart
rng.shuffle(ssh)
with open(os.path.join(sdir, "1.log"), "w") as f1, open(os.path.join(sdir, "2.log"), "w") as f2:
    for i, (t, h) in enumerate(ssh):
        (f1 if i % 2 else f2).write(f"{rfc3164(t)} {h} sshd[{100 + i}]: Failed password for root from 192.0.2.{i} port 22 ssh2\n")
r, got, _ = hunt(SSH, [sdir])
sc = {"title": "SSH brute force", "type": "event_count", "rules": ["ssh_fail"], "group_by": ["host"], "span": 60,
      "cond": {"gte": 3}, "field": None}
sh = [{"t": t, "seq": 0, "rule": "ssh_fail", "ev": {"host": h}} for t, h in sorted(ssh)]
compare("syslog", sc, got, model(sc, sh))
check(not [x for x in got if "gw3" in x["group"]], "three sshd failures 8 hours apart fired a one-minute rule")
check(any("gw1" in x["group"] for x in got), f"no fire across New Year: {got}")
print(f"syslog: {len(got)} fires, none for failures 8 hours apart")

# Events without a time are counted, never put into a window.
nt = os.path.join(tmp, "notime.json")
with open(nt, "w") as f:
    for i in range(5):
        f.write(json.dumps({"Channel": "Security", "EventID": 4625, "TargetUserName": "t", "IpAddress": "i"}) + "\n")
r, got, _ = hunt(BASE + corr_rule("nt", "event_count", ["fail"], GB2, 60, {"gte": 2}), [nt], ["--stats"])
stats = [json.loads(l) for l in r.stdout.splitlines() if '"type":"stats"' in l]
check(not got, f"events without time fired: {got}")
check(stats and stats[0]["correlation"]["no_time"] == 5, f"no_time not counted: {stats}")
r2 = run(["--rules", os.path.join(tmp, "rules.yml"), nt])
check("no event time" in r2.stderr, f"no warning about events without time: {r2.stderr}")

# ---------- 1 M distinct group keys: bounded memory ----------
def big(n, path, same_time=False):
    with open(path, "w") as f:
        for i in range(n):
            t = START + (0 if same_time else i)
            f.write('{"Channel":"Security","EventID":4625,"TargetUserName":"u%07d","IpAddress":"10.1.%d.%d",'
                    '"TimeCreated_SystemTime":"%s"}\n' % (i, (i >> 8) & 255, i & 255, iso(t, "Z")))
            if i % 100000 == 7:  # a few keys twice, 5 s later: these fire
                f.write('{"Channel":"Security","EventID":4625,"TargetUserName":"u%07d","IpAddress":"10.1.%d.%d",'
                        '"TimeCreated_SystemTime":"%s"}\n' % (i, (i >> 8) & 255, i & 255, iso(t + 5, "Z")))


def rss_run(rules_text, inputs, extra=()):
    """Peak RSS (KiB) of one hunt, from the kernel's accounting of the child."""
    rp = os.path.join(tmp, "big.yml")
    with open(rp, "w") as f:
        f.write(rules_text)
    env = dict(os.environ, LANGUAGE="en", LC_ALL="C.UTF-8", CANHGAC_NOW=str(NOW))
    env.pop("CANHGAC_DB", None)
    code = ("import resource,subprocess,sys;"
            "r=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
            "sys.stdout.write(r.stdout);sys.stderr.write(r.stderr);"
            "print('RSS',resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,r.returncode,file=sys.stderr)")
    r = subprocess.run([sys.executable, "-c", code, BIN, "sigma", "hunt", "--json", "--stats", "--rules", rp, *extra,
                        *inputs], capture_output=True, text=True, env=env, timeout=900)
    rss = [l for l in r.stderr.splitlines() if l.startswith("RSS ")][-1].split()
    return int(rss[1]), int(rss[2]), r


rules_big = BASE + corr_rule("big", "event_count", ["fail"], GB2, 60, {"gte": 2})
# 400 k keys already fill the reorder buffer (SIGMA_CORR_MAX_BUFFERED): past
# it, memory must not grow with the number of keys.
small_p, big_p = os.path.join(tmp, "keys400k.json"), os.path.join(tmp, "keys1m.json")
N_BIG = 450000 if SANITIZED else 1000000
big(280000 if SANITIZED else 400000, small_p)
big(N_BIG, big_p)
rss_s, rc_s, r_s = rss_run(rules_big, [small_p])
rss_b, rc_b, r_b = rss_run(rules_big, [big_p])
fires_b = [json.loads(l) for l in r_b.stdout.splitlines() if '"type":"correlation"' in l]
st_b = [json.loads(l) for l in r_b.stdout.splitlines() if '"type":"stats"' in l]
check(rc_b == 0 and len(fires_b) == len(range(7, N_BIG, 100000)), f"{N_BIG} keys: exit {rc_b}, {len(fires_b)} fires (want 10): {r_b.stderr[-300:]}")
check(st_b and st_b[0]["correlation"]["late"] == 0 and st_b[0]["correlation"]["groups_dropped"] == 0,
      f"1M keys: hits lost: {st_b and st_b[0]['correlation']}")
check(rss_b < rss_s * 1.2 + 8000, f"{N_BIG} keys: peak RSS {rss_b} KiB vs {rss_s} KiB for fewer: memory grows with keys")
print(f"{N_BIG} distinct keys: peak RSS {rss_b // 1024} MiB (fewer keys: {rss_s // 1024} MiB), "
      f"peak live groups {st_b and st_b[0]['correlation']['peak_groups']}")
# More live groups than the cap at one instant: counted and warned, not silent.
big(250000, small_p, same_time=True)
rss_c, rc_c, r_c = rss_run(rules_big, [small_p])
st_c = [json.loads(l) for l in r_c.stdout.splitlines() if '"type":"stats"' in l]
check(st_c and st_c[0]["correlation"]["groups_dropped"] > 0, f"group cap not counted: {st_c}")
r_w = run(["--rules", os.path.join(tmp, "big.yml"), small_p])
check("correlation groups" in r_w.stderr, f"group cap not warned: {r_w.stderr[-300:]}")

if failures:
    for f in failures[:40]:
        print("FAIL:", f)
    sys.exit(1)
print("ok")
