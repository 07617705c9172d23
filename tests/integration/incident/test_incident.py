#!/usr/bin/env python3
"""canhgac incident and evidence end to end: deadlines under a fake clock,
the initial (Mau 03) and final reports with every form entry, escaping in
the HTML, evidence bundles verified on a clean copy without the database,
one flipped byte in any file or custody entry detected and named, hostile
bundles refused, STIX 2.1 / MISP export -> import round trips, a checker of
the STIX 2.1 required properties, and confirmed indicators pushed to the
blocking list."""
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

BIN = os.environ["CANHGAC_BIN"]
T0 = 1796083200  # 2026-12-01T00:00:00Z
DAY = 86400
failures = []
tmp = tempfile.mkdtemp(prefix="canhgac-incident-")
DB = os.path.join(tmp, "t.db")
STORE = os.path.join(tmp, "store")


def run(*args, now=T0, check_rc=0, db=DB, env_extra=None):
    env = dict(os.environ, LANGUAGE="en", LC_ALL="C.UTF-8", CANHGAC_NOW=str(now))
    env.pop("CANHGAC_DB", None)
    if db:
        env["CANHGAC_DB"] = db
        env["CANHGAC_EVIDENCE_DIR"] = STORE
    if env_extra:
        env.update(env_extra)
    r = subprocess.run([BIN, *args], capture_output=True, text=True, env=env, timeout=300)
    if check_rc is not None and r.returncode != check_rc:
        failures.append(f"{' '.join(args)}: exit {r.returncode}, expected {check_rc}: {r.stderr.strip()[:400]}")
    return r


def check(cond, msg):
    if not cond:
        failures.append(msg)


def jrun(*args, **kw):
    r = run("--json", *args, **kw)
    try:
        return json.loads(r.stdout)
    except ValueError:
        failures.append(f"{' '.join(args)}: not JSON: {r.stdout[:200]!r}")
        return {}


# ---- set-up: a system, a host, an incident --------------------------------
run("system", "add", "Cổng thông tin Sở Mẫu", "--level", "3", "--owner", "Sở Mẫu")
run("host", "add", "web01.so-mau.example", "--system", "Cổng thông tin Sở Mẫu", "--addr", "203.0.113.10",
    "--addr", "10.1.2.3", "--os", "Debian 12")
r = jrun("incident", "open", "Thay đổi giao diện <script>alert(1)</script>", "--system", "Cổng thông tin Sở Mẫu",
         "--severity", "high", "--category", "defacement", "--discovered", "2026-11-28",
         "--description", "Trang chủ bị thay nội dung")
INC = r.get("incident")
check(INC == 1, f"first incident id {INC}")
run("incident", "open", "bad", "--severity", "extreme", check_rc=2)
run("incident", "open", "bad", "--system", "no-such-system", check_rc=1)
run("incident", "show", "99", check_rc=1)

# ---- deadlines under the fake clock -----------------------------------------
disc = T0 - 3 * DAY  # 2026-11-28


def states(now):
    for i in jrun("incident", "list", now=now):
        if i["id"] == INC:
            return i["initial_report"]["state"], i["final_report"]["state"], i["initial_report"]["due"]
    return None


st = states(T0)
check(st and st[0] == "due" and st[1] == "not-started", f"at T0: {st}")
check(st and st[2] == "2026-12-03T00:00:00Z", f"initial due {st and st[2]}, expected discovery + 5 days")
st = states(disc + 5 * DAY + 1)
check(st and st[0] == "overdue", f"one second after 5 days: {st}")
txt = run("incident", "list", now=disc + 7 * DAY).stdout
check(re.search(r"^1 .*OVERDUE 2d", txt, re.M), f"text list does not show OVERDUE 2d:\n{txt}")

