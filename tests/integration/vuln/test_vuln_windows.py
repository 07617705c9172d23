#!/usr/bin/env python3
"""Microsoft matching end to end: the real binary on a real SQLite file, the
real NVD records of the directive's Microsoft CVEs from ../shared/data, and
the project's sample Windows hosts (samples/vuln). The expected findings are
worked out here from the NVD JSON with this file's own reading of CPE
configurations and Windows builds, not taken from the program."""
import json
import os
import sqlite3
import subprocess
import sys
import tempfile

BIN = os.environ["CANHGAC_BIN"]
SRC = os.environ["CANHGAC_SRC"]
DATA = os.environ.get("CANHGAC_SHARED_DATA", "")
SAMPLES = os.path.join(SRC, "samples", "vuln")
NVD = os.path.join(DATA, "vuln", "nvd")
KEV = os.path.join(DATA, "vuln", "cisa_kev", "known_exploited_vulnerabilities.json")
MS = ["CVE-2023-24880", "CVE-2023-28252", "CVE-2023-29357", "CVE-2023-36025", "CVE-2023-36033",
      "CVE-2023-36745", "CVE-2023-36884"]
if not all(os.path.exists(os.path.join(NVD, c + ".json")) for c in MS):
    print("skip: the NVD records of the directive's Microsoft CVEs are not in ../shared/data/vuln/nvd")
    sys.exit(77)

failures = []
TMP = tempfile.mkdtemp(prefix="canhgac-vulnwin-")
DB = os.path.join(TMP, "t.db")


def run(*args, ok=True):
    e = dict(os.environ, LANGUAGE="en", LC_ALL="C.UTF-8", CANHGAC_NOW="1700000000")
    p = subprocess.run([BIN, "--db", DB, *args], capture_output=True, text=True, env=e, timeout=300)
    if ok and p.returncode != 0:
        failures.append(f"canhgac {' '.join(args)} exited {p.returncode}: {p.stderr.strip()}")
    return p


def check(cond, msg):
    if not cond:
        failures.append(msg)


def jlines(p):
    return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]


# ---------------------------------------------------------------- the known answer
def cve_obj(path):
    d = json.load(open(path))
    return d["vulnerabilities"][0]["cve"] if "vulnerabilities" in d else d


def cpe_matches(cve):
    """(product, version, update, bounds) of every vulnerable cpeMatch."""
    out = []
    for cfg in cve.get("configurations", []):
        for node in cfg["nodes"]:
            if node.get("negate"):
                continue
            for m in node["cpeMatch"]:
                if not m["vulnerable"]:
                    continue
                f = m["criteria"].split(":")
                if f[3] != "microsoft":
                    continue
                bounds = {k: m[k] for k in m if k.startswith("version")}
                out.append((f[4], f[5], f[6], bounds))
    return out


def build(s):
    return tuple(int(x) for x in s.split("."))


def in_bounds(b, bounds):
    lo, hi = bounds.get("versionStartIncluding"), bounds.get("versionEndExcluding")
    if lo and b < build(lo):
        return False
    if "versionStartExcluding" in bounds and b <= build(bounds["versionStartExcluding"]):
        return False
    if hi and b >= build(hi):
        return False
    if "versionEndIncluding" in bounds and b > build(bounds["versionEndIncluding"]):
        return False
    return True


# Microsoft's Security Update Guide gives the fixed build of Windows Server
# 2019 where NVD lists it without one: CVE-2023-36025 in the November 2023
# update KB5032196 (10.0.17763.5122), CVE-2023-36884 in the August 2023
# update KB5029247 (10.0.17763.4737, and the later cumulative updates).
MS_FIXED = {"CVE-2023-36025": ((10, 0, 17763, 5122), {"KB5032196"}),
            "CVE-2023-36884": ((10, 0, 17763, 4737), {"KB5029247", "KB5030214", "KB5031361", "KB5032196"})}


