#!/usr/bin/env python3
"""canhgac duty end to end, against a real SMTP sink (aiosmtpd) and a real
HTTP receiver (http.server), each a subprocess on 127.0.0.1:

- an alert (from `canhgac hunt`) reaches the person on duty by e-mail
  (RFC 5322 headers, RFC 2047 subject) and Telegram (sendMessage shape);
- unacknowledged it escalates on time, level by level (generic JSON
  webhook), and reaching the provincial level moves it to 'escalated';
- an acknowledged alert does not escalate;
- an overnight shift pages its person (Mattermost shape);
- a sink that is down gets retries with doubling delays, every attempt is
  recorded, and the mail arrives once when the sink is back;
- every tick is a fresh process (a restart): nothing is sent twice.
Times come from CANHGAC_NOW (the library takes `now`)."""
import email
import email.header
import email.policy
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

import cgtest

HERE = os.path.dirname(os.path.abspath(__file__))
SINKS = os.path.join(HERE, "sinks.py")
chk = cgtest.Checks()
check = chk.check
procs = []

# Monday 2026-12-07 10:00 in Asia/Ho_Chi_Minh (UTC+7).
T0 = 1796612400
assert time.strftime("%a %H:%M", time.gmtime(T0 + 7 * 3600)) == "Mon 10:00"


def start_sink(kind, d, port=None):
    args = [sys.executable, SINKS, kind, d] + ([str(port)] if port else [])
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    procs.append(p)
    line = p.stdout.readline()
    if not line.startswith("PORT "):
        print("FAIL: sink did not start:", line, p.stderr.read() if p.poll() is not None else "")
        sys.exit(1)
    return p, int(line.split()[1])


def stop(p):
    p.terminate()
    p.wait(timeout=10)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def files(d, ext):
    if not os.path.isdir(d):
        return []
    names = sorted((f for f in os.listdir(d) if f.endswith(ext)), key=lambda f: int(f.split(".")[0]))
    return [open(os.path.join(d, f), "rb").read() for f in names]


def mails(d):
    return [email.message_from_bytes(b, policy=email.policy.default) for b in files(d, ".eml")]


def posts(d):
    return [json.loads(b) for b in files(d, ".json")]


def run(db, *args, at, lang="en", ok=True):
    r = cgtest.run(list(args), db=db, extra_env={"CANHGAC_NOW": at, "LANGUAGE": lang})
    if ok and r.returncode != 0:
        check(False, f"{args} at {at}: exit {r.returncode}: {r.stderr}")
    return r


def hunt(db, tmp, host, ip, at):
    log = os.path.join(tmp, f"{host}.log")
    with open(log, "w") as f:
        f.write(f"Dec  7 10:00:00 {host} sshd[411]: Failed password for root from {ip} port 52111 ssh2\n")
    run(db, "hunt", log, at=at)


def alert_of(db, host):
    r = cgtest.run(["alert", "list", "--all", "--json"], db=db)
    for line in r.stdout.splitlines():
        a = json.loads(line)
        if a["host"] == host:
            return a
    return None


def roster(path, smtp_port, http_port, after=(1, 2)):
    with open(path, "w") as f:
        f.write(f"""
zone: Asia/Ho_Chi_Minh
min_severity: high
retry: {{first: 30, max: 120, attempts: 5}}
channels:
  mail: {{kind: smtp, server: 127.0.0.1, port: {smtp_port}, from: canhgac@so-mau.example, timeout: 5}}
  tg: {{kind: telegram, url: "http://127.0.0.1:{http_port}/botTEST/sendMessage", timeout: 5}}
  mm: {{kind: mattermost, url: "http://127.0.0.1:{http_port}/hooks/abc", timeout: 5}}
  soc: {{kind: webhook, url: "http://127.0.0.1:{http_port}/soc", timeout: 5}}
people:
  an: {{name: Nguyễn Văn An, email: an@so-mau.example, contacts: [{{channel: tg, to: "4242"}}]}}
  binh: {{name: Trần Thị Bình, email: binh@so-mau.example, contacts: [{{channel: mm, to: truc-ca}}]}}
  dung: {{name: Phạm Thị Dung, email: dung@so-mau.example}}
  tinh: {{name: Đội ứng cứu tỉnh Mẫu, contacts: [{{channel: soc}}]}}
shifts:
  - {{name: ca ngày, days: [daily], from: "08:00", to: "20:00", on_duty: [an]}}
  - {{name: ca đêm, days: [daily], from: "20:00", to: "08:00", on_duty: [binh]}}
escalation:
  - {{name: trưởng phòng, after: {after[0]}, notify: [dung]}}
  - {{name: tỉnh, after: {after[1]}, notify: [tinh]}}
""")


def to_of(m):
    return str(m["To"]).strip("<>")