# ---- timeline, tasks, links --------------------------------------------------
run("incident", "add", str(INC), "Báo cáo Đội ứng cứu sự cố tỉnh", "--by", "Tổ ứng cứu")
run("incident", "assign", str(INC), "Khôi phục từ bản sao lưu", "--owner", "Tổ ứng cứu", "--due", "2026-12-03")
run("incident", "assign", str(INC), "x", check_rc=2)  # no --owner
run("incident", "link", str(INC), "--indicator", "hxxp://evil[.]example/shell.php", "--confirmed")
run("incident", "link", str(INC), "--indicator", "198.51.100.7", "--confirmed")
run("incident", "link", str(INC), "--indicator", "10.9.9.9", "--confirmed")  # private: refused at blocking
run("incident", "link", str(INC), "--indicator", "bad-domain.example", "--note", "C2 suspected")
run("incident", "link", str(INC), "--indicator", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")
run("incident", "link", str(INC), "--host", "web01.so-mau.example")
run("incident", "link", str(INC), "--alert", "42")
run("incident", "link", str(INC), "--host", "nowhere.example", check_rc=1)
run("incident", "link", str(INC), "--indicator", "300.1.2.3", check_rc=1)
run("incident", "link", str(INC), "--hit", "1", "--vuln", "2", check_rc=2)
show = jrun("incident", "show", str(INC))
kinds = sorted((l["kind"], l["ref"]) for l in show.get("links", []))
check(("alert", "42") in kinds and ("host", "web01.so-mau.example") in kinds, f"links: {kinds}")
check(("indicator", "http://evil.example/shell.php") in kinds, f"defanged URL not canonical in links: {kinds}")
check(("indicator", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") in kinds,
      f"hash not lower-cased: {kinds}")

# ---- reports -------------------------------------------------------------------
# Mau 03 of Circular 20/2017/TT-BTTTT as the issue lists it, in the test's own words.
MAU03 = {
    "reporting_unit": "đơn vị báo cáo", "contact": "liên hệ", "operating_agency": "vận hành",
    "owning_agency": "chủ quản", "system_name": "tên hệ thống", "security_level": "cấp độ",
    "security_provider": "cung cấp dịch vụ bảo đảm an toàn", "isp": "internet", "description": "mô tả",
    "detected_at": "thời điểm phát hiện", "current_status": "tình trạng", "detection_method": "cách thức phát hiện",
    "notified": "thông báo", "os": "hệ điều hành", "services": "dịch vụ", "security_measures": "biện pháp",
    "public_ips": "ip công khai", "domains": "tên miền", "system_purpose": "mục đích", "attachments": "kèm theo",
}
FINAL = {"response_ended_at": "kết thúc ứng phó", "cause": "nguyên nhân", "impact": "ảnh hưởng",
         "actions": "biện pháp ứng phó", "recommendations": "kiến nghị", "timeline": "diễn biến",
         "tasks": "nhiệm vụ", "indicators": "ioc"}
user_fields = {
    "reporting_unit": "Sở Mẫu", "contact": "Nguyễn Văn Mẫu, 0900 000 000, attt@so-mau.example",
    "operating_agency": "Trung tâm CNTT Sở Mẫu", "owning_agency": "UBND tỉnh Mẫu",
    "security_provider": "Công ty ATTT Mẫu", "isp": "ISP Mẫu", "detection_method": "canhgac hunt",
    "notified": "Đội ứng cứu sự cố tỉnh Mẫu", "services": "HTTP, HTTPS",
    "security_measures": "WAF, sao lưu hằng ngày", "domains": "so-mau.example",
    "system_purpose": "Cổng thông tin điện tử <b>công khai</b>",
}
run("incident", "set", str(INC), *[f"{k}={v}" for k, v in user_fields.items()])
run("incident", "set", str(INC), "no_such_field=x", check_rc=2)
with open(os.path.join(tmp, "log.txt"), "w") as f:
    f.write("GET /shell.php 200\n")
run("evidence", "add", os.path.join(tmp, "log.txt"), "--incident", str(INC), "--by", "Tổ ứng cứu")

rep = jrun("incident", "report", str(INC))
fields = {f["key"]: f for f in rep.get("fields", [])}
for key, words in MAU03.items():
    check(key in fields, f"initial report lacks Mau 03 entry {key}")
    if key in fields:
        check(words in (fields[key]["vi"] + " " + fields[key]["en"]).lower(),
              f"entry {key}: label {fields[key]['vi']!r} does not say {words!r}")
for key in FINAL:
    check(key not in fields, f"initial report has final-report entry {key}")
check(fields.get("security_level", {}).get("value") == "3", "security level not taken from the system")
check(fields.get("system_name", {}).get("value") == "Cổng thông tin Sở Mẫu", "system name not filled")
check(fields.get("detected_at", {}).get("value") == "2026-11-28T00:00:00Z", "detection time not filled")
pub = fields.get("public_ips", {}).get("value")
check(pub == ["203.0.113.10"], f"public IPs {pub}: expected the host's public address only")
check(any("Debian 12" in x for x in fields.get("os", {}).get("value", [])), "host OS not in the report")
check(any("log.txt" in x for x in fields.get("attachments", {}).get("value", [])), "evidence not attached")
check(rep.get("missing") == [], f"entries still missing: {rep.get('missing')}")
check(rep.get("deadline", {}).get("state") == "due", f"deadline {rep.get('deadline')}")

other = jrun("incident", "open", "Mã độc", "--system", "Cổng thông tin Sở Mẫu")["incident"]
of = {f["key"]: f["value"] for f in jrun("incident", "report", str(other))["fields"]}
check(of.get("owning_agency") == "Sở Mẫu", f"owning agency not taken from the system's owner: {of.get('owning_agency')}")
check(fields.get("owning_agency", {}).get("value") == "UBND tỉnh Mẫu", "a field set by the user does not win")

html_path = os.path.join(tmp, "initial.html")
run("incident", "report", str(INC), "--out", html_path, "--submitted", now=T0 + 3600)
html = open(html_path, encoding="utf-8").read()
low = html.lower()
for key, words in MAU03.items():
    check(words in low, f"HTML initial report lacks the entry saying {words!r}")
check("<script>" not in html and "&lt;script&gt;" in html, "title not escaped in the HTML report")
check("<b>công khai</b>" not in html and "&lt;b&gt;công khai&lt;/b&gt;" in html, "field not escaped")
check(not re.search(r"<(script|img|link|iframe)\b|\bsrc=|https?://", html), "HTML report is not self-contained")
check("Reporting unit" in html, "English labels missing from the HTML")
st = states(T0 + 10 * DAY)
check(st and st[0] == "done", f"initial report submitted in time, state {st}")

run("incident", "status", str(INC), "resolved", now=T0 + DAY)
st = states(T0 + 2 * DAY)
check(st and st[1] == "due", f"final report after response ended: {st}")
st = states(T0 + 6 * DAY + 1)
check(st and st[1] == "overdue", f"final report 5 days after the response ended: {st}")
run("incident", "set", str(INC), "cause=Lỗ hổng plugin", "impact=Trang chủ bị thay", "actions=Khôi phục",
    "recommendations=Cập nhật")
fin = jrun("incident", "report", str(INC), "--final", now=T0 + 2 * DAY)
ff = {f["key"]: f for f in fin.get("fields", [])}
for key in list(MAU03) + list(FINAL):
    check(key in ff, f"final report lacks entry {key}")
check(ff.get("response_ended_at", {}).get("value") == "2026-12-02T00:00:00Z", "response end not in final report")
check(any("shell.php" in x for x in ff.get("indicators", {}).get("value", [])), "indicators not in final report")
check(any("Khôi phục từ bản sao lưu" in x for x in ff.get("tasks", {}).get("value", [])), "tasks not in final")
fhtml = run("incident", "report", str(INC), "--final", "--format", "html", now=T0 + 2 * DAY).stdout.lower()
for key, words in list(MAU03.items()) + list(FINAL.items()):
    check(words in fhtml, f"HTML final report lacks the entry saying {words!r}")

# ---- evidence -------------------------------------------------------------------
ev_dir = os.path.join(tmp, "ev")
os.makedirs(ev_dir)
files = {"access.log": b"203.0.113.5 - - GET /shell.php\n" * 200,
         "shell.php": b"<?php system($_GET['c']); ?>\n",
         "big.bin": os.urandom(3 * 1024 * 1024 + 17)}
for n, data in files.items():
    with open(os.path.join(ev_dir, n), "wb") as f:
        f.write(data)
os.symlink(os.path.join(ev_dir, "shell.php"), os.path.join(ev_dir, "link.php"))
added = jrun("evidence", "add", *[os.path.join(ev_dir, n) for n in files], "--incident", str(INC),
             "--note", "web root", "--source-host", "web01.so-mau.example")
for item in added if isinstance(added, list) else []:
    data = files[os.path.basename(item["file"])]
    check(item["sha256"] == hashlib.sha256(data).hexdigest(), f"{item['file']}: SHA-256 differs from hashlib")
    check(item["md5"] == hashlib.md5(data).hexdigest(), f"{item['file']}: MD5 differs from hashlib")
    check(item["size"] == len(data), f"{item['file']}: size")
    stored = os.path.join(STORE, item["sha256"][:2], item["sha256"])
    check(open(stored, "rb").read() == data, f"{item['file']}: stored copy differs")
run("evidence", "add", os.path.join(ev_dir, "link.php"), "--incident", str(INC), check_rc=1)
run("evidence", "add", ev_dir, "--incident", str(INC), check_rc=1)

bundle = os.path.join(tmp, "bundle.tar")
run("evidence", "export", str(INC), "--out", bundle)
log = jrun("evidence", "log", str(INC))
check([e["action"] for e in log] == ["collected", "copied"] * 4 + ["exported"],
      f"custody actions {[e['action'] for e in log]}")
# The chain, recomputed here: each hash covers the previous one.
prev = "0" * 64
with tarfile.open(bundle) as t:
    names = t.getnames()
    members = {m.name: t.extractfile(m).read() for m in t.getmembers()}
for i, line in enumerate(members.get("custody.log", b"").decode().splitlines()):
    f = line.split("\t")
    check(len(f) == 8 and f[6] == prev, f"custody line {i + 1}: does not chain")
    h = hashlib.sha256((f[6] + "\t" + "\t".join(f[:6])).encode()).hexdigest()
    check(f[7] == h, f"custody line {i + 1}: hash is not SHA-256(prev TAB body)")
    prev = f[7]
check(sorted(names) == sorted(["manifest.json", "custody.log"] +
                              ["files/" + hashlib.sha256(d).hexdigest() for d in files.values()] +
                              ["files/" + hashlib.sha256(b"GET /shell.php 200\n").hexdigest()]),
      f"bundle members {names}")

# Verified on a "clean machine": a copy elsewhere, no database at all.
clean = os.path.join(tmp, "elsewhere")
os.makedirs(clean)
shutil.copy(bundle, os.path.join(clean, "b.tar"))
nodb = {"HOME": clean, "XDG_DATA_HOME": os.path.join(clean, "nothing")}
v = run("evidence", "verify", os.path.join(clean, "b.tar"), db=None, env_extra=nodb)
check("OK" in v.stdout, f"clean bundle did not verify: {v.stdout} {v.stderr}")
check(not os.path.exists(os.path.join(clean, "nothing")), "verify created a database")
vj = jrun("evidence", "verify", os.path.join(clean, "b.tar"), db=None, env_extra=nodb)
check(vj.get("ok") is True and vj.get("files") == 4, f"verify --json {vj}")
run("evidence", "verify", bundle, "--record")
check(jrun("evidence", "log", str(INC))[-1]["action"] == "verified", "--record did not append 'verified'")


def repack(path, members_map, order=None, extra=None):
    with tarfile.open(path, "w") as out:
        for name in order or list(members_map):
            ti = tarfile.TarInfo(name)
            ti.size = len(members_map[name])
            out.addfile(ti, io.BytesIO(members_map[name]))
        for ti, data in extra or []:
            out.addfile(ti, io.BytesIO(data) if data is not None else None)


def verify_changed(members_map, expect, label):
    p = os.path.join(tmp, "changed.tar")
    repack(p, members_map)
    r = run("evidence", "verify", p, db=None, env_extra=nodb, check_rc=1)
    check(expect in r.stdout, f"{label}: verification does not name {expect!r}: {r.stdout[:400]} {r.stderr[:200]}")


# The repacked copy itself still verifies (the test's repacking changes nothing).
ok_copy = os.path.join(tmp, "repacked.tar")
repack(ok_copy, members)
run("evidence", "verify", ok_copy, db=None, env_extra=nodb)

for name, data in members.items():
    if not name.startswith("files/"):
        continue
    for pos in (0, len(data) // 2, len(data) - 1):
        m = dict(members)
        b = bytearray(data)
        b[pos] ^= 0x01
        m[name] = bytes(b)
        verify_changed(m, "CHANGED " + name, f"byte {pos} of {name}")
clog = members["custody.log"]
lines = clog.split(b"\n")
for i in range(len(lines) - 1):
    off = sum(len(x) + 1 for x in lines[:i])
    for pos in (off + len(lines[i]) // 3, off + len(lines[i]) - 1):
        m = dict(members)
        b = bytearray(clog)
        b[pos] ^= 0x01
        m["custody.log"] = bytes(b)
        verify_changed(m, f"custody entry {i + 1}:", f"byte {pos} of custody entry {i + 1}")
m = dict(members)
b = bytearray(members["manifest.json"])
b[len(b) // 2] ^= 0x01
m["manifest.json"] = bytes(b)
verify_changed(m, "CHANGED manifest.json", "manifest byte")
m = dict(members)
m["custody.log"] = b"\n".join(lines[:2] + lines[3:])
verify_changed(m, "custody entry 3:", "removed custody entry")
m = dict(members)
del m[[n for n in m if n.startswith("files/")][0]]
verify_changed(m, "missing from the bundle", "removed file")

# Hostile bundles: refused, naming the member.
hostile = []
ti = tarfile.TarInfo("../escape")
ti.size = 1
hostile.append(("traversal", [(ti, b"x")], "path traversal"))
ti = tarfile.TarInfo("files/../../x")
ti.size = 1
hostile.append(("traversal inside", [(ti, b"x")], "path traversal"))
ti = tarfile.TarInfo("/etc/cron.d/x")
ti.size = 1
hostile.append(("absolute", [(ti, b"x")], "absolute path"))
ti = tarfile.TarInfo("files/" + "a" * 64)
ti.type, ti.linkname = tarfile.SYMTYPE, "/etc/passwd"
hostile.append(("symlink", [(ti, None)], "links are refused"))
ti = tarfile.TarInfo("files/" + "b" * 64)
ti.type, ti.linkname = tarfile.LNKTYPE, "manifest.json"
hostile.append(("hardlink", [(ti, None)], "links are refused"))
ti = tarfile.TarInfo("dev")
ti.type = tarfile.CHRTYPE
hostile.append(("device", [(ti, None)], "not a regular file"))
for label, extra, want in hostile:
    p = os.path.join(tmp, "hostile.tar")
    repack(p, members, extra=extra)
    r = run("evidence", "verify", p, db=None, env_extra=nodb, check_rc=1)
    check(want in r.stderr, f"hostile bundle ({label}) not refused with {want!r}: {r.stderr[:300]}")
p = os.path.join(tmp, "dup.tar")
repack(p, dict(members, **{"manifest.json": members["manifest.json"]}), order=list(members) + ["manifest.json"])
r = run("evidence", "verify", p, db=None, env_extra=nodb, check_rc=1)
check("twice" in r.stderr, f"duplicate member not refused: {r.stderr}")

# ---- sharing: STIX 2.1 and MISP round trips ---------------------------------------
UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
PATTERN = re.compile(r"^\[(ipv4-addr|ipv6-addr|domain-name|url):value = '((?:[^'\\]|\\.)*)'\]$|"
                     r"^\[file:hashes\.(MD5|'SHA-1'|'SHA-256'|'SHA-512') = '([0-9a-f]+)'\]$")
REQUIRED = {  # STIX 2.1 part 4: required properties per object type (and common ones)
    "identity": ["type", "spec_version", "id", "created", "modified", "name"],
    "indicator": ["type", "spec_version", "id", "created", "modified", "pattern", "pattern_type", "valid_from"],
    "sighting": ["type", "spec_version", "id", "created", "modified", "sighting_of_ref"],
}


def stix_problems(doc):
    probs = []
    if doc.get("type") != "bundle" or not re.fullmatch("bundle--" + UUID4, doc.get("id", "")):
        probs.append("bundle type/id")
    objs = doc.get("objects", [])
    ids = {o.get("id"): o.get("type") for o in objs}
    for o in objs:
        t = o.get("type")
        for p in REQUIRED.get(t, ["type", "id"]):
            if p not in o:
                probs.append(f"{t} lacks {p}")
        if not re.fullmatch(re.escape(str(t)) + "--" + UUID4, o.get("id", "")):
            probs.append(f"id {o.get('id')} is not {t}--UUIDv4")
        if o.get("spec_version") != "2.1":
            probs.append(f"{o.get('id')}: spec_version")
        for p in ("created", "modified", "valid_from", "first_seen", "last_seen"):
            if p in o and not TS.match(o[p]):
                probs.append(f"{o.get('id')}: {p} {o[p]!r} is not a STIX timestamp")
        if "created" in o and "modified" in o and o["modified"] < o["created"]:
            probs.append(f"{o['id']}: modified before created")
        if t == "indicator":
            if o.get("pattern_type") != "stix" or not PATTERN.match(o.get("pattern", "")):
                probs.append(f"{o['id']}: pattern {o.get('pattern')!r}")
        if t == "sighting":
            if ids.get(o.get("sighting_of_ref")) != "indicator":
                probs.append(f"{o['id']}: sighting_of_ref does not name an indicator of the bundle")
            for ref in o.get("where_sighted_refs", []):
                if ids.get(ref) not in ("identity", "location"):
                    probs.append(f"{o['id']}: where_sighted_refs {ref}")
            if o.get("first_seen", "") > o.get("last_seen", "~"):
                probs.append(f"{o['id']}: first_seen after last_seen")
        if "created_by_ref" in o and ids.get(o["created_by_ref"]) != "identity":
            probs.append(f"{o['id']}: created_by_ref")
    return probs


# The checker can fail: a broken bundle is caught.
check(stix_problems({"type": "bundle", "id": "bundle--1", "objects": [
    {"type": "indicator", "id": "indicator--x", "pattern": "ip = 1"}]}), "STIX checker accepts a broken bundle")

want = sorted(l["ref"] for l in jrun("incident", "show", str(INC))["links"] if l["kind"] == "indicator")
stix_path = os.path.join(tmp, "inc.stix.json")
misp_path = os.path.join(tmp, "inc.misp.json")
run("incident", "export", str(INC), "--format", "stix", "--out", stix_path, "--producer", "Sở Mẫu")
run("incident", "export", str(INC), "--format", "misp", "--out", misp_path, "--producer", "Sở Mẫu")
stix = json.load(open(stix_path, encoding="utf-8"))
probs = stix_problems(stix)
check(not probs, f"STIX export is not valid STIX 2.1: {probs[:5]}")
check(sum(o["type"] == "indicator" for o in stix["objects"]) == len(want), "one STIX indicator per indicator")
check(sum(o["type"] == "sighting" for o in stix["objects"]) == len(want), "one sighting per indicator")
misp = json.load(open(misp_path, encoding="utf-8"))
ev = misp.get("Event", {})
for k in ("info", "date", "threat_level_id", "analysis", "Attribute", "uuid"):
    check(k in ev, f"MISP event lacks {k}")
check(re.fullmatch(UUID4, ev.get("uuid", "")), "MISP event uuid")
check(ev.get("threat_level_id") == "1", "high severity is MISP threat level 1")
check(all(a.get("to_ids") is True and a.get("Sighting") for a in ev.get("Attribute", [])), "MISP attributes")
for fmt, path in (("stix", stix_path), ("misp", misp_path)):
    new = jrun("incident", "open", f"import {fmt}")["incident"]
    run("incident", "import", str(new), path)
    got = sorted(l["ref"] for l in jrun("incident", "show", str(new))["links"] if l["kind"] == "indicator")
    check(got == want, f"{fmt} round trip: {got} != {want}")
    run("intel", "import", "--source", f"from-{fmt}", path)
    listed = sorted(i["value"] for i in jrun("intel", "list", f"from-{fmt}").get("indicators", []))
    check(listed == want, f"intel import of the {fmt} export: {listed} != {want}")
run("incident", "import", str(INC), os.path.join(tmp, "log.txt"), check_rc=1)

# ---- confirmed indicators to the blocking list ------------------------------------
r = run("incident", "block", str(INC), check_rc=1)
check("10.9.9.9" in r.stderr, f"private confirmed indicator not refused by the block policy: {r.stderr}")
run("incident", "block", str(INC), "--force")
blocked = sorted(d["target"] for d in map(json.loads, run("--json", "block", "list").stdout.splitlines())
                 if d["origin"] == f"incident:{INC}")
check(blocked == sorted(["10.9.9.9", "198.51.100.7", "http://evil.example/shell.php"]),
      f"blocked {blocked}: expected the confirmed indicators only")
run("incident", "block", str(INC), "bad-domain.example")
check("bad-domain.example" in run("block", "check", "bad-domain.example").stdout, "single indicator not blocked")
run("incident", "block", str(INC), "not-linked.example", check_rc=1)

run("incident", "close", str(INC), now=T0 + 3 * DAY)
show = jrun("incident", "show", str(INC))
check(show.get("status") == "closed" and show.get("response_ended_at") == "2026-12-02T00:00:00Z",
      f"close kept the response end: {show.get('status')} {show.get('response_ended_at')}")

shutil.rmtree(tmp)
if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
print("ok")
