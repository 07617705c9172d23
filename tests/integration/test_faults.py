"""Storage under I/O failure: every write path keeps the database whole.

Runs the real binary with a file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored,
so a write past the limit fails with EFBIG, as on a full disk), stepping the
limit so that the failure lands at many points of the transaction: opening
the write-ahead log, mid-transaction cache spills, the commit, the
checkpoint. For every limit the command either fails cleanly (exit status 1,
no signal, a message naming the database, no sanitizer report) and leaves the
database exactly as it was, or succeeds and leaves exactly what an unlimited
run leaves. Afterwards `PRAGMA integrity_check` is "ok" and the command runs
to completion without a limit.

A hunt records its hits in batched transactions by design (a long hunt must
not hold the write lock for its whole run), so for `hunt` the check is that
nothing recorded before is lost or changed and what the failed hunt left is
a prefix of the hits a full run records; a re-run completes the set."""
import hashlib
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile

BIN = os.environ["CANHGAC_BIN"]
DATA = os.environ.get("CANHGAC_SHARED_DATA", "")
NOW = "1767225600"  # 2026-01-01: imports and hunts get the same stamps in every run
PAGE_FRAME = 4096 + 24  # one WAL frame: a page and its header
failures = []
report = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)
    return cond


def limited(limit):
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # inherited across exec: write() gets EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return pre if limit is not None else None


def run(db, args, limit=None):
    env = dict(os.environ, CANHGAC_NOW=NOW, LANGUAGE="en", LC_ALL="C.UTF-8")
    p = subprocess.run([BIN, "--db", db, "--quiet", *args], capture_output=True, timeout=300, env=env,
                       preexec_fn=limited(limit))
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def tables(con):
    return [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]


# Columns that differ between two identical runs: alert ids are UUIDv7,
# random by design.
RANDOM_COLS = {("alert", "uid")}


def content(db, skip=()):
    """Integrity, foreign keys and every row of every table (sorted, so
    independent of page layout)."""
    con = sqlite3.connect(db)
    try:
        integrity = [r[0] for r in con.execute("PRAGMA integrity_check")]
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
        rows = {}
        for t in tables(con):
            if t in skip:
                continue
            cols = ", ".join(f'"{c[1]}"' for c in con.execute(f'PRAGMA table_info("{t}")')
                             if (t, c[1]) not in RANDOM_COLS)
            rows[t] = sorted(repr(r) for r in con.execute(f'SELECT {cols} FROM "{t}"'))
        return integrity, fk, rows
    finally:
        con.close()


def digest(rows):
    h = hashlib.sha256()
    for t in sorted(rows):
        h.update(t.encode() + b"\0")
        for r in rows[t]:
            h.update(r.encode() + b"\n")
    return h.hexdigest()


def fresh(base, work):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(work + suffix):
            os.unlink(work + suffix)
    shutil.copyfile(base, work)


def wal_size_of_run(base, work, args):
    """Run unlimited while a second connection keeps the write-ahead log from
    being checkpointed away at exit; return (rc, out, err, WAL bytes)."""
    fresh(base, work)
    keep = sqlite3.connect(work)
    keep.execute("SELECT count(*) FROM sqlite_master").fetchone()
    rc, out, err = run(work, args)
    size = os.path.getsize(work + "-wal") if os.path.exists(work + "-wal") else 0
    keep.close()
    return rc, out, err, size


