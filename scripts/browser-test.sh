#!/usr/bin/env bash
# Browser test in headless Chromium (Debian's `chromium`, installed here if
# missing): the public directory, a filter, a two-character search and a
# profile, each checked in the rendered DOM, screenshots saved to
# target/browser/; then an organisation officer signs in and submits the
# new-application form with an attachment (playwright-core from npm drives
# Debian's Chromium; scripts/browser/). Runs the debug binary on a fresh
# SQLite database with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk) >/dev/null
fi
if ! command -v node >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq nodejs npm) >/dev/null
fi
(cd scripts/browser && npm install --silent --no-audit --no-fund >/dev/null)
OUT="${CARGO_TARGET_DIR:-target}/browser"
WORK=$(mktemp -d /tmp/gongyi-browser.XXXXXX)
mkdir -p "$OUT"
cargo build -q -p gongyi-cli
BIN="${CARGO_TARGET_DIR:-target}/debug/gongyi"
PORT="${PORT:-18765}"
"$BIN" --database "sqlite://$WORK/b.db" demo --orgs 300 --seed 5 2>/dev/null
"$BIN" --database "sqlite://$WORK/b.db" serve --bind "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/public/orgs" >/dev/null && break; sleep 0.2; done

chrome() { # extra args…
  timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$WORK/profile" "$@" 2>/dev/null
}
pass=0; fail=0
check() { # label, url, needle
  local dom
  dom=$(chrome --dump-dom "http://127.0.0.1:$PORT$2" || true)
  if grep -q -- "$3" <<<"$dom"; then pass=$((pass + 1)); echo "ok: $1"; else fail=$((fail + 1)); echo "FAILED: $1 ($2 lacks $3)"; fi
}
API="http://127.0.0.1:$PORT/api/v1/public/organizations"
first=$(curl -s "$API?per_page=1&sort=name" | python3 -c 'import json,sys; o=json.load(sys.stdin)["items"][0]; print(o["credit_code"], o["subdistrict"], o["name"])')
read -r CODE SUBNAME NAME <<<"$first"
SUB=$(curl -s "http://127.0.0.1:$PORT/public/orgs" | python3 -c 'import re,sys; m=re.search(r"subdistrict=(\w+)\"><span>"+re.escape(sys.argv[1])+"<", sys.stdin.read()); print(m.group(1))' "$SUBNAME")
FRAG=$(python3 -c "import sys,urllib.parse; n=sys.argv[1]; print(urllib.parse.quote(n[6:8]))" "$NAME")
check "directory lists organisations" "/public/orgs" "社会组织名录"
check "a sub-district filter shows its chip" "/public/orgs?subdistrict=$SUB" "$SUBNAME ×"
check "a two-character search highlights its match" "/public/orgs?q=$FRAG" "<mark>"
check "a profile shows its inspections" "/public/orgs/$CODE" "年检情况"
check "the profile names the organisation" "/public/orgs/$CODE" "$NAME"
check "the bureau's directory asks for a login first" "/orgs" "动态口令"
check "the login page carries its CSRF token" "/login" 'name="_csrf"' 
ORG_OTP=$("$BIN" --database "sqlite://$WORK/b.db" user add --role organisation --org "$CODE" browser-org 2>/dev/null | tail -n1)
if node scripts/browser/submit-application.mjs "http://127.0.0.1:$PORT" browser-org "$ORG_OTP" "$CODE"; then
  pass=$((pass + 1))
else
  fail=$((fail + 1))
fi
chrome --window-size=420,1400 --screenshot="$OUT/public-directory-phone.png" "http://127.0.0.1:$PORT/public/orgs?q=$FRAG" >/dev/null || true
chrome --window-size=1280,1400 --screenshot="$OUT/public-profile.png" "http://127.0.0.1:$PORT/public/orgs/$CODE" >/dev/null || true
[ -s "$OUT/public-profile.png" ] && { pass=$((pass + 1)); echo "ok: screenshot $OUT/public-profile.png"; } || { fail=$((fail + 1)); echo "FAILED: no screenshot"; }
echo "browser: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
