#!/usr/bin/env python3
"""The one time parser and the syslog parser against Python's datetime and
zoneinfo: thousands of generated stamps (ISO 8601 with every offset form,
zone-less stamps in Asia/Ho_Chi_Minh, RFC 3164 with the year inferred from a
reference across midnight and New Year, leap years, impossible dates, user
durations) and every syslog line of the shared samples. Expected values are
computed here, never taken from the program."""
import os
import random
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

PROBE = sys.argv[1]
SHARED = os.environ.get("CANHGAC_SHARED_DATA", "")
VN = ZoneInfo("Asia/Ho_Chi_Minh")
VN_MIN = 420
SLACK = timedelta(days=2)  # RFC 3164: a stamp up to two days ahead is this year's
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
rng = random.Random(20261206)
failures = []
cases = []  # (input line, expected output, description)


def check(cond, msg):
    if not cond:
        failures.append(msg)


def us_of(dt):
    """Microseconds since the epoch of an aware datetime, exactly."""
    d = dt - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds


def expect(ref, off, mode, text, dt=None, src_off=None, raw=None):
    if raw is not None:
        want = raw
    elif dt is None:
        want = "none"
    else:
        want = f"{us_of(dt)} {src_off}"
    cases.append((f"{ref} {off} {mode} {text}", want, text))


def rand_dt(y0=1976, y1=2037):
    """A random wall-clock time (zoneinfo's Asia/Ho_Chi_Minh is +07:00 from
    1975 on; earlier history is not modelled by the parser)."""
    y = rng.randint(y0, y1)
    start = datetime(y, 1, 1)
    return start + timedelta(seconds=rng.randrange(366 * 86400 if y % 4 == 0 else 365 * 86400),
                             microseconds=rng.choice([0, 0, rng.randrange(1_000_000)]))


# ---- ISO 8601 / RFC 3339 with every offset form, and zone-less ----
for _ in range(3000):
    wall = rand_dt()
    sep = rng.choice("T ")
    frac = ""
    if wall.microsecond:
        digits = rng.choice([1, 3, 6, 7, 9])
        f = f"{wall.microsecond:06d}"
        frac = "." + (f + "000")[:digits]
        wall = wall.replace(microsecond=int((f + "000")[:min(digits, 6)].ljust(6, "0")))
    base = wall.strftime(f"%Y-%m-%d{sep}%H:%M:%S") + frac
    kind = rng.choice(["Z", "colon", "plain", "hours", "none"])
    mins = rng.randrange(-23 * 60 - 59, 23 * 60 + 60)
    sign = "-" if mins < 0 else "+"
    a = abs(mins)
    if kind == "Z":
        text, tz, off = base + "Z", timezone.utc, 0
    elif kind == "colon":
        text, tz, off = f"{base}{sign}{a // 60:02d}:{a % 60:02d}", timezone(timedelta(minutes=mins)), mins
    elif kind == "plain":
        text, tz, off = f"{base}{sign}{a // 60:02d}{a % 60:02d}", timezone(timedelta(minutes=mins)), mins
    elif kind == "hours":
        h = rng.randrange(0, 24) * (1 if sign == "+" else -1)
        text, tz, off = f"{base}{'-' if h < 0 else '+'}{abs(h):02d}", timezone(timedelta(hours=h)), h * 60
    else:
        text, tz, off = base, VN, VN_MIN
    expect(0, VN_MIN, "iso", text, wall.replace(tzinfo=tz), off)

# Impossible dates and times are refused exactly when datetime refuses them.
for _ in range(2000):
    y, m, d = rng.randint(1970, 2400), rng.randint(0, 13), rng.randint(0, 32)
    hh, mm, ss = rng.choice([rng.randint(0, 23), 24, 25]), rng.choice([rng.randint(0, 59), 60]), rng.randint(0, 59)
    text = f"{y:04d}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:{ss:02d}Z"
    try:
        dt = datetime(y, m, d, hh, mm, ss, tzinfo=timezone.utc)
    except ValueError:
        dt = None
    expect(0, 0, "iso", text, dt, 0)
