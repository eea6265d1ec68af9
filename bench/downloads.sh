#!/usr/bin/env bash
# Public download benchmark (security issue 11, finding 5): time of a full
# /public/orgs.csv download and the server's peak memory at 200,000
# organisations, first when the file is generated (cache miss), then served
# again (cache hit), plus a filtered download that streams. Release build.
#
#   bash bench/downloads.sh                     # 200,000 organisations, SQLite
#   ORGS=20000 bash bench/downloads.sh          # smaller
#   BIN=/path/to/gongyi bash bench/downloads.sh # time an existing binary
#   DATABASE=postgres://postgres@127.0.0.1:5432/gongyi_dl bash bench/downloads.sh
#
# Memory: "heap" is the server's largest RssAnon (anonymous memory, sampled
# every 0.1 s) during each download; "peak" its VmHWM so far, which also
# counts the pages of the database SQLite reads through its memory map.
# A work dir that already holds the database is reused (no demo step).
set -euo pipefail
cd "$(dirname "$0")/.."
ORGS="${ORGS:-200000}"
PORT="${PORT:-18081}"
WORK="${WORK:-$(mktemp -d /tmp/gongyi-dl-bench.XXXXXX)}"
mkdir -p "$WORK"
command -v curl >/dev/null || { echo "missing curl"; exit 1; }

if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p gongyi-cli
  BIN="${CARGO_TARGET_DIR:-target}/release/gongyi"
fi

DATABASE="${DATABASE:-sqlite://$WORK/dl.db}"
if [[ "$DATABASE" == postgres* ]]; then
  admin="${DATABASE%/*}/postgres"; name="${DATABASE##*/}"
  psql "$admin" -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
fi
# Limits off: this measures the server, not the limiter.
export GONGYI_KEY_FILE="$WORK/bench.key" GONGYI_PUBLIC_RATE_LIMIT=0 GONGYI_PUBLIC_DOWNLOAD_LIMIT=0
echo "== $ORGS organisations, ${DATABASE%%:*}, work dir $WORK"
if [[ "$DATABASE" == postgres* || ! -e "$WORK/dl.db" ]]; then
  started=$(date +%s)
  "$BIN" --database "$DATABASE" demo --orgs "$ORGS" >/dev/null 2>&1
  echo "demo data: $(( $(date +%s) - started )) s"
fi

"$BIN" --database "$DATABASE" serve --bind "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/api/v1/public/organizations?per_page=1" >/dev/null && break; sleep 0.2; done

peak() { awk '/VmHWM/ {printf "%d", $2 / 1024}' "/proc/$SERVER/status"; }
heap() { awk '/RssAnon/ {printf "%d", $2 / 1024}' "/proc/$SERVER/status"; }
sample() { # the largest RssAnon while it runs, into $WORK/heap
  local max=0 v
  while v=$(heap 2>/dev/null) && [ -n "$v" ]; do
    if [ "$v" -gt "$max" ]; then max=$v; echo "$max" > "$WORK/heap"; fi
    sleep 0.1
  done
}
download() { # label, path
  local out sampler
  heap > "$WORK/heap"
  sample & sampler=$!
  out=$(curl -s -o "$WORK/download" -w '%{http_code} %{time_starttransfer} %{time_total} %{size_download}' \
    "http://127.0.0.1:$PORT$2")
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  read -r code first total bytes <<<"$out"
  printf '%-34s %s %6.1f s (first byte %5.1f s) %6.1f MiB   heap %4d MiB   peak %4d MiB\n' \
    "$1" "$code" "$total" "$first" "$(echo "$bytes / 1048576" | bc -l)" "$(cat "$WORK/heap")" "$(peak)"
}
printf '%-34s heap %4d MiB   peak %4d MiB\n' "server idle" "$(heap)" "$(peak)"
download "full csv (first)" "/public/orgs.csv"
download "full csv (again)" "/public/orgs.csv"
download "full jsonl" "/public/orgs.jsonl"
download "full xlsx" "/public/orgs.xlsx"
download "filtered csv (status, by date)" "/public/orgs.csv?status=NORMAL&sort=registered_desc"
download "search csv (relevance, 会)" "/public/orgs.csv?q=%E4%BC%9A"
