#!/usr/bin/env python3
"""bench/ingest input: N listed IPv4 addresses (a feed file) and a file of
syslog lines as loggen sends them (-R FILE -d): sshd failures and successes
from random addresses, UFW blocks, web access lines; about 1 line in 200
names a listed address. Deterministic (seeded)."""
import random
import sys

out, n_ioc, n_lines = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(2026)


def public_ip():
    while True:
        a = rng.randrange(1, 224)
        if a in (10, 127, 100, 169, 172, 192, 198, 203):
            continue
        return f"{a}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


listed = sorted({public_ip() for _ in range(n_ioc)})
with open(f"{out}/listed.txt", "w") as f:
    f.write("# bench/ingest: random listed addresses\n")
    f.write("\n".join(listed) + "\n")
hosts = ["web01", "mail01", "fw-core", "vb01", "dc01"]
with open(f"{out}/messages.log", "w") as f:
    for i in range(n_lines):
        ip = rng.choice(listed) if rng.randrange(200) == 0 else public_ip()
        h = rng.choice(hosts)
        k = rng.randrange(4)
        if k == 0:
            m = f"<38>Dec  6 10:{i % 60:02d}:{i % 59:02d} {h} sshd[{1000 + i % 5000}]: Failed password for root from {ip} port {1024 + i % 60000} ssh2"
        elif k == 1:
            m = f"<38>1 2026-12-06T10:00:{i % 60:02d}.{i % 1000:03d}+07:00 {h} sshd {2000 + i % 5000} - - Accepted publickey for ops from {ip} port {1024 + i % 60000} ssh2"
        elif k == 2:
            m = (f"<4>Dec  6 10:{i % 60:02d}:00 {h} kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00:11:22:33:44:55 "
                 f"SRC={ip} DST=10.0.0.{i % 250 + 1} LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID={i % 65535} PROTO=TCP "
                 f"SPT={1024 + i % 60000} DPT={rng.choice([22, 23, 80, 443, 3389, 8080])} WINDOW=29200 SYN URGP=0")
        else:
            m = (f'<190>Dec  6 10:00:{i % 60:02d} {h} nginx: {ip} - - [06/Dec/2026:10:00:{i % 60:02d} +0700] '
                 f'"GET /index.php?id={i} HTTP/1.1" 200 {512 + i % 9000} "-" "Mozilla/5.0"')
        f.write(m + "\n")
