#!/usr/bin/env bash
# The API against its own OpenAPI document: schemathesis 4 runs every
# operation of /api/v1/openapi.json with generated requests, valid and
# invalid, once anonymously and once signed in as a bureau officer, and
# fails on any server error or failed check (`--checks all`).
#
# The server is a debug build on a scratch SQLite database with demo data,
# on a free local port; this script starts and stops it. Schemathesis is
# installed from PyPI into a virtualenv (kept between runs in
# $SCHEMATHESIS_VENV, default ~/.cache/gongyi/schemathesis-venv).
#
#   bash scripts/api-contract.sh
#   MAX_EXAMPLES=50 bash scripts/api-contract.sh     # more cases per operation
#
# NOT YET CALLED FROM .ci/run: it is not green. The anonymous run finds 17
# undocumented status codes (ST103: the signed-in operations answer 401 to
# anonymous callers and document only 200/404; GET /api/v1/public/organizations
# answers 400 to invalid parameters and documents 200/304/429; POST
# /api/v1/applications likewise), and one schemathesis runtime error ("AST
# constructor recursion depth mismatch", inside hypothesis on Python 3.11.7).
# The signed-in run has not been seen yet (the script stops at the first).
# Fix the OpenAPI annotations (utoipa `responses`) at the root, then wire it.
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_EXAMPLES="${MAX_EXAMPLES:-8}"
SEED="${SEED:-2021}"
WORK="$(mktemp -d /tmp/gongyi-contract.XXXXXX)"
VENV="${SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/gongyi/schemathesis-venv}"

if [ ! -x "$VENV/bin/schemathesis" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q 'schemathesis>=4,<5'
fi
"$VENV/bin/schemathesis" --version

cargo build -q -p gongyi-cli
BIN="${CARGO_TARGET_DIR:-target}/debug/gongyi"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
DB="sqlite://$WORK/contract.db"
# Limits off: the generated requests come fast from one address, and a 429
# would only say that. The limits have HTTP tests of their own.
export GONGYI_KEY_FILE="$WORK/contract.key" GONGYI_PUBLIC_RATE_LIMIT=0 GONGYI_PUBLIC_DOWNLOAD_LIMIT=0
printf '[security]\napi_rate_limit_per_minute = 0\nlogin_rate_limit_per_minute = 0\n' > "$WORK/contract.toml"
run() { "$BIN" --config "$WORK/contract.toml" --database "$DB" "$@"; }

run demo --orgs 300 --people 300 >/dev/null 2>&1
OTP=$(run user add --role bureau contract 2>/dev/null | tail -1)
run serve --bind "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -sf "$BASE/api/v1/openapi.json" -o "$WORK/openapi.json" && break; sleep 0.2; done

# Sign in as a person would: log in with the one-time password, keep the
# session cookie and the CSRF token the login returns, and choose a password
# (the API answers 403 password_change_required until then).
LOGIN=$(curl -sf -D "$WORK/login.h" -H 'Content-Type: application/json' \
  -d "{\"name\":\"contract\",\"password\":\"$OTP\"}" "$BASE/api/v1/login")
CSRF=$(echo "$LOGIN" | python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf_token"])')
COOKIE=$(grep -io 'gongyi_session=[0-9a-f]*' "$WORK/login.h" | head -1)
NEW_PASSWORD="Yangpu#Check2026"  # must not contain the account name
curl -sf -o /dev/null -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF" --data-urlencode "current=$OTP" \
  --data-urlencode "password=$NEW_PASSWORD" --data-urlencode "confirm=$NEW_PASSWORD" "$BASE/account/password"
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "$BASE/api/v1/organizations?per_page=1")
[ "$status" = 200 ] || { echo "signing in failed: GET /api/v1/organizations answered $status"; exit 1; }

# Every check. Excluded, with the reason:
# - none.
contract() { # label, extra arguments…
  local label=$1; shift
  echo "== schemathesis: $label"
  "$VENV/bin/schemathesis" run "$BASE/api/v1/openapi.json" \
    --checks all --max-examples "$MAX_EXAMPLES" --seed "$SEED" --workers 2 \
    --exclude-path /api/v1/logout \
    --report junit --report-dir "$WORK/report-$label" "$@"
}
# Logging out would end the session the signed-in run uses; the HTTP
# tests cover it.
contract anonymous
contract bureau -H "Cookie: $COOKIE" -H "X-CSRF-Token: $CSRF"
