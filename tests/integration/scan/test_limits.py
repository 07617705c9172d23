#!/usr/bin/env python3
"""`canhgac scan` limits: decompression bombs built here (a big zero file
compressed, as zip, gzip and inside a tar) stop with a message and the sweep
goes on; too many entries; --max-size scans a head and says so; a tree
deeper than the walk's limit is reported; --archive-depth 0 leaves archives
closed; a sweep with problems and no hit exits 3."""
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

from cgtest import BIN, PINNED, TIMEOUT, Checks  # noqa: E402

EICAR = ("X5O!P%@AP[4\\PZX54" + "(P^)7CC)7}$" + "EICAR-STANDARD-" + "ANTIVIRUS-TEST-FILE!$H+H*").encode()
ZEROS = 256 << 20  # bytes of zeros in each bomb: far past the default ratio (200) and 16 MiB floor

c = Checks()
tmp = tempfile.mkdtemp(prefix="canhgac-scan-limits-")
env = dict(os.environ, **PINNED, HOME=tmp)


def scan(args):
    r = subprocess.run([BIN, "scan", "--json", "--no-rules-cache"] + args, cwd=tmp, capture_output=True, env=env,
                       timeout=TIMEOUT)
    return r.returncode, [json.loads(x) for x in r.stdout.decode().splitlines() if x.strip()], r.stderr.decode()


def zero_zip(path, before=()):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in before:
            z.writestr(name, data)
        with z.open("zeros.bin", "w", force_zip64=True) as f:
            block = bytes(1 << 20)
            for _ in range(ZEROS >> 20):
                f.write(block)


