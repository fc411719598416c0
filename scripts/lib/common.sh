# Shared by setup/start/stop/test. Sourced, never run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PG_BIN=/usr/lib/postgresql/15/bin
BIN="$ROOT/node_modules/.bin"
STATE="$ROOT/.threadline"
export PGSSLMODE=disable
export PGCONNECT_TIMEOUT=5
export DENO_NO_UPDATE_CHECK=1
export SUPABASE_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

say() { printf '\033[1m%s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# initdb refuses to run as root, so as root the cluster belongs to the
# postgres OS user; otherwise to whoever runs the stack.
pg_run() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A directory the cluster owner can reach. Under root the checkout may sit in
# a folder the postgres user cannot traverse (say /root); then the data moves
# to /var/lib/threadline, keyed by the checkout's path.
cluster_home() {
  local want="$1"
  if [ "$(id -u)" != 0 ]; then echo "$want"; return; fi
  mkdir -p "$want"
  chown postgres "$want"
  if runuser -u postgres -- test -w "$want"; then echo "$want"; return; fi
  local alt="/var/lib/threadline/$(printf '%s' "$want" | sha1sum | cut -c1-12)"
  mkdir -p "$alt" && chown postgres "$alt"
  echo "$alt"
}

# cluster_init DATA_DIR [SUPERUSER]: a fresh cluster with Supabase's local
# credentials. Its superuser is supabase_admin, as on hosted; the shim then
# makes postgres, which is not a superuser.
cluster_init() {
  local data="$1" superuser="${2:-supabase_admin}" pw
  pw="$(dirname "$data")/.pw"
  printf 'postgres\n' > "$pw"
  [ "$(id -u)" = 0 ] && chown postgres "$pw"
  pg_run "$PG_BIN/initdb" -D "$data" -U "$superuser" --pwfile="$pw" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pw"
}

# db_ready PORT [SECS]: the server answers a real query (pg_isready alone
# says yes to a server still recovering).
db_ready() {
  local port="$1" secs="${2:-0}" i
  for i in $(seq 0 $((secs * 10))); do
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 2 \
      && psql "postgresql://supabase_admin:postgres@127.0.0.1:$port/postgres" -X -Atqc 'select 1' >/dev/null 2>&1; then
      return 0
    fi
    [ "$i" -lt $((secs * 10)) ] && sleep 0.1
  done
  return 1
}

# The live processes working in the data directory (the postmaster and its
# backends have it as their working directory); zombies do not count.
cluster_processes() {
  local data="$1" d pid real
  real="$(readlink -f "$data")"
  for d in /proc/[0-9]*; do
    [ "$(readlink "$d/cwd" 2>/dev/null)" = "$real" ] || continue
    pid="${d#/proc/}"
    alive "$pid" && echo "$pid"
  done
}

# After a kill -9 the postmaster's pid file stays behind. pg_ctl status
# believes it while the pid is a zombie (a container's PID 1 may never reap
# it) and PostgreSQL refuses to start over it; its backends linger a moment
# holding the old shared memory. Wait for them, then drop the stale file.
recover_stale_pid() {
  local data="$1" pid
  [ -f "$data/postmaster.pid" ] || return 0
  pid="$(head -n 1 "$data/postmaster.pid")"
  if [ -n "$pid" ] && alive "$pid" && [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = postgres ]; then
    return 0
  fi
  for _ in $(seq 1 100); do
    [ -z "$(cluster_processes "$data")" ] && break
    sleep 0.1
  done
  [ -z "$(cluster_processes "$data")" ] || die "PostgreSQL's old processes in $data did not exit"
  say "Removing the stale postmaster.pid of a PostgreSQL that is gone (pid $pid)"
  rm -f "$data/postmaster.pid"
}

# cluster_start DATA_DIR PORT LOG: returns once the server answers queries.
cluster_start() {
  local data="$1" port="$2" log="$3"
  recover_stale_pid "$data"
  if pg_run "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    # Running, or recovering after a crash of one of its backends.
    db_ready "$port" 60 || die "PostgreSQL in $data runs but does not accept connections (log: $log)"
    return 0
  fi
  [ "$(id -u)" = 0 ] && { touch "$log"; chown postgres "$log"; }
  pg_run "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 60 start -o "\
 -p $port -c unix_socket_directories= -c listen_addresses=127.0.0.1\
 -c shared_preload_libraries=pg_cron -c cron.database_name=postgres -c cron.timezone=UTC\
 -c wal_level=logical -c max_connections=200 -c fsync=${THREADLINE_FSYNC:-on}\
 -c timezone=UTC -c log_min_messages=warning" >/dev/null \
    || { tail -n 20 "$log" >&2; die "PostgreSQL did not start (log: $log)"; }
  db_ready "$port" 60 || { tail -n 20 "$log" >&2; die "PostgreSQL started but does not accept connections (log: $log)"; }
}

cluster_stop() {
  local data="$1"
  [ -d "$data" ] || return 0
  recover_stale_pid "$data"
  if pg_run "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    pg_run "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null
  fi
}

psql_url() { psql "$1" -X -q -v ON_ERROR_STOP=1 "${@:2}"; }

# The shim stands in for what hosted Supabase has before any migration; it
# runs as the superuser, as hosted's own setup does.
apply_shim() {
  local url="$1" f
  local vars=(-v authenticator_password="$THREADLINE_AUTHENTICATOR_PASSWORD"
    -v storage_admin_password="$THREADLINE_STORAGE_ADMIN_PASSWORD")
  for f in "$ROOT"/scripts/shim/*.sql; do
    psql_url "$url" "${vars[@]}" -f "$f" >/dev/null 2>&1 \
      || { psql_url "$url" "${vars[@]}" -f "$f" >&2 || true; die "shim $(basename "$f") failed"; }
  done
}

# stack_password FILE: the password kept in FILE, made on first use. Local
# stacks have their own, never a well-known one, for the role PostgREST
# logs in as.
stack_password() {
  local f="$1"
  if [ ! -s "$f" ]; then
    (umask 077; node -e 'console.log(require("crypto").randomBytes(24).toString("base64url"))' > "$f")
  fi
  cat "$f"
}

# Migrations with the real CLI, which records them in
# supabase_migrations.schema_migrations. The seed goes in with psql on every
# start: `db push --include-seed` only records a changed seed's hash on an
# existing database, and the seed is written to be re-applied safely.
push_migrations() {
  local url="$1" log="${2:-/dev/null}"
  # The minute tick (the pg_cron job the scheduling migration schedules)
  # waits until the schema, the seed and the settings are in: a tick firing
  # between two migrations can deadlock with the next one's DDL. Scheduled
  # here first and paused, the migration's cron.schedule only updates it.
  printf '%s\n' "select cron.schedule('threadline-tick', '* * * * *', 'select private.tick()');" \
    "select cron.alter_job(jobid, active := false) from cron.job where jobname = 'threadline-tick';" \
    | psql_url "$url" -v ON_ERROR_STOP=1 >"$log" 2>&1 || { cat "$log" >&2; die "pausing the tick failed"; }
  (cd "$ROOT" && "$BIN/supabase" db push --remote="$url" --yes --skip-vault) >>"$log" 2>&1 \
    || { cat "$log" >&2 2>/dev/null; die "supabase db push failed"; }
  psql_url "$url" -f "$ROOT/supabase/seed.sql" >>"$log" 2>&1 \
    || { tail -n 20 "$log" >&2; die "supabase/seed.sql failed"; }
  # The shim's event triggers already tell PostgREST of each DDL statement,
  # as hosted's do; one more reload after the seed costs nothing.
  echo "notify pgrst, 'reload schema'" | psql_url "$url" >>"$log" 2>&1
  # How the database reaches the dispatch function (pg_net, the tick).
  echo "select private.configure_functions(:'url', :'key')" \
    | psql_url "$url" -v url="$SUPABASE_URL/functions/v1" -v key="$SUPABASE_SERVICE_ROLE_KEY" >>"$log" 2>&1 \
    || { tail -n 20 "$log" >&2; die "configuring the functions URL failed"; }
  # The fake provider listens on loopback: this stack lets channels point there.
  echo "select private.configure_provider_urls(true)" | psql_url "$url" >>"$log" 2>&1 \
    || { tail -n 20 "$log" >&2; die "configuring provider URLs failed"; }
  echo "select cron.alter_job(jobid, active := true) from cron.job where jobname = 'threadline-tick'" \
    | psql_url "$url" -v ON_ERROR_STOP=1 >>"$log" 2>&1 || { tail -n 20 "$log" >&2; die "resuming the tick failed"; }
}

# What a local database was built from: the stack's layout version (bumped
# when the shim or the role model changes in a way an existing cluster cannot
# follow) and a hash of every migration applied. Until the first release
# migrations are edited in place, so a changed hash means the schema on disk
# no longer matches the files.
STACK_LAYOUT=2
migrations_stamp() {
  echo "layout $STACK_LAYOUT"
  (cd "$ROOT/supabase/migrations" && sha256sum -- *.sql)
}

# stale_reason STAMP_FILE: why the database next to it must be rebuilt, or
# nothing. Migrations added after the last one applied are fine: db push
# applies them; one added before it (a module merged from a branch) is not
# (db push refuses it), so the database is rebuilt.
stale_reason() {
  local stamp="$1" line file last="" path
  [ -f "$stamp" ] || { echo "it predates the check of its migrations"; return; }
  [ "$(head -n 1 "$stamp")" = "layout $STACK_LAYOUT" ] || { echo "an older local stack built it"; return; }
  while read -r line; do
    file="${line##* }"
    [ -f "$ROOT/supabase/migrations/$file" ] || { echo "supabase/migrations/$file is gone"; return; }
    [ "$(cd "$ROOT/supabase/migrations" && sha256sum -- "$file")" = "$line" ] \
      || { echo "supabase/migrations/$file changed since it was built"; return; }
    [[ "$file" > "$last" ]] && last="$file"
  done < <(tail -n +2 "$stamp")
  for path in "$ROOT"/supabase/migrations/*.sql; do
    file="${path##*/}"
    if [[ "$file" < "$last" ]] && ! grep -q " $file\$" <(tail -n +2 "$stamp"); then
      echo "supabase/migrations/$file was added before $last, which it was built with"
      return
    fi
  done
}

