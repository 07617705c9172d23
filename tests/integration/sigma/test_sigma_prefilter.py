#!/usr/bin/env python3
"""The literal prefilter never changes a result: random process_creation
rules (fields, lists, |all, startswith/endswith/contains/equals, keywords,
and/or/not/1 of/all of) over random Sysmon EventID 1 and Security 4688
events (where the mapping renames Image and ParentImage), hunted by canhgac
and judged by a small model of Sigma written here from the specification.
The values are built from a few short tokens, so literals occur in the wrong
field, in part, in several fields, and often enough that most rules fire.
CANHGAC_PREFILTER_SEED picks another seed."""
import json
import os
import random
import subprocess
import sys
import tempfile

BIN = os.environ["CANHGAC_BIN"]
SEED = int(os.environ.get("CANHGAC_PREFILTER_SEED", "20261206"))
rng = random.Random(SEED)

# No token occurs in the System values of the events (channel, provider,
# computer), so keywords only see the EventData values the model sees.
TOKENS = ["qa", "qb", "QA", "zqx", "Zqy", "qax", "\\zk", "kvq.exe", "xq-", "-qz", "qq", "zz9", "q^q",
          "quux", "zqxqa"]
FIELDS = ["Image", "CommandLine", "ParentImage", "OriginalFileName", "User", "CurrentDirectory"]
RENAMED = {"Image": "NewProcessName", "ParentImage": "ParentProcessName"}  # Security 4688
MODS = ["", "|contains", "|contains", "|startswith", "|endswith", "|contains|all"]
CONDS = ["s0", "s0 and s1", "s0 or s1", "s0 and not s1", "not s0", "1 of s*", "all of s*",
         "(s0 or s1) and s2", "s0 and s1 and not s2", "s0 and (s1 or not s2)", "2 of s*"]


def text(k_max):
    """A value of 1..k_max tokens, with separators."""
    parts = [rng.choice(TOKENS) for _ in range(rng.randint(1, k_max))]
    out = ""
    for p in parts:
        out += p if not out else rng.choice(["", " ", "/"]) + p
    return out


def group():
    """1..3 field matches on different fields (keys of one YAML map)."""
    return [(f, rng.choice(MODS), [text(2) for _ in range(rng.randint(1, 3))])
            for f in rng.sample(FIELDS, rng.randint(1, 3))]


def search():
    """('kw', [values]) or ('groups', [[(field, mod, values), ...], ...])."""
    if rng.random() < 0.1:
        return ("kw", [text(2) for _ in range(rng.randint(1, 3))])
    return ("groups", [group() for _ in range(rng.randint(1, 2))])


def yq(s):
    return "'" + s.replace("'", "''") + "'"


def rule_yaml(i, searches, cond):
    out = ["title: prefilter model %d" % i, "id: 00000000-0000-4000-8000-%012d" % i,
           "logsource: {product: windows, category: process_creation}", "level: high", "detection:"]
    for n, (kind, body) in enumerate(searches):
        out.append("  s%d:" % n)
        if kind == "kw":
            out += ["    - " + yq(v) for v in body]
            continue
        for group in body:
            first = True
            for f, mod, vals in group:
                lead = "    - " if len(body) > 1 and first else ("      " if len(body) > 1 else "    ")
                first = False
                out.append(lead + f + mod + ":")
                out += [("        - " if len(body) > 1 else "      - ") + yq(v) for v in vals]
    out.append("  condition: " + cond)
    return "\n".join(out) + "\n"


def value_ok(mod, want, have):
    want, have = want.lower(), have.lower()
    if "contains" in mod:
        return want in have
    if "startswith" in mod:
        return have.startswith(want)
    if "endswith" in mod:
        return have.endswith(want)
    return want == have


def search_holds(s, data, security):
    kind, body = s
    if kind == "kw":
        return any(v.lower() in str(x).lower() for v in body for x in data.values())
    for group in body:
        ok = True
        for f, mod, vals in group:
            name = RENAMED.get(f, f) if security else f
            if name not in data:
                ok = False
            elif mod.endswith("|all"):
                ok = all(value_ok(mod, v, data[name]) for v in vals)
            else:
                ok = any(value_ok(mod, v, data[name]) for v in vals)
            if not ok:
                break
        if ok:
            return True
    return False


