#!/usr/bin/env bash
# `npm start`: the local Supabase stack, as `supabase start` would bring it up.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
started=$SECONDS
bash "$ROOT/scripts/setup.sh"

RUN="$STATE/run"
mkdir -p "$RUN"
DB_HOME="$(cluster_home "$STATE/db")"
DATA="$DB_HOME/data"
stack_env "${THREADLINE_API_PORT:-54321}" "${THREADLINE_DB_PORT:-54322}" "${THREADLINE_FAKE_PROVIDER_PORT:-54326}" \
  "${THREADLINE_REST_PORT:-54330}" "${THREADLINE_AUTH_PORT:-54331}" "$(stack_password "$DB_HOME/authenticator.pw")" \
  "${THREADLINE_STORAGE_PORT:-54332}" "$(stack_password "$DB_HOME/storage-admin.pw")" "$STATE/storage"

STAMP="$DB_HOME/migrations.sha256"
if [ -f "$DATA/PG_VERSION" ]; then
  reason="$(stale_reason "$STAMP")"
  if [ -n "$reason" ]; then
    say "Rebuilding the local database (it holds demo data only): $reason."
    stop_services "$RUN"
    cluster_stop "$DATA"
    rm -rf "$DATA" "$STAMP" "$STATE/storage"
  fi
fi
if [ ! -f "$DATA/PG_VERSION" ]; then
  say "Creating the database cluster in $DATA"
  cluster_init "$DATA"
else
  say "Reusing the database cluster in $DATA"
fi
cluster_start "$DATA" "$THREADLINE_DB_PORT" "$DB_HOME/postgres.log"

say "Applying the platform shim, migrations and seed"
apply_shim "$THREADLINE_SUPERUSER_DB_URL"
push_migrations "$THREADLINE_DB_URL" "$RUN/db-push.log"
migrations_stamp > "$STAMP"

say "Starting PostgREST, the Auth stand-in, the functions gateway, pg_net worker and fake provider"
stop_services "$RUN"
start_services "$RUN"
write_env_file "$RUN/stack.env"

setup_demo_fake
echo "$DATA" > "$RUN/data-dir"

health="$(curl -sS "$SUPABASE_URL/functions/v1/health" || true)"
cat <<MSG

Started Threadline local development setup in $((SECONDS - started))s.

         API URL: $SUPABASE_URL
    REST API URL: $SUPABASE_URL/rest/v1  ($(cat "$RUN/postgrest-version" 2>/dev/null || echo PostgREST))
    Auth API URL: $SUPABASE_URL/auth/v1  (local stand-in: password sign-in, sign-up, refresh, user, logout)
 Storage API URL: $SUPABASE_URL/storage/v1  (local service; files in $THREADLINE_STORAGE_DIR)
   Functions URL: $SUPABASE_URL/functions/v1/<name>
          DB URL: $THREADLINE_DB_URL
 Fake WhatsApp:   $THREADLINE_FAKE_PROVIDER_URL  (request log: /__fake/requests)
      JWT secret: $THREADLINE_JWT_SECRET
        anon key: $SUPABASE_ANON_KEY
service_role key: $SUPABASE_SERVICE_ROLE_KEY

          health: $health
            logs: $RUN/*.log, $DB_HOME/postgres.log
Stop everything with: npm run stop
MSG