# A free port below Linux's ephemeral range (32768+): a port the kernel hands
# out (listen on 0) is soon handed again to some outgoing connection, and a
# service started a second later finds it taken. Ports this script already
# gave out are skipped ($$ is the script's pid even inside $(...)).
free_port() {
  local given="/tmp/threadline-ports.$$"
  local port
  port="$(node -e "
    const net = require('net'), given = new Set(process.argv.slice(1).map(Number));
    const tryPort = (n) => {
      const p = 20000 + Math.floor(Math.random() * 12000);
      if (given.has(p)) return tryPort(n);
      const s = net.createServer().once('error', () => n > 0 ? tryPort(n - 1) : process.exit(1))
        .listen(p, '127.0.0.1', () => { console.log(p); s.close(); });
    };
    tryPort(50);" $(cat "$given" 2>/dev/null))" || return 1
  echo "$port" >>"$given"
  echo "$port"
}

# stack_env API_PORT DB_PORT FAKE_PORT REST_PORT AUTH_PORT AUTHENTICATOR_PASSWORD
#   STORAGE_PORT STORAGE_ADMIN_PASSWORD STORAGE_DIR:
# the variables every service and test reads. PostgREST, the Auth stand-in
# and the Storage service listen on loopback ports of their own; clients
# reach them through the gateway, at /rest/v1, /auth/v1 and /storage/v1.
stack_env() {
  local api="$1" dbp="$2" fake="$3"
  export THREADLINE_API_PORT="$api" THREADLINE_DB_PORT="$dbp" THREADLINE_FAKE_PROVIDER_PORT="$fake"
  export THREADLINE_REST_PORT="$4" THREADLINE_AUTH_PORT="$5" THREADLINE_AUTHENTICATOR_PASSWORD="$6"
  export THREADLINE_STORAGE_PORT="$7" THREADLINE_STORAGE_ADMIN_PASSWORD="$8" THREADLINE_STORAGE_DIR="$9"
  export THREADLINE_JWT_SECRET="${THREADLINE_JWT_SECRET:-super-secret-jwt-token-with-at-least-32-characters-long}"
  # postgres is what migrations, functions and developers use; supabase_admin
  # is the cluster's superuser (shim, test fixtures); supabase_auth_admin is
  # what GoTrue connects as.
  export THREADLINE_DB_URL="postgresql://postgres:postgres@127.0.0.1:$dbp/postgres"
  export THREADLINE_SUPERUSER_DB_URL="postgresql://supabase_admin:postgres@127.0.0.1:$dbp/postgres"
  export THREADLINE_AUTH_DB_URL="postgresql://supabase_auth_admin:postgres@127.0.0.1:$dbp/postgres"
  export THREADLINE_REST_DB_URL="postgresql://authenticator:$6@127.0.0.1:$dbp/postgres"
  export THREADLINE_STORAGE_DB_URL="postgresql://supabase_storage_admin:$8@127.0.0.1:$dbp/postgres"
  export PGPASSWORD=postgres
  export THREADLINE_FAKE_PROVIDER_URL="http://127.0.0.1:$fake"
  # Cloud API sends go to the fake provider locally (Graph on hosted).
  export THREADLINE_GRAPH_API_URL="${THREADLINE_GRAPH_API_URL:-$THREADLINE_FAKE_PROVIDER_URL}"
  # Instagram and TikTok are the fake provider's too (graph.instagram.com
  # and open.tiktokapis.com on hosted, the functions' defaults).
  export THREADLINE_INSTAGRAM_API_URL="${THREADLINE_INSTAGRAM_API_URL:-$THREADLINE_FAKE_PROVIDER_URL/instagram}"
  export THREADLINE_TIKTOK_API_URL="${THREADLINE_TIKTOK_API_URL:-$THREADLINE_FAKE_PROVIDER_URL/tiktok}"
  export THREADLINE_INSTAGRAM_OAUTH_URL="${THREADLINE_INSTAGRAM_OAUTH_URL:-$THREADLINE_FAKE_PROVIDER_URL/instagram}"
  export THREADLINE_INSTAGRAM_APP_ID="${THREADLINE_INSTAGRAM_APP_ID:-fake-app-id}"
  export THREADLINE_INSTAGRAM_APP_SECRET="${THREADLINE_INSTAGRAM_APP_SECRET:-fake-app-secret}"
  export THREADLINE_TIKTOK_CLIENT_KEY="${THREADLINE_TIKTOK_CLIENT_KEY:-fake-client-key}"
  export THREADLINE_TIKTOK_CLIENT_SECRET="${THREADLINE_TIKTOK_CLIENT_SECRET:-fake-client-secret}"
  export THREADLINE_SOCIAL_POLL_MS="${THREADLINE_SOCIAL_POLL_MS:-100}"
  # Provider URLs at loopback/private addresses (the fake provider) are allowed here only.
  export THREADLINE_ALLOW_PRIVATE_PROVIDER_URLS=1
  # Hook targets too: the hook receiver is in the fake provider.
  export THREADLINE_ALLOW_PRIVATE_HOOK_URLS=1
  export SUPABASE_URL="http://127.0.0.1:$api"
  export SUPABASE_DB_URL="$THREADLINE_DB_URL"
  eval "$("$BIN/deno" run --quiet --allow-env --config="$ROOT/deno.json" "$ROOT/scripts/keys.ts")"
  export SUPABASE_ANON_KEY SUPABASE_SERVICE_ROLE_KEY
}

