#!/usr/bin/env bash
# `npm run chaos`: the kill -9 experiment on a throwaway stack of its own
# (free ports, its own cluster, removed at the end; a running `npm start` is
# never touched). scripts/bench/chaos.ts drives it and prints one JSON line.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
bash "$ROOT/scripts/setup.sh" >/dev/null || die "set-up failed"

TMP="$(mktemp -d /tmp/threadline-chaos.XXXXXX)"
chmod 755 "$TMP"
[ "$(id -u)" = 0 ] && chown postgres "$TMP"
RUN="$TMP/run"; mkdir -p "$RUN"
DATA="$TMP/data"
export THREADLINE_FSYNC="${THREADLINE_FSYNC:-on}" THREADLINE_GATEWAY_QUIET=1
stack_env "$(free_port)" "$(free_port)" "$(free_port)" "$(free_port)" "$(free_port)" \
  "$(stack_password "$TMP/authenticator.pw")" "$(free_port)" "$(stack_password "$TMP/storage-admin.pw")" "$TMP/storage"

cleanup() {
  rm -f "/tmp/threadline-ports.$$"
  stop_services "$RUN" 2>/dev/null || true
  cluster_stop "$DATA" 2>/dev/null || true
  if [ -n "${KEEP_CHAOS_STACK:-}" ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT

say "Building the chaos stack"
cluster_init "$DATA"
cluster_start "$DATA" "$THREADLINE_DB_PORT" "$TMP/postgres.log"
apply_shim "$THREADLINE_SUPERUSER_DB_URL"
push_migrations "$THREADLINE_DB_URL" "$RUN/db-push.log"
start_services "$RUN"
write_env_file "$RUN/stack.env"

set +e
CHAOS_DATA="$DATA" CHAOS_RUN="$RUN" CHAOS_PG_LOG="$TMP/postgres.log" \
  "$BIN/deno" run -A --config="$ROOT/deno.json" "$ROOT/scripts/bench/chaos.ts"