def server2019_verdict(cve, b, kbs=()):
    """None: not affected; 'yes'; 'verify' (build revision unknown: b has 3 parts)."""
    ms = cpe_matches(cve)
    own = [m for m in ms if m[0] == "windows_server_2019"]
    if not own:
        return None
    if cve["id"] in MS_FIXED:
        fixed, fix_kbs = MS_FIXED[cve["id"]]
        if set(kbs) & fix_kbs:
            return None
        if len(b) == 3:
            return "verify"
        return "yes" if b < fixed else None
    # Server 2019 and Windows 10 1809 are one code base (build 17763): where
    # NVD gives the server no bound, the client's bounds say which build fixed it.
    bounded = [m for m in own if m[3]] or [m for m in ms if m[0] == "windows_10_1809" and m[3]]
    if not bounded:
        return "verify"
    if len(b) == 3:
        return "verify"
    return "yes" if any(in_bounds(b, m[3]) for m in bounded) else None


def exchange_affected(cve, year, cu):
    return any(m[0] == "exchange_server" and m[1] == year and m[2] == f"cumulative_update_{cu}"
               for m in cpe_matches(cve))


cves = {c: cve_obj(os.path.join(NVD, c + ".json")) for c in MS}
DC01, DC02 = (10, 0, 17763, 3887), (10, 0, 17763, 5206)
want_dc01 = {c for c in MS if server2019_verdict(cves[c], DC01) == "yes"}
want_dc02 = {c for c in MS if server2019_verdict(cves[c], DC02) == "yes"}
# Microsoft's Windows Server release information: the build each 2023 cumulative
# update of Server 2019 brings (learn.microsoft.com/windows/release-health/
# windows-server-release-info). A host without its revision is at least at the
# build of the newest update it has (updates are cumulative).
KB_BUILD_2019 = {"KB5023702": 4131, "KB5025229": 4252, "KB5026362": 4377, "KB5027222": 4499, "KB5028168": 4645,
                 "KB5029247": 4737, "KB5030214": 4851, "KB5031361": 4974, "KB5032196": 5122, "KB5033371": 5206}
WS01_KBS = {"KB5031361", "KB5032196"}
WS01 = (10, 0, 17763, max(KB_BUILD_2019[k] for k in WS01_KBS))
want_ws01 = {c: server2019_verdict(cves[c], WS01, WS01_KBS) for c in MS}
want_ws01 = {c: v for c, v in want_ws01.items() if v}
want_exch01 = {c for c in MS if exchange_affected(cves[c], "2016", "23")}
# sanity of the answer itself: the unpatched DC has the directive's Windows CVEs
check(len(want_dc01) >= 5 and not want_dc02, f"known answer: dc01 {want_dc01}, dc02 {want_dc02}")
check(want_exch01 == {"CVE-2023-36745"}, f"known answer: exch01 {want_exch01}")

# ---------------------------------------------------------------- synthetic records for ranking and the rule
# Fictional ids (CVE-2099-*): one old critical, one rule-matched high, one medium.
def synth(cid, published, score, cna):
    return {"cve": {"id": cid, "sourceIdentifier": cna, "published": published, "lastModified": published,
                    "vulnStatus": "Analyzed", "descriptions": [{"lang": "en", "value": "test record"}],
                    "metrics": {"cvssMetricV31": [{"type": "Primary", "cvssData": {"baseScore": score,
                                                   "vectorString": "CVSS:3.1/AV:N", "baseSeverity": "HIGH"}}]},
                    "configurations": [{"nodes": [{"operator": "OR", "negate": False, "cpeMatch": [
                        {"vulnerable": True, "criteria": "cpe:2.3:o:microsoft:windows_server_2019:*:*:*:*:*:*:*:*",
                         "versionEndExcluding": "10.0.17763.9999"}]}]}]}}


page = {"resultsPerPage": 3, "startIndex": 0, "totalResults": 3, "format": "NVD_CVE", "version": "2.0",
        "vulnerabilities": [synth("CVE-2099-0001", "2022-03-01T10:00:00.000", 9.9, "secure@microsoft.com"),
                            synth("CVE-2099-0002", "2023-08-01T10:00:00.000", 7.2, "cve@mitre.org"),
                            synth("CVE-2099-0003", "2023-08-01T10:00:00.000", 6.5, "secure@microsoft.com")]}
synth_path = os.path.join(TMP, "synthetic-nvd.json")
json.dump(page, open(synth_path, "w"))