# The demo number on the fake provider: Meta approved spring_sale since the
# seed was written (a template sync shows it), and sends to it come back as
# signed delivered/read webhooks, as Meta's would; Graph answers for the
# number with its token (verify_phone_number).
# Shared by npm start and the test stack (the README walkthroughs run on both).
setup_demo_fake() {
  curl -fsS -o /dev/null -X POST "$THREADLINE_FAKE_PROVIDER_URL/__fake/templates" \
    -H 'content-type: application/json' --data @"$ROOT/scripts/demo/fake-templates.json"
  curl -fsS -o /dev/null -X POST "$THREADLINE_FAKE_PROVIDER_URL/__fake/phone_numbers" -H 'content-type: application/json' \
    -d '{"phone_number_id":"100000000000001","access_token":"demo-access-token","display_phone_number":"+1 555-000-1234",
         "verified_name":"Threadline Demo Tailors"}'
  curl -fsS -o /dev/null -X POST "$THREADLINE_FAKE_PROVIDER_URL/__fake/callbacks" -H 'content-type: application/json' \
    -d '{"phone_number_id":"100000000000001","app_secret":"demo-app-secret","delay_ms":500,
         "url":"'"$SUPABASE_URL"'/functions/v1/whatsapp-webhook/00000000-0000-4000-d000-000000000001"}'
  # The tailors' Instagram account (seed.sql connects it with this token),
  # and bytes behind the seed's post photos, which Instagram fetches.
  curl -fsS -o /dev/null -X POST "$THREADLINE_FAKE_PROVIDER_URL/__fake/social/accounts" -H 'content-type: application/json' \
    -d '{"platform":"instagram","user_id":"17841400000000001","username":"demo.tailors","access_token":"demo-instagram-token"}'
  local f
  for f in navy-linen-shirt.jpg wedding-suit.jpg summer-dress.jpg dress-back.jpg; do
    printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00demo photo %s\xff\xd9' "$f" | curl -fsS -o /dev/null -X POST \
      "$SUPABASE_URL/storage/v1/object/media/00000000-0000-4000-b000-000000000001/uploads/$f" \
      -H "Authorization: Bearer $SUPABASE_SERVICE_ROLE_KEY" -H "apikey: $SUPABASE_SERVICE_ROLE_KEY" -H "x-upsert: true" -H 'content-type: image/jpeg' --data-binary @-
  done
}

