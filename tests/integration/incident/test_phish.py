#!/usr/bin/env python3
"""canhgac phish submit: the real phishing e-mails of the shared data are
parsed and their URL hosts and attachment hashes agree with Python's own
email package; a message the project writes with a listed URL in an HTML
part (quoted-printable, &amp; in the link) and a base64 attachment whose
SHA-256 is listed is flagged with both reasons; a clean and a suspicious
message; --open-incident and --add-to."""
import email
import email.policy
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from email.message import EmailMessage

BIN = os.environ["CANHGAC_BIN"]
SHARED = os.environ.get("CANHGAC_SHARED_DATA", "")
failures = []
tmp = tempfile.mkdtemp(prefix="canhgac-phish-")
DB = os.path.join(tmp, "t.db")


def run(*args, check_rc=0):
    env = dict(os.environ, LANGUAGE="en", LC_ALL="C.UTF-8", CANHGAC_DB=DB, CANHGAC_NOW="1796083200",
               CANHGAC_EVIDENCE_DIR=os.path.join(tmp, "store"))
    r = subprocess.run([BIN, *args], capture_output=True, text=True, env=env, timeout=300)
    if check_rc is not None and r.returncode != check_rc:
        failures.append(f"{' '.join(args)}: exit {r.returncode}, expected {check_rc}: {r.stderr.strip()[:400]}")
    return r


def check(cond, msg):
    if not cond:
        failures.append(msg)


# ---- a message written here -------------------------------------------------------
PAYLOAD = b"MZ\x90\x00 not really a program, but listed by hash\n" * 40
LISTED_URL = "http://login-verify.example/acc?id=7&next=home"
msg = EmailMessage()
msg["From"] = "Phòng CNTT <it-support@so-mau-helpdesk.example>"
msg["To"] = "can-bo@so-mau.example"
msg["Subject"] = "Xác nhận mật khẩu"
msg["Received"] = "from relay.bad-mailer.example (relay.bad-mailer.example [192.0.2.45]) by mx.so-mau.example"
msg.set_content("Xin vui lòng xác nhận tại hxxp://other-site[.]example/start.\n")
html = ('<html><body><p>Nhấn <a href="http://login-verify.example/acc?id=7&amp;next=home">vào đây</a>'
        ' để xác nhận tài khoản của Quý vị trước hạn chót.</p></body></html>')
msg.add_alternative(html, subtype="html", cte="quoted-printable")
msg.add_attachment(PAYLOAD, maintype="application", subtype="octet-stream", filename="hoa-don.pdf")
listed_eml = os.path.join(tmp, "listed.eml")
with open(listed_eml, "wb") as f:
    f.write(msg.as_bytes())
raw = open(listed_eml, "rb").read()
check(b"Content-Transfer-Encoding: base64" in raw and b"quoted-printable" in raw,
      "test message does not have a base64 attachment and a quoted-printable HTML part")
check(LISTED_URL.encode() not in raw, "the listed URL appears literally: the test would not exercise decoding")

feed = os.path.join(tmp, "phish-list.txt")
with open(feed, "w") as f:
    f.write(f"{LISTED_URL}\n{hashlib.sha256(PAYLOAD).hexdigest()}\n")
run("intel", "import", "--source", "phish-list", feed)

r = run("--json", "phish", "submit", listed_eml)
rep = json.loads(r.stdout)[0] if r.stdout.strip() else {}
check(rep.get("verdict") == "malicious", f"listed message verdict {rep.get('verdict')}")
reasons = rep.get("reasons", [])
check(any(LISTED_URL in x and "text/html" in x and "phish-list" in x for x in reasons),
      f"no reason naming the listed URL in the HTML part: {reasons}")
check(any(hashlib.sha256(PAYLOAD).hexdigest() in x and "hoa-don.pdf" in x for x in reasons),
      f"no reason naming the attachment hash: {reasons}")
vals = {(i["type"], i["value"]) for i in rep.get("indicators", [])}
for want in [("url", "http://other-site.example/start"), ("domain", "other-site.example"),
             ("ipv4", "192.0.2.45"), ("domain", "relay.bad-mailer.example"),
             ("domain", "so-mau-helpdesk.example"), ("md5", hashlib.md5(PAYLOAD).hexdigest()),
             ("sha1", hashlib.sha1(PAYLOAD).hexdigest())]:
    check(want in vals, f"indicator {want} not found in {sorted(vals)[:20]}")
check(rep.get("from") == "it-support@so-mau-helpdesk.example", f"sender {rep.get('from')}")
txt = run("phish", "submit", listed_eml).stdout
check("malicious" in txt and "1 messages: 1 malicious" in txt, f"text output: {txt}")

clean = EmailMessage()
clean["From"] = "ban-tin@so-mau.example"
clean["Subject"] = "Bản tin"
clean.set_content("Xem https://so-mau.example/tin-tuc.\n")
with open(os.path.join(tmp, "clean.eml"), "wb") as f:
    f.write(clean.as_bytes())
