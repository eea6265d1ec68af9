#!/usr/bin/env bash
# The domain crate must depend on no I/O, async, database, web or logging crate;
# web and the CLI must not depend on the store.
set -euo pipefail
cd "$(dirname "$0")/.."
banned='^(tokio|async-std|sqlx|sqlx-core|axum|hyper|tower|reqwest|tracing|log|mio|std-fs|rusqlite|postgres|tokio-postgres|calamine|rust_xlsxwriter|csv|serde_json)$'
deps=$(cargo tree -p gongyi-domain -e normal --prefix none --format '{p}' | awk '{print $1}' | sort -u)
bad=$(echo "$deps" | grep -E "$banned" || true)
if [ -n "$bad" ]; then
  echo "gongyi-domain depends on I/O crates:"; echo "$bad"; exit 1
fi
echo "gongyi-domain is pure: $(echo "$deps" | tr '\n' ' ')"

# Layering: web and the CLI reach storage only through the app's use cases.
for crate in gongyi-web gongyi-cli; do
  direct=$(cargo tree -p "$crate" -e normal --depth 1 --prefix none --format '{p}' | awk '{print $1}' | sort -u)
  if echo "$direct" | grep -qx 'gongyi-store'; then
    echo "$crate depends on gongyi-store directly: take what it needs from gongyi-app"; exit 1
  fi
done
echo "gongyi-web and gongyi-cli do not depend on gongyi-store"
