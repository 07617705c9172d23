"""The readiness report renders in headless Chromium, in Vietnamese and English.

Builds the sample agency with samples/compliance.sh, then for each language
takes a screenshot (the PNG must not be blank and must show the chart
colours) and dumps the DOM Chromium built (SVG charts present, the
section headings in the right language, Vietnamese diacritics in the
Vietnamese report), and the alerts sections against counts the test makes
itself from `canhgac --json alert list --all`. Skips (77) when the Debian
package chromium is missing."""
import html
import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import zlib

BIN = os.environ["CANHGAC_BIN"]
SRC = os.environ["CANHGAC_SRC"]
failures = []

VI_LETTERS = re.compile("[ăâđêôơưáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]")


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def png_pixels(path):
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes): (w, h, channels, rows)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), f"PNG type {ctype} depth {depth}"
            ch = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * ch
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - ch] if i >= ch else 0
            b = prev[i]
            c = prev[i - ch] if i >= ch else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, ch, rows


SEVERITIES = ["informational", "low", "medium", "high", "critical"]
SEV_VI = {"informational": "thông tin", "low": "thấp", "medium": "trung bình", "high": "cao",
          "critical": "nghiêm trọng"}
OPEN_STATES = ("new", "verified", "escalated")


def alert_model(env):
    """Every alert as `canhgac --json alert list --all` gives it (JSON Lines),
    and the counts the report's alerts section must show, computed here."""
    p = subprocess.run([BIN, "--json", "alert", "list", "--all"], capture_output=True, text=True, env=env,
                       timeout=120)
    check(p.returncode == 0, f"alert list exit {p.returncode}: {p.stderr[-500:]}")
    alerts = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    m = {"alerts": alerts, "state": {s: 0 for s in OPEN_STATES + ("false_positive", "closed")},
         "sev_all": {s: 0 for s in SEVERITIES}, "sev_open": {s: 0 for s in SEVERITIES}, "level_open": {}}
    for a in alerts:
        m["state"][a["state"]] += 1
        m["sev_all"][a["severity"]] += 1
        if a["state"] in OPEN_STATES:
            m["sev_open"][a["severity"]] += 1
            lv = a.get("security_level") or 0
            m["level_open"][lv] = m["level_open"].get(lv, 0) + 1
    top = sorted((a for a in alerts if a["state"] in OPEN_STATES), key=lambda a: a["id"])
    top.sort(key=lambda a: (SEVERITIES.index(a["severity"]), a.get("last_seen") or ""), reverse=True)
    m["top"] = top[:20]
    m["open"] = len(top)
    return m


def check_alerts(lang, dom, m):
    sec = re.search(r'<section id="alerts"[^>]*>(.*?)</section>', dom, re.S)
    check(sec is not None, f"{lang}: alerts section present")
    sec = sec.group(1) if sec else ""
    st = m["state"]
    if lang == "en":
        intro = (f"Alerts in all: {len(m['alerts'])}; new: {st['new']}, verified: {st['verified']}, "
                 f"false positive: {st['false_positive']}, escalated: {st['escalated']}, closed: {st['closed']}. "
                 f"Open (new, verified or escalated): {m['open']}.")
    else:
        intro = (f"Tổng số cảnh báo: {len(m['alerts'])}; mới: {st['new']}, đã xác minh: {st['verified']}, "
                 f"báo động nhầm: {st['false_positive']}, đã chuyển cấp trên: {st['escalated']}, "
                 f"đã đóng: {st['closed']}.")
    check(intro in re.sub(r"\s+", " ", sec), f"{lang}: alert counts by state: {intro}")
    for sev in SEVERITIES:
        name = sev if lang == "en" else SEV_VI[sev]
        row = f"<tr><td>{name}</td><td>{m['sev_open'][sev]}</td><td>{m['sev_all'][sev]}</td></tr>"
        check(row in sec, f"{lang}: severity row {row}")
    for lv, n in m["level_open"].items():
        label = (f"Level {lv}" if lang == "en" else f"Cấp độ {lv}") if lv else \
            ("No security level" if lang == "en" else "Chưa xác định cấp độ")
        check(re.search(rf">{label}</text>(<rect[^>]*>(</rect>)?)+<text[^>]*>{n}</text>", sec) is not None,
              f"{lang}: chart bar {label} = {n} open alerts")
    top = re.search(r'<section id="top-alerts"[^>]*>(.*?)</section>', dom, re.S)
    check(top is not None, f"{lang}: top open alerts section present")
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", top.group(1) if top else "", re.S)
    got = [r.split("</td><td>") for r in rows]
    want = []
    for a in m["top"]:
        what = a.get("title") or a.get("rule_id") if a["kind"] != "indicator" else a["indicator"]
        source = a["sources"] if a["kind"] == "indicator" else ("Sigma rule" if lang == "en" else "Luật Sigma")
        last = a["last_seen"][:10] + " " + a["last_seen"][11:16] + " UTC" if a.get("last_seen") else "—"
        sev = a["severity"] if lang == "en" else SEV_VI[a["severity"]]
        want.append([html.escape(str(x), quote=False) for x in
                     (what, source, a["host"], a.get("system") or "—", a.get("security_level") or "—", sev,
                      a["count"], last)])
    check(got == want, f"{lang}: top open alerts\n got {got}\nwant {want}")


