"""canhgacd end to end with real clients on loopback: logger (util-linux) over
UDP and TCP in RFC 3164 and RFC 5424, openssl s_client for TLS, a listed
address giving exactly one aggregated alert, -n with per-field errors,
SIGHUP with a bad rule file keeping the old snapshot, `canhgac reload`, an
`intel import` reaching the running daemon, and the metrics page."""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

import cgtest
from dtest import Daemon, alerts, logger, tcp_send

C = cgtest.Checks()
check = C.check
SRC = cgtest.SRC

LISTED = "203.0.113.25"        # in samples/intel/botnet-2026-11.csv
LATER = "198.51.100.77"         # imported while the daemon runs


def base_config(extra=""):
    return f"""database: canhgac.db
pid_file: canhgacd.pid
state_dir: state
workers: 2
listeners:
  - {{name: udp, proto: udp, port: 0}}
  - {{name: tcp, proto: tcp, port: 0}}
metrics: {{port: 0}}
detect:
  intel_poll: 1
  alert_flush_ms: 50
  thresholds: thresholds.yaml
{extra}"""


THRESHOLDS = """rules:
  - id: ssh-brute-force
    title: Many failed SSH logins from one address
    level: high
    match:
      program: sshd
      outcome: failure
    group_by: [src_ip]
    condition: count >= 5
    window: 60s
"""


def test_docs(tmp):
    """Every option of --help and every configuration key the parser knows
    is in canhgacd(8)."""
    page = open(os.path.join(SRC, "man", "canhgacd.8"), encoding="utf-8").read().replace("\\-", "-")
    h = subprocess.run([DBIN, "--help"], capture_output=True, text=True, env=cgtest.env())
    check(h.returncode == 0 and "--json" in h.stdout, "canhgacd --help")
    for opt in sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]+)", h.stdout))):
        check(opt in page, f"canhgacd: option {opt} is in --help but not in canhgacd.8")
    src = open(os.path.join(SRC, "src", "daemon", "daemon_config.c"), encoding="utf-8").read()
    keys = set(re.findall(r'strcmp\(ks2?, "([a-z_]+)"\)', src))
    check(len(keys) > 30, f"configuration keys found in the parser: {len(keys)}")
    for k in sorted(keys):
        check(re.search(r"\.B[RI]? [^\n]*\b" + re.escape(k) + r"\b", page) is not None,
              f"configuration key '{k}' is not in canhgacd.8")
    v = subprocess.run([DBIN, "--version"], capture_output=True, text=True)
    check(v.returncode == 0 and v.stdout.startswith("canhgacd "), "canhgacd --version")
    u = subprocess.run([DBIN, "--no-such"], capture_output=True, text=True)
    check(u.returncode == 2, f"unknown option exits 2: {u.returncode}")


def test_agents_hub(tmp):
    """The daemon hosts the agents' hub when the configuration asks."""
    db = os.path.join(tmp, "canhgac.db")
    r = cgtest.run(["ca", "init", "--name", "So Mau"], db=db)
    if not check(r.returncode == 0, f"canhgac ca init: {r.stderr}"):
        return
    d = Daemon(tmp, base_config() + "agents:\n  listen: 127.0.0.1:0\n", name="hub")
    if not check(d.start(), f"daemon with the hub starts: {d.log()[-400:]}"):
        return
    try:
        m = re.search(r"event=agents listen=\S+ port=(\d+)", d.log())
        check(m and int(m.group(1)) > 0, f"the hub's port is logged: {d.log()[-400:]}")
        if m:
            r = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{m.group(1)}", "-brief"],
                               input="", capture_output=True, text=True, timeout=30)
            check("So Mau" in (r.stdout + r.stderr) or "CONNECT" in (r.stdout + r.stderr).upper(),
                  f"the hub answers TLS: {(r.stdout + r.stderr)[-300:]}")
    finally:
        d.stop()