# ---------------------------------------------------------------- import and scan
run("vuln", "import", "--bundled")
run("vuln", "import", *[os.path.join(NVD, c + ".json") for c in MS], synth_path)
if os.path.exists(KEV):
    run("vuln", "import", KEV)
hosts = {"dc01.so-mau.example": ["windows-os-dc01.json"], "dc02.so-mau.example": ["windows-os-dc02.json"],
         "exch01.so-mau.example": ["windows-programs-exch01.json"],
         "exch02.so-mau.example": ["windows-programs-exch02.json"],
         "ws01.so-mau.example": ["systeminfo-ws01.txt", "windows-programs-ws01.json", "windows-hotfix-ws01.csv"]}
for h, files in hosts.items():
    for f in files:
        run("inventory", "import", "--create-host", h, os.path.join(SAMPLES, f))
inv = jlines(run("--json", "inventory", "list", "dc01.so-mau.example"))
check([(i["kind"], i["version"]) for i in inv] == [("win-os", "10.0.17763.3887")], f"dc01 inventory: {inv}")
inv = jlines(run("--json", "inventory", "list", "dc02.so-mau.example"))
check([(i["kind"], i["version"]) for i in inv] == [("win-os", "10.0.17763.5206")], f"dc02 inventory (Get-ComputerInfo): {inv}")
inv = jlines(run("--json", "inventory", "list", "ws01.so-mau.example"))
check({i["kind"] for i in inv} == {"win-os", "win-kb", "win-program"}, f"ws01: hotfix list replaced the programs: {inv}")
scan = jlines(run("--json", "vuln", "scan"))
allf = jlines(run("--json", "vuln", "list"))


def on(host, real_only=True):
    return {f["vuln"]: f for f in allf if f["host"] == host and (not real_only or not f["vuln"].startswith("CVE-2099"))}


check(set(on("dc01.so-mau.example")) == want_dc01,
      f"dc01 (unpatched): got {sorted(on('dc01.so-mau.example'))}, want {sorted(want_dc01)}")
check(set(on("dc02.so-mau.example")) == want_dc02,
      f"dc02 (patched): got {sorted(on('dc02.so-mau.example'))}, want {sorted(want_dc02)}")
check(all(f["note"] is None for f in on("dc01.so-mau.example").values()), "dc01 findings should be certain")
check(set(on("exch01.so-mau.example")) == want_exch01, f"exch01: {sorted(on('exch01.so-mau.example'))}")
check(not on("exch02.so-mau.example"), f"exch02 has the fixing update KB5030877: {on('exch02.so-mau.example')}")
ex = on("exch01.so-mau.example").get("CVE-2023-36745", {})
# Tenable plugin 181309 (from Microsoft's September 2023 bulletin): CU23 is fixed at 15.1.2507.32
check(ex.get("fixed_version") == "15.1.2507.32", f"exch01 fix should name the fixed build: {ex}")
ws_os = {v: f for v, f in on("ws01.so-mau.example").items() if f["kind"] == "win-os"}
check(set(ws_os) == set(want_ws01), f"ws01 (systeminfo): got {sorted(ws_os)}, want {sorted(want_ws01)}")
check(all(f["note"] is None for f in ws_os.values()), f"ws01 notes: {ws_os}")
office = [f for f in allf if f["host"] == "ws01.so-mau.example" and f["kind"] == "win-program"]
check([f["vuln"] for f in office] == ["CVE-2023-36884"] and office[0]["note"], f"ws01 Office 2019: {office}")

