#!/usr/bin/env python3
"""Sigma hunt throughput next to libevtx's own evtxexport (the parse limit).

Runs >= 1,000 SigmaHQ Windows rules over >= 200 MB of EVTX: the EVTX files of
../shared/data (attack samples, Chainsaw sample, SigmaHQ regression samples)
are listed repeatedly until the total reaches --mb (nothing is copied). The
same list is exported with `evtxexport -f xml` on the same number of
processes, in the same run. Prints MB/s and events/s for both.

usage: bench_sigma.py [--bin PATH] [--data DIR] [--mb 200] [--threads N]
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

ap = argparse.ArgumentParser()
ap.add_argument("--bin", default=os.environ.get(
    "CANHGAC_BIN", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "cli", "canhgac")))
ap.add_argument("--data", default=os.environ.get("CANHGAC_SHARED_DATA",
                os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data")))
ap.add_argument("--mb", type=float, default=200.0)
ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
a = ap.parse_args()

rules = os.path.join(a.data, "sigma", "rules", "windows")
evtx = sorted(glob.glob(os.path.join(a.data, "evtx", "**", "*.evtx"), recursive=True) +
              glob.glob(os.path.join(a.data, "sigma", "regression_data", "**", "*.evtx"), recursive=True))
if not evtx or not os.path.isdir(rules):
    print("SKIP: shared data not found (--data)")
    sys.exit(77)
if not shutil.which("evtxexport"):
    print("SKIP: evtxexport (libevtx-utils) not installed")
    sys.exit(77)

files, total = [], 0
while total < a.mb * 1e6:
    for f in evtx:
        files.append(f)
        total += os.path.getsize(f)
        if total >= a.mb * 1e6:
            break
mb = total / 1e6
n_rules = len(glob.glob(os.path.join(rules, "**", "*.yml"), recursive=True))
print(f"input: {len(files)} EVTX files ({len(evtx)} distinct), {mb:.1f} MB; rules: {n_rules} Windows rule files; "
      f"{a.threads} threads")

# Parse limit: evtxexport renders every record as XML (what canhgac parses).
def export(path):
    r = subprocess.run(["evtxexport", "-f", "xml", path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return r.stdout.count(b"<Event ")

t0 = time.monotonic()
with ThreadPoolExecutor(a.threads) as ex:
    ev_export = sum(ex.map(export, files))
t_export = time.monotonic() - t0

t0 = time.monotonic()
r = subprocess.run([a.bin, "sigma", "hunt", "--json", "--quiet", "--stats", "--threads", str(a.threads),
                    "--rules", rules, *files], capture_output=True, text=True)
t_hunt = time.monotonic() - t0
stats = [json.loads(l) for l in r.stdout.splitlines() if '"type":"stats"' in l]
if r.returncode != 0 or not stats:
    print("canhgac failed:", r.returncode, r.stderr[-500:])
    sys.exit(1)
st = stats[0]
print(f"{'':24}{'seconds':>10}{'MB/s':>10}{'events/s':>12}")
print(f"{'evtxexport -f xml':24}{t_export:10.2f}{mb / t_export:10.1f}{ev_export / t_export:12.0f}")
print(f"{'canhgac sigma hunt':24}{t_hunt:10.2f}{mb / t_hunt:10.1f}{st['events'] / t_hunt:12.0f}")
print(f"ratio to the parse limit: {t_export / t_hunt:.2f}x; events {st['events']} (evtxexport {ev_export}); "
      f"hits {st['hits']}")
