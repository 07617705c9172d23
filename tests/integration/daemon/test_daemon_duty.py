"""canhgacd and the duty roster end to end: a message carrying a listed
address, sent with logger over UDP, becomes one alert; the daemon's duty
thread mails it to the person on duty (a real aiosmtpd SMTP sink); nobody
acknowledges it, so it goes to the next level and then to the provincial
team's webhook (a real http.server), and the alert becomes 'escalated'. A
repeat of the message adds to the alert and pages nobody again. The roster's
levels wait fractions of a minute so the test runs in seconds."""
import json
import os
import subprocess
import sys
import tempfile
import time

import cgtest
from dtest import DBIN, Daemon, alerts, logger

C = cgtest.Checks()
check = C.check
SINKS = os.path.join(cgtest.SRC, "tests", "integration", "duty", "sinks.py")
LISTED = "198.51.100.7"


def start_sink(kind, d):
    p = subprocess.Popen([sys.executable, SINKS, kind, d], stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if not line.startswith("PORT "):
        p.kill()
        raise RuntimeError(f"{kind} sink did not start: {line!r}")
    return p, int(line.split()[1])


def files(d, ext):
    if not os.path.isdir(d):
        return []
    return sorted((os.path.join(d, f) for f in os.listdir(d) if f.endswith(ext)),
                  key=lambda p: int(os.path.basename(p).split(".")[0]))


def mails_to(d, who):
    out = []
    for p in files(d, ".eml"):
        text = open(p, "rb").read().decode("utf-8", "replace")
        for line in text.splitlines():
            if line.lower().startswith("to:") and who in line:
                out.append(text)
    return out


def wait(pred, timeout):
    t0 = time.time()
    while time.time() - t0 < timeout:
        v = pred()
        if v:
            return v
        time.sleep(0.2)
    return pred()


def main():
    if not DBIN or not os.access(DBIN, os.X_OK):
        print("FAIL: canhgacd is not built")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        maildir, webdir = os.path.join(tmp, "mail"), os.path.join(tmp, "web")
        smtp, smtp_port = start_sink("smtp", maildir)
        web, http_port = start_sink("http", webdir)
        d = None
        try:
            db = os.path.join(tmp, "canhgac.db")
            feed = os.path.join(tmp, "botnet.txt")
            with open(feed, "w") as f:
                f.write(LISTED + "\n")
            r = cgtest.run(["intel", "import", "--hunt-special", "--source", "botnet-mau", feed], db=db)
            check(r.returncode == 0, f"intel import: {r.stderr}")
            roster = os.path.join(tmp, "roster.yaml")
            with open(roster, "w") as f:
                f.write(f"""zone: Asia/Ho_Chi_Minh
min_severity: high
retry: {{first: 5, max: 10, attempts: 3}}
channels:
  mail: {{kind: smtp, server: 127.0.0.1, port: {smtp_port}, from: canhgac@so-mau.example, timeout: 5}}
  soc: {{kind: webhook, url: "http://127.0.0.1:{http_port}/soc", timeout: 5}}
people:
  an: {{name: Nguyễn Văn An, email: an@so-mau.example}}
  dung: {{name: Phạm Thị Dung, email: dung@so-mau.example}}
  tinh: {{name: Đội ứng cứu tỉnh Mẫu, contacts: [{{channel: soc}}]}}
shifts:
  - {{name: cả ngày, days: [daily], from: "00:00", to: "24:00", on_duty: [an]}}
escalation:
  - {{name: trưởng phòng, after: 0.1, notify: [dung]}}
  - {{name: tỉnh, after: 0.2, notify: [tinh]}}
""")
            d = Daemon(tmp, f"""database: canhgac.db
pid_file: canhgacd.pid
state_dir: state
workers: 2
listeners:
  - {{name: udp, proto: udp, port: 0}}
metrics: {{port: 0}}
detect:
  alert_flush_ms: 50
duty:
  roster: {roster}
""")
            if not check(d.start(), f"canhgacd did not start: {d.log()[-2000:]}"):
                return C.finish()
            t_sent = time.time()
            r = logger(d.ports["udp"], f"Accepted password for root from {LISTED} port 4242 ssh2", 3164, False)
            check(r.returncode == 0, f"logger: {r.stderr}")
            a = wait(lambda: [x for x in alerts(db) if LISTED in (x.get("indicator") or "")], 30)
            check(len(a) == 1, f"one alert for the listed address: {a}")
            # the person on duty is mailed, once
            m = wait(lambda: mails_to(maildir, "an@so-mau.example"), 30)
            check(len(m) == 1 and LISTED in m[0], f"the on-duty person's mail: {len(m)} mails")
            # a repeat adds to the alert and pages nobody again
            logger(d.ports["udp"], f"Accepted password for root from {LISTED} port 4243 ssh2", 3164, False)
            a = wait(lambda: [x for x in alerts(db) if LISTED in (x.get("indicator") or "") and x["count"] == 2], 30)
            check(len(a) == 1, f"the repeat folds into the alert (count 2): {alerts(db)}")
            # nobody acknowledges: the next level after 6 s, the province after 12 s more
            m2 = wait(lambda: mails_to(maildir, "dung@so-mau.example"), 40)
            check(len(m2) == 1, f"escalation to the next level: {len(m2)} mails to dung")
            t_lvl1 = time.time()
            check(t_lvl1 - t_sent >= 5, f"escalated too early: {t_lvl1 - t_sent:.1f} s after the message")
            posts = wait(lambda: [json.load(open(p)) for p in files(webdir, ".json")
                                  if json.load(open(p))["path"] == "/soc"], 60)
            check(len(posts) == 1 and LISTED in posts[0]["body"], f"the provincial team's webhook: {posts}")
            st = wait(lambda: [x for x in alerts(db) if LISTED in (x.get("indicator") or "")
                               and x["state"] == "escalated"], 30)
            check(len(st) == 1, f"the alert is escalated: {[x['state'] for x in alerts(db)]}")
            check(len(mails_to(maildir, "an@so-mau.example")) == 1, "the on-duty person was paged once only")
        finally:
            if d:
                d.stop()
            smtp.kill()
            web.kill()
            smtp.wait()
            web.wait()
    return C.finish()


if __name__ == "__main__":
    sys.exit(main())
