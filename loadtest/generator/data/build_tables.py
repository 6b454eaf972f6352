#!/usr/bin/env python3
"""Regenerate the bundled frequency tables from two PyPI packages (offline at run time).

    pip download --no-deps -d /tmp/dl names==0.3.0 zipcodes==3.0.0
    (cd /tmp/dl && tar xzf names-0.3.0.tar.gz && unzip -q -o zipcodes-3.0.0-*.whl -d zc)
    python3 build_tables.py /tmp/dl/names-0.3.0/names /tmp/dl/zc

Sources
  * names 0.3.0 (MIT, github.com/treyhunner/names) ships the US Census Bureau 1990
    name frequency files dist.all.last, dist.female.first, dist.male.first
    (columns: NAME, percent of population, cumulative percent, rank). Public domain data.
  * zipcodes 3.0.0 (MIT; GeoNames part CC BY 4.0) embeds a US ZIP database with city,
    state, zip type, active flag and telephone area codes.
"""
import sys

names_dir, zc_dir = sys.argv[1], sys.argv[2]
sys.path.insert(0, zc_dir)
import zipcodes  # noqa: E402


def titlecase(n: str) -> str:
    n = n.capitalize()
    if n.startswith("Mc") and len(n) > 3:
        n = "Mc" + n[2].upper() + n[3:]
    return n


def names(src: str, dst: str, top: int) -> None:
    rows = []
    with open(f"{names_dir}/{src}") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 4:
                continue
            pct = float(parts[1])
            if pct <= 0:
                continue
            rows.append((titlecase(parts[0]), pct))
    rows = rows[:top]
    with open(dst, "w") as out:
        out.write("# US Census Bureau 1990 name frequencies (percent of population), via PyPI names==0.3.0 " + src + "\n")
        for n, p in rows:
            out.write(f"{n}\t{p}\n")
    print(dst, len(rows))


names("dist.all.last", "surnames.tsv", 5000)
names("dist.female.first", "given_female.tsv", 2000)
names("dist.male.first", "given_male.tsv", 1219)

STATES = set(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY "
    "NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY".split()
)
rows = []
for z in zipcodes._zipcodes.list_all():
    if z.get("zip_code_type") != "STANDARD" or not z.get("active") or z.get("state") not in STATES:
        continue
    acs = [a for a in (z.get("area_codes") or []) if len(a) == 3 and a.isdigit() and a[0] in "23456789"]
    if not acs or not z.get("city"):
        continue
    rows.append((z["zip_code"], z["city"], z["state"], acs[0]))
rows.sort()
with open("zips.tsv", "w") as out:
    out.write("# US ZIP codes (STANDARD, active, 50 states + DC): zip, city, state, area code; via PyPI zipcodes==3.0.0\n")
    for r in rows:
        out.write("\t".join(r) + "\n")
print("zips.tsv", len(rows))