for bad_off in ["+24:00", "+25:00", "-99:00", "+07:60", "+7:00", "+07:0"]:
    expect(0, 0, "iso", "2025-11-06T11:32:42" + bad_off)

# ---- RFC 3164: year inferred from the reference (the receive time) ----


def infer(month, day, hh, mm, ss, ref_utc, tz):
    """The specification of the rule, written with datetime: among the
    reference's local year and its neighbours (and up to eight years back
    for Feb 29), the latest stamp not more than two days after the
    reference."""
    ref_local = ref_utc.astimezone(tz)
    for y in range(ref_local.year + 1, ref_local.year - 9, -1):
        try:
            cand = datetime(y, month, day, hh, mm, ss, tzinfo=tz)
        except ValueError:
            continue
        if cand <= ref_utc + SLACK:
            return cand
    return None


def bsd_line(month, day, hh, mm, ss, pad):
    dd = f"{day:2d}" if pad == " " else f"{day:02d}"
    return f"{MONTHS[month - 1]} {dd} {hh:02d}:{mm:02d}:{ss:02d}"


refs = []
for _ in range(1500):
    refs.append(rand_dt(1980, 2036).replace(tzinfo=VN).astimezone(timezone.utc))
# References right around New Year and midnight, local time.
for y in (1999, 2000, 2023, 2024, 2025, 2026, 2027, 2028):
    for delta in (-86400 * 3, -86400, -3600, -61, -1, 0, 1, 30, 3600, 86400, 86400 * 3):
        refs.append(datetime(y, 1, 1, tzinfo=VN).astimezone(timezone.utc) + timedelta(seconds=delta))
for ref in refs:
    ref = ref.replace(microsecond=0)
    for _ in range(2):
        # Stamps near the reference (a few days either way) and anywhere.
        if rng.random() < 0.6:
            wall = (ref + timedelta(seconds=rng.randint(-4 * 86400, 4 * 86400))).astimezone(VN)
            month, day = wall.month, wall.day
            hh, mm, ss = wall.hour, wall.minute, wall.second
        else:
            month, day = rng.randint(1, 12), rng.randint(1, 31)
            hh, mm, ss = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
        stamp = bsd_line(month, day, hh, mm, ss, rng.choice(" 0"))
        pri = rng.choice(["", f"<{rng.randint(0, 191)}>"])
        text = f"{pri}{stamp} host{rng.randint(1, 9)} sshd[{rng.randint(1, 99999)}]: Failed password"
        zone = rng.choice([(VN, VN_MIN), (timezone.utc, 0)])
        dt = infer(month, day, hh, mm, ss, ref, zone[0])
        expect(int(ref.timestamp()), zone[1], "line", text, dt, zone[1])
# Feb 29 read in a year that has none goes back to the last leap year.
for ry in (2025, 2026, 2027, 2028, 2100, 2101):
    ref = datetime(ry, 6, 1, tzinfo=timezone.utc)
    expect(int(ref.timestamp()), 0, "line", "Feb 29 12:00:00 h app: x",
           infer(2, 29, 12, 0, 0, ref, timezone.utc), 0)