def test_privilege_drop(tmp):
    """Started as root with `user: nobody`: binds a privileged port first,
    then runs as nobody (every uid and gid), and still stores alerts."""
    if os.geteuid() != 0:
        print("note: not root; the privilege drop is checked only when the tests run as root")
        return
    import pwd
    import socket
    nobody = pwd.getpwnam("nobody")
    port = None
    for p in range(700, 1000):
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            s = socket.socket(socket.AF_INET, kind)
            try:
                s.bind(("127.0.0.1", p))
            except OSError:
                break
            finally:
                s.close()
        else:
            port = p
            break
    if not check(port, "a free privileged port"):
        return
    db = os.path.join(tmp, "canhgac.db")
    r = cgtest.run(["intel", "import", "--source", "botnet-list",
                    os.path.join(SRC, "samples", "intel", "botnet-2026-11.csv")], db=db)
    check(r.returncode == 0, f"intel import: {r.stderr}")
    os.chmod(tmp, 0o755)
    for path in (tmp, db):
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    cfg = base_config().replace("{name: udp, proto: udp, port: 0}", f"{{name: udp, proto: udp, port: {port}}}")
    cfg += "user: nobody\n"
    d = Daemon(tmp, cfg, name="priv")
    if not check(d.start(), f"daemon as nobody starts: {d.log()[-500:]}"):
        return
    try:
        check(d.ports.get("udp") == port, f"bound privileged port {port}: {d.ports}")
        with open(f"/proc/{d.proc.pid}/status") as f:
            st = f.read()
        uids = re.search(r"^Uid:\s+(.*)$", st, re.M).group(1).split()
        gids = re.search(r"^Gid:\s+(.*)$", st, re.M).group(1).split()
        groups = re.search(r"^Groups:\s*(.*)$", st, re.M).group(1).split()
        check(set(uids) == {str(nobody.pw_uid)}, f"every uid is nobody's: {uids}")
        check(set(gids) == {str(nobody.pw_gid)}, f"every gid is nobody's group: {gids}")
        check(groups in ([], [str(nobody.pw_gid)]), f"no supplementary groups kept: {groups}")
        logger(port, f"after the drop {LISTED}", 3164, False)
        d.wait_metric("canhgacd_alerts_stored_total", lambda v: v >= 1, timeout=20)
        time.sleep(0.3)
        check(len([a for a in alerts(db) if a.get("indicator") == LISTED]) == 1, "alerts stored as nobody")
    finally:
        d.stop()


