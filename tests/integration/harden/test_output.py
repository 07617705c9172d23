#!/usr/bin/env python3
"""Output files and standard output (issue 12 items 1-2, issue 9 "unchecked
output"): `block export -o` never follows a planted symlink, never replaces a
device or a symlink, keeps the owner and mode, `-` is standard output; a write
failure at any point (file-size limit, full tmpfs, /dev/full) leaves the old
file whole, no temporary behind, and exits non-zero; `hunt` and `sigma hunt`
into a full disk exit non-zero."""
import os
import resource
import signal
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import SRC, check, finish, run, tmpdir  # noqa: E402

tmp = tmpdir("out")
db = os.path.join(tmp, "t.db")
os.chdir(tmp)

# Enough decisions for an export of several pages (the fault sweep needs room).
targets = "".join(f"bad{i}.so-mau.example\n" for i in range(12000))
rc, out, err = run(["block", "add", "--reason", "test", "-f", "-"], db, stdin=targets.encode())
check(rc == 0, f"block add ({rc}: {err.strip()[:200]})")
rc, expected, err = run(["block", "export", "-F", "plain"], db)
check(rc == 0 and "bad11999.so-mau.example" in expected, "export to stdout")
expected_b = expected.encode()


def leftovers(d):
    return [n for n in os.listdir(d) if n.startswith(".")]


# 1. A symlink planted at the old temporary name: the victim is untouched.
with open("victim.txt", "w") as f:
    f.write("victim\n")
