#!/usr/bin/env python3
"""A malicious agent — a Python TLS client holding a valid certificate —
sends what canhgac-agent never would: frames over the cap, broken JSON,
unknown members, path-like names, results for another agent's task,
replayed reports. The hub refuses each with an error, stays up, and writes
nothing outside that agent's own records: no file appears in the centre's
directory except the database and content-addressed evidence."""
import base64
import hashlib
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cgtest  # noqa: E402
from agentenv import Agent, Centre, recv, send, tls_client, wait_for  # noqa: E402

t = cgtest.Checks()
check = t.check
tmp = tempfile.mkdtemp(prefix="cg-agent-hostile-")
centre = Centre(tmp)


def tree(root):
    out = set()
    for d, _, files in os.walk(root):
        for f in files:
            out.add(os.path.relpath(os.path.join(d, f), root))
    return out


try:
    centre.cli_ok("ca", "init")
    centre.start()
    evil = Agent(tmp, "evil", centre)
    good = Agent(tmp, "good", centre)
    check(evil.enroll(centre.token()).returncode == 0, "enrol evil")
    check(good.enroll(centre.token()).returncode == 0, "enrol good")
    centre.cli_ok("incident", "open", "Sự cố thử")
    centre.cli_ok("agent", "task", "2", "collect", "/etc/hostname", "--incident", "1")  # the good agent's task
    centre.cli_ok("agent", "task", "1", "collect", "/etc/hostname", "--incident", "1")  # evil's own task
    centre.cli_ok("agent", "task", "1", "collect", "/etc/passwd", "--incident", "1")  # evil's second task
    data_dir = os.path.dirname(centre.db)
    outside = os.path.join(tmp, "pwned")

    def session():
        return tls_client(centre.port, evil.cert, evil.key)

    def expect_error(msg, what, needle=None):
        s = session()
        if isinstance(msg, bytes):
            send(s, raw=msg)
        else:
            send(s, msg)
        m = recv(s)
        ok = m is not None and m.get("type") == "error" and (needle is None or needle in m.get("message", ""))
        check(ok, f"{what}: expected an error{' naming ' + needle if needle else ''}, got {m}")
        s.close()

    before = tree(data_dir)
    # a frame header announcing 2 GiB: refused before anything is read or allocated
    s = session()
    send(s, raw=b"", length=0x7FFFFFFF)
    m = recv(s)
    check(m is None or (m.get("type") == "error" and "limit" in m.get("message", "")), f"oversized frame: {m}")
    s.close()
    expect_error(b"{not json", "broken JSON", "agent message")
    expect_error(b"[1,2,3]", "not an object", "not a JSON object")
    expect_error({"type": "hello", "hostname": "x", "version": "1", "agent_id": 2}, "an agent id in a message",
                 "unknown member")
    expect_error({"type": "report", "seq": 1, "kind": "logs",
                  "body": {"file": "/var/log/x", "offset": 0, "lines": ["x" * 9000]}}, "a line over the cap", "too long")
    expect_error({"type": "report", "seq": 1, "kind": "logs",
                  "body": {"file": "/var/log/x", "offset": 0, "lines": ["a"] * 6000}}, "too many lines",
                 "too many")
    expect_error({"type": "report", "seq": 1, "kind": "upload", "body": {}}, "an unknown report kind", "unknown kind")
    expect_error({"type": "enrolled", "agent": 2, "cert": "x", "ca": "y"}, "a centre's message from an agent",
                 "unexpected")
    # a file whose data does not match its hash: acknowledged (or the agent would send it
    # forever), logged, the task failed, nothing stored
    s = session()
    send(s, {"type": "report", "seq": 2, "kind": "result",
             "body": {"task": 3, "status": "done",
                      "file": {"path": "/etc/hostname", "sha256": "0" * 64, "size": 4, "data": "QUJDRA=="}}})
    check((recv(s) or {}).get("type") == "ack", "mismatched upload not acknowledged")
    s.close()
    check(wait_for(lambda: "upload not stored" in centre.log(), "the hub's log of the refused upload"),
          "the hub did not log the refused upload")

    # path-like names: stored as text under the agent's own id, never used as paths
    s = session()
    send(s, {"type": "report", "seq": 10, "kind": "logs",
             "body": {"file": "../../../../" + outside, "offset": 0, "lines": ["../../etc/shadow", "ok"]}})
    check((recv(s) or {}).get("type") == "ack", "path-like log report not acknowledged")
    # the same report replayed: acknowledged, stored once
    send(s, {"type": "report", "seq": 10, "kind": "logs",
             "body": {"file": "../../../../" + outside, "offset": 0, "lines": ["../../etc/shadow", "ok"]}})
    check((recv(s) or {}).get("type") == "ack", "replayed report not acknowledged")
    # a result for the GOOD agent's task (id 1): not this agent's, not stored
    content = b"attacker controlled\n"
    sha = hashlib.sha256(content).hexdigest()
    send(s, {"type": "report", "seq": 11, "kind": "result",
             "body": {"task": 1, "status": "done",
                      "file": {"path": "../../../" + outside, "sha256": sha, "size": len(content),
                               "data": base64.b64encode(content).decode()}}})
    check((recv(s) or {}).get("type") == "ack", "foreign task result not acknowledged")
    # its own task (id 2) with a path-like name: stored content-addressed only
    send(s, {"type": "report", "seq": 12, "kind": "result",
             "body": {"task": 2, "status": "done",
                      "file": {"path": "../../../../" + outside + "/x", "sha256": sha, "size": len(content),
                               "data": base64.b64encode(content).decode()}}})
    check((recv(s) or {}).get("type") == "ack", "own task result not acknowledged")
    s.close()

    check(centre.alive(), "the hub died")
    check(not os.path.exists(outside), "a file was written where an agent's name pointed")
    after = tree(data_dir)
    new = after - before
    allowed = {os.path.join("evidence", sha[:2], sha)}
    extra = {f for f in new if f not in allowed and not os.path.basename(f).startswith("canhgac.db")}
    check(not extra, f"files written outside the agent's records: {sorted(extra)}")
    check(not any(f.startswith(os.path.join("evidence", "incoming")) and f.endswith(".part") for f in after),
          "an upload's temporary file was left behind")
    tasks = {x["id"]: x for x in centre.tasks()}
    check(tasks[1]["state"] == "pending" and tasks[1]["agent"] == 2, f"the good agent's task was touched: {tasks[1]}")
    check(tasks[2]["state"] == "done" and tasks[2]["agent"] == 1, f"evil's own task: {tasks[2]}")
    check(tasks[3]["state"] == "failed" and "does not match" in (tasks[3]["error"] or ""),
          f"the mismatched upload: {tasks[3]}")
    logs = centre.logs(1)
    check([l["line"] for l in logs] == ["../../etc/shadow", "ok"], f"evil's log lines (stored once): {logs}")
    check(centre.logs(2) == [], "lines landed under the good agent")
    # evil's evidence item records where it came from as text, under evil's name
    ev = centre.cli_ok("evidence", "list", "1")
    check("agent-1" in ev and "agent 1" in ev, f"evidence not attributed to agent 1: {ev}")

    # the good agent is still served, and its task runs for real
    r = good.once()
    check(r.returncode == 0, f"the good agent: {r.stderr}")
    tasks = {x["id"]: x for x in centre.tasks()}
    with open("/etc/hostname", "rb") as f:
        real = hashlib.sha256(f.read()).hexdigest()
    check(tasks[1]["state"] == "done" and (tasks[1]["result"] or {}).get("sha256") == real,
          f"the good agent's task result: {tasks[1]}")
finally:
    centre.stop()
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(t.finish())
