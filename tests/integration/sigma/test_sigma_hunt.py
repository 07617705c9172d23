#!/usr/bin/env python3
"""The Sigma hunt workflow (src/sigma/sigma_hunt): hits identical for 1 and 2
threads and for several chunk sizes (SigmaHQ regression samples and a
generated JSON Lines file of several MB), the same hits from pretty-printed
JSON, from standard input, peak memory independent of input size, and a
failed write of the output is an error."""
import glob
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile

BIN = os.environ["CANHGAC_BIN"]
DATA = os.environ.get("CANHGAC_SHARED_DATA", "")
SIGMA = os.path.join(DATA, "sigma")
if not os.path.isdir(SIGMA):
    print("SKIP: ../shared/data/sigma not found (set CANHGAC_SHARED_DATA)")
    sys.exit(77)
failures = []
with open(BIN, "rb") as _f:
    SANITIZED = b"__asan_init" in _f.read()  # several times slower: smaller sizes


def check(cond, msg):
    if not cond:
        failures.append(msg)


def env():
    e = dict(os.environ, LANGUAGE="en", LC_ALL="C.UTF-8")
    e.pop("CANHGAC_DB", None)
    return e


def hunt(args, stdin=None, pre=None):
    return subprocess.run([BIN, "sigma", "hunt", "--json", "--quiet", *args], capture_output=True, env=env(),
                          timeout=900, stdin=stdin, preexec_fn=pre)


def hits(r, keep_file=True):
    out = []
    for l in r.stdout.decode().splitlines():
        o = json.loads(l)
        if o.get("type") not in ("hit", "correlation"):
            continue
        if not keep_file:
            o.pop("file", None)
            o.pop("line", None)
        out.append(json.dumps(o, sort_keys=True))
    return out


tmp = tempfile.mkdtemp(prefix="canhgac-sigma-hunt-")
RULES = PC = os.path.join(SIGMA, "rules", "windows", "process_creation")
if SANITIZED:
    # The sanitizer build compiles 1,000 rules slowly: 60 rules that have
    # regression samples will do there.
    sub = os.path.join(tmp, "rules")
    os.mkdir(sub)
    picked = [p for p in sorted(glob.glob(RULES + "/*.yml"))
              if "regression_tests_path:" in open(p, encoding="utf-8").read()][:60]
    for p in picked:
        shutil.copy(p, sub)  # directory walks do not follow links
    RULES = sub
REG = os.path.join(SIGMA, "regression_data", "rules", "windows", "process_creation")

# 1. Regression samples (EVTX and pretty-printed JSON): threads and chunk sizes.
ref = hunt(["--threads", "1", "--rules", RULES, REG])
check(ref.returncode == 0, f"regression hunt exit {ref.returncode}: {ref.stderr[-300:]}")
want = hits(ref)
check(len(want) > (20 if SANITIZED else 100), f"only {len(want)} hits on the regression samples")
VARIANTS = [["--threads", "2", "--chunk-size", "1"]] if SANITIZED else \
    [["--threads", "2"], ["--threads", "2", "--chunk-size", "1"], ["--threads", "1", "--chunk-size", "3"]]
for args in VARIANTS:
    got = hits(hunt([*args, "--rules", RULES, REG]))
    check(got == want, f"regression samples {args}: {len(got)} hits differ from {len(want)} with one thread")
print(f"regression samples: {len(want)} hits, identical for 1/2 threads and chunks of 1, 3, 4096 KiB")

# 2. A generated JSON Lines file of several MB from the regression JSON samples.
events = []
for p in sorted(glob.glob(REG + "/**/*.json", recursive=True)):
    try:
        v = json.load(open(p, encoding="utf-8"))
    except ValueError:
        continue
    events.extend(v if isinstance(v, list) else [v])
check(len(events) > 100, f"only {len(events)} JSON events in the regression samples")
lines = [json.dumps(e, separators=(",", ":")) for e in events]
jl = os.path.join(tmp, "events.jsonl")
with open(jl, "w") as f:
    n = 0
    while n < (1 << 20 if SANITIZED else 6 << 20):
        for l in lines:
            f.write(l + "\n")
            n += len(l) + 1
pretty = os.path.join(tmp, "events-pretty.json")
with open(pretty, "w") as f:
    for e in events * (1 if SANITIZED else 3):
        f.write(json.dumps(e, indent=2) + "\n")