def test_check(tmp):
    """-n: a good configuration passes; a bad field is named with its line."""
    with open(os.path.join(tmp, "thresholds.yaml"), "w") as f:
        f.write(THRESHOLDS)
    good = os.path.join(tmp, "good.yaml")
    with open(good, "w") as f:
        f.write(base_config())
    r = subprocess.run([DBIN, "-n", "--json", "-c", good], capture_output=True, text=True, env=cgtest.env())
    check(r.returncode == 0, f"-n on a good config: {r.returncode} {r.stdout} {r.stderr}")
    rep = json.loads(r.stdout or "{}")
    check(rep.get("ok") is True and rep.get("listeners") == 2 and rep.get("threshold_rules") == 1,
          f"-n --json report: {rep}")
    text = base_config().replace("proto: tcp", "proto: tcpp")
    line = next(i + 1 for i, l in enumerate(text.splitlines()) if "tcpp" in l)
    bad = os.path.join(tmp, "bad.yaml")
    with open(bad, "w") as f:
        f.write(text)
    r = subprocess.run([DBIN, "-n", "-c", bad], capture_output=True, text=True, env=cgtest.env())
    check(r.returncode == 1, f"-n on a bad config exits 1: {r.returncode}")
    check(f"{bad}:{line}: field 'listeners.proto'" in r.stderr, f"-n names file, line, field: {r.stderr!r}")
    text = base_config() + "colour: blue\n"
    line = len(text.splitlines())
    with open(bad, "w") as f:
        f.write(text)
    r = subprocess.run([DBIN, "-n", "-c", bad], capture_output=True, text=True, env=cgtest.env())
    check(r.returncode == 1 and f"{bad}:{line}: field 'colour': unknown key" in r.stderr,
          f"-n refuses an unknown key at its line: {r.stderr!r}")
    # An upstream may not take the detect cursor's name, nor another's.
    for names, why in ((["detect"], "'detect' is the name of detection's cursor"),
                       (["soc", "soc"], "two upstreams have the same name")):
        ups = "".join(f"    - {{name: {n}, kind: syslog-tcp, address: 127.0.0.1, port: 6514}}\n" for n in names)
        text = base_config() + "forward:\n  upstreams:\n" + ups
        line = len(text.splitlines())
        with open(bad, "w") as f:
            f.write(text)
        r = subprocess.run([DBIN, "-n", "-c", bad], capture_output=True, text=True, env=cgtest.env())
        check(r.returncode == 1 and f"{bad}:{line}: field 'forward.upstreams.name': {why}" in r.stderr,
              f"-n refuses upstream names {names}: {r.stderr!r}")
    # A bad threshold file is an error of -n too, naming that file.
    with open(os.path.join(tmp, "thresholds.yaml"), "w") as f:
        f.write("rules:\n  - id: x\n    window: forever\n")
    r = subprocess.run([DBIN, "-n", "-c", good], capture_output=True, text=True, env=cgtest.env())
    check(r.returncode == 1 and "thresholds.yaml" in r.stderr, f"-n checks the threshold rules: {r.stderr!r}")
    with open(os.path.join(tmp, "thresholds.yaml"), "w") as f:
        f.write(THRESHOLDS)