def sweep_limits(need, n):
    """Limits that fail before the log exists, inside the shared-memory index,
    and then at n points spread over the frames the transaction writes, plus
    a few past it (where a failed checkpoint must not matter)."""
    points = {0, 1, 100, 4096, 32767}
    first = 32768 + 32 + PAGE_FRAME  # the index exists, the log holds one frame
    frames = max(1, (need - first) // PAGE_FRAME)
    step = max(1, frames // n)
    for k in range(0, frames + 1, step):
        points.add(first + k * PAGE_FRAME)
    # The commit frame itself, one byte short of and just past each end.
    for x in (need - 1, need, need + PAGE_FRAME, need * 2):
        if x > 0:
            points.add(x)
    return sorted(points)


def sweep(name, base, tmp, args, n, view=None, extra_ok=None, quiet_on_fail=True):
    """Fail `args` at many write offsets; see the module comment."""
    work = os.path.join(tmp, name + ".db")
    ref_work = os.path.join(tmp, name + "-ref.db")
    before_int, before_fk, before_rows = content(base)
    before = digest(before_rows)
    before_view = view(base) if view else None

    rc, out, err, need = wal_size_of_run(base, ref_work, args)
    if not check(rc == 0, f"{name}: unlimited reference run failed: rc={rc} {err}"):
        return
    ref_int, ref_fk, ref_rows = content(ref_work)
    after = digest(ref_rows)
    check(after != before, f"{name}: the reference run changed nothing (the sweep would prove nothing)")
    after_view = view(ref_work) if view else None

    limits = sweep_limits(need, n)
    n_fail = n_ok = 0
    messages = set()
    for lim in limits:
        fresh(base, work)
        rc, out, err = run(work, args, limit=lim)
        what = f"{name}: limit {lim} of {need}"
        check(rc >= 0, f"{what}: killed by signal {-rc}: {err[-500:]}")
        check("Sanitizer" not in err and "runtime error" not in err, f"{what}: sanitizer report: {err[-2000:]}")
        integrity, fk, rows = content(work)
        check(integrity == ["ok"], f"{what}: integrity_check {integrity[:3]}")
        check(fk == [], f"{what}: foreign_key_check {fk[:3]}")
        state = digest(rows)
        if rc == 0:
            n_ok += 1
            check(state == after, f"{what}: succeeded but left a different database than an unlimited run")
            if view:
                check(view(work) == after_view, f"{what}: succeeded but lists differ from an unlimited run")
            continue
        n_fail += 1
        check(rc == 1, f"{what}: exit status {rc}, expected 1")
        msg = err.strip().splitlines()[-1] if err.strip() else ""
        messages.add(msg.replace(work, "DB"))
        check(msg.startswith("canhgac: ") and work in msg, f"{what}: unclear message {msg!r}")
        check(any(w in msg for w in ("disk is full", "disk I/O error", "cannot open")),
              f"{what}: message does not say the disk failed: {msg!r}")
        if quiet_on_fail:
            check(out == "", f"{what}: a failed run printed a result: {out[:200]!r}")
        if extra_ok:
            extra_ok(what, before_rows, ref_rows, rows, work)
        else:
            changed = [t for t in rows if rows[t] != before_rows.get(t)]
            check(state == before, f"{what}: a failed run changed the database: tables {changed}")
            if view:
                check(view(work) == before_view, f"{what}: a failed run changed what the lists show")
    check(n_fail > 0, f"{name}: no limit made the command fail (sweep too coarse)")
    # The same command without a limit, on a database that just saw a failure.
    rc, out, err = run(work, args)
    check(rc == 0, f"{name}: after the failures the unlimited run fails: {err}")
    report.append(f"{name}: WAL {need} bytes, {len(limits)} limits: {n_fail} failed cleanly, {n_ok} succeeded; "
                  f"{len(messages)} distinct messages")
    for m in sorted(messages):
        report.append(f"    {m}")


# ---- intel import: a big feed replacing an earlier import of the same source ----

def feed(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        f.write("# generated feed for the fault sweep\n")
        for l in lines:
            f.write(l + "\n")


def domains(a, b):
    return [f"c2-{i}.botnet-mau.example" for i in range(a, b)]


def v6(a, b):
    return [f"2001:db8:{i >> 16:x}:{i & 0xffff:x}::1" for i in range(a, b)]


def intel_view(db):
    rc, out, err = run(db, ["intel", "list", "--json"])
    rc2, out2, err2 = run(db, ["intel", "list", "botnet", "--json"])
    return (rc, out, rc2, out2)


def test_intel(tmp, n_lines, n):
    base = os.path.join(tmp, "intel-base.db")
    f1, f2, f3, fo = (os.path.join(tmp, x) for x in ("botnet-1.txt", "botnet-2.txt", "botnet-3.txt", "other.txt"))
    feed(f1, domains(0, 4000) + v6(0, 1000))
    feed(f2, domains(2000, 8000) + v6(500, 1500) + ["198.51.100.0/24", "203.0.113.9"])
    feed(fo, domains(3000, 3500) + ["203.0.113.9"])
    half = n_lines // 2
    feed(f3, domains(6000, 6000 + half) + v6(1000, 1000 + n_lines - half))
    for args in (["-s", "botnet", f1], ["-s", "botnet", f2], ["-s", "other", fo]):
        rc, out, err = run(base, ["intel", "import", *args])
        if not check(rc == 0, f"intel setup import {args}: {err}"):
            return
    # The third import of "botnet" prunes the first one and the indicators
    # only it listed, but must keep those "other" still lists.
    sweep("intel import", base, tmp, ["intel", "import", "-s", "botnet", f3], n, view=intel_view)
    sweep("intel import --append", base, tmp, ["intel", "import", "--append", "-s", "other", f3], max(4, n // 3),
          view=intel_view)


# ---- host import ----

def test_hosts(tmp, n_hosts, n):
    base = os.path.join(tmp, "host-base.db")
    for args in (["system", "add", "Cổng thông tin điện tử", "--level", "3"], ["system", "add", "Máy trạm", "-l", "1"],
                 ["host", "add", "web01.so-mau.example", "-a", "10.10.1.11", "-s", "Cổng thông tin điện tử"]):
        rc, out, err = run(base, args)
        if not check(rc == 0, f"host setup {args}: {err}"):
            return
    csv = os.path.join(tmp, "hosts.csv")
    with open(csv, "w", encoding="utf-8") as f:
        f.write("Tên máy,Địa chỉ IP,Hệ thống,Hệ điều hành\n")
        f.write("web01.so-mau.example,10.10.1.99;2001:db8:10::99,Cổng thông tin điện tử,Ubuntu 22.04\n")
        for i in range(n_hosts):
            f.write(f"ws-{i:05d}.so-mau.example,10.{20 + i // 65536}.{(i >> 8) & 255}.{i & 255};"
                    f"2001:db8:20::{i:x},Máy trạm,Windows 10\n")
    view = lambda db: run(db, ["host", "list", "--json"])
    sweep("host import", base, tmp, ["host", "import", csv], n, view=view)


# ---- hunt with storage ----

HIT_COLS = "file, line, line_hash, indicator, match, match_type, source, family, host_id, host_label, seen_at"


def hunt_partial(name):
    def ok(what, before_rows, ref_rows, rows, work):
        for t in before_rows:
            if t in ("hunt", "hit", "alert", "alert_event"):
                continue
            check(rows.get(t) == before_rows[t], f"{what}: a failed hunt changed table {t}")
        con = sqlite3.connect(work)
        try:
            # Alerts are written in the hits' batches: the events behind them
            # are exactly the (line, list entry, host) of the stored hits.
            hit_events = con.execute("SELECT count(*) FROM (SELECT DISTINCT file, line, match, host_id, host_label"
                                     " FROM hit)").fetchone()[0]
            alert_events = con.execute("SELECT count(*) FROM alert_event").fetchone()[0]
            hunts = con.execute("SELECT id, finished_at FROM hunt ORDER BY id").fetchall()
            old = con.execute("SELECT count(*) FROM hit WHERE hunt_id = 1").fetchone()[0]
            new = con.execute(f"SELECT {HIT_COLS} FROM hit WHERE hunt_id <> 1 ORDER BY line, indicator").fetchall()
        finally:
            con.close()
        check(hunts[0] == (1, int(NOW)), f"{what}: the earlier hunt changed: {hunts[:1]}")
        check(len(hunts) <= 2 and all(h[1] is None for h in hunts[1:]),
              f"{what}: a failed hunt is marked finished: {hunts}")
        check(old == len(before_rows["hit"]), f"{what}: hits of the earlier hunt lost")
        check(alert_events == hit_events, f"{what}: {alert_events} alert events for {hit_events} hit lines")
        full = ref_hits[name]
        # Hits come in file order and are committed in batches: what a failed
        # hunt left is the first k hits of a full run.
        check(new == full[:len(new)] or sorted(new) == sorted(full[:len(new)]),
              f"{what}: the failed hunt left hits that are not a prefix of a full run ({len(new)})")
    return ok


ref_hits = {}


def test_hunt(tmp, n_lines, n):
    base = os.path.join(tmp, "hunt-base.db")
    intel = os.path.join(tmp, "hunt-intel.txt")
    feed(intel, domains(0, 3000) + ["198.51.100.0/24", "203.0.113.9"])
    for args in (["intel", "import", "-s", "botnet", intel],
                 ["system", "add", "Cổng thông tin điện tử", "--level", "3"],
                 ["host", "add", "web01.so-mau.example", "-a", "10.10.1.11", "-s", "Cổng thông tin điện tử"]):
        rc, out, err = run(base, args)
        if not check(rc == 0, f"hunt setup {args}: {err}"):
            return
    old_log = os.path.join(tmp, "old.log")
    with open(old_log, "w") as f:
        f.write("Nov 30 23:59:01 web01 named[811]: client 10.10.1.11#5353: query: c2-1.botnet-mau.example IN A\n")
    rc, out, err = run(base, ["hunt", old_log])
    if not check(rc == 0, f"hunt setup: {err}"):
        return
    log = os.path.join(tmp, "dns.log")
    with open(log, "w") as f:
        for i in range(n_lines):
            f.write(f"Dec  1 00:{(i // 60) % 60:02d}:{i % 60:02d} web01 named[811]: client 10.10.1.11#{1024 + i % 50000}: "
                    f"query: c2-{i % 3000}.botnet-mau.example IN A + (10.10.1.11) reply 198.51.100.{i % 256}\n")
    ref = os.path.join(tmp, "hunt-hits-ref.db")
    fresh(base, ref)
    rc, out, err = run(ref, ["hunt", "--threads", "2", log])
    check(rc == 0, f"hunt reference run: {err}")
    con = sqlite3.connect(ref)
    ref_hits["hunt"] = con.execute(f"SELECT {HIT_COLS} FROM hit WHERE hunt_id <> 1 ORDER BY line, indicator").fetchall()
    con.close()
    check(len(ref_hits["hunt"]) >= 2 * n_lines, f"hunt: the log has {len(ref_hits['hunt'])} hits, expected 2 a line")
    sweep("hunt", base, tmp, ["hunt", "--threads", "2", log], n, extra_ok=hunt_partial("hunt"),
          quiet_on_fail=False)
    # A re-run after a failed one records the missing hits: the union is a full run's.
    work = os.path.join(tmp, "hunt-rerun.db")
    fresh(base, work)
    rc, out, err = run(work, ["hunt", "--threads", "2", log], limit=32768 + 32 + PAGE_FRAME * 20)
    check(rc == 1, f"hunt: a small limit does not fail the hunt (rc={rc})")
    rc, out, err = run(work, ["hunt", "--threads", "2", log])
    check(rc == 0, f"hunt re-run: {err}")
    con = sqlite3.connect(work)
    got = sorted(con.execute(f"SELECT {HIT_COLS} FROM hit WHERE hunt_id <> 1").fetchall())
    con.close()
    check(got == sorted(ref_hits["hunt"]), f"hunt: failed run + re-run recorded {len(got)} hits, "
          f"a full run {len(ref_hits['hunt'])}")


# ---- block add -f ----

def test_block(tmp, n_targets, n):
    base = os.path.join(tmp, "block-base.db")
    rc, out, err = run(base, ["block", "add", "--reason", "thư cảnh báo số 1", "198.51.100.7", "bad.so-mau.example"])
    if not check(rc == 0, f"block setup: {err}"):
        return
    lst = os.path.join(tmp, "block.txt")
    with open(lst, "w") as f:
        f.write("# danh sách chặn\n198.51.100.7\n")
        for i in range(n_targets):
            f.write(f"c2-{i}.botnet-mau.example\n" if i % 2 else f"2001:db8:{i >> 16:x}:{i & 0xffff:x}::/64\n")
    view = lambda db: run(db, ["block", "list", "--json"])
    sweep("block add -f", base, tmp, ["block", "add", "--reason", "lệnh chặn", "--expires", "30d", "-f", lst], n,
          view=view)


# ---- vuln import and inventory import (shared samples) ----

def test_vuln(tmp, n):
    if not DATA or not os.path.isdir(os.path.join(DATA, "vuln")):
        print("# SKIP vuln/inventory sweeps: ../shared/data not found")
        return
    base = os.path.join(tmp, "vuln-base.db")
    nvd = os.path.join(DATA, "vuln", "nvd", "CVE-2023-4863.nvd2.json")
    rc, out, err = run(base, ["vuln", "import", nvd])
    if not check(rc == 0, f"vuln setup: {err}"):
        return
    rc, out, err = run(base, ["inventory", "import", "--create-host", "web01.so-mau.example",
                              os.path.join(DATA, "vuln", "pkgdb", "debian_dpkg_status_small")])
    if not check(rc == 0, f"inventory setup: {err}"):
        return
    kev = os.path.join(DATA, "vuln", "cisa_kev", "known_exploited_vulnerabilities.json")
    sweep("vuln import", base, tmp, ["vuln", "import", kev], n)
    sweep("inventory import", base, tmp,
          ["inventory", "import", "web01.so-mau.example", os.path.join(DATA, "vuln", "pkgdb", "debian_dpkg_status")],
          max(4, n // 2))


def main():
    # Fewer limits under the sanitizers, which run the binary several times slower.
    with open(BIN, "rb") as f:
        scale = 2 if b"__asan_init" in f.read() else 1
    with tempfile.TemporaryDirectory(prefix="canhgac-faults-") as tmp:
        test_intel(tmp, 30000, 24 // scale)
        test_hosts(tmp, 3000, 12 // scale)
        test_hunt(tmp, 4000, 12 // scale)
        test_block(tmp, 4000, 12 // scale)
        test_vuln(tmp, 10 // scale)
    for line in report:
        print("#", line)
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
