#!/usr/bin/env bash
# Registry benchmarks (issue: registry foundation). Prints time and peak memory
# of demo/export/import at scale, and requests/s and p99 of three pages under
# load with wrk at 32 connections. Release build, SQLite.
#
#   bash bench/registry.sh            # 1,000,000 orgs for the bulk steps, 100,000 for the web
#   ORGS=100000 WEB_ORGS=10000 bash bench/registry.sh   # smaller
#   SKIP_BULK=1 bash bench/registry.sh                    # the web part only
#
# Needs: /usr/bin/time (Debian package `time`) and wrk (package `wrk`).
set -euo pipefail
cd "$(dirname "$0")/.."
ORGS="${ORGS:-1000000}"
WEB_ORGS="${WEB_ORGS:-100000}"
DURATION="${DURATION:-15s}"
PORT="${PORT:-18080}"
WORK="${WORK:-$(mktemp -d /tmp/gongyi-bench.XXXXXX)}"
for tool in /usr/bin/time wrk curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install time wrk curl)"; exit 1; }
done

cargo build --release -q -p gongyi-cli
export GONGYI_PUBLIC_RATE_LIMIT="${GONGYI_PUBLIC_RATE_LIMIT:-0}"   # measure the server, not the limiter
BIN="${CARGO_TARGET_DIR:-target}/release/gongyi"

measure() { # label, command…  → "label: 12.3 s, peak 456 MiB"
  local label=$1; shift
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || { cat "$WORK/err"; exit 1; }
  read -r secs kib < "$WORK/time"
  printf '%-44s %8.1f s   peak %6d MiB\n' "$label" "$secs" $((kib / 1024))
}

if [ "${SKIP_BULK:-0}" != 1 ]; then
echo "== bulk ($ORGS organisations, work dir $WORK)"
measure "demo --orgs $ORGS" "$BIN" --database "sqlite://$WORK/big.db" demo --orgs "$ORGS"
measure "export organizations (csv)" "$BIN" --database "sqlite://$WORK/big.db" export organizations --unmasked --output "$WORK/orgs.csv"
measure "import organizations into an empty db" "$BIN" --database "sqlite://$WORK/empty.db" import organizations "$WORK/orgs.csv"
ls -l "$WORK/orgs.csv" | awk '{printf "export file: %.1f MiB\n", $5/1048576}'
fi

echo "== web ($WEB_ORGS organisations, wrk -c32 -t2 -d$DURATION)"
# WEB_DATABASE=postgres://postgres@127.0.0.1:5432/gongyi_bench measures PostgreSQL
# (the database is dropped and created afresh).
WEB_DATABASE="${WEB_DATABASE:-sqlite://$WORK/web.db}"
if [[ "$WEB_DATABASE" == postgres* ]]; then
  admin="${WEB_DATABASE%/*}/postgres"; name="${WEB_DATABASE##*/}"
  psql "$admin" -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
fi
echo "database: ${WEB_DATABASE%%:*}"
# One key for every command below; rate limits off: the benchmark is one
# client at many requests per second.
export GONGYI_PUBLIC_RATE_LIMIT=0 GONGYI_KEY_FILE="$WORK/bench.key"
printf '[security]\napi_rate_limit_per_minute = 0\nlogin_rate_limit_per_minute = 0\n' > "$WORK/bench.toml"
"$BIN" --database "$WEB_DATABASE" demo --orgs "$WEB_ORGS" >/dev/null 2>&1
OTP=$("$BIN" --config "$WORK/bench.toml" --database "$WEB_DATABASE" user add --role bureau bench 2>/dev/null | tail -1)
"$BIN" --config "$WORK/bench.toml" --database "$WEB_DATABASE" serve --bind "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/api/v1/public/organizations?per_page=1" >/dev/null && break; sleep 0.2; done
# Sign in as a bureau officer (and replace the one-time password) as a person would.
LOGIN=$(curl -s -D "$WORK/login.h" -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench\",\"password\":\"$OTP\"}" "http://127.0.0.1:$PORT/api/v1/login")
CSRF=$(echo "$LOGIN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
COOKIE=$(grep -io 'gongyi_session=[0-9a-f]*' "$WORK/login.h" | head -1)
curl -s -o /dev/null -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" --data-urlencode "current=$OTP" \
  --data-urlencode "password=Yangpu#Perf2026" --data-urlencode "confirm=Yangpu#Perf2026" \
  "http://127.0.0.1:$PORT/account/password"
CODE=$(curl -s -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/api/v1/organizations?per_page=1&sort=credit_code&page=777" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["credit_code"])')
# Logging in costs one Argon2id hash (19 MiB, 2 passes) by design.
started=$(date +%s%N)
for _ in $(seq 1 10); do
  curl -s -o /dev/null -H 'Content-Type: application/json' \
    -d '{"name":"bench","password":"Yangpu#Perf2026"}' "http://127.0.0.1:$PORT/api/v1/login"
done
printf '%-44s %10s ms each\n' "login (Argon2id), 10 in a row" "$(( ($(date +%s%N) - started) / 10000000 ))"
run_wrk() { # label, path
  local out
  out=$(wrk -t2 -c32 -d"$DURATION" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$2")
  printf '%-44s %10s req/s   p99 %s\n' "$1" "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" "$(echo "$out" | awk '$1 == "99%" {print $2}')"
}
run_wrk "organisation page /orgs/{code}" "/orgs/$CODE"
run_wrk "directory: sub-district + 3A, with facets" "/orgs?subdistrict=310110016&rating=3A"
run_wrk "two-character search (助老)" "/orgs?q=%E5%8A%A9%E8%80%81"
run_wrk "API: organisation by code" "/api/v1/organizations/$CODE"
run_wrk "public API: organisation by code" "/api/v1/public/organizations/$CODE"
run_wrk "public page: two-character search" "/public/orgs?q=%E5%8A%A9%E8%80%81"
