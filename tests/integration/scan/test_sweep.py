#!/usr/bin/env python3
"""`canhgac scan` over a tree built here: the real YARA rules of
../shared/data/yara hit exactly the plain files the `yara` command line hits
(`yara -r -N`, same rules, same tree); EICAR is recognised by its definition
(a model here) in plain files and inside zip/tar/gzip archives nested up to
the default depth; listed hashes (computed here with hashlib) hit; symbolic
links (loops, out of the tree) are not followed, FIFOs, sockets and devices
are skipped without being opened, unreadable files and directories are
reported, the sweep ends; hits become alerts tied to --host; the compiled
rules are cached and the cache follows the sources."""
import glob
import gzip
import hashlib
import io
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tarfile
import tempfile
import zipfile

from cgtest import BIN, PINNED, TIMEOUT, Checks, shared  # noqa: E402

RULES_DIR = shared("yara")
RULE_FILES = sorted(glob.glob(os.path.join(RULES_DIR, "*", "*.yar")))
YARA = shutil.which("yara")
if not YARA:
    print("FAIL: the yara command line is not installed (scripts/packages.txt has it)")
    sys.exit(1)

# The EICAR test string, put together here so the repository never holds it
# in one piece (its definition: eicar.org, "Anti Malware Testfile").
EICAR = ("X5O!P%@AP[4\\PZX54" + "(P^)7CC)7}$" + "EICAR-STANDARD-" + "ANTIVIRUS-TEST-FILE!$H+H*").encode()
assert len(EICAR) == 68


def is_eicar(data):
    """The definition: starts with the string, then only space, tab, LF, CR,
    CTRL-Z, 128 bytes at most."""
    return (len(data) <= 128 and data.startswith(EICAR)
            and all(b in b" \t\n\r\x1a" for b in data[68:]))


c = Checks()
tmp = tempfile.mkdtemp(prefix="canhgac-scan-")
os.chmod(tmp, 0o755)
tree = os.path.join(tmp, "tree")
outside = os.path.join(tmp, "outside")
contents = {}  # path in the tree (as the scan names it) -> bytes, for the models


def put(rel, data, base=None):
    p = os.path.join(base or tree, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)
    if base is None:
        contents["tree/" + rel] = data
    return p


def zip_bytes(members):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    return b.getvalue()


def tar_bytes(members, mode="w"):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode=mode) as t:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    return b.getvalue()


# Expected EICAR hits inside archives: path "a!b!c" -> data, built with the archives.
inner = {}


def archive(rel, kind, members, depth_prefix):
    """members: (name, data); records inner paths for the model."""
    if kind == "zip":
        data = zip_bytes(members)
    elif kind == "tar":
        data = tar_bytes(members)
    else:
        data = tar_bytes(members, "w:gz")
    for name, d in members:
        inner[depth_prefix + "!" + name] = d
    return data


