#!/usr/bin/env bash
# Yearly-cycle benchmarks (issue 12), on SQLite and PostgreSQL:
#  1. the filing-progress page of a year over 1,000,000 organisations
#     (goal: under 1 s), and
#  2. the desk (start page) of each role over 100,000 organisations
#     (goal: p99 under 20 ms),
# each timed over repeated requests to a running server (p50 / p99 / max).
#
# Bench data: `gongyi demo` loads a few real organisations (the accounts'
# own), then bulk SQL adds the rest with reports of the year in every state,
# some late, and pending or returned declarations. Release build: run it by
# hand, not in CI.
#
#   bash bench/annual_report.sh                          # both databases
#   BACKENDS=sqlite bash bench/annual_report.sh          # one of them
#   PROGRESS_ORGS=100000 DESK_ORGS=10000 bash bench/annual_report.sh   # smaller
#   PROFILE=debug bash bench/annual_report.sh            # no release build (figures are worse)
#
# Needs: sqlite3, psql (PostgreSQL at $PG, trust auth), curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
PROGRESS_ORGS="${PROGRESS_ORGS:-1000000}"
DESK_ORGS="${DESK_ORGS:-100000}"
REPEAT="${REPEAT:-200}"
PORT="${PORT:-18090}"
PG="${PG:-postgres://postgres@127.0.0.1:5432}"
BACKENDS="${BACKENDS:-sqlite postgres}"
PROFILE="${PROFILE:-release}"
WORK="${WORK:-$(mktemp -d /tmp/gongyi-bench-cycle.XXXXXX)}"
for tool in curl python3 sqlite3 psql; do
  command -v "$tool" >/dev/null || { echo "missing $tool"; exit 1; }
done

if [ "$PROFILE" = release ]; then
  cargo build --release -q -p gongyi-cli
else
  cargo build -q -p gongyi-cli
fi
BIN="${CARGO_TARGET_DIR:-target}/$PROFILE/gongyi"
# The report year whose filing is over (deadline 31 May passed).
YEAR=$(( $(date +%Y) - 1 ))
export GONGYI_PUBLIC_RATE_LIMIT=0 GONGYI_KEY_FILE="$WORK/bench.key" PGOPTIONS="-c client_min_messages=warning"
printf '[security]\napi_rate_limit_per_minute = 0\nlogin_rate_limit_per_minute = 0\n' > "$WORK/bench.toml"

# SQL that adds organisations N0+1..N (credit codes not checked: bench only)
# with the year's reports: ~10% none, then drafts, submitted, returned,
# passed and concluded, every 7th late; and declarations for every 20th.
bulk_sql() { # dialect, first, last
  local d=$1 first=$2 last=$3 series now
  if [ "$d" = sqlite ]; then
    now="strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')"
    series="WITH RECURSIVE n(i) AS (SELECT $first UNION ALL SELECT i + 1 FROM n WHERE i < $last)"
    echo "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; BEGIN;"
    echo "CREATE TEMP TABLE subs AS SELECT code, ROW_NUMBER() OVER (ORDER BY code) - 1 AS k FROM subdistricts;"
  else
    now="CURRENT_TIMESTAMP"
    series="WITH n(i) AS (SELECT generate_series($first, $last))"
    echo "BEGIN; CREATE TEMP TABLE subs AS SELECT code, ROW_NUMBER() OVER (ORDER BY code) - 1 AS k FROM subdistricts;"
  fi
  local nsubs="(SELECT COUNT(*) FROM subs)"
  cat <<SQL
$series
INSERT INTO organizations (credit_code, name, name_pinyin, name_initials, kind, community,
  fresh_graduate, in_district, subdistrict_code, registration_date, registered_capital_fen, status)
SELECT 'BENCH' || CAST(i AS TEXT), '杨浦区基准测试社会组织' || CAST(i AS TEXT), 'bench', 'b',
  'PRIVATE_NON_ENTERPRISE', TRUE, FALSE, TRUE, s.code, '2020-01-01', 3000000, 'NORMAL'
FROM n JOIN subs s ON s.k = i % $nsubs;
INSERT INTO annual_reports (org_id, year, status, late, total_income_fen, created_by, created_at,
  updated_at, first_submitted_at, submitted_by, submitted_at, reviewed_by, reviewed_at,
  concluded_by, concluded_at, conclusion)
SELECT o.id, $YEAR,
  CASE o.id % 10 WHEN 1 THEN 'DRAFT' WHEN 2 THEN 'SUBMITTED' WHEN 3 THEN 'RETURNED'
    WHEN 4 THEN 'REVIEWED' ELSE 'CONCLUDED' END,
  o.id % 7 = 0, 100000, 'bench-org', $now, $now,
  CASE WHEN o.id % 10 = 1 THEN NULL ELSE $now END,
  CASE WHEN o.id % 10 = 1 THEN NULL ELSE 'bench-org' END,
  CASE WHEN o.id % 10 = 1 THEN NULL ELSE $now END,
  CASE WHEN o.id % 10 >= 4 THEN 'bench-sub' END, CASE WHEN o.id % 10 >= 4 THEN $now END,
  CASE WHEN o.id % 10 >= 5 THEN 'bench-bureau' END, CASE WHEN o.id % 10 >= 5 THEN $now END,
  CASE WHEN o.id % 10 >= 5 THEN 'QUALIFIED' END
FROM organizations o WHERE o.credit_code LIKE 'BENCH%' AND o.id % 10 <> 0;
INSERT INTO declarations (kind, org_id, payload, status, stated_by, stated_role, stated_at,
  decided_by, decided_at, reason)
SELECT 'party-building', o.id, '{}', CASE WHEN o.id % 40 = 0 THEN 'RETURNED' ELSE 'PENDING' END,
  'bench-org', 'organisation', $now,
  CASE WHEN o.id % 40 = 0 THEN 'bench-sub' END, CASE WHEN o.id % 40 = 0 THEN $now END,
  CASE WHEN o.id % 40 = 0 THEN '请补充' END
FROM organizations o WHERE o.credit_code LIKE 'BENCH%' AND o.id % 20 = 0;
COMMIT;
ANALYZE;
SQL
}