def cond_holds(cond, r):
    n = len(r)
    if cond == "1 of s*":
        return any(r)
    if cond == "all of s*":
        return all(r)
    if cond == "2 of s*":
        return sum(r) >= 2
    expr = cond
    for k in range(n - 1, -1, -1):
        expr = expr.replace("s%d" % k, str(r[k]))
    return eval(expr)  # only and/or/not/parentheses over True/False


def event(rid, security):
    data = {}
    for f in FIELDS:
        if rng.random() < 0.85:
            data[RENAMED.get(f, f) if security else f] = text(4)
    if security and rng.random() < 0.3:
        data["Image"] = text(3)  # not what the 4688 mapping reads
    system = {"Provider": {"#attributes": {"Name": "Microsoft-Windows-Security-Auditing" if security else
                                           "Microsoft-Windows-Sysmon"}},
              "EventID": 4688 if security else 1,
              "Channel": "Security" if security else "Microsoft-Windows-Sysmon/Operational",
              "Computer": "pc01.so-mau.example", "EventRecordID": rid}
    return {"Event": {"System": system, "EventData": data}}, data, security


def main():
    rules = []
    for i in range(400):
        cond = rng.choice(CONDS)
        need = 3 if "s2" in cond or "of" in cond else (2 if "s1" in cond else 1)
        rules.append(([search() for _ in range(need)], cond))
    events = [event(rid, rng.random() < 0.3) for rid in range(1, 1201)]
    want = set()
    for rid, (_, data, security) in enumerate(events, 1):
        for i, (searches, cond) in enumerate(rules):
            if cond_holds(cond, [search_holds(s, data, security) for s in searches]):
                want.add((rid, "00000000-0000-4000-8000-%012d" % i))
    with tempfile.TemporaryDirectory(prefix="canhgac-prefilter-") as tmp:
        os.mkdir(os.path.join(tmp, "rules"))
        for i, (searches, cond) in enumerate(rules):
            with open(os.path.join(tmp, "rules", "r%03d.yml" % i), "w") as f:
                f.write(rule_yaml(i, searches, cond))
        path = os.path.join(tmp, "events.json")
        with open(path, "w") as f:
            for ev, _, _ in events:
                f.write(json.dumps(ev) + "\n")
        env = dict(os.environ, LANGUAGE="en", LC_ALL="C.UTF-8")
        env.pop("CANHGAC_DB", None)
        p = subprocess.run([BIN, "sigma", "check", os.path.join(tmp, "rules")], capture_output=True, text=True,
                           env=env, timeout=300)
        if p.returncode != 0:
            sys.exit("FAIL: the generated rules do not all load: %s" % p.stdout[-400:])
        p = subprocess.run([BIN, "sigma", "hunt", "--json", "--quiet", "--rules", os.path.join(tmp, "rules"), path],
                           capture_output=True, text=True, env=env, timeout=300)
        if p.returncode != 0:
            sys.exit("FAIL: hunt exited %d: %s" % (p.returncode, p.stderr[-400:]))
        got = set()
        for line in p.stdout.splitlines():
            o = json.loads(line)
            if o.get("type") == "hit":
                got.add((o["record_id"], o["rule_id"]))
    missed, extra = sorted(want - got), sorted(got - want)
    if len(want) < 1000 or len({r for _, r in want}) < 150:
        sys.exit("FAIL: the random rules fire too rarely to test anything (%d hits)" % len(want))
    if missed or extra:
        sys.exit("FAIL (seed %d): %d hits missed, e.g. %s; %d extra, e.g. %s" %
                 (SEED, len(missed), missed[:3], len(extra), extra[:3]))
    print("prefilter: %d hits of %d rules over %d events agree with the model (seed %d)" %
          (len(want), len({r for _, r in want}), len(events), SEED))
    print("ok")


main()
