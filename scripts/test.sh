#!/usr/bin/env bash
# The test command: every test, storage tests on SQLite and on PostgreSQL
# (GONGYI_TEST_BACKENDS=sqlite,postgres; PostgreSQL at GONGYI_TEST_POSTGRES_URL,
# default postgres://postgres@127.0.0.1:5432/test).
set -euo pipefail
cd "$(dirname "$0")/.."
export GONGYI_TEST_BACKENDS="${GONGYI_TEST_BACKENDS:-sqlite,postgres}"
exec cargo test --workspace -q "$@"