def test_pipeline(tmp):
    db = os.path.join(tmp, "canhgac.db")
    r = cgtest.run(["intel", "import", "--source", "botnet-list",
                    os.path.join(SRC, "samples", "intel", "botnet-2026-11.csv")], db=db)
    check(r.returncode == 0, f"intel import: {r.stderr}")
    d = Daemon(tmp, base_config())
    if not check(d.start(), f"daemon starts: {d.log()}"):
        return
    try:
        # Nothing listed: no alert.
        sent = {"udp": 0, "tcp": 0}
        for rfc in (3164, 5424):
            for proto in ("udp", "tcp"):
                r = logger(d.ports[proto], "Accepted publickey for ops from 192.0.2.10 port 50000 ssh2", rfc,
                           proto == "tcp")
                check(r.returncode == 0, f"logger {rfc} {proto}: {r.stderr}")
                sent[proto] += 1
        # The listed address four times, in every framing: one alert, count 4.
        for rfc in (3164, 5424):
            for proto in ("udp", "tcp"):
                logger(d.ports[proto], f"Connection from {LISTED} port 4242 on 10.0.0.5 port 22", rfc,
                       proto == "tcp")
                sent[proto] += 1
        for proto in ("udp", "tcp"):
            got = d.wait_metric(f'canhgacd_events_processed_total{{source="{proto}",kind="{proto}"}}',
                                lambda v, p=proto: v >= sent[p])
            check(got == sent[proto], f"{proto}: {sent[proto]} sent, {got} processed")
        d.wait_metric("canhgacd_alerts_stored_total", lambda v: v >= 4)
        time.sleep(0.3)
        al = [a for a in alerts(db) if a.get("kind") == "indicator"]
        check(len(al) == 1, f"exactly one indicator alert: {al}")
        if al:
            check(al[0].get("indicator") == LISTED and al[0].get("count") == 4,
                  f"the alert names {LISTED} with count 4: {al[0]}")

        # Threshold: 5 failed logins from one address within the window.
        for i in range(5):
            logger(d.ports["tcp"], f"Failed password for root from 192.0.2.99 port {40000 + i} ssh2", 5424, True)
        d.wait_metric("canhgacd_threshold_alerts_total", lambda v: v >= 1, timeout=10)
        time.sleep(0.3)
        th = [a for a in alerts(db) if a.get("kind") == "threshold"]
        check(len(th) == 1, f"one threshold alert after 5 failures: {th}")

        # A bad threshold file + SIGHUP: the old snapshot stays, the log says why.
        gen = d.metric("canhgacd_snapshot_generation")
        with open(os.path.join(tmp, "thresholds.yaml"), "w") as f:
            f.write("rules:\n  - id: broken\n    title: x\n    condition: count >= lots\n")
        d.signal(signal.SIGHUP)
        fails = d.wait_metric("canhgacd_reload_failures_total", lambda v: v >= 1, timeout=20)
        check(fails == 1, f"the bad reload is counted: {fails}")
        check(d.metric("canhgacd_snapshot_generation") == gen, "the old snapshot stays in use")
        check(re.search(r"event=reload_failed .*thresholds\.yaml", d.log()) is not None,
              "the log names the bad file")
        check(d.metric('canhgacd_snapshot_items{part="threshold_rules"}') == 1, "the old rules still count")
        # Events still flow on the old snapshot.
        before = d.metric('canhgacd_events_processed_total{source="udp",kind="udp"}')
        logger(d.ports["udp"], f"again {LISTED}", 3164, False)
        after = d.wait_metric('canhgacd_events_processed_total{source="udp",kind="udp"}',
                              lambda v: v > before)
        check(after == before + 1, "events keep flowing after a refused reload")

        # Fixed file + `canhgac reload`: a new generation.
        with open(os.path.join(tmp, "thresholds.yaml"), "w") as f:
            f.write(THRESHOLDS)
        r = cgtest.run(["reload", "-c", d.cfg])
        check(r.returncode == 0, f"canhgac reload: {r.returncode} {r.stderr}")
        g2 = d.wait_metric("canhgacd_snapshot_generation", lambda v: v > gen, timeout=20)
        check(g2 == gen + 1, f"canhgac reload swaps in generation {gen + 1}: {g2}")

        # `canhgac intel import` reaches the daemon without a restart.
        logger(d.ports["tcp"], f"probe from {LATER}", 5424, True)
        d.wait_metric("canhgacd_alerts_total", lambda v: False, timeout=0.5)
        check(not [a for a in alerts(db) if a.get("indicator") == LATER], f"{LATER} is not listed yet")
        feed = os.path.join(tmp, "later.txt")
        with open(feed, "w") as f:
            f.write(LATER + "\n")
        r = cgtest.run(["intel", "import", "--source", "later-list", "--hunt-special", feed], db=db)
        check(r.returncode == 0, f"intel import while running: {r.stderr}")
        g3 = d.wait_metric("canhgacd_snapshot_generation", lambda v: v > g2, timeout=20)
        check(g3 > g2, "the intel import made a new snapshot")
        logger(d.ports["tcp"], f"probe from {LATER}", 5424, True)
        t0 = time.time()
        found = []
        while time.time() - t0 < 15 and not found:
            found = [a for a in alerts(db) if a.get("indicator") == LATER]
            time.sleep(0.2)
        check(len(found) == 1, f"{LATER} alerts after the import: {found}")

        m = d.metrics()
        check(m.get("canhgacd_messages_dropped_total{source=\"tcp\",kind=\"tcp\"}") == 0, "no TCP drops")
        check(m.get("canhgacd_queue_messages") == 0, "the queue drained")
    finally:
        rc = d.stop()
        check(rc == 0, f"SIGTERM stops it cleanly: {rc}")
        check("event=stopped" in d.log(), "the log says it stopped")


