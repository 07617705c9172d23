#!/usr/bin/env python3
"""Dense Sigma benchmark: JSON Lines built from the SigmaHQ regression samples
(generated here, in a temporary directory, never committed; see
sysmon_gen.py), hunted with all of rules/windows on one thread, next to
`jq -c .` on the same file in the same run (the JSON parse floor).

Two inputs of --events lines each:
  nomatch  Sysmon EventID 1 events that no Windows rule matches
  mix      the regression samples as they come (all channels, most match)

For each: events/s per core (events / CPU seconds of the process), the same
without rule loading (a one-event run is subtracted), MB/s per core, peak RSS,
and the ratio to jq. A last run loads the whole SigmaHQ set (rules,
rules-emerging-threats) over the nomatch file for its peak RSS.

usage: bench_dense.py [--bin PATH] [--data DIR] [--events 200000] [--keep DIR]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("--bin", default=os.environ.get("CANHGAC_BIN", os.path.join(HERE, "..", "..", "build", "cli", "canhgac")))
ap.add_argument("--data", default=os.environ.get("CANHGAC_SHARED_DATA", os.path.join(HERE, "..", "..", "..", "shared", "data")))
ap.add_argument("--events", type=int, default=200000)
ap.add_argument("--keep", help="write the generated files here and keep them")
a = ap.parse_args()

sigma = os.path.join(a.data, "sigma")
win = os.path.join(sigma, "rules", "windows")
if not os.path.isdir(win) or not os.path.isdir(os.path.join(sigma, "regression_data")):
    print("SKIP: ../shared/data/sigma not found (--data)")
    sys.exit(77)
if not shutil.which("jq"):
    print("SKIP: jq not installed")
    sys.exit(77)


def measure(argv, out=subprocess.DEVNULL):
    """Wall seconds, CPU seconds (user + sys) and peak RSS (MiB) of one child."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, env=dict(os.environ, LC_ALL="C.UTF-8"))
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit("bench: %s failed (%d): %s" % (argv[0], p.returncode, err[-400:].decode(errors="replace")))
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def hunt(rules, path, stats_file):
    rules = [rules] if isinstance(rules, str) else rules
    with open(stats_file, "w") as out:
        r = measure([a.bin, "sigma", "hunt", "--json", "--quiet", "--stats", "--threads", "1",
                     *[x for d in rules for x in ("--rules", d)], path], out=out)
    st = [json.loads(l) for l in open(stats_file) if '"type":"stats"' in l]
    hits = sum(1 for l in open(stats_file) if '"type":"hit"' in l)
    return r, st[0], hits


work = a.keep or tempfile.mkdtemp(prefix="canhgac-bench-sigma-")
os.makedirs(work, exist_ok=True)
try:
    files = {}
    for kind in ("nomatch", "mix"):
        path = os.path.join(work, kind + ".json")
        cmd = [sys.executable, os.path.join(HERE, "sysmon_gen.py"), kind, "--data", a.data, "--events",
               str(a.events), "--out", path]
        if kind == "nomatch":
            cmd += ["--filter-bin", a.bin, "--rules", win]
        subprocess.run(cmd, check=True)
        files[kind] = path
    one = os.path.join(work, "one.json")
    with open(files["nomatch"]) as f, open(one, "w") as o:
        o.write(f.readline())
    (_, load_cpu, _), _, _ = hunt(win, one, os.path.join(work, "one.out"))
    n_rules = sum(len([f for f in fs if f.endswith(".yml")]) for _, _, fs in os.walk(win))
    print(f"rules: {n_rules} files under rules/windows; rule loading and compiling: {load_cpu:.2f} CPU s; 1 thread")
    print(f"{'':10}{'':22}{'events':>9}{'MB':>8}{'wall s':>8}{'CPU s':>8}{'ev/s/core':>11}{'steady':>9}"
          f"{'MB/s/core':>11}{'RSS MiB':>9}{'hits':>8}")
    for kind, path in files.items():
        mb = os.path.getsize(path) / 1e6
        n = sum(1 for _ in open(path))
        jw, jc, jr = measure(["jq", "-c", ".", path])
        (hw, hc, hr), st, hits = hunt(win, path, os.path.join(work, kind + ".out"))
        if st["events"] != n:
            sys.exit(f"bench: canhgac read {st['events']} events of {n}")
        if kind == "nomatch" and hits:
            sys.exit(f"bench: {hits} hits on the nomatch file")
        steady = n / max(hc - load_cpu, 1e-9)
        print(f"{kind:10}{'jq -c .':22}{n:9}{mb:8.1f}{jw:8.2f}{jc:8.2f}{n / jc:11.0f}{'':9}{mb / jc:11.1f}{jr:9.0f}{'':8}")
        print(f"{'':10}{'canhgac sigma hunt':22}{n:9}{mb:8.1f}{hw:8.2f}{hc:8.2f}{n / hc:11.0f}{steady:9.0f}"
              f"{mb / hc:11.1f}{hr:9.0f}{hits:8}")
        print(f"{'':10}ratio canhgac/jq (events/s per core): {jc / hc:.2f}x; truncated events "
              f"{st.get('truncated_events', 0)}, regex limit hits {st.get('regex_limit_hits', 0)}")
    everything = [os.path.join(sigma, d) for d in ("rules", "rules-emerging-threats")]
    (hw, hc, hr), st, hits = hunt(everything, files["nomatch"], os.path.join(work, "all.out"))
    print(f"whole SigmaHQ set (rules + rules-emerging-threats) over nomatch: {hc:.2f} CPU s, "
          f"{st['events'] / hc:.0f} events/s per core, peak RSS {hr:.0f} MiB, {hits} hits")
finally:
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
