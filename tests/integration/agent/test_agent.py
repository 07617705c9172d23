#!/usr/bin/env python3
"""canhgac-agent and the hub on loopback, real processes: enrolment (and the
tokens it refuses), certificates the hub refuses (none, another CA's,
revoked), tasks that round-trip (collect → evidence, scan with the centre's YARA rules → alerts),
and a centre that goes away and comes back without losing a queued report."""
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agentenv  # noqa: E402
import cgtest  # noqa: E402
from agentenv import Agent, Centre, recv, send, tls_client, wait_for  # noqa: E402

t = cgtest.Checks()
check = t.check
tmp = tempfile.mkdtemp(prefix="cg-agent-")
centre = Centre(tmp)
try:
    init = centre.cli("ca", "init", "--name", "Sở Mẫu", "--json")
    check(init.returncode == 0, f"ca init: {init.stderr}")
    ca_dir = os.path.join(os.path.dirname(centre.db), "ca")
    check(oct(os.stat(os.path.join(ca_dir, "ca.key")).st_mode & 0o777) == "0o600", "ca.key is not 0600")
    again = centre.cli("ca", "init")
    check(again.returncode != 0 and "never replaced" in again.stderr, f"a second ca init must refuse: {again.stderr}")
    # The CA certificate as openssl reads it: a CA, key usage for signing certificates.
    text = subprocess.run(["openssl", "x509", "-in", os.path.join(ca_dir, "ca.crt"), "-noout", "-text"],
                          capture_output=True, text=True).stdout
    check("CA:TRUE" in text and "Certificate Sign" in text, "CA certificate extensions")
    fp_openssl = subprocess.run(["openssl", "x509", "-in", os.path.join(ca_dir, "ca.crt"), "-noout", "-fingerprint",
                                 "-sha256"], capture_output=True, text=True).stdout.strip().split("=")[1]
    fp_openssl = fp_openssl.replace(":", "").lower()
    centre.start()

    # --- enrolment ---------------------------------------------------------------
    log_file = os.path.join(tmp, "app.log")
    with open(log_file, "w") as f:
        f.write("boot ok\n")
    a1 = Agent(tmp, "a1", centre, watch=[log_file])
    tok = centre.token("--name", "web01.so-mau.example")
    check(tok.endswith("." + fp_openssl), "the token carries the CA fingerprint as openssl computes it")
    r = a1.enroll(tok)
    check(r.returncode == 0, f"enrolment failed: {r.stderr}")
    check(oct(os.stat(a1.key).st_mode & 0o777) == "0o600", "agent.key is not 0600")
    verify = subprocess.run(["openssl", "verify", "-CAfile", os.path.join(ca_dir, "ca.crt"), "-purpose", "sslclient",
                             a1.cert], capture_output=True, text=True)
    check(verify.returncode == 0, f"the agent certificate does not verify as a TLS client: {verify.stdout}{verify.stderr}")

    # the same token again (a replay), from another agent
    a2 = Agent(tmp, "a2", centre)
    r = a2.enroll(tok)
    check(r.returncode != 0 and "used already" in r.stderr, f"a used token must be refused: {r.stderr}")
    # an expired token: made an hour ago, valid 30 minutes
    old = centre.token("--ttl", "30m", extra_env={"CANHGAC_NOW": str(int(time.time()) - 3600)})
    r = a2.enroll(old)
    check(r.returncode != 0 and "expired" in r.stderr, f"an expired token must be refused: {r.stderr}")
    # a token whose secret was altered
    tid, secret, fp = tok.split(".")[1:]
    fresh = centre.token()
    forged = ".".join(["cga1", fresh.split(".")[1], "0" * 64, fp])
    r = a2.enroll(forged)
    check(r.returncode != 0 and "unknown token" in r.stderr, f"a forged secret must be refused: {r.stderr}")
    # a token pinning another CA: the agent refuses the centre before sending it
    other_fp = ".".join(fresh.split(".")[:3] + ["ab" * 32])
    r = a2.enroll(other_fp)
    check(r.returncode != 0 and "CA certificate named in the token" in r.stderr,
          f"the agent must refuse a centre whose CA is not the pinned one: {r.stderr}")
    check(not os.path.exists(a2.cert), "a refused enrolment left a certificate")
    # ... and that refused attempt did not burn the fresh token
    r = a2.enroll(fresh)
    check(r.returncode == 0, f"the fresh token should still enrol: {r.stderr}")
    agents = {a["id"]: a for a in centre.agents()}
    check(len(agents) == 2, f"expected 2 agents, got {len(agents)}")
    check(agents.get(1, {}).get("name") == "web01.so-mau.example", "the token's --name names the agent")

    # --- a round: heartbeat, inventory, log lines ---------------------------------
    r = a1.once()
    check(r.returncode == 0, f"run --once: {r.stderr}")
    a = {x["id"]: x for x in centre.agents()}[1]
    check(a["last_seen"] is not None and a["version"], "heartbeat not recorded")
    check(a["packages"] > 0 or not os.path.exists("/var/lib/dpkg/status"), "no packages from dpkg status")
    with open("/etc/passwd") as f:
        users = {l.split(":")[0] for l in f if l.strip() and not l.startswith("#")}
    check({u["name"] for u in a["users"]} == users, "users differ from /etc/passwd")
    # the hub's own listening port is among the ports the agent saw
    check(any(p["port"] == centre.port for p in a["ports"]), f"hub port {centre.port} not among the listening ports")
    check([l["line"] for l in centre.logs(1)] == ["boot ok"], f"log lines: {centre.logs(1)}")
    check(a1.outbox() == [], "the outbox is not empty after a delivered round")

    # --- tasks round-trip ----------------------------------------------------------
    inc = centre.cli_ok("incident", "open", "Mã độc trên web01")
    evidence_file = os.path.join(tmp, "suspicious.bin")
    payload = os.urandom(100000)
    with open(evidence_file, "wb") as f:
        f.write(payload)
    # A scan task carries the centre's YARA rules; the agent sweeps as
    # `canhgac scan` does. The planted file is deep in a tree with a near-miss,
    # a clean file, a symbolic link out of the tree and a link to a planted
    # file outside (neither followed).
    tree = os.path.join(tmp, "tree")
    os.makedirs(os.path.join(tree, "deep", "er"))
    marker = "canhgac-test-dropper-" + os.urandom(6).hex()
    with open(os.path.join(tree, "deep", "er", "dropper"), "wb") as f:
        f.write(b"MZ padding " + marker.encode() + b" trailer" + os.urandom(64))
    with open(os.path.join(tree, "near-miss"), "w") as f:
        f.write(marker[:-1] + "\n")
    with open(os.path.join(tree, "clean"), "w") as f:
        f.write("clean\n")
    outside = os.path.join(tmp, "outside-planted")
    with open(outside, "w") as f:
        f.write(marker + "\n")
    os.symlink(outside, os.path.join(tree, "link-to-planted"))
    os.symlink("/usr/bin", os.path.join(tree, "outside"))
    rules_dir = os.path.join(tmp, "rules")
    os.makedirs(rules_dir)
    with open(os.path.join(rules_dir, "dropper.yar"), "w") as f:
        f.write('rule CanhgacTestDropper : test {\n meta:\n  description = "Mẫu thử"\n strings:\n'
                f'  $a = "{marker}"\n condition:\n  $a\n}}\n')
    # Expected, independently: the yara command line (links not followed) and
    # `canhgac scan` on the same tree.
    yr = subprocess.run(["yara", "-N", "-r", os.path.join(rules_dir, "dropper.yar"), tree], capture_output=True,
                        text=True)
    check(yr.returncode == 0, f"yara: {yr.stderr}")
    want = sorted(tuple(l.split(" ", 1)) for l in yr.stdout.splitlines() if l.strip())
    check(want == [("CanhgacTestDropper", os.path.join(tree, "deep", "er", "dropper"))], f"yara found {want}")
    cs = centre.cli("scan", "--json", "--no-store", "--no-rules-cache", "--rules", rules_dir, tree)
    check(cs.returncode == 4, f"canhgac scan: {cs.returncode} {cs.stderr}")
    cs_hits = [o for o in map(json.loads, cs.stdout.splitlines()) if o.get("type") == "hit"]
    check(sorted((h["rule"], h["path"]) for h in cs_hits) == want, f"canhgac scan found {cs_hits}")
    bad_rules = os.path.join(tmp, "bad.yar")
    with open(bad_rules, "w") as f:
        f.write("rule Broken { condition: }\n")
    refused = centre.cli("agent", "task", "1", "scan", tree, "--rules", bad_rules)
    check(refused.returncode != 0 and "bad.yar" in refused.stderr, f"a rule that does not compile: {refused.stderr}")
    with_include = os.path.join(tmp, "with-include.yar")
    with open(with_include, "w") as f:
        f.write(f'include "{os.path.join(rules_dir, "dropper.yar")}"\n')
    refused = centre.cli("agent", "task", "1", "scan", tree, "--rules", with_include)
    check(refused.returncode != 0 and "'include'" in refused.stderr, f"an include the agent cannot follow: {refused.stderr}")
    centre.cli_ok("agent", "task", "1", "collect", evidence_file, "--incident", "1")
    centre.cli_ok("agent", "task", "1", "scan", tree, "--rules", rules_dir)
    refused = centre.cli("agent", "task", "1", "collect", evidence_file)
    check(refused.returncode != 0 and "--incident" in refused.stderr, "collect without an incident must be refused")
    check({x["id"]: x for x in centre.agents()}[1]["pending_tasks"] == 2, "two pending tasks expected")
    r = a1.once()
    check(r.returncode == 0, f"run --once with tasks: {r.stderr}")
    tasks = {x["kind"]: x for x in centre.tasks(1)}
    col = tasks.get("collect", {})
    check(col.get("state") == "done", f"collect task: {col}")
    check((col.get("result") or {}).get("sha256") == hashlib.sha256(payload).hexdigest(), "collect hash")
    ev = centre.cli_ok("evidence", "list", "1")
    check(hashlib.sha256(payload).hexdigest() in ev, f"evidence list lacks the file: {ev}")
    stored = os.path.join(os.path.dirname(centre.db), "evidence", hashlib.sha256(payload).hexdigest()[:2],
                          hashlib.sha256(payload).hexdigest())
    check(os.path.exists(stored) and open(stored, "rb").read() == payload, "evidence store copy differs")
    sc = tasks.get("scan", {})
    res = sc.get("result") or {}
    check(sc.get("state") == "done" and res.get("rules") == 1, f"scan task: {sc}")
    got = sorted((h["rule"], h["path"]) for h in res.get("hits", []))
    check(got == want, f"the agent's scan found {got}, expected {want}")
    check(res.get("hits_total") == len(want) and res.get("alerts_added") == len(want), f"scan counts: {res}")
    check(res.get("files_scanned") == 3, f"files scanned: {res.get('files_scanned')} (dropper, near-miss, clean)")
    check(all(h.get("sha256") in (None, hashlib.sha256(open(h["path"], "rb").read()).hexdigest())
              for h in res.get("hits", [])), f"hit digests: {res.get('hits')}")
    alerts = [json.loads(l) for l in centre.cli_ok("alert", "list", "--json").splitlines()]
    yara_alerts = [x for x in alerts if x.get("kind") == "yara"]
    check(len(yara_alerts) == 1 and "CanhgacTestDropper" in json.dumps(yara_alerts[0])
          and "web01.so-mau.example" in json.dumps(yara_alerts[0]), f"the hit as an alert on the agent's host: {alerts}")
    check(not [n for n in os.listdir(a1.state) if n.startswith("rules-")], "the agent left its rules directory")
    check({x["id"]: x for x in centre.agents()}[1]["pending_tasks"] == 0, "tasks still pending")

    # --- the centre goes away; nothing queued is lost -------------------------------
    check(centre.stop() == 0, "the hub did not stop cleanly")
    lines = [f"while away {i}" for i in range(50)]
    with open(log_file, "a") as f:
        for i, l in enumerate(lines):
            f.write(l + "\n")
            if i % 10 == 9:
                f.flush()
                r = a1.once()
                check(r.returncode != 0 and "kept in the outbox" in r.stderr,
                      f"a round without the centre must fail and keep the reports: {r.stderr}")
    queued = len(a1.outbox())
    check(queued == 5, f"expected 5 queued log reports, found {queued}")
    centre.start()
    r = a1.once()
    check(r.returncode == 0, f"catch-up round: {r.stderr}")
    got = [l["line"] for l in centre.logs(1)]
    check(got == ["boot ok"] + lines, f"log lines after catch-up: {len(got)} lines, expected {1 + len(lines)}")
    check(a1.outbox() == [], "outbox not emptied after catch-up")

    # --- the agent as a service: rounds until SIGTERM --------------------------------
    a1.write_config()
    svc = subprocess.Popen([agentenv.AGENT, "-c", a1.config, "run"], stderr=subprocess.PIPE, text=True,
                           env=cgtest.env())
    with open(log_file, "a") as f:
        f.write("while running\n")
    wait_for(lambda: any(l["line"] == "while running" for l in centre.logs(1)), "a line from the running agent")
    svc.send_signal(signal.SIGTERM)
    check(svc.wait(timeout=60) == 0, "the agent did not stop on SIGTERM")

    # --- refused certificates ---------------------------------------------------------
    # no certificate: only enrolment is possible
    s = tls_client(centre.port)
    send(s, {"type": "hello", "hostname": "x", "version": "1"})
    m = recv(s)
    check(m is not None and m.get("type") == "error" and "certificate" in m.get("message", ""),
          f"hello without a certificate: {m}")
    s.close()
    # a client certificate from another CA (a second canhgac CA, openssl signing)
    other = Centre(os.path.join(tmp, "other"))
    other.cli_ok("ca", "init")
    oca = os.path.join(os.path.dirname(other.db), "ca")
    okey, ocsr, ocrt, ext = (os.path.join(tmp, n) for n in ("o.key", "o.csr", "o.crt", "o.ext"))
    with open(ext, "w") as f:
        f.write("extendedKeyUsage=clientAuth\nbasicConstraints=critical,CA:FALSE\n")
    subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", okey, "-out", ocsr, "-subj", "/CN=canhgac-agent-1"], check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", ocsr, "-CA", os.path.join(oca, "ca.crt"), "-CAkey",
                    os.path.join(oca, "ca.key"), "-CAcreateserial", "-days", "30", "-extfile", ext, "-out", ocrt],
                   check=True, capture_output=True)
    try:
        s = tls_client(centre.port, ocrt, okey)
        send(s, {"type": "hello", "hostname": "x", "version": "1"})
        m = recv(s)
        check(m is None or m.get("type") == "error", f"another CA's certificate was served: {m}")
        s.close()
    except (OSError, agentenv.ssl.SSLError):
        pass  # refused in the handshake, as it should be
    check(wait_for(lambda: "handshake failed" in centre.log(), "the hub's log of the refused handshake"),
          "the hub did not log the refused handshake")
    # revoked: refused on the next connection, nothing more stored
    n_before = len(centre.logs(1))
    centre.cli_ok("agent", "revoke", "1")
    with open(log_file, "a") as f:
        f.write("after revocation\n")
    r = a1.once()
    check(r.returncode != 0 and "revoked" in r.stderr, f"a revoked agent must be refused: {r.stderr}")
    check(len(centre.logs(1)) == n_before, "a revoked agent's lines were stored")
    check(wait_for(lambda: "is revoked" in centre.log(), "the hub's log of the revoked certificate"),
          "the hub did not log the revoked certificate")
    check({x["id"]: x for x in centre.agents()}[1]["revoked_at"] is not None, "agent list does not show revocation")
    r2 = a2.once()
    check(r2.returncode == 0, f"the other agent is still served: {r2.stderr}")
    check(centre.alive(), "the hub died")
finally:
    centre.stop()
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(t.finish())