def test_alert_window(tmp):
    """detect.alert_window: repeats within it fold into one alert, a repeat
    later than it after the last event opens a new one; alert_events_max:
    the alert lists that many events and counts the rest."""
    db = os.path.join(tmp, "canhgac.db")
    r = cgtest.run(["intel", "import", "--source", "botnet-list",
                    os.path.join(SRC, "samples", "intel", "botnet-2026-11.csv")], db=db)
    check(r.returncode == 0, f"intel import: {r.stderr}")
    d = Daemon(tmp, base_config("  alert_window: 3\n  alert_events_max: 3\n"))
    if not check(d.start(), f"daemon starts: {d.log()}"):
        return
    try:
        def burst(k, first_port):
            for i in range(k):
                logger(d.ports["tcp"], f"Connection from {LISTED} port {first_port + i} on 10.0.0.5 port 22",
                       5424, True)

        burst(5, 41000)
        d.wait_metric("canhgacd_alerts_stored_total", lambda v: v >= 5)
        time.sleep(0.3)
        al = [a for a in alerts(db) if a.get("kind") == "indicator"]
        check(len(al) == 1 and al[0].get("count") == 5, f"one alert, count 5: {al}")
        if al:
            r = cgtest.run(["--json", "alert", "show", al[0]["id"]], db=db)
            shown = json.loads(r.stdout) if r.returncode == 0 else {}
            check(len(shown.get("events", [])) == 3, f"3 events listed of 5: {shown.get('events')}")
        time.sleep(4.5)  # past the 3 s window after the last event
        burst(2, 42000)
        d.wait_metric("canhgacd_alerts_stored_total", lambda v: v >= 7)
        time.sleep(0.3)
        al = sorted((a for a in alerts(db) if a.get("kind") == "indicator"), key=lambda a: a.get("first_seen", ""))
        check([a.get("count") for a in al] == [5, 2], f"a repeat after the window opens a second alert: {al}")
    finally:
        check(d.stop() == 0, "SIGTERM stops it cleanly")


def test_tls(tmp):
    key, crt = os.path.join(tmp, "srv.key"), os.path.join(tmp, "srv.crt")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
                        "-days", "2", "-subj", "/CN=localhost"], capture_output=True, text=True)
    if not check(r.returncode == 0, f"openssl req: {r.stderr}"):
        return
    db = os.path.join(tmp, "canhgac.db")
    cfg = base_config().replace("  - {name: tcp, proto: tcp, port: 0}\n",
                                "  - {name: tcp, proto: tcp, port: 0}\n"
                                f"  - {{name: tls, proto: tls, port: 0, tls_cert: {crt}, tls_key: {key}}}\n")
    d = Daemon(tmp, cfg, name="tls")
    if not check(d.start(), f"daemon with TLS starts: {d.log()}"):
        return
    try:
        lines = "".join(f"<38>1 2026-12-01T10:00:0{i}+07:00 web01 app - - - tls message {i} {LISTED}\n"
                        for i in range(3))
        r = subprocess.run(["openssl", "s_client", "-quiet", "-no_ign_eof", "-connect", f"127.0.0.1:{d.ports['tls']}"],
                           input=lines, capture_output=True, text=True, timeout=30)
        got = d.wait_metric('canhgacd_events_processed_total{source="tls",kind="tls"}', lambda v: v >= 3)
        check(got == 3, f"3 messages over TLS (openssl s_client): {got} {r.stderr[-300:]}")
    finally:
        d.stop()
    # verify_client: a client without a certificate from tls_ca is refused;
    # one with it gets through.
    ca_key, ca_crt = os.path.join(tmp, "ca.key"), os.path.join(tmp, "ca.crt")
    cl_key, cl_csr, cl_crt = (os.path.join(tmp, n) for n in ("cl.key", "cl.csr", "cl.crt"))
    for args in (["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca_crt, "-days", "2",
                  "-subj", "/CN=So Mau test CA"],
                 ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", cl_key, "-out", cl_csr, "-subj", "/CN=fw01"],
                 ["x509", "-req", "-in", cl_csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial", "-out", cl_crt,
                  "-days", "2"]):
        r = subprocess.run(["openssl"] + args, capture_output=True, text=True)
        if not check(r.returncode == 0, f"openssl {args[0]}: {r.stderr}"):
            return
    cfg2 = cfg.replace(f"tls_key: {key}}}", f"tls_key: {key}, tls_ca: {ca_crt}, verify_client: true}}")
    d = Daemon(tmp, cfg2, name="mtls")
    if not check(d.start(), f"daemon with client certificates starts: {d.log()}"):
        return
    try:
        port = d.ports["tls"]
        subprocess.run(["openssl", "s_client", "-quiet", "-no_ign_eof", "-connect", f"127.0.0.1:{port}"],
                       input="<38>1 - fw01 app - - - without a certificate\n", capture_output=True, text=True,
                       timeout=30)
        subprocess.run(["openssl", "s_client", "-quiet", "-no_ign_eof", "-connect", f"127.0.0.1:{port}",
                        "-cert", cl_crt, "-key", cl_key],
                       input="<38>1 - fw01 app - - - with a certificate\n", capture_output=True, text=True,
                       timeout=30)
        got = d.wait_metric('canhgacd_events_processed_total{source="tls",kind="tls"}', lambda v: v >= 1)
        time.sleep(0.5)
        got = d.metric('canhgacd_events_processed_total{source="tls",kind="tls"}')
        check(got == 1, f"only the client with a certificate got through: {got}")
        check(d.metric('canhgacd_tls_failures_total{source="tls"}') >= 1, "the refused handshake is counted")
    finally:
        d.stop()


