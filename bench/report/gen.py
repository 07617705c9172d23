#!/usr/bin/env python3
"""Generate the report bench's agency: gen.py OUT_DIR SYSTEMS HOSTS.

Writes systems.txt (name<TAB>level), hosts.csv (inventory), botnet.csv (1% of
the hosts' public addresses, in the authority's format) and facts.sql (eight
facts per Linux host, seven per Windows host, as `compliance facts import`
would store them)."""
import os
import random
import sys

out, n_sys, n_hosts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(11930)
os.makedirs(out, exist_ok=True)
systems = [(f"He thong {i:03d}", 1 + i % 5) for i in range(n_sys)]
with open(os.path.join(out, "systems.txt"), "w") as f:
    for name, level in systems:
        f.write(f"{name}\t{level}\n")
hosts = []
with open(os.path.join(out, "hosts.csv"), "w") as f:
    f.write("name,ip,system,os,role,location\n")
    for i in range(n_hosts):
        win = i % 3 == 0
        os_name = rnd.choice(["Windows 10", "Windows Server 2019"]) if win else rnd.choice(
            ["Ubuntu 22.04", "Rocky Linux 9", "Debian 11"])
        name = f"h{i:05d}.bench.example"
        priv = f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}"
        pub = f"198.18.{(i // 256) % 256}.{i % 256}" if i < 65536 else ""
        hosts.append((name, win, pub))
        f.write(f"{name},{priv};{pub},{systems[i % n_sys][0]},{os_name},server,DC\n")
with open(os.path.join(out, "botnet.csv"), "w") as f:
    f.write("STT,Địa chỉ IP,Cổng,Tên botnet,Thời gian phát hiện lần đầu,Thời gian phát hiện gần nhất,ASN,Đơn vị\n")
    for k, (name, win, pub) in enumerate(h for h in hosts if h[2] and rnd.random() < 0.01):
        f.write(f"{k + 1},{pub},23,Mirai,03/11/2026,27/11/2026 22:41,AS64500,Bench\n")
with open(os.path.join(out, "facts.sql"), "w") as f:
    f.write("BEGIN;\n")
    for name, win, pub in hosts:
        if win:
            facts = [("secedit", "secedit.MinimumPasswordLength", rnd.choice(["6", "8", "12"])),
                     ("secedit", "secedit.PasswordComplexity", rnd.choice(["0", "1"])),
                     ("mpstatus", "mp.antivirusenabled", "yes"),
                     ("mpstatus", "mp.realtimeprotectionenabled", rnd.choice(["yes", "no"])),
                     ("mpstatus", "mp.antivirussignatureage", str(rnd.randint(0, 20))),
                     ("auditpol", "auditpol.logon", rnd.choice(["Success and Failure", "No Auditing"])),
                     ("auditpol", "auditpol.process_creation", "No Auditing")]
        else:
            facts = [("sshd-T", "sshd.permitrootlogin", rnd.choice(["no", "yes", "prohibit-password"])),
                     ("sshd-T", "sshd.passwordauthentication", rnd.choice(["no", "yes"])),
                     ("nft", "nft.input_default_deny", rnd.choice(["yes", "no"])),
                     ("timedatectl", "timedatectl.ntpsynchronized", "yes"),
                     ("auditctl", "auditctl.enabled", "1"),
                     ("os-release", "os.id", "ubuntu"),
                     ("os-release", "os.version_id", "22.04"),
                     ("manual", "log.retention_days", str(rnd.choice([30, 90, 180, 365])))]
        for tool, key, value in facts:
            f.write(f"INSERT INTO comp_fact(host, key, value, tool, file, by_whom, at) VALUES("
                    f"'{name}', '{key}', '{value}', '{tool}', 'bench', 'bench', 1795996800);\n")
    f.write("COMMIT;\n")