# ---- other leading stamps and stamps inside lines ----
for _ in range(500):
    wall = rand_dt().replace(microsecond=0)
    mins = rng.choice([-420, -300, 0, 60, 330, 420, 525])
    tz = timezone(timedelta(minutes=mins))
    sign = "-" if mins < 0 else "+"
    zone = f"{sign}{abs(mins) // 60:02d}{abs(mins) % 60:02d}"
    clf = f'198.51.100.{rng.randint(1, 254)} - - [{wall.strftime("%d")}/{MONTHS[wall.month - 1]}/{wall.year}:' \
          f'{wall.strftime("%H:%M:%S")} {zone}] "GET / HTTP/1.1" 200 1'
    expect(0, VN_MIN, "line", clf, wall.replace(tzinfo=tz), mins)
    asa = f"<166>{MONTHS[wall.month - 1]} {wall.day:02d} {wall.year} {wall.strftime('%H:%M:%S')}: %ASA-6-302013: Built"
    expect(0, VN_MIN, "line", asa, wall.replace(tzinfo=VN), VN_MIN)
    bind = f"{wall.day:02d}-{MONTHS[wall.month - 1]}-{wall.year} {wall.strftime('%H:%M:%S')}.123 client @0x1 query"
    expect(0, 0, "line", bind, wall.replace(tzinfo=timezone.utc, microsecond=123000), 0)
    ms = us_of(wall.replace(tzinfo=tz)) // 1000
    if len(str(ms)) == 13:  # rt= is 13 digits of milliseconds (or 10 of seconds)
        expect(0, VN_MIN, "line", f"CEF:0|V|P|1|100|n|5|src=10.0.0.1 rt={ms} dst=x", raw=f"{ms * 1000} 0")

# ---- user-given times: a duration is counted from now, AGO or AHEAD ----
now = 1796083200
for _ in range(300):
    v, unit = rng.randint(0, 5000), rng.choice("smhdw")
    secs = v * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[unit]
    expect(now, 0, "ago", f"{v}{unit}", raw=f"{(now - secs) * 1_000_000} 0" if now - secs >= 0 else "none")
    expect(now, 0, "ahead", f"{v}{unit}", raw=f"{(now + secs) * 1_000_000} 0")
    expect(now, 0, "ago", f"+{v}{unit}", raw=f"{(now + secs) * 1_000_000} 0")

# ---- run ----
inp = "".join(c[0] + "\n" for c in cases)
r = subprocess.run([PROBE], input=inp, capture_output=True, text=True, timeout=240)
check(r.returncode == 0, f"probe exit {r.returncode}: {r.stderr[:500]}")
out = r.stdout.split("\n")
check(len(out) >= len(cases), f"probe printed {len(out)} lines for {len(cases)} cases")
bad = 0
for (line, want, text), got in zip(cases, out):
    if got != want:
        bad += 1
        if bad <= 25:
            failures.append(f"{line!r}: got {got!r}, expected {want!r}")
if bad > 25:
    failures.append(f"... {bad} mismatches in all")

# ---- real syslog samples: header fields against a reading done here ----
samples = 0
if SHARED and os.path.isdir(SHARED):
    import re
    # A plain reading of the RFC 3164 lines in these files: stamp, host, TAG[pid]:
    # message (the blanks after the colon are not part of it, as before).
    pat = re.compile(r"^(?:<(\d{1,3})>)?[A-Z][a-z]{2} [ \d]?\d \d\d:\d\d:\d\d ([\w.-]+) ([^\[: ]+)(?:\[(\d+)\])?: *(.*)$")
    lines = []
    for name in ("loghub/OpenSSH_2k.log", "loghub/Linux_2k.log", "crowdsec-hub/syslog-logs.log"):
        with open(os.path.join(SHARED, "logs", name), encoding="utf-8", errors="replace") as f:
            lines += [l.rstrip("\r\n") for l in f if l.strip()]
    lines = [l for l in lines if pat.match(l)]
    inp = "".join(f"1136073600 0 syslog {l}\n" for l in lines)
    r = subprocess.run([PROBE], input=inp, capture_output=True, text=True, timeout=240)
    for l, got in zip(lines, r.stdout.split("\n")):
        m = pat.match(l)
        want = f"{m.group(1) or -1}|{m.group(2)}|{m.group(3)}|{m.group(4) or -1}|{m.group(5)}"
        samples += 1
        if got != want:
            failures.append(f"syslog {l!r}: got {got!r}, expected {want!r}")
            if len(failures) > 40:
                break
    check(samples > 3000, f"only {samples} sample syslog lines checked")
else:
    print("SKIP part: ../shared/data not found, real syslog samples not checked")

for f in failures[:60]:
    print("FAIL:", f)
print(f"{len(cases)} generated cases, {samples} sample lines, {len(failures)} failures")
sys.exit(1 if failures else 0)