# Signs in `name` with its one-time password, sets a password, prints the cookie.
sign_in() { # name, otp
  local login csrf cookie
  login=$(curl -s -D "$WORK/login.h" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$1\",\"password\":\"$2\"}" "http://127.0.0.1:$PORT/api/v1/login")
  csrf=$(echo "$login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
  cookie=$(grep -io 'gongyi_session=[0-9a-f]*' "$WORK/login.h" | head -1)
  curl -s -o /dev/null -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" --data-urlencode "current=$2" \
    --data-urlencode "password=Yangpu#Perf2026" --data-urlencode "confirm=Yangpu#Perf2026" \
    "http://127.0.0.1:$PORT/account/password"
  echo "$cookie"
}

# Times REPEAT requests of a path: "label  p50 … p99 … max … ms".
timed() { # label, cookie, path
  local i
  for i in $(seq 1 "$REPEAT"); do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Cookie: $2" "http://127.0.0.1:$PORT$3"
  done | python3 -c '
import sys
rows = [l.split() for l in sys.stdin]
bad = [c for c, _ in rows if c != "200"]
t = sorted(float(s) * 1000 for _, s in rows)
q = lambda p: t[min(len(t) - 1, int(p * len(t)))]
print(f"{sys.argv[1]:<40} p50 {q(0.5):7.1f} ms  p99 {q(0.99):7.1f} ms  max {t[-1]:7.1f} ms" + (f"  ({len(bad)} not 200: {bad[0]})" if bad else ""))
' "$1"
}

serve() { # database url
  "$BIN" --config "$WORK/bench.toml" --database "$1" serve --bind "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/api/v1/public/organizations?per_page=1" >/dev/null && break; sleep 0.2; done
}

stop() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }

# A fresh database with ORGS organisations, the accounts of every role.
setup() { # backend, orgs → sets URL and the OTP_* variables
  local backend=$1 orgs=$2 name="gongyi_bench_cycle_$2"
  if [ "$backend" = sqlite ]; then
    URL="sqlite://$WORK/cycle-$orgs.db"
    rm -f "$WORK/cycle-$orgs.db"*
  else
    URL="$PG/$name"
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
  fi
  "$BIN" --config "$WORK/bench.toml" --database "$URL" demo --orgs 50 --people 20 >"$WORK/demo.out" 2>&1
  local org sub
  org=$("$BIN" --database "$URL" export organizations --output "$WORK/first.csv" >/dev/null 2>&1; python3 -c '
import csv,sys; r = csv.reader(open(sys.argv[1], encoding="utf-8-sig")); next(r); print(next(r)[0])' "$WORK/first.csv")
  local started=$(date +%s)
  if [ "$backend" = sqlite ]; then
    bulk_sql sqlite 51 "$orgs" | sqlite3 "$WORK/cycle-$orgs.db" >/dev/null
    sub=$(sqlite3 "$WORK/cycle-$orgs.db" "SELECT subdistrict_code FROM organizations WHERE credit_code = '$org'")
  else
    bulk_sql postgres 51 "$orgs" | psql -q "$URL" >/dev/null
    sub=$(psql -tA "$URL" -c "SELECT subdistrict_code FROM organizations WHERE credit_code = '$org'")
  fi
  echo "  bulk data: $orgs organisations in $(( $(date +%s) - started )) s"
  add() { "$BIN" --config "$WORK/bench.toml" --database "$URL" user add "$@" 2>/dev/null | tail -1; }
  OTP_BUREAU=$(add --role bureau b-bureau)
  OTP_SUB=$(add --role subdistrict --subdistrict "$sub" b-sub)
  OTP_ORG=$(add --role organisation --org "$org" b-org)
  OTP_FIN=$(add --role finance b-finance)
  OTP_REV=$(add --role reviewer b-reviewer)
  OTP_ADMIN=$(add --role system-admin b-admin)
}

for backend in $BACKENDS; do
  echo "== $backend: filing progress, $PROGRESS_ORGS organisations ($REPEAT requests each)"
  setup "$backend" "$PROGRESS_ORGS"
  serve "$URL"
  c=$(sign_in b-bureau "$OTP_BUREAU")
  timed "progress page $YEAR" "$c" "/annual-reports/progress?year=$YEAR"
  timed "progress export (xlsx) $YEAR" "$c" "/annual-reports/progress.xlsx?year=$YEAR"
  timed "bureau desk" "$c" "/"
  stop
  if [ "$backend" = postgres ]; then psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS gongyi_bench_cycle_$PROGRESS_ORGS" >/dev/null; fi

  echo "== $backend: desks, $DESK_ORGS organisations ($REPEAT requests each)"
  setup "$backend" "$DESK_ORGS"
  serve "$URL"
  for who in "bureau b-bureau $OTP_BUREAU" "sub-district b-sub $OTP_SUB" "organisation b-org $OTP_ORG" \
             "finance b-finance $OTP_FIN" "reviewer b-reviewer $OTP_REV" "system admin b-admin $OTP_ADMIN"; do
    set -- $who
    label="$1"; if [ $# -eq 4 ]; then label="$1 $2"; shift; fi
    c=$(sign_in "$2" "$3")
    timed "desk: $label" "$c" "/"
  done
  stop
done
echo "work dir: $WORK"