p = subprocess.Popen(["sh", "-c", f'ln -s victim.txt block.nft.tmp.$$; exec "$0" block export -F nft -o block.nft',
                      os.environ["CANHGAC_BIN"]], env=dict(os.environ, CANHGAC_DB=db, LC_ALL="C.UTF-8",
                                                           LANGUAGE="en", CANHGAC_NOW="1796083200"),
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
p.communicate(timeout=120)
check(p.returncode == 0, "export next to a planted symlink succeeds")
check(open("victim.txt").read() == "victim\n", "the symlink's target is untouched")
check(os.path.isfile("block.nft") and not os.path.islink("block.nft") and "table" in open("block.nft").read(),
      "block.nft written")

# 2. /dev/null stays a character device; the command says why it refuses.
rc, out, err = run(["block", "export", "-F", "plain", "-o", "/dev/null"], db)
check(rc == 1 and "/dev/null" in err and "character device" in err, f"-o /dev/null refused ({rc}: {err.strip()})")
check(stat.S_ISCHR(os.stat("/dev/null").st_mode), "/dev/null is still a character device")
os.mkfifo("fifo")
rc, out, err = run(["block", "export", "-F", "plain", "-o", "fifo"], db, timeout=30)
check(rc == 1 and "FIFO" in err and stat.S_ISFIFO(os.lstat("fifo").st_mode), "-o FIFO refused without blocking")
os.mkdir("adir")
rc, out, err = run(["block", "export", "-F", "plain", "-o", "adir"], db)
check(rc == 1 and "directory" in err and os.path.isdir("adir"), "-o DIRECTORY refused")

# A symlink is written through: the link stays, its target gets the content.
os.mkdir("release")
with open("release/resolver.conf", "w") as f:
    f.write("old\n")
os.chmod("release/resolver.conf", 0o640)
os.chown("release/resolver.conf", 0, 0) if os.geteuid() == 0 else None
os.symlink("release/resolver.conf", "link.conf")
if os.geteuid() == 0:
    os.chown("release/resolver.conf", 4242, 4343)
rc, out, err = run(["block", "export", "-F", "plain", "-o", "link.conf"], db)
check(rc == 0, f"-o symlink ({rc}: {err.strip()})")
check(os.path.islink("link.conf") and os.readlink("link.conf") == "release/resolver.conf", "the symlink stays")
st = os.stat("release/resolver.conf")
check(open("release/resolver.conf", "rb").read() == expected_b, "the link's target holds the export")
check(stat.S_IMODE(st.st_mode) == 0o640, f"mode kept (0{stat.S_IMODE(st.st_mode):o})")
if os.geteuid() == 0:
    check((st.st_uid, st.st_gid) == (4242, 4343), f"owner kept ({st.st_uid}:{st.st_gid})")
check(not leftovers("release") and not leftovers("."), "no temporary left behind")
os.symlink("nowhere/x.conf", "dangling.conf")
rc, out, err = run(["block", "export", "-F", "plain", "-o", "dangling.conf"], db)
check(rc == 1 and "dangling.conf" in err and os.path.islink("dangling.conf"), "dangling symlink refused")

# A new file gets 0666 less the umask.
os.umask(0o027)
rc, out, err = run(["block", "export", "-F", "plain", "-o", "new.txt"], db)
check(rc == 0 and stat.S_IMODE(os.stat("new.txt").st_mode) == 0o640, "new file: mode from the umask")
os.umask(0o022)

# `-o -` is standard output, no file named '-'.
rc, out, err = run(["block", "export", "-F", "plain", "-o", "-"], db)
check(rc == 0 and out == expected and not os.path.exists("-"), "-o - writes to standard output")


# 3. Fault injection: a file-size limit stepped over the whole output, and a
# full tmpfs. Either a clean failure (exit 1, message, old file whole, no
# temporary) or the complete export.
def limited(limit):
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return pre


os.mkdir("fault")
target = os.path.join("fault", "out.txt")
n = len(expected_b)
# The database's shared-memory index (32 KiB) is written on open: limits
# start above it, the export is several times larger.
base = 40000
check(n > 4 * base, f"export of {n} bytes is large enough for the sweep")
steps = sorted(set([base, base + 1, n // 2, n - 1, n, n + 1] + list(range(base, n, max(1, (n - base) // 23)))))
clean = done = 0
for lim in steps:
    with open(target, "w") as f:
        f.write("previous\n")
    # The database is only read; only the output is limited (the WAL is small).
    rc, out, err = run(["block", "export", "-F", "plain", "-o", target], db, preexec_fn=limited(lim))
    body = open(target, "rb").read()
    if rc == 0:
        done += 1
        check(body == expected_b, f"limit {lim}: success leaves the whole export")
    else:
        clean += 1
        check(rc == 1 and "out.txt" in err and body == b"previous\n", f"limit {lim}: clean failure ({rc}: {err.strip()})")
    check(not leftovers("fault"), f"limit {lim}: no temporary left")
check(clean >= 5 and done >= 1, f"the sweep hit failures ({clean}) and successes ({done})")

mnt = os.path.join(tmp, "small")
os.mkdir(mnt)
mounted = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", mnt],
                                               capture_output=True).returncode == 0
if mounted:
    try:
        with open(os.path.join(mnt, "out.txt"), "w") as f:
            f.write("previous\n")
        rc, out, err = run(["block", "export", "-F", "plain", "-o", os.path.join(mnt, "out.txt")], db)
        check(rc == 1 and "No space left" in err, f"full tmpfs: exit 1 with ENOSPC ({rc}: {err.strip()})")
        check(open(os.path.join(mnt, "out.txt")).read() == "previous\n" and not leftovers(mnt),
              "full tmpfs: old file whole, no temporary")
        subprocess.run(["mount", "-o", "remount,ro", mnt], check=True)
        rc, out, err = run(["block", "export", "-F", "plain", "-o", os.path.join(mnt, "out.txt")], db)
        check(rc == 1 and "read-only" in err, f"read-only file system named ({err.strip()})")
    finally:
        subprocess.run(["umount", mnt])
else:
    print("note: not root or no tmpfs mount: the ENOSPC case runs on /dev/full only")

# 4. Standard output into a full disk: every command that prints.
with open("/dev/full", "wb") as full:
    rc, out, err = run(["block", "export", "-F", "plain"], db, stdout=full)
    check(rc == 1 and "standard output" in err, f"block export > /dev/full ({rc}: {err.strip()})")
    rc, out, err = run(["block", "list"], db, stdout=full)
    check(rc == 1 and "No space left" in err, f"block list > /dev/full ({rc}: {err.strip()})")
    logs = os.path.join(tmp, "logs")
    os.mkdir(logs)
    with open(os.path.join(logs, "a.log"), "w") as f:
        f.write("".join(f"Dec  1 10:00:{i % 60:02d} gw1 named: query bad{i}.so-mau.example\n" for i in range(200)))
    with open("ioc.txt", "w") as f:
        f.write(targets)
    rc, out, err = run(["hunt", "--intel", "ioc.txt", logs], None, stdout=full)
    check(rc == 1 and "standard output" in err, f"hunt > /dev/full exits 1 ({rc}: {err.strip()[:300]})")
    ev = os.path.join(tmp, "ev.json")
    with open(ev, "w") as f:
        f.write('{"Event":{"System":{"EventID":4624,"Channel":"Security","Computer":"ws01.so-mau.example"}}}\n')
    rules = os.path.join(SRC, "tests", "integration", "sigma", "rules", "any_logon.yml")
    rc, out, err = run(["sigma", "hunt", "-r", rules, ev], None, stdout=full)
    check(rc == 1 and "standard output" in err, f"sigma hunt > /dev/full exits 1 ({rc}: {err.strip()[:300]})")
    rc, out, err = run(["--help"], None, stdout=full)
    check(rc == 1, "canhgac --help > /dev/full exits 1")

finish()