def test_sysmon_json(tmp):
    """A Sysmon event as JSON over TCP fires the same Sigma rule as the same
    event read from the file by `canhgac sigma hunt`."""
    ev = cgtest.shared("sigma", "regression_data", "rules", "windows", "process_creation",
                       "proc_creation_win_bitsadmin_download", "d059842b-6b9d-4ed1-b5c3-5b89143c6ede.json")
    rules = cgtest.shared("sigma", "rules", "windows", "process_creation")
    hunt = cgtest.run(["sigma", "hunt", "--quiet", "--json", "--rules", rules, ev])
    want = sorted({json.loads(l).get("rule_id") or json.loads(l).get("id") for l in hunt.stdout.splitlines()
                   if l.strip()})
    check(hunt.returncode == 0 and want, f"sigma hunt finds rules: {want} {hunt.stderr[-300:]}")
    db = os.path.join(tmp, "canhgac.db")
    cfg = base_config(f"  sigma: {rules}\n")
    d = Daemon(tmp, cfg, name="sysmon")
    if not check(d.start(timeout=240), f"daemon with the Windows rules starts: {d.log()[-500:]}"):
        return
    try:
        with open(ev) as f:
            obj = json.load(f)
        tcp_send(d.ports["tcp"], (json.dumps(obj, separators=(",", ":")) + "\n").encode())
        d.wait_metric("canhgacd_sigma_alerts_total", lambda v: v >= len(want), timeout=20)
        time.sleep(0.3)
        got = sorted({a.get("rule_id") for a in alerts(db) if a.get("kind") == "sigma"})
        check(got == want, f"the same Sigma rules fire: daemon {got}, sigma hunt {want}")
    finally:
        d.stop()


DBIN = os.environ.get("CANHGACD_BIN")


def main():
    if not DBIN or not os.access(DBIN, os.X_OK):
        print("FAIL: CANHGACD_BIN is not set or not executable")
        return 1
    for t in (test_docs, test_check, test_pipeline, test_alert_window, test_tls, test_sysmon_json, test_agents_hub, test_privilege_drop):
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "thresholds.yaml"), "w") as f:
                f.write(THRESHOLDS)
            print("--", t.__name__, flush=True)
            t(tmp)
    return C.finish()


if __name__ == "__main__":
    sys.exit(main())
