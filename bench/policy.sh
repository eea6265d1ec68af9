#!/usr/bin/env bash
# Policy benchmarks (issue 4): end-to-end `gongyi policy evaluate --year 2024`
# from a SQLite database of demo data (organisations, people and the policy
# facts `gongyi demo` generates), reporting time and peak memory of each step.
# Release build.
#
#   bash bench/policy.sh                       # 10k and 100k organisations
#   SIZES="10000 100000 1000000" bash bench/policy.sh
#   BIN=/path/to/gongyi bash bench/policy.sh   # time an existing binary
#
# Needs /usr/bin/time (Debian package `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES="${SIZES:-10000 100000}"
YEAR="${YEAR:-2024}"
WORK="${WORK:-$(mktemp -d /tmp/gongyi-policy-bench.XXXXXX)}"
command -v /usr/bin/time >/dev/null || { echo "missing /usr/bin/time (apt-get install time)"; exit 1; }

# BIN=path/to/gongyi skips the build (e.g. to time a binary built earlier).
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p gongyi-cli
  BIN="${CARGO_TARGET_DIR:-target}/release/gongyi"
fi

measure() { # label, output file, command…  → "label  12.3 s  peak 456 MiB"
  local label=$1 out=$2; shift 2
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >"$out" 2>"$WORK/err" || { cat "$WORK/err"; exit 1; }
  read -r secs kib < "$WORK/time"
  printf '%-52s %8.1f s   peak %6d MiB\n' "$label" "$secs" $((kib / 1024))
}

for n in $SIZES; do
  db="sqlite://$WORK/policy-$n.db"
  echo "== $n organisations (work dir $WORK)"
  measure "demo --orgs $n (with policy facts)" /dev/null "$BIN" --database "$db" demo --orgs "$n"
  grep -h '扶持相关记录' "$WORK/err" || true
  measure "policy evaluate --year $YEAR --format csv" "$WORK/ent-$n.csv" \
    "$BIN" --database "$db" policy evaluate --year "$YEAR" --format csv
  printf '%-52s %8d rows, %.1f MiB\n' "  entitlements with explanations" \
    $(($(wc -l < "$WORK/ent-$n.csv") - 1)) "$(echo "$(stat -c %s "$WORK/ent-$n.csv") / 1048576" | bc -l)"
  measure "policy evaluate --year $YEAR --format json" /dev/null \
    "$BIN" --database "$db" policy evaluate --year "$YEAR" --format json
  measure "policy simulate --year $YEAR --set rent.monthly_cap=800" "$WORK/sim-$n.txt" \
    "$BIN" --database "$db" policy simulate --year "$YEAR" --set rent.monthly_cap=800 --set rating.5A=60000
done
