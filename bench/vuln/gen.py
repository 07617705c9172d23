#!/usr/bin/env python3
"""Generate bench data for canhgac's vulnerability review.

gen.py OUTDIR [--cves N] [--hosts H] [--packages P]

Writes OUTDIR/nvd/page-*.json (NVD CVE API 2.0 pages of 2,000 records, shaped
like a year of NVD: CPE ranges with start/end including/excluding, exact
versions, CVSS v3.1) and OUTDIR/hosts/*.cpe (one CPE 2.3 inventory per host,
P packages each, a tenth of them from the products the records name, so that
matching has real work and real hits). Deterministic (seeded). Synthetic: no real CVE ids are
claimed (ids are CVE-2999-*)."""
import json
import os
import random
import sys


def main():
    out = sys.argv[1]
    args = dict(zip(sys.argv[2::2], sys.argv[3::2]))
    n_cves = int(args.get("--cves", 30000))
    n_hosts = int(args.get("--hosts", 1000))
    n_pkgs = int(args.get("--packages", 2000))
    rnd = random.Random(5)
    vendors = [f"vendor{i}" for i in range(400)]
    products = [(rnd.choice(vendors), f"product{i}") for i in range(12000)]
    os.makedirs(os.path.join(out, "nvd"), exist_ok=True)
    os.makedirs(os.path.join(out, "hosts"), exist_ok=True)

    def ver():
        return f"{rnd.randint(0, 20)}.{rnd.randint(0, 30)}.{rnd.randint(0, 60)}"

    page, pno = [], 0
    for i in range(n_cves):
        matches = []
        for _ in range(rnd.randint(1, 6)):
            v, p = rnd.choice(products)
            m = {"vulnerable": True, "criteria": f"cpe:2.3:a:{v}:{p}:*:*:*:*:*:*:*:*",
                 "matchCriteriaId": "00000000-0000-0000-0000-%012d" % i}
            kind = rnd.random()
            if kind < 0.2:
                m["criteria"] = f"cpe:2.3:a:{v}:{p}:{ver()}:*:*:*:*:*:*:*"
            elif kind < 0.6:
                m["versionEndExcluding"] = ver()
            else:
                lo = ver()
                m["versionStartIncluding"] = lo
                m["versionEndIncluding"] = lo.rsplit(".", 1)[0] + "." + str(int(lo.rsplit(".", 1)[1]) + rnd.randint(1, 9))
            matches.append(m)
        score = round(rnd.uniform(2, 10), 1)
        page.append({"cve": {
            "id": f"CVE-2999-{i:06d}", "sourceIdentifier": "bench@example.org",
            "published": "2023-01-01T00:00:00.000", "lastModified": "2023-06-01T00:00:00.000",
            "vulnStatus": "Analyzed",
            "descriptions": [{"lang": "en", "value": f"Synthetic vulnerability {i} for benchmarking."}],
            "metrics": {"cvssMetricV31": [{"source": "nvd@nist.gov", "type": "Primary", "cvssData": {
                "version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                "baseScore": score, "baseSeverity": "HIGH" if score < 9 else "CRITICAL"}}]},
            "configurations": [{"nodes": [{"operator": "OR", "negate": False, "cpeMatch": matches}]}]}})
        if len(page) == 2000 or i == n_cves - 1:
            with open(os.path.join(out, "nvd", f"page-{pno:03d}.json"), "w") as f:
                json.dump({"resultsPerPage": len(page), "startIndex": pno * 2000, "totalResults": n_cves,
                           "format": "NVD_CVE", "version": "2.0", "timestamp": "2023-06-01T00:00:00.000",
                           "vulnerabilities": page}, f)
            page, pno = [], pno + 1
    for h in range(n_hosts):
        with open(os.path.join(out, "hosts", f"host{h:04d}.cpe"), "w") as f:
            # like a real host: a tenth of its software is named in NVD
            named = n_pkgs // 10
            for v, p in rnd.sample(products, named):
                f.write(f"cpe:2.3:a:{v}:{p}:{ver()}:*:*:*:*:*:*:*\n")
            for k in rnd.sample(range(200000), n_pkgs - named):
                f.write(f"cpe:2.3:a:other{k % 500}:lib{k}:{ver()}:*:*:*:*:*:*:*\n")


main()