sus = EmailMessage()
sus["From"] = "x@y.example"
sus["Subject"] = "Invoice"
sus.set_content("see attached")
sus.add_attachment(b"not listed", maintype="application", subtype="octet-stream", filename="invoice.PDF.exe")
with open(os.path.join(tmp, "sus.eml"), "wb") as f:
    f.write(sus.as_bytes())
out = json.loads(run("--json", "phish", "submit", os.path.join(tmp, "clean.eml"), os.path.join(tmp, "sus.eml")).stdout)
check([m["verdict"] for m in out] == ["clean", "suspicious"], f"clean/suspicious verdicts {[m['verdict'] for m in out]}")
check(any("invoice.PDF.exe" in x for x in out[1]["reasons"]), "suspicious attachment not the reason")
with open(os.path.join(tmp, "not-mail.eml"), "w") as f:
    f.write("")
run("phish", "submit", os.path.join(tmp, "not-mail.eml"), check_rc=1)

# --open-incident and --add-to
r = run("--json", "phish", "submit", listed_eml, os.path.join(tmp, "clean.eml"), "--open-incident",
        "--add-to", "reported-phish")
out = json.loads(r.stdout) if r.stdout.strip() else []
inc = out[0].get("incident") if out else None
check(inc and "incident" not in out[1], f"incident opened for the listed message only: {out and [m.get('incident') for m in out]}")
if inc:
    show = json.loads(run("--json", "incident", "show", str(inc)).stdout)
    check(show["category"] == "phishing", "opened incident is not a phishing incident")
    refs = {l["ref"] for l in show["links"]}
    check(LISTED_URL in refs and hashlib.sha256(PAYLOAD).hexdigest() in refs, f"incident links {sorted(refs)[:10]}")
    check([e["sha256"] for e in show["evidence"]] == [hashlib.sha256(raw).hexdigest()],
          "the reported message is not kept as evidence with its SHA-256")
src = {i["value"] for i in json.loads(run("--json", "intel", "list", "reported-phish").stdout)["indicators"]}
check(LISTED_URL in src and "http://other-site.example/start" in src and "https://so-mau.example/tin-tuc" in src,
      f"--add-to did not add the URLs: {sorted(src)}")
check("192.0.2.45" not in src, "--add-to added a Received relay address")

# ---- the real samples --------------------------------------------------------------
pot = os.path.join(SHARED, "mail", "phishing_pot")
if not os.path.isdir(pot):
    print(f"SKIP part: shared data {pot} absent; the real phishing samples were not checked")
    if failures:
        for f in failures:
            print("FAIL:", f)
        sys.exit(1)
    sys.exit(77)

URL = re.compile(r"(?i)\bhttps?://[^\s\"'<>`{}|\\^]+")


def model(path):
    """Hosts of the URLs in the text parts and attachment SHA-256s, with Python's email package."""
    m = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.compat32)
    hosts, hashes = set(), set()
    for part in m.walk():
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True) or b""
        fn = part.get_filename()
        if part.get_content_maintype() != "text" or fn or part.get("Content-Disposition", "").startswith("attachment"):
            hashes.add(hashlib.sha256(data).hexdigest())
            continue
        text = data.decode("latin-1")
        for u in URL.findall(text):
            u = u.replace("&amp;", "&").rstrip(".,;:!?)]")
            h = re.split(r"[/?#]", u.split("://", 1)[1], 1)[0].rsplit("@", 1)[-1].split(":")[0].lower()
            if re.fullmatch(r"(?=.*[a-z])[a-z0-9-]+(\.[a-z0-9-]+)+", h) and not h.endswith("-"):
                hosts.add(h)
    return hosts, hashes


files = sorted(f for f in os.listdir(pot) if f.endswith(".eml"))
check(len(files) >= 100, f"expected the 150 samples, found {len(files)}")
r = run("--json", "phish", "submit", *[os.path.join(pot, f) for f in files])
reports = json.loads(r.stdout) if r.stdout.strip() else []
check(len(reports) == len(files), f"{len(reports)} reports for {len(files)} messages")
n_url = n_att = 0
for f, rep in zip(files, reports):
    # An indicator is listed once, where it was first seen (a URL host may
    # already have come from the sender or a Received header).
    got_hosts = {i["value"] for i in rep["indicators"] if i["type"] == "domain"}
    got_hashes = {a["sha256"] for a in rep["attachments"]}
    hosts, hashes = model(os.path.join(pot, f))
    n_url += len(hosts)
    n_att += len(hashes)
    miss = hosts - got_hosts
    check(not miss, f"{f}: URL hosts found by Python but not by canhgac: {sorted(miss)[:5]}")
    check(hashes == got_hashes, f"{f}: attachment SHA-256 differ: {sorted(hashes ^ got_hashes)[:3]}")
check(n_url > 100 and n_att > 10, f"the samples gave only {n_url} URL hosts and {n_att} attachments")
# A maildir: the folder itself, with its LICENSE file reported and the rest still checked.
r = run("phish", "submit", pot, check_rc=1)
check(f"{len(files)} messages" in r.stdout and "LICENSE" in r.stderr, f"folder run: {r.stdout[-200:]} {r.stderr[:200]}")

if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
print("ok")
