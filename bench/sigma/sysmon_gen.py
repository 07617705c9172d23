#!/usr/bin/env python3
"""Dense JSON Lines events for the Sigma benchmark, built at bench time from
the SigmaHQ regression samples in ../shared/data (never committed).

Two kinds of file:

  nomatch  Sysmon EventID 1 events that no rule of the given rule set
           matches. Candidates are made from each Sysmon 1 sample by swapping
           its process identity for another sample's parent process (parents
           are mostly ordinary programs: explorer.exe, cmd.exe, msedge.exe)
           or by dropping the command-line arguments; the candidates are
           hunted once with `canhgac sigma hunt` (--filter-bin) and those
           with a hit are dropped, so the file matches nothing by
           construction.
  mix      every regression sample (all channels and event IDs, most of them
           matching their rule) as the samples come.

Either pool is repeated up to --events lines with a new EventRecordID,
ProcessId, ProcessGuid and time per line, in evtx_dump's shape
({"Event": {"System": ..., "EventData": ...}}).

usage: sysmon_gen.py {nomatch|mix} --data DIR --events N --out FILE
                     [--filter-bin canhgac --rules DIR]
"""
import argparse
import copy
import glob
import json
import os
import subprocess
import sys
import tempfile


def samples(data):
    dec = json.JSONDecoder()
    out = []
    for f in sorted(glob.glob(os.path.join(data, "sigma", "regression_data", "**", "*.json"), recursive=True)):
        t = open(f, encoding="utf-8").read()
        i = 0
        while True:
            while i < len(t) and t[i].isspace():
                i += 1
            if i >= len(t):
                break
            o, i = dec.raw_decode(t, i)
            if isinstance(o, dict) and isinstance(o.get("Event"), dict):
                out.append(o)
    return out


def is_sysmon1(o):
    s = o["Event"].get("System", {})
    return s.get("Channel") == "Microsoft-Windows-Sysmon/Operational" and s.get("EventID") == 1


IDENTITY = ("Image", "OriginalFileName", "Description", "Product", "Company", "FileVersion", "CommandLine")


def candidates(pool):
    """Variants of the Sysmon 1 samples with an ordinary process identity."""
    out = []
    n = len(pool)
    for i, o in enumerate(pool):
        d = o["Event"].get("EventData") or {}
        # The sample's own image without arguments.
        c = copy.deepcopy(o)
        cd = c["Event"]["EventData"]
        if "Image" in d:
            cd["CommandLine"] = '"%s"' % d["Image"]
            out.append(c)
        # Another sample's parent process started by this sample's parent.
        for k in (1, 7, 31):
            p = pool[(i + k) % n]["Event"].get("EventData") or {}
            if "ParentImage" not in p:
                continue
            c = copy.deepcopy(o)
            cd = c["Event"]["EventData"]
            for f in IDENTITY:
                cd[f] = "-"
            cd["Image"] = p["ParentImage"]
            cd["CommandLine"] = p.get("ParentCommandLine", '"%s"' % p["ParentImage"])
            cd["OriginalFileName"] = os.path.basename(p["ParentImage"].replace("\\", "/"))
            out.append(c)
    return out


def renumber(o, seq):
    e = o["Event"]
    s = e.setdefault("System", {})
    s["EventRecordID"] = seq
    t = "2026-01-%02dT%02d:%02d:%02d.%06dZ" % (1 + seq // 86400 % 28, seq // 3600 % 24, seq // 60 % 60, seq % 60,
                                               seq % 1000000)
    s["TimeCreated"] = {"#attributes": {"SystemTime": t}}
    d = e.get("EventData")
    if isinstance(d, dict):
        if "ProcessId" in d:
            d["ProcessId"] = 1000 + seq % 60000
        if "ProcessGuid" in d:
            d["ProcessGuid"] = "{5770385F-%04X-%04X-%04X-%012X}" % (seq >> 48 & 0xffff, seq >> 32 & 0xffff,
                                                                   seq >> 16 & 0xffff, seq)
        if "UtcTime" in d:
            d["UtcTime"] = t[:10] + " " + t[11:23]
    return o


def filter_nomatch(cands, bin_, rules):
    """Keep the candidates on which canhgac reports no hit."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as tf:
        for i, o in enumerate(cands):
            tf.write(json.dumps(renumber(o, i + 1), separators=(",", ":")) + "\n")
    try:
        r = subprocess.run([bin_, "sigma", "hunt", "--json", "--quiet", "--threads", "1", "--rules", rules, tf.name],
                           capture_output=True, text=True, env=dict(os.environ, LC_ALL="C.UTF-8"))
    finally:
        os.unlink(tf.name)
    if r.returncode != 0:
        sys.exit("sysmon_gen: canhgac failed while filtering: %s" % r.stderr[-400:])
    hit = set()
    for line in r.stdout.splitlines():
        h = json.loads(line)
        if h.get("type") == "hit":
            hit.add(h.get("record_id"))
    return [o for i, o in enumerate(cands) if i + 1 not in hit]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=("nomatch", "mix"))
    ap.add_argument("--data", required=True)
    ap.add_argument("--events", type=int, default=200000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--filter-bin")
    ap.add_argument("--rules")
    a = ap.parse_args()
    all_ = samples(a.data)
    if not all_:
        sys.exit("sysmon_gen: no regression samples under %s" % a.data)
    if a.kind == "mix":
        pool = all_
    else:
        if not a.filter_bin or not a.rules:
            sys.exit("sysmon_gen: nomatch needs --filter-bin and --rules")
        pool = filter_nomatch(candidates([o for o in all_ if is_sysmon1(o)]), a.filter_bin, a.rules)
        if not pool:
            sys.exit("sysmon_gen: every candidate matched a rule")
    lines = [json.dumps(o, separators=(",", ":")) for o in pool]
    with open(a.out, "w", encoding="utf-8") as f:
        for seq in range(a.events):
            o = json.loads(lines[seq % len(lines)])
            f.write(json.dumps(renumber(o, seq + 1), separators=(",", ":")) + "\n")
    print("%s: %d events from %d distinct samples" % (a.kind, a.events, len(pool)), file=sys.stderr)


if __name__ == "__main__":
    main()