write_env_file() {
  local f="$1"
  {
    for v in SUPABASE_URL SUPABASE_ANON_KEY SUPABASE_SERVICE_ROLE_KEY SUPABASE_DB_URL \
      THREADLINE_API_PORT THREADLINE_DB_PORT THREADLINE_FAKE_PROVIDER_PORT THREADLINE_DB_URL \
      THREADLINE_REST_PORT THREADLINE_AUTH_PORT THREADLINE_SUPERUSER_DB_URL THREADLINE_AUTH_DB_URL \
      THREADLINE_FAKE_PROVIDER_URL THREADLINE_GRAPH_API_URL THREADLINE_JWT_SECRET \
      THREADLINE_INSTAGRAM_API_URL THREADLINE_TIKTOK_API_URL \
      THREADLINE_STORAGE_PORT THREADLINE_STORAGE_DIR; do
      printf '%s=%s\n' "$v" "${!v}"
    done
  } > "$f"
}

# start_service RUN_DIR NAME SCRIPT: a Deno service in its own process group,
# so stopping it takes its children (the function processes) too.
start_service() {
  local run="$1" name="$2" script="$3"
  THREADLINE_RUN_DIR="$run" setsid "$BIN/deno" run --allow-all --no-prompt --unstable-no-legacy-abort --config="$ROOT/deno.json" "$ROOT/$script" \
    >"$run/$name.log" 2>&1 < /dev/null &
  echo $! > "$run/$name.pid"
}