def chromium(exe, profile, *args):
    return subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=180)


def main():
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        print("SKIP: headless Chromium not installed (Debian package 'chromium')")
        return 77
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, CANHGAC_DB=os.path.join(tmp, "r.db"))
        p = subprocess.run(["sh", os.path.join(SRC, "samples", "compliance.sh"), BIN, tmp], capture_output=True,
                           text=True, env=env, timeout=900)
        check(p.returncode == 0, f"compliance.sh exit {p.returncode}: {p.stderr[-1500:]}")
        # Move three alerts out of "new" the way the monitoring daemon will
        # (no command does it yet), then write the reports again: the counts
        # by state then differ from the totals.
        con = sqlite3.connect(env["CANHGAC_DB"])
        uids = [u for (u,) in con.execute("SELECT uid FROM alert ORDER BY uid")]
        check(len(uids) >= 4, f"demo.sh raised at least 4 alerts ({len(uids)})")
        for uid, state in zip(uids, ("verified", "false_positive", "closed")):
            con.execute("UPDATE alert SET state = ?, state_by = 'test', state_at = 1795996800 WHERE uid = ?",
                        (state, uid))
        con.commit()
        con.close()
        for lang, name in (("vi", "bao-cao-san-sang.html"), ("en", "readiness-report.html")):
            r = subprocess.run([BIN, "report", "--lang", lang, "--out", os.path.join(tmp, name)], capture_output=True,
                               text=True, env=dict(env, CANHGAC_NOW="1795996800"), timeout=300)
            check(r.returncode == 0, f"report --lang {lang}: exit {r.returncode}: {r.stderr[-500:]}")
        m = alert_model(env)
        check(m["state"]["closed"] == 1 and m["open"] == len(uids) - 2, f"states moved: {m['state']}")
        check(any(a["kind"] == "sigma" and a["host"].startswith("db01") for a in m["alerts"]),
              f"demo.sh's Sigma hunt raised an alert for db01: {[(a['kind'], a['host']) for a in m['alerts']]}")
        cases = [("vi", "bao-cao-san-sang.html", "Hệ thống theo cấp độ an toàn và mức tuân thủ",
                  "Systems by security level and compliance"),
                 ("en", "readiness-report.html", "Systems by security level and compliance",
                  "Hệ thống theo cấp độ an toàn và mức tuân thủ")]
        for lang, name, heading, other in cases:
            html = os.path.join(tmp, name)
            src = open(html, encoding="utf-8").read()
            check(not re.search(r"<(script|link|img)\b|src=|url\(", src), f"{lang}: self-contained (no external asset)")
            check("@page{size:A4" in src and "break-before:page" in src, f"{lang}: A4 print layout with page breaks")
            prof = os.path.join(tmp, "profile-" + lang)
            d = chromium(exe, prof, "--dump-dom", "file://" + html)
            check(d.returncode == 0, f"{lang}: chromium --dump-dom exit {d.returncode}")
            dom = d.stdout
            check(dom.count("<svg") >= 3, f"{lang}: at least 3 SVG charts in the DOM ({dom.count('<svg')})")
            check(dom.count("<rect") >= 5, f"{lang}: chart bars in the DOM")
            check(heading in dom and other not in dom, f"{lang}: section heading in {lang} only")
            check(f'<html lang="{lang}"' in dom, f"{lang}: html lang attribute")
            check('id="incidents"' in dom and "mail01 liên lạc với máy chủ điều khiển botnet Mirai" in dom,
                  f"{lang}: the incident opened by the sample script is in the report")
            check_alerts(lang, dom, m)
            if lang == "vi":
                check(len(VI_LETTERS.findall(dom)) > 200, "vi: Vietnamese text with diacritics")
                check("Đầu mối ứng cứu sự cố" in dom, "vi: contact point label")
            else:
                check("Incident-response contact point" in dom and "Top gaps" in dom, "en: English labels")
            png = os.path.join(tmp, f"report-{lang}.png")
            s = chromium(exe, prof, f"--screenshot={png}", "--window-size=900,1400", "file://" + html)
            check(s.returncode == 0 and os.path.exists(png), f"{lang}: screenshot taken")
            if not os.path.exists(png):
                continue
            w, h, ch, rows = png_pixels(png)
            nonwhite = green = red = 0
            for row in rows:
                for i in range(0, w * ch, ch):
                    r, g, b = row[i], row[i + 1], row[i + 2]
                    if r < 235 or g < 235 or b < 235:
                        nonwhite += 1
                    if (r, g, b) == (0x2b, 0x8a, 0x3e):
                        green += 1
                    elif (r, g, b) == (0xc9, 0x2a, 0x2a):
                        red += 1
            check(nonwhite > w * h // 50, f"{lang}: screenshot is not blank ({nonwhite} non-white pixels)")
            check(green > 200 and red > 200, f"{lang}: chart colours drawn (green {green}, red {red})")
            keep = os.environ.get("CANHGAC_KEEP_SCREENSHOTS")
            if keep:
                shutil.copy(png, os.path.join(keep, f"report-{lang}.png"))
    if failures:
        print(f"{len(failures)} failures")
        return 1
    print("ok")
    return 0


sys.exit(main())