try:
    # Plain hits and near-misses.
    put("eicar.com", EICAR)
    put("eicar-crlf.com", EICAR + b"\r\n\x1a")
    put("near/one-char-off.txt", EICAR.replace(b"TEST", b"TEXT"))
    put("near/trailing-text.txt", EICAR + b" and more")
    put("near/too-long.txt", EICAR + b" " * 61)  # 129 bytes: not the test file, the YARA rule still hits
    put("near/prefixed.txt", b"x" + EICAR)
    put("near/zero-o.txt", EICAR.replace(b"X5O", b"X50", 1))
    log4 = shared("logs", "crowdsec-hub", "apache-log4shell.log")
    with open(log4, "rb") as f:
        put("web/access.log", f.read())
    put("web/clean.log", b"GET /index.html HTTP/1.1 200\n" * 100)
    put("scripts/dl.ps1", b"$d = [System.Convert]::FromBase64String($x)\nIEX $d\n")
    for rf in RULE_FILES:  # rule files contain their own strings
        with open(rf, "rb") as f:
            put("rules-copy/" + os.path.basename(rf), f.read())
    # Deep directories, within the walk's depth.
    put("/".join(["d"] * 40) + "/deep-eicar.com", EICAR)
    # Archives: zip, tar, tar.gz, gzip alone, nested three levels.
    put("arc/a.zip", archive("arc/a.zip", "zip", [("x/eicar.com", EICAR), ("clean.txt", b"hello")], "tree/arc/a.zip"))
    put("arc/b.tar", archive("arc/b.tar", "tar", [("eicar.com", EICAR + b"\n")], "tree/arc/b.tar"))
    put("arc/c.tar.gz", archive("arc/c.tar.gz", "tgz", [("in/eicar.com", EICAR), ("in/near.txt", EICAR + b"!")],
                                "tree/arc/c.tar.gz"))
    put("arc/d.com.gz", gzip.compress(EICAR))
    inner["tree/arc/d.com.gz!d.com"] = EICAR
    lvl3 = zip_bytes([("deepest/eicar.com", EICAR)])
    lvl2 = tar_bytes([("lvl3.zip", lvl3)], "w:gz")
    put("arc/nested.zip", zip_bytes([("lvl2.tgz", lvl2)]))
    inner["tree/arc/nested.zip!lvl2.tgz"] = lvl2
    inner["tree/arc/nested.zip!lvl2.tgz!lvl3.zip"] = lvl3
    inner["tree/arc/nested.zip!lvl2.tgz!lvl3.zip!deepest/eicar.com"] = EICAR
    # One level more than the default depth (3): its inside is not opened.
    lvl4 = zip_bytes([("l4.zip", zip_bytes([("l3.zip", zip_bytes([("l2.zip", zip_bytes([("e.com", EICAR)]))]))]))])
    put("arc/too-deep.zip", lvl4)
    # Hash indicators: a plain file and a file inside an archive.
    put("hash/listed.bin", b"\x7fELF listed sample\x00" * 50)
    put("hash/other.bin", b"\x7fELF other sample\x00" * 50)
    put("hash/inside.zip", zip_bytes([("payload.bin", b"payload listed by md5\n" * 7)]))
    inner["tree/hash/inside.zip!payload.bin"] = b"payload listed by md5\n" * 7
    # Links: a loop, a link to the tree's root, links out of the tree.
    put("eicar.com", EICAR, base=outside)
    os.symlink(".", os.path.join(tree, "loop"))
    os.symlink(tree, os.path.join(tree, "arc", "root-link"))
    os.symlink(outside, os.path.join(tree, "out-dir"))
    os.symlink(os.path.join(outside, "eicar.com"), os.path.join(tree, "out-file.com"))
    # Special files: never opened (a FIFO would block the scan for ever).
    os.mkfifo(os.path.join(tree, "fifo"))
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(os.path.join(tree, "sock"))
    is_root = os.geteuid() == 0
    if is_root:
        os.mknod(os.path.join(tree, "null-dev"), 0o644 | stat.S_IFCHR, os.makedev(1, 3))
    # Unreadable: a file and a directory (with a hit inside, which must not be found).
    put("locked/file.com", EICAR)
    put("locked-dir/eicar.com", EICAR)
    for root, dirs, files in os.walk(tmp):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
        for fn in files:
            os.chmod(os.path.join(root, fn), 0o644)
    os.chmod(os.path.join(tree, "locked", "file.com"), 0)
    os.chmod(os.path.join(tree, "locked-dir"), 0)
    for p in list(contents):
        if p.startswith("tree/locked"):
            del contents[p]

    # Root reads everything: run both scanners as nobody so permissions bite.
    drop = []
    if is_root:
        setpriv = shutil.which("setpriv")
        c.check(setpriv, "setpriv is present to drop root for the unreadable files")
        drop = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--"] if setpriv else []
    unreadable_expected = bool(drop) or not is_root

    feed = os.path.join(tmp, "hashes.txt")
    with open(feed, "w") as f:
        f.write(hashlib.sha256(contents["tree/hash/listed.bin"]).hexdigest() + "\n")
        f.write(hashlib.md5(b"payload listed by md5\n" * 7).hexdigest() + "\n")
        f.write(hashlib.sha1(b"never present").hexdigest() + "\n")

    env = dict(os.environ, **PINNED)
    env["HOME"] = tmp
    cache = os.path.join(tmp, "cache")
    os.makedirs(cache)
    if is_root and drop:
        os.chown(cache, 65534, 65534)
    os.chmod(cache, 0o700)

    def scan(extra, paths=("tree",)):
        r = subprocess.run(drop + [BIN, "scan", "--json", "--rules-cache", cache] + extra + list(paths),
                           cwd=tmp, capture_output=True, env=env, timeout=TIMEOUT)
        objs = [json.loads(line) for line in r.stdout.decode().splitlines() if line.strip()]
        return r.returncode, objs, r.stderr.decode()

    rules_args = []
    for rf in RULE_FILES:
        rules_args += ["--rules", rf]
    rc, objs, err = scan(rules_args + ["-i", feed])
    c.check(rc == 4, f"hits give exit status 4 (got {rc}; {err[-300:]})")
    hits = [o for o in objs if o["type"] == "hit"]
    problems = [o for o in objs if o["type"] == "problem"]
    summary = [o for o in objs if o["type"] == "summary"]
    c.check(len(summary) == 1 and objs[-1]["type"] == "summary", "one summary, last")

    # 1. YARA on plain files = the yara command line on the same tree.
    y = subprocess.run(drop + [YARA, "-r", "-N"] + RULE_FILES + ["tree"], cwd=tmp, capture_output=True,
                       env=env, timeout=TIMEOUT)
    want_yara = set()
    for line in y.stdout.decode().splitlines():
        rule, _, path = line.partition(" ")
        want_yara.add((rule, path))
    got_yara = {(h["rule"], h["path"]) for h in hits if h["kind"] == "yara" and "!" not in h["path"]}
    c.check(len(want_yara) >= 10, f"yara finds the planted hits ({len(want_yara)})")
    c.check(("eicar", "tree/eicar.com") in want_yara, "yara itself hits the EICAR file")
    c.check(got_yara == want_yara, "the same (rule, file) pairs as yara -r: missing "
            f"{sorted(want_yara - got_yara)[:5]}, extra {sorted(got_yara - want_yara)[:5]}")

    # 2. EICAR by its definition, plain and inside archives (depth <= 3).
    want_eicar = {p for p, d in contents.items() if is_eicar(d)}
    want_eicar |= {p for p, d in inner.items() if is_eicar(d)}
    got_eicar = {h["path"] for h in hits if h["kind"] == "eicar"}
    c.check("tree/arc/nested.zip!lvl2.tgz!lvl3.zip!deepest/eicar.com" in got_eicar, "nested 3 deep is found")
    c.check(got_eicar == want_eicar, f"EICAR hits: missing {sorted(want_eicar - got_eicar)}, "
            f"extra {sorted(got_eicar - want_eicar)}")
    c.check(not any("too-deep.zip!" in h["path"] and h["path"].count("!") > 3 for h in hits),
            "a fourth level is not opened")

    # 3. Hashes: exactly the listed ones, of files and archive members.
    want_hash = set()
    listed = set(open(feed).read().split())
    for p, d in list(contents.items()) + list(inner.items()):
        for name, fn in (("sha256", hashlib.sha256), ("md5", hashlib.md5), ("sha1", hashlib.sha1)):
            if fn(d).hexdigest() in listed:
                want_hash.add((p, name))
    got_hash = {(h["path"], h["hash_type"]) for h in hits if h["kind"] == "hash"}
    c.check(("tree/hash/inside.zip!payload.bin", "md5") in want_hash, "the model lists the archive member")
    c.check(got_hash == want_hash, f"hash hits {sorted(got_hash)} == {sorted(want_hash)}")
    # Only the digest types the list has are computed (no SHA-1 line would match anyway,
    # but a SHA-1 indicator is listed: all three are computed here).
    one = next(h for h in hits if h["path"] == "tree/hash/listed.bin")
    c.check(one["hashes"].get("sha256") == hashlib.sha256(contents["tree/hash/listed.bin"]).hexdigest(),
            "the hit carries the file's SHA-256")

    # 4. Links, special and unreadable files.
    c.check(not any(h["path"].startswith(("tree/loop", "tree/out-", "tree/arc/root-link")) for h in hits),
            "no hit through a symbolic link")
    c.check(summary and summary[0]["links_not_followed"] == 4, "four links counted as not followed")
    kinds = {(p["path"], p["kind"]) for p in problems}
    c.check(("tree/fifo", "skipped") in kinds, "the FIFO is skipped")
    c.check(("tree/sock", "skipped") in kinds, "the socket is skipped")
    if is_root:
        c.check(("tree/null-dev", "skipped") in kinds, "the device is skipped")
    if unreadable_expected:
        c.check(("tree/locked/file.com", "unreadable") in kinds, "the unreadable file is reported")
        c.check(("tree/locked-dir", "unreadable") in kinds, "the unreadable directory is reported")
    else:
        print("note: running as root without setpriv: unreadable files cannot be made")
    c.check(not any(h["path"].startswith("tree/locked") for h in hits) or not unreadable_expected,
            "nothing found in what cannot be read")

    # 5. The compiled rules came from the cache on a second run, and a changed
    # source is compiled again.
    c.check(summary and summary[0]["rules_from_cache"] is False, "first run compiles")
    rc2, objs2, _ = scan(rules_args + ["tree/eicar.com"], paths=())
    c.check(objs2 and objs2[-1].get("rules_from_cache") is True, "second run loads the cached rules")
    c.check(len(os.listdir(cache)) == 1, "one compiled set in the cache")
    extra_rule = os.path.join(tmp, "extra.yar")
    with open(extra_rule, "w") as f:
        f.write('rule canhgac_test_clean_log { strings: $a = "GET /index.html" condition: $a }\n')
    os.chmod(extra_rule, 0o644)
    rc3, objs3, _ = scan(rules_args + ["--rules", extra_rule, "tree/web"], paths=())
    c.check(objs3 and objs3[-1].get("rules_from_cache") is False, "a new source is compiled")
    c.check(any(o.get("rule") == "canhgac_test_clean_log" and o["path"] == "tree/web/clean.log" for o in objs3),
            "the added rule is in force")
    c.check(rc3 == 4, "exit status 4")

    # 6. Exit statuses: a clean file 0.
    rc4, _, _ = scan(rules_args + ["tree/web/clean.log"], paths=())
    c.check(rc4 == 0, f"a clean file gives 0 (got {rc4})")

    # 7. Alerts in the database, tied to the host.
    db = os.path.join(tmp, "t.db")
    r = subprocess.run([BIN, "--db", db, "scan", "--host", "web01.so-mau.example", "--no-rules-cache"] + rules_args
                       + ["tree/eicar.com", "tree/web"], cwd=tmp, capture_output=True, env=env, timeout=TIMEOUT)
    c.check(r.returncode == 4, f"scan with --db ({r.stderr.decode()[-200:]})")
    r = subprocess.run([BIN, "--db", db, "alert", "list", "--json"], capture_output=True, env=env, timeout=TIMEOUT)
    text = r.stdout.decode()
    alerts = [json.loads(x) for x in text.splitlines() if x.strip().startswith("{")] if not text.lstrip().startswith("[") \
        else json.loads(text)
    yara_alerts = {a.get("rule_id") for a in alerts if a.get("kind") == "yara"}
    c.check({"eicar", "EICAR-Test-File"} <= yara_alerts, f"YARA and EICAR alerts recorded: {sorted(yara_alerts)}")
    c.check(all(a.get("host") == "web01.so-mau.example" for a in alerts), "alerts carry the host")
finally:
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(c.finish())