# ---------------------------------------------------------------- ranking and the watchlist rule
dc01 = [f for f in allf if f["host"] == "dc01.so-mau.example"]
ids = [f["vuln"] for f in dc01]
nwatch = sum(1 for f in dc01 if f["watchlist_ref"])
check(set(ids[:nwatch]) == want_dc01 | {"CVE-2099-0002"}, f"dc01 ranking: {ids}")
check(ids[nwatch:] == ["CVE-2099-0001", "CVE-2099-0003"], f"dc01 after the watchlist: {ids}")
rule_hit = [f for f in dc01 if f["vuln"] == "CVE-2099-0002"][0]
check(rule_hit["watchlist_rule"] is not None and "0002" in rule_hit["watchlist_ref"], f"rule hit: {rule_hit}")
explicit = [f for f in dc01 if f["vuln"] == "CVE-2023-36025"][0]
check(explicit["watchlist_rule"] is None, f"explicit entry should win over the rule: {explicit}")
# all findings in global order: nothing watched after something unwatched
flags = [bool(f["watchlist_ref"]) for f in allf]
check(flags == sorted(flags, reverse=True), "watched findings not ranked first overall")
# the rule's vendor comes from the CNA too: CVE-2023-29357 has no configurations
con = sqlite3.connect(DB)
vend = dict(con.execute("SELECT id, vendors FROM vuln WHERE id IN ('CVE-2023-29357', 'CVE-2099-0002')"))
con.close()
check(vend.get("CVE-2023-29357") == ",microsoft," and ",microsoft," in (vend.get("CVE-2099-0002") or ""),
      f"vendors: {vend}")
rules = [e for e in jlines(run("--json", "vuln", "watch", "list")) if "rule" in e]
check(len(rules) == 1 and rules[0]["match"]["vendor"] == "microsoft" and rules[0]["match"]["cvss_min"] == 7.0,
      f"bundled rule: {rules}")
run("vuln", "watch", "remove", f"rule:{rules[0]['rule']}")
f2 = [f for f in jlines(run("--json", "vuln", "list", "--host", "dc01.so-mau.example")) if f["vuln"] == "CVE-2099-0002"]
check(f2 and f2[0]["watchlist_ref"] is None, f"removed rule still applies: {f2}")
user_rules = os.path.join(TMP, "rules.json")
json.dump({"entries": [{"rule": {"vendor": "microsoft", "published_from": "2023-01-01", "published_to": "2023-12-31",
                                 "cvss_min": 6.0}, "reference": "Công văn số 0009/STTTT-ANTT (mẫu)",
                        "date": "2024-01-05", "title": "Microsoft 2023"}]}, open(user_rules, "w"))
run("vuln", "watch", "import", user_rules)
f3 = {f["vuln"]: f for f in jlines(run("--json", "vuln", "list", "--host", "dc01.so-mau.example"))}
check(f3["CVE-2099-0003"]["watchlist_ref"] == "Công văn số 0009/STTTT-ANTT (mẫu)", f"user rule: {f3.get('CVE-2099-0003')}")
check(f3["CVE-2099-0001"]["watchlist_ref"] is None, "2022 record matched a 2023 rule")
bad = os.path.join(TMP, "badrule.json")
json.dump([{"rule": {"vendor": "Microsoft", "published_from": "2023-05-01", "published_to": "2023-11-30",
                     "cvss_min": 7}, "reference": "x", "date": "2023-11-27"}], open(bad, "w"))
p = run("vuln", "watch", "import", bad, ok=False)
check(p.returncode == 1 and "badrule.json" in p.stderr and "rule.vendor" in p.stderr, f"bad rule: {p.stderr!r}")

# ---------------------------------------------------------------- the revision arrives: verify findings get fixed
ws_json = os.path.join(TMP, "ws01-os.json")
json.dump({"ProductName": "Windows Server 2019 Standard", "CurrentBuild": "17763", "UBR": 5122,
           "InstallationType": "Server"}, open(ws_json, "w"))
run("inventory", "import", "--format", "windows-os", "ws01.so-mau.example", ws_json)
sc = jlines(run("--json", "vuln", "scan", "--host", "ws01.so-mau.example"))[0]
want_fixed = {c for c in want_ws01 if server2019_verdict(cves[c], (10, 0, 17763, 5122)) is None}
check(sc["fixed"] == len(want_fixed), f"rescan with the full build: {sc}, want {sorted(want_fixed)} fixed")
fixed = {f["vuln"] for f in jlines(run("--json", "vuln", "list", "--state", "fixed", "--host", "ws01.so-mau.example"))}
check(fixed == want_fixed, f"fixed on ws01: {fixed}")

# ---------------------------------------------------------------- Windows 10/11: NVD bounds of another release
# NVD bounds windows_11_22h2 for CVE-2023-24880 below 10.0.22000.1413, a build
# of Windows 11 21H2 (22000), and windows_10_21h2 for CVE-2023-36033 below
# 10.0.19041.3693. Builds 19041-19045 are one release family with shared
# cumulative updates (their bounds compare by revision); 22000 and 22621 are
# not: such a bound says nothing about a 22621 host, which must be "verify",
# never judged fixed. The model below is this test's own reading of NVD.
FAMILY = {19042: 19041, 19043: 19041, 19044: 19041, 19045: 19041, 22631: 22621}