# A zombie counts as gone: where PID 1 does not reap orphans (containers),
# an exited service lingers as one and kill -0 still succeeds.
alive() {
  local st
  st="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
  [[ "$st" != Z* ]]
}

stop_service() {
  local run="$1" name="$2" pid
  [ -f "$run/$name.pid" ] || return 0
  pid="$(cat "$run/$name.pid")"
  if alive "$pid"; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$run/$name.pid"
}

wait_http() {
  local url="$1" secs="${2:-30}" i
  for i in $(seq 1 $((secs * 10))); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

start_services() {
  local run="$1"
  start_service "$run" net-worker scripts/services/net-worker.ts
  start_service "$run" fake-provider scripts/services/fake-provider.ts
  start_service "$run" rest scripts/services/rest.ts
  start_service "$run" auth scripts/services/auth.ts
  start_service "$run" storage scripts/services/storage.ts
  start_service "$run" gateway scripts/services/gateway.ts
  wait_http "$THREADLINE_FAKE_PROVIDER_URL/__fake/requests" 60 || { cat "$run/fake-provider.log" >&2; die "fake provider did not come up"; }
  wait_http "http://127.0.0.1:$THREADLINE_REST_PORT/" 60 || { cat "$run/rest.log" >&2; die "PostgREST did not come up"; }
  wait_http "http://127.0.0.1:$THREADLINE_AUTH_PORT/health" 60 || { cat "$run/auth.log" >&2; die "the Auth stand-in did not come up"; }
  wait_http "http://127.0.0.1:$THREADLINE_STORAGE_PORT/status" 60 || { cat "$run/storage.log" >&2; die "the Storage service did not come up"; }
  wait_http "$SUPABASE_URL/__gateway/health" 90 || { cat "$run/gateway.log" >&2; die "gateway did not come up"; }
  grep -q "listening" "$run/net-worker.log" 2>/dev/null || sleep 1
}

stop_services() {
  local run="$1"
  stop_service "$run" gateway
  stop_service "$run" storage
  stop_service "$run" auth
  stop_service "$run" rest
  stop_service "$run" fake-provider
  stop_service "$run" net-worker
}
