#!/usr/bin/env bash
# Run the Splink baseline on every benchmark dataset and write
# loadtest/results/splink-<dataset>-<date>.json. Usage: loadtest/splink/run_all.sh [dataset ...]
# datasets: febrl1 febrl2 febrl3 fake_1000 synthetic_1m (default: all)
#   and the generator profiles: civil-register-de_10k historical_10k historical_20k febrl-like_10k (not in the default)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
DATE="${DATE:-$(date +%F)}"
PY=loadtest/splink/.venv/bin/python
bash loadtest/splink/setup.sh
mkdir -p loadtest/results loadtest/out

run() { # name input format
  echo "== $1" >&2
  "$PY" loadtest/splink/run_splink.py --quiet --dataset "$1" --input "$2" --format "$3" \
    --out "loadtest/results/splink-$1-$DATE.json"
}

want="${*:-febrl1 febrl2 febrl3 fake_1000 synthetic_1m}"
for d in $want; do
  case "$d" in
    febrl1) run febrl1 test/fixtures/febrl/dataset1.csv febrl ;;
    febrl2) run febrl2 test/fixtures/febrl/dataset2.csv febrl ;;
    febrl3) run febrl3 test/fixtures/febrl/dataset3.csv febrl ;;
    fake_1000) run fake_1000 test/fixtures/splink/fake_1000.csv fake1000 ;;
    synthetic_1m)
      f=loadtest/out/synthetic_1m_seed1.csv
      [ -s "$f" ] || npx tsx loadtest/generator/cli.ts --records 1000000 --seed 1 --format csv --out "$f"
      run synthetic_1m "$f" canonical ;;
    civil-register-de_10k|historical_10k|historical_20k|febrl-like_10k)
      prof="${d%_*}"; n="${d##*_}"; n="${n%k}000"
      f="loadtest/out/${d}_seed1.csv"
      [ -s "$f" ] || npx tsx loadtest/generator/cli.ts --profile "$prof" --records "$n" --seed 1 --format csv --out "$f"
      run "$d" "$f" "$prof" ;;
    *) echo "unknown dataset $d" >&2; exit 2 ;;
  esac
done