def fam(n):
    return FAMILY.get(n, n)


def client_verdict(cve, product, b):
    own = [m for m in cpe_matches(cve) if m[0] == product]
    if not own:
        return None
    bounded = [m for m in own if m[3]]
    if not bounded:
        return "verify"
    foreign = False
    for m in bounded:
        hi = m[3].get("versionEndExcluding") or m[3].get("versionEndIncluding")
        if hi and fam(build(hi)[2]) != fam(b[2]):
            foreign = True
            continue
        if not hi:
            return "yes"
        h = build(hi)
        rev_b, rev_h = (b[3], h[3]) if fam(h[2]) == fam(b[2]) else (b, h)
        if rev_b < rev_h or ("versionEndIncluding" in m[3] and rev_b == rev_h):
            return "yes"
    return "verify" if foreign else None


CLIENT_CVES = ["CVE-2023-24880", "CVE-2023-28252", "CVE-2023-36025", "CVE-2023-36033"]
clients = {"pc11a.so-mau.example": ("windows_11_22h2", (10, 0, 22621, 1000)),
           "pc11b.so-mau.example": ("windows_11_22h2", (10, 0, 22621, 2000)),
           "pc10a.so-mau.example": ("windows_10_21h2", (10, 0, 19044, 3000)),
           "pc10b.so-mau.example": ("windows_10_21h2", (10, 0, 19044, 3700))}
for h, (prod, b) in clients.items():
    pj = os.path.join(TMP, h + ".json")
    json.dump({"ProductName": "Windows 10 Pro", "CurrentBuild": str(b[2]), "UBR": b[3],
               "InstallationType": "Client"}, open(pj, "w"))
    run("inventory", "import", "--format", "windows-os", "--create-host", h, pj)
run("vuln", "scan")
allc = jlines(run("--json", "vuln", "list"))
saw_foreign = False
for h, (prod, b) in clients.items():
    got = {f["vuln"]: ("verify" if f["note"] else "yes") for f in allc if f["host"] == h and f["vuln"] in CLIENT_CVES}
    want = {c: v for c in CLIENT_CVES if (v := client_verdict(cves[c], prod, b))}
    check(got == want, f"{h} ({prod} {b}): got {got}, want {want}")
    for f in allc:
        if f["host"] == h and f["vuln"] == "CVE-2023-24880" and prod == "windows_11_22h2":
            saw_foreign = True
            check("another Windows release" in (f["note"] or ""), f"{h} CVE-2023-24880 note: {f}")
check(saw_foreign, "no Windows 11 22H2 finding for CVE-2023-24880 (NVD's bound is of build 22000)")

# ---------------------------------------------------------------- bad input
cases = [("trunc.json", '{"ProductName": "Windows Server 2019", "CurrentBuild": "17763", "UB', "trunc.json:1"),
         ("ubr.json", '{"ProductName": "Windows Server 2019", "CurrentBuild": "17763", "UBR": "12a"}', "'UBR'"),
         ("build.json", '{"ProductName": "Windows Server 2019", "CurrentBuild": 1.5}', "CurrentBuild"),
         ("name.json", '{"CurrentBuild": "17763", "UBR": 1}', "ProductName")]
for name, text, want in cases:
    path = os.path.join(TMP, name)
    open(path, "w").write(text)
    p = run("inventory", "import", "--format", "windows-os", "dc01.so-mau.example", path, ok=False)
    check(p.returncode == 1 and want in p.stderr and name in p.stderr, f"{name}: {p.returncode} {p.stderr!r}")
inv = jlines(run("--json", "inventory", "list", "dc01.so-mau.example"))
check([i["version"] for i in inv] == ["10.0.17763.3887"], f"a failed import changed the inventory: {inv}")

if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
print(f"ok: dc01 {sorted(want_dc01)}, dc02 none, exch01 {sorted(want_exch01)}, ws01 verify {sorted(want_ws01)}")