try:
    t = os.path.join(tmp, "t")
    os.makedirs(t)
    # Bombs.
    zero_zip(os.path.join(t, "bomb.zip"), before=[("first.com", EICAR)])
    with gzip.open(os.path.join(t, "bomb.bin.gz"), "wb", compresslevel=9) as g:
        block = bytes(1 << 20)
        for _ in range(ZEROS >> 20):
            g.write(block)
    with tarfile.open(os.path.join(t, "bomb-in.tar"), "w") as tf:
        tf.add(os.path.join(t, "bomb.zip"), arcname="inner/bomb.zip")
    zsize = os.path.getsize(os.path.join(t, "bomb.zip"))
    c.check(ZEROS // zsize > 200, f"the bomb unpacks to {ZEROS // zsize} times its size")
    # Many entries.
    with zipfile.ZipFile(os.path.join(t, "many.zip"), "w") as z:
        for i in range(50):
            z.writestr(f"f{i:02}.txt", b"x")
        z.writestr("last.com", EICAR)
    # A big file with its only match past the head.
    rule = os.path.join(tmp, "r.yar")
    with open(rule, "w") as f:
        f.write('rule canhgac_marker { strings: $m = "CANHGAC-MARKER-0042" condition: $m }\n')
    with open(os.path.join(t, "big-late.bin"), "wb") as f:
        f.write(b"." * 10000 + b"CANHGAC-MARKER-0042")
    with open(os.path.join(t, "big-early.bin"), "wb") as f:
        f.write(b"CANHGAC-MARKER-0042" + b"." * 10000)
    # Content behind a tar end-of-archive marker (zero blocks) is still read.
    with open(os.path.join(t, "hidden.bin.gz"), "wb") as f:
        f.write(gzip.compress(bytes(1024) + b"CANHGAC-MARKER-0042"))
    # Deeper than the walk goes (64 levels).
    deep = os.path.join(t, *(["d"] * 70))
    os.makedirs(deep)
    with open(os.path.join(deep, "e.com"), "wb") as f:
        f.write(EICAR)

    rc, objs, err = scan(["t/bomb.zip", "t/bomb.bin.gz", "t/bomb-in.tar"])
    hits = {(o["kind"], o["path"]) for o in objs if o["type"] == "hit"}
    probs = {(o["kind"], o["path"]): o["message"] for o in objs if o["type"] == "problem"}
    c.check(rc == 4, f"exit 4 ({err[-200:]})")
    c.check(objs and objs[-1]["type"] == "summary", "the sweep ended with its summary")
    c.check(objs and objs[-1]["type"] == "summary" and objs[-1]["bytes"] < 3 * zsize + (1 << 20),
            "the bombs were read as they are on disk")
    for p in ("t/bomb.zip", "t/bomb.bin.gz", "t/bomb-in.tar!inner/bomb.zip"):
        m = probs.get(("archive", p), "")
        c.check("decompression bomb" in m, f"{p}: stopped as a bomb ({m!r})")
    c.check(("eicar", "t/bomb.zip!first.com") in hits, "what comes before the bomb is scanned")
    c.check(("eicar", "t/bomb-in.tar!inner/bomb.zip!first.com") in hits, "also one level down")
    rc, objs, err = scan(["--rules", rule, "--max-size", "4K", "t"])
    hits = {(o["kind"], o["path"]) for o in objs if o["type"] == "hit"}
    probs = {(o["kind"], o["path"]): o["message"] for o in objs if o["type"] == "problem"}
    c.check(rc == 4, f"exit 4 ({err[-200:]})")
    c.check(("yara", "t/big-early.bin") in hits, "the head of a big file is scanned")
    c.check(("yara", "t/hidden.bin.gz!hidden.bin") in hits, "a gzip stream starting with zero blocks is read")
    c.check(("yara", "t/big-late.bin") not in hits, "a match past --max-size is not seen")
    c.check(("cut", "t/big-late.bin") in probs and ("cut", "t/big-early.bin") in probs,
            "both big files are reported as cut short")
    c.check(any(k == "skipped" and "too deep" in m and p.count("/") >= 64 for (k, p), m in probs.items()),
            "the directory past the walk's depth is reported")
    c.check(not any(p.endswith("e.com") for _, p in hits), "nothing is found past it")
    # Entries cap.
    rc, objs, _ = scan(["--max-entries", "10", "t/many.zip"])
    probs = {(o["kind"], o["path"]): o["message"] for o in objs if o["type"] == "problem"}
    c.check("more than 10 entries" in probs.get(("archive", "t/many.zip"), ""), "--max-entries stops the archive")
    c.check(not any(o["type"] == "hit" for o in objs), "the EICAR after the cap is not reached")
    c.check(rc == 3, f"problems and no hit: exit 3 (got {rc})")
    rc, objs, _ = scan(["t/many.zip"])
    c.check(any(o["type"] == "hit" and o["path"] == "t/many.zip!last.com" for o in objs), "without the cap it is")
    # No archives opened.
    rc, objs, _ = scan(["--archive-depth", "0", "t/many.zip", "t/bomb.zip"])
    c.check(rc == 0 and not any(o["type"] != "summary" for o in objs), "--archive-depth 0 leaves archives closed")
    # Per-file YARA time: a rule whose condition loops over every pair of
    # bytes (10^10 steps for 100 KB) cannot finish; --timeout 1 ends it.
    slow = os.path.join(tmp, "slow.yar")
    with open(slow, "w") as f:
        f.write("rule canhgac_slow { condition: for all i in (0..filesize) : "
                "( for all j in (0..filesize) : ( uint8(i) != 0xff or uint8(j) != 0xfe ) ) }\n")
    with open(os.path.join(tmp, "pairs.bin"), "wb") as f:
        f.write(bytes(100000))
    rc, objs, _ = scan(["--rules", slow, "--timeout", "1", "pairs.bin"])
    probs = {(o["kind"], o["path"]): o["message"] for o in objs if o["type"] == "problem"}
    c.check(("timeout", "pairs.bin") in probs, f"the file is reported as timed out ({probs})")
    c.check(rc == 3 and objs and objs[-1]["problems"]["timeout"] == 1, "exit 3, counted in the summary")
    # Other file systems: /dev/shm is a mount point below /dev on Linux.
    if os.path.ismount("/dev/shm") and os.stat("/dev/shm").st_dev != os.stat("/dev").st_dev:
        rc, objs, _ = scan(["/dev"])
        kinds = {(o["path"], o["kind"]): o["message"] for o in objs if o["type"] == "problem"}
        c.check("another file system" in kinds.get(("/dev/shm", "skipped"), ""), "/dev/shm is not entered")
        c.check(("/dev/null", "skipped") in kinds, "/dev/null is skipped, never opened")
        rc, objs, _ = scan(["--cross-fs", "/dev"])
        c.check(not any(o.get("path") == "/dev/shm" for o in objs), "--cross-fs enters it")
    else:
        print("note: /dev/shm is not a separate file system here: --one-file-system not exercised")
    # Usage errors.
    rc, _, err = scan(["--max-size", "12Q", "t"])
    c.check(rc == 2 and "--max-size" in err, "a bad size is a usage error")
    rc, _, err = scan(["--rules", os.path.join(tmp, "missing.yar"), "t"])
    c.check(rc == 1 and "missing.yar" in err, "a missing rule file is named")
    bad = os.path.join(tmp, "bad.yar")
    with open(bad, "w") as f:
        f.write("rule ok { condition: true }\nrule broken { strings: $a = \"x\" condition: $b }\n")
    rc, _, err = scan(["--rules", bad, "t"])
    c.check(rc == 1 and "bad.yar:2:" in err, f"a compile error names file and line ({err.strip()})")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(c.finish())