def main():
    tmp = tempfile.mkdtemp(prefix="canhgac-duty-")
    db = os.path.join(tmp, "c.db")
    maildir, webdir = os.path.join(tmp, "mail"), os.path.join(tmp, "web")
    smtp, smtp_port = start_sink("smtp", maildir)
    web, http_port = start_sink("http", webdir)
    rpath = os.path.join(tmp, "roster.yaml")
    roster(rpath, smtp_port, http_port)
    feed = os.path.join(tmp, "bad.txt")
    with open(feed, "w") as f:
        f.write("198.51.100.7\n203.0.113.66\n192.0.2.99\n")
    run(db, "intel", "import", "--hunt-special", "--source", "botnet-mau", feed, at=T0)
    R = ["--roster", rpath]

    # 1. The alert reaches the person on duty (an, day shift), e-mail and Telegram.
    hunt(db, tmp, "web01", "198.51.100.7", T0)
    a = alert_of(db, "web01")
    if not check(a is not None and a["severity"] == "high", f"hunt made a high alert for web01: {a}"):
        return
    run(db, "duty", "tick", *R, at=T0, lang="vi")
    ms = mails(maildir)
    if check(len(ms) == 1, f"one mail after the first tick, got {len(ms)}"):
        m = ms[0]
        check(to_of(m) == "an@so-mau.example", f"to the person on duty: {m['To']}")
        raw = files(maildir, ".eml")[0].decode("ascii", "replace")
        subj_raw = raw.split("\r\nSubject:", 1)[1].split("\r\n", 1)[0] if "\r\nSubject:" in raw else \
            raw.split("\nSubject:", 1)[1].split("\n", 1)[0]
        check("=?" in subj_raw and "?=" in subj_raw, f"the Vietnamese subject is RFC 2047 encoded: {subj_raw!r}")
        decoded = str(email.header.make_header(email.header.decode_header(
            raw.split("Subject:", 1)[1].split("\nMessage-ID", 1)[0].replace("\r\n ", " ").strip())))
        check("web01" in decoded and "198.51.100.7" in decoded and "cảnh báo" in decoded.lower(),
              f"subject decodes to Vietnamese text naming host and indicator: {decoded!r}")
        for h in ("Date", "From", "Message-ID", "MIME-Version", "Content-Type"):
            check(m[h], f"header {h} present")
        check(all(len(line) <= 78 for line in raw.split("\r\n")), "no mail line longer than 78")
        body = m.get_content()
        check(a["id"] in body and "Nguyễn Văn An" in body, f"body names the alert and the person: {body[:300]}")
    ps = posts(webdir)
    tg = [p for p in ps if p["path"] == "/botTEST/sendMessage"]
    if check(len(tg) == 1, f"one Telegram sendMessage, got {len(tg)}"):
        b = json.loads(tg[0]["body"])
        check(b.get("chat_id") == 4242 and "198.51.100.7" in b.get("text", ""), f"Telegram shape: {b}")
        check(tg[0]["ctype"] == "application/json", "JSON content type")

    # 2. Not yet due: a restart and tick sends nothing again.
    run(db, "duty", "tick", *R, at=T0 + 30)
    check(len(mails(maildir)) == 1 and len(posts(webdir)) == 1, "nothing resent before the escalation is due")

    # 3. One minute unacknowledged: level 1 (dung) by e-mail.
    run(db, "duty", "tick", *R, at=T0 + 59)
    check(len(mails(maildir)) == 1, "not escalated at 59 s")
    run(db, "duty", "tick", *R, at=T0 + 60)
    ms = mails(maildir)
    if check(len(ms) == 2, f"escalated to level 1 at 60 s: {len(ms)} mails"):
        check(to_of(ms[1]) == "dung@so-mau.example", f"level 1 is dung: {ms[1]['To']}")
        check("Escalation level 1" in str(ms[1]["Subject"]), f"escalation subject: {ms[1]['Subject']}")
    check(alert_of(db, "web01")["state"] == "new", "level 1 does not change the alert's state")

    # 4. Two more minutes: the provincial team (generic webhook); alert escalated.
    run(db, "duty", "tick", *R, at=T0 + 60 + 119)
    check(not [p for p in posts(webdir) if p["path"] == "/soc"], "provincial level not before its time")
    run(db, "duty", "tick", *R, at=T0 + 60 + 120)
    soc = [p for p in posts(webdir) if p["path"] == "/soc"]
    if check(len(soc) == 1, f"provincial team paged once: {len(soc)}"):
        b = json.loads(soc[0]["body"])
        check(b["alert"]["id"] == a["id"] and b["level"] == 2 and b["provincial"] is True,
              f"generic webhook shape: {b}")
    check(alert_of(db, "web01")["state"] == "escalated", "the alert is escalated")
    run(db, "duty", "tick", *R, at=T0 + 3600)
    check(len(mails(maildir)) == 2 and len([p for p in posts(webdir) if p["path"] == "/soc"]) == 1,
          "after the last level nothing more is sent, and restarts resend nothing")

    # 5. Acknowledged: no escalation.
    t1 = T0 + 4000
    hunt(db, tmp, "web02", "203.0.113.66", t1)
    b_alert = alert_of(db, "web02")
    run(db, "duty", "tick", *R, at=t1)
    n_mail = len(mails(maildir))
    r = run(db, "duty", "ack", b_alert["id"], "--by", "an", "--json", at=t1 + 20)
    check(json.loads(r.stdout or "{}").get("acked_by") == "an", f"ack --json: {r.stdout}")
    r = run(db, "duty", "ack", b_alert["id"], "--by", "an", at=t1 + 21, ok=False)
    check(r.returncode == 1 and "acknowledged by an" in r.stderr, f"a second ack says who: {r.stderr}")
    run(db, "duty", "tick", *R, at=t1 + 600)
    check(len(mails(maildir)) == n_mail, "an acknowledged alert does not escalate")
    r = run(db, "duty", "ack", "nope", at=t1, ok=False)
    check(r.returncode == 1 and "nope" in r.stderr, "ack of an unknown alert fails and names it")

    # 6. Overnight shift: 02:00 on Tuesday local is binh (shift began Monday 20:00).
    t2 = T0 + 16 * 3600
    hunt(db, tmp, "mail01", "192.0.2.99", t2)
    run(db, "duty", "tick", *R, at=t2)
    ms = mails(maildir)
    check(to_of(ms[-1]) == "binh@so-mau.example", f"the night shift gets it: {ms[-1]['To']}")
    mm = [p for p in posts(webdir) if p["path"] == "/hooks/abc"]
    if check(len(mm) == 1, f"one Mattermost post: {len(mm)}"):
        b = json.loads(mm[0]["body"])
        check(b.get("channel") == "truc-ca" and "192.0.2.99" in b.get("text", ""), f"Mattermost shape: {b}")

    # `duty show --json` records every attempt with its result.
    r = run(db, "duty", "show", *R, "--json", at=t2)
    show = json.loads(r.stdout)
    page = [p for p in show["pages"] if p["alert"] == a["id"]][0]
    check(page["level"] == 2 and all(x["ok"] for x in page["attempts"]) and len(page["attempts"]) == 4,
          f"4 successful attempts for the first alert: {page['attempts']}")
    check(show["gaps"] == [], f"the test roster covers the week: {show['gaps']}")

    # 7. A sink that is down: retries with doubling delay, recorded; delivered once when back.
    stop(smtp)
    db2 = os.path.join(tmp, "c2.db")
    down_port = free_port()
    r2 = os.path.join(tmp, "roster2.yaml")
    roster(r2, down_port, http_port, after=(60, 120))
    run(db2, "intel", "import", "--hunt-special", "--source", "botnet-mau", feed, at=T0)
    hunt(db2, tmp, "db01", "198.51.100.7", T0)
    R2 = ["--roster", r2]
    # first=30, max=120: tries at 0, 30, 90 (30+60), 210 (90+120), ...
    tries = []
    for t in (0, 10, 29, 30, 60, 89, 90, 200):
        r = run(db2, "duty", "tick", *R2, "--json", at=T0 + t)
        if json.loads(r.stdout or "{}").get("failed"):
            tries.append(t)
    check(tries == [0, 30, 90], f"retries of the down sink at 0, 30, 90 s: {tries}")
    show = json.loads(run(db2, "duty", "show", *R2, "--json", at=T0 + 200).stdout)
    att = [x for x in show["pages"][0]["attempts"] if x["channel"] == "mail"]
    check(len(att) == 3 and not any(x["ok"] for x in att) and all(x["error"] for x in att),
          f"three failed attempts recorded with their error: {att}")
    maildir2 = os.path.join(tmp, "mail2")
    smtp2, _ = start_sink("smtp", maildir2, down_port)
    run(db2, "duty", "tick", *R2, at=T0 + 209)
    check(len(mails(maildir2)) == 0, "not before the back-off ends")
    run(db2, "duty", "tick", *R2, at=T0 + 210)
    run(db2, "duty", "tick", *R2, at=T0 + 211)
    ms2 = [m for m in mails(maildir2) if to_of(m) == "an@so-mau.example"]
    check(len(ms2) == 1, f"delivered once when the sink is back: {len(ms2)}")
    show = json.loads(run(db2, "duty", "show", *R2, "--json", at=T0 + 211).stdout)
    d = [x for x in show["pages"][0]["deliveries"] if x["channel"] == "mail" and x["level"] == 0][0]
    check(d["state"] == "sent" and d["attempts"] == 4, f"the delivery is sent after 4 attempts: {d}")
    stop(smtp2)


try:
    main()
finally:
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
sys.exit(chk.finish())