base = hunt(["--threads", "1", "--rules", RULES, jl])
want = hits(base)
rounds = sum(1 for _ in open(jl)) // len(lines)
per_round = len(hits(hunt(["--threads", "1", "--rules", RULES, os.path.join(tmp, "one.jsonl")]))) \
    if open(os.path.join(tmp, "one.jsonl"), "w").write("".join(l + "\n" for l in lines)) else 0
check(len(want) == rounds * per_round and per_round > 0,
      f"JSON Lines: {len(want)} hits, want {rounds} rounds x {per_round}")
for args in ([["--threads", "2", "--chunk-size", "16"]] if SANITIZED else
             [["--threads", "2"], ["--threads", "2", "--chunk-size", "16"], ["--threads", "2", "--chunk-size", "64"],
              ["--threads", "1", "--chunk-size", "1"]]):
    got = hits(hunt([*args, "--rules", RULES, jl]))
    check(got == want, f"JSON Lines {args}: {len(got)} hits differ from {len(want)}")
lines_of = [json.loads(h)["line"] for h in want]
check(lines_of == sorted(lines_of), "hits not in input order")
print(f"JSON Lines ({os.path.getsize(jl) >> 10} KiB): {len(want)} hits identical for 1/2 threads and several chunk sizes")
# Pretty-printed: values span lines; small chunks cut only between values.
pw = hits(hunt(["--threads", "2", "--chunk-size", "1", "--rules", RULES, pretty]), keep_file=False)
check(len(pw) == (1 if SANITIZED else 3) * per_round, f"pretty-printed JSON: {len(pw)} hits, want 1 or 3 x {per_round}")
# Standard input is a stream of events.
with open(jl, "rb") as f:
    sin = hunt(["--threads", "2", "--rules", RULES, "-"], stdin=f)
check(hits(sin, keep_file=False) == hits(base, keep_file=False), "standard input gives other hits than the file")


# 3. Peak RSS: 200 MB of JSON Lines about as much as 20 MB.
def rss_of(path):
    code = ("import resource,subprocess,sys;"
            "r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.PIPE);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)")
    rules = []
    for name in ("proc_creation_win_whoami_all_execution.yml", "proc_creation_win_renamed_whoami.yml"):
        rules += ["--rules", os.path.join(PC, name)]
    e = env()
    if SANITIZED:  # ASan's quarantine keeps freed memory (256 MB by default): it would look like growth
        e["ASAN_OPTIONS"] = e.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=1"
    r = subprocess.run([sys.executable, "-c", code, BIN, "sigma", "hunt", "--json", "--quiet", *rules, path],
                       capture_output=True, text=True, env=e, timeout=900)
    kib, rc = r.stdout.split()
    if rc != "0":
        print(r.stderr[-500:])
    return int(kib), int(rc)


def grow(path, size):
    with open(jl, "rb") as src, open(path, "wb") as f:
        chunk = src.read()
        while f.tell() < size:
            f.write(chunk)


small, big = os.path.join(tmp, "20mb.jsonl"), os.path.join(tmp, "200mb.jsonl")
SMALL_MB, BIG_MB = (4, 24) if SANITIZED else (20, 200)
grow(small, SMALL_MB << 20)
grow(big, BIG_MB << 20)
rs, rcs = rss_of(small)
rb, rcb = rss_of(big)
os.unlink(big)
check(rcs == 0 and rcb == 0, f"big-file hunts failed: {rcs} {rcb}")
check(rb < rs * 1.25 + 16 * 1024, f"peak RSS {rb} KiB for {BIG_MB} MB vs {rs} KiB for {SMALL_MB} MB: grows with the input")
print(f"peak RSS: {SMALL_MB} MB input {rs // 1024} MiB, {BIG_MB} MB input {rb // 1024} MiB")


# 4. A full output: exit status != 0 with a message.
def limited():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


with open(os.path.join(tmp, "out.json"), "wb") as out:
    r = subprocess.run([BIN, "sigma", "hunt", "--json", "--quiet", "--rules", RULES, jl], stdout=out,
                       stderr=subprocess.PIPE, env=env(), timeout=900, preexec_fn=limited)
check(r.returncode != 0, "hunt into a full output exited 0")
check(b"standard output" in r.stderr, f"no clear message for a full output: {r.stderr[-300:]}")

if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
print("ok")
