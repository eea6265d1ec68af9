#!/usr/bin/env bash
# Every page as each role sees it (scripts/browser/walk.py): the eight demo
# accounts sign in and walk every GET page of the route table that lets them
# in, at 390 and 1366 px, in headless Chromium (Debian's, installed here if
# missing) driven by Playwright for Python (pinned in
# scripts/browser/requirements.txt, in a virtualenv under target/) with
# axe-core from npm (pinned below, under target/browser-node/, never
# committed). Screenshots go to target/browser-shots/. The server is the
# debug build on a fresh SQLite database with demo data and a few
# applications in different states.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
abs() { case $1 in /*) echo "$1" ;; *) echo "$ROOT/$1" ;; esac; }
TARGET=$(abs "${CARGO_TARGET_DIR:-target}")
VENV="$TARGET/browser-venv"
NODE_DIR="$TARGET/browser-node"
SHOTS="$TARGET/browser-shots"
AXE_VERSION=4.14.1
REQUIREMENTS=scripts/browser/requirements.txt
if ! command -v chromium >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk) >/dev/null
fi
if ! command -v npm >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq nodejs npm) >/dev/null
fi
if ! cmp -s "$REQUIREMENTS" "$VENV/requirements.txt"; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$REQUIREMENTS"
  cp "$REQUIREMENTS" "$VENV/requirements.txt"
fi
AXE="$NODE_DIR/node_modules/axe-core/axe.min.js"
if ! grep -qs "\"version\": \"$AXE_VERSION\"" "$NODE_DIR/node_modules/axe-core/package.json"; then
  mkdir -p "$NODE_DIR"
  npm install --silent --no-audit --no-fund --no-save --prefix "$NODE_DIR" "axe-core@$AXE_VERSION" >/dev/null
fi

WORK=$(mktemp -d /tmp/gongyi-pages.XXXXXX)
SERVER=""
stop() {
  if [ -n "$SERVER" ]; then
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap stop EXIT
cargo build -q -p gongyi-cli
BIN="$TARGET/debug/gongyi"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
export GONGYI_KEY_FILE="$WORK/pages.key"
printf '[security]\nlogin_rate_limit_per_minute = 0\n' >"$WORK/gongyi.toml"
gongyi() { "$BIN" --config "$WORK/gongyi.toml" --database "sqlite://$WORK/pages.db" "$@"; }
gongyi demo --orgs 300 --people 300 --seed 5 >"$WORK/demo.out" 2>"$WORK/demo.log"
SECOND=$(gongyi user add --role bureau walk-bureau 2>/dev/null | tail -n1)
gongyi routes >"$WORK/routes.json"
gongyi serve --bind "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
SERVER=$!
for _ in $(seq 1 150); do curl -sf "$BASE/public/orgs" -o /dev/null && break; sleep 0.2; done
rm -rf "$SHOTS"
"$VENV/bin/python" scripts/browser/walk.py "$BASE" "$WORK/routes.json" "$WORK/demo.out" "$AXE" "$SHOTS" "walk-bureau $SECOND"
