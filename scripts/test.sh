#!/usr/bin/env bash
# `npm test`: builds a throwaway stack on free ports (never touching a
# running `npm start`), then runs every check and prints one line per stage
# and a final `N passed, N failed`.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
set +e
started=$SECONDS
bash "$ROOT/scripts/setup.sh" || die "set-up failed"

TMP="$(mktemp -d /tmp/threadline-test.XXXXXX)"
chmod 755 "$TMP"
[ "$(id -u)" = 0 ] && chown postgres "$TMP"
RUN="$TMP/run"; mkdir -p "$RUN"
DATA="$TMP/data"
export THREADLINE_FSYNC=off THREADLINE_GATEWAY_QUIET=1
stack_env "$(free_port)" "$(free_port)" "$(free_port)" "$(free_port)" "$(free_port)" \
  "$(stack_password "$TMP/authenticator.pw")" "$(free_port)" "$(stack_password "$TMP/storage-admin.pw")" "$TMP/storage"

cleanup() {
  rm -f "/tmp/threadline-ports.$$"
  stop_services "$RUN" 2>/dev/null
  cluster_stop "$DATA" 2>/dev/null
  if [ -n "${KEEP_TEST_STACK:-}" ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

set -e
cluster_init "$DATA"
cluster_start "$DATA" "$THREADLINE_DB_PORT" "$TMP/postgres.log"
apply_shim "$THREADLINE_SUPERUSER_DB_URL"
push_migrations "$THREADLINE_DB_URL" "$RUN/db-push.log"
start_services "$RUN"
write_env_file "$RUN/stack.env"
setup_demo_fake
set +e
say "Test stack up in $((SECONDS - started))s (db :$THREADLINE_DB_PORT, api :$THREADLINE_API_PORT)"

TOTAL_PASS=0; TOTAL_FAIL=0; SUMMARY=()
record() { # record STAGE PASSED FAILED [DETAIL]
  TOTAL_PASS=$((TOTAL_PASS + $2)); TOTAL_FAIL=$((TOTAL_FAIL + $3))
  local line; line="$(printf '%-11s %4d passed, %d failed%s' "$1:" "$2" "$3" "${4:+  ($4)}")"
  SUMMARY+=("$line"); echo "$line"
}
check() { # check STAGE COMMAND...: a stage that is one check
  local stage="$1"; shift
  local out="$RUN/$stage.out"
  if "$@" >"$out" 2>&1; then record "$stage" 1 0; else cat "$out"; record "$stage" 0 1 "see above"; fi
}

# pgTAP: helpers first, then tests/db/platform (the shim), then each module's
# tests/db/<module>/*.test.sql in migration order, through pg_prove.
pgtap_files() {
  local f m dir
  for f in "$ROOT"/tests/db/platform/*.test.sql; do echo "$f"; done
  for f in "$ROOT"/supabase/migrations/*.sql; do
    m="$(basename "$f" .sql)"; m="${m#*_}"
    for dir in "$ROOT/tests/db/$m"/*.test.sql; do [ -f "$dir" ] && echo "$dir"; done
  done
  # A test directory that names no module would never run.
  for dir in "$ROOT"/tests/db/*/; do
    m="$(basename "$dir")"
    [ "$m" = setup ] || [ "$m" = platform ] || ls "$ROOT"/supabase/migrations/*_"$m".sql >/dev/null 2>&1 \
      || { echo "tests/db/$m names no module in supabase/migrations" >&2; return 1; }
  done
}

stage_pgtap() {
  # Test fixtures are platform, not product: installed by the superuser, as
  # supautils would create pgtap and dblink for postgres on hosted.
  psql_url "$THREADLINE_SUPERUSER_DB_URL" -f "$ROOT/tests/db/setup/helpers.sql" >/dev/null 2>&1 \
    || { record pgtap 0 1 "helpers failed to install"; return; }
  local out="$RUN/pgtap.out" ok notok rc list files
  list="$(pgtap_files)" || { record pgtap 0 1 "unmatched test directory"; return; }
  mapfile -t files <<<"$list"
  pg_prove --verbose --ext .sql -d postgres -h 127.0.0.1 -p "$THREADLINE_DB_PORT" -U postgres \
    "${files[@]}" >"$out" 2>&1
  rc=$?
  ok=$(grep -cE '^\s*ok [0-9]+' "$out"); notok=$(grep -cE '^\s*not ok [0-9]+' "$out")
  if [ $rc -ne 0 ]; then
    grep -vE '^\s*ok [0-9]+' "$out"
    [ "$notok" -eq 0 ] && notok=1
  fi
  record pgtap "$ok" "$notok" "$(grep -oE 'Files=[0-9]+' "$out")"
}

stage_vitest() {
  local json="$RUN/vitest.json"
  (cd "$ROOT" && "$BIN/vitest" run --reporter=default --reporter=json --outputFile="$json") >"$RUN/vitest.out" 2>&1
  local rc=$? counts
  counts=$(node -e '
    try { const r = require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests); }
    catch { console.log("0 1"); }' "$json")
  set -- $counts
  if [ $rc -ne 0 ]; then cat "$RUN/vitest.out"; [ "$2" -eq 0 ] && set -- "$1" 1; fi
  record vitest "$1" "$2"
}

# Supabase's own linter; any WARN or ERROR on our objects fails. The shim's
# objects stand for hosted Supabase's and are not ours to fix.
stage_advisors() {
  local out="$RUN/advisors.json"
  "$BIN/supabase" db advisors --remote="$THREADLINE_DB_URL" --level info --output-format json >"$out" 2>"$RUN/advisors.err"
  node -e '
    const fs = require("fs");
    let d; try { d = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch { console.error("advisors output unreadable"); process.exit(2); }
    const results = Array.isArray(d) ? d : d.results ?? [];
    const platform = new Set(["auth", "vault", "net", "extensions", "graphql_public", "supabase_migrations", "cron", "storage", "realtime", "tests"]);
    const ours = results.filter((r) => !platform.has(r.metadata?.schema));
    for (const r of ours) console.log(`${r.level} ${r.name}: ${r.detail}`);
    process.exit(ours.some((r) => r.level !== "INFO") ? 1 : 0);' "$out" >"$RUN/advisors.out" 2>&1
  local rc=$?
  if [ $rc -eq 0 ]; then record advisors 1 0 "$(grep -c '^INFO' "$RUN/advisors.out") info"
  else cat "$RUN/advisors.out" "$RUN/advisors.err"; record advisors 0 1 "warnings on our objects"; fi
}

types_drift() {
  local gen="$RUN/database.types.ts"
  bash "$ROOT/scripts/gen-types.sh" "$THREADLINE_DB_URL" "$gen" || return 1
  diff -u "$ROOT/shared/database.types.ts" "$gen" | head -n 60
  cmp -s "$ROOT/shared/database.types.ts" "$gen" || { echo "types drifted: run npm run gen:types"; return 1; }
}

db_lint() {
  "$BIN/supabase" db lint --remote="$THREADLINE_DB_URL" --schema public,private --fail-on error
}

deno_src() { (cd "$ROOT" && "$BIN/deno" "$@"); }

check migrations deno_src run --quiet --allow-read scripts/check-migrations.ts
stage_pgtap
stage_vitest
stage_advisors
check types types_drift
check db-lint db_lint
check deno-check deno_src check --quiet functions/ shared/ scripts/ tests/
check deno-lint deno_src lint --quiet
check deno-fmt deno_src fmt --check --quiet

echo
echo "Summary ($((SECONDS - started))s):"
printf '  %s\n' "${SUMMARY[@]}"
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
[ "$TOTAL_FAIL" -eq 0 ]
