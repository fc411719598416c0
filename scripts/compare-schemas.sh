#!/usr/bin/env bash
# `npm run schema:compare -- REF_A [REF_B]`: builds the database of two git
# revisions (REF_B defaults to the working tree) in throwaway clusters, each
# with its own shim and migrations, and diffs what they define: a schema-only
# pg_dump of public and private (tables, columns, constraints, indexes,
# policies, grants, comments, function bodies), the triggers on auth.users,
# the minute tick's steps, the cron job and the realtime publication. For
# proving that a refactor of the migrations changes nothing, or showing what
# it changes. Exits 1 when they differ.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
a="${1:?usage: compare-schemas.sh REF_A [REF_B]}"
b="${2:-}"

TMP="$(mktemp -d /tmp/threadline-compare.XXXXXX)"
chmod 755 "$TMP"
[ "$(id -u)" = 0 ] && chown postgres "$TMP"
trap 'for d in "$TMP"/*/data; do cluster_stop "$d" 2>/dev/null; done; rm -rf "$TMP" "/tmp/threadline-ports.$$"' EXIT

# checkout REF DIR: the shim and migrations of REF (the working tree when empty).
checkout() {
  mkdir -p "$2"
  if [ -z "$1" ]; then
    mkdir -p "$2/supabase"
    cp -r "$ROOT/scripts/shim" "$2/shim"
    cp -r "$ROOT/supabase/migrations" "$2/supabase/"
  else
    git -C "$ROOT" archive "$1" scripts/shim supabase/migrations | tar -x -C "$2"
    mv "$2/scripts/shim" "$2/shim"
  fi
}

# build NAME REF: a cluster with REF's shim and migrations, dumped to NAME.dump.
build() {
  local name="$1" ref="$2" dir="$TMP/$1" port url su f
  checkout "$ref" "$dir/src"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  port="$(free_port)"
  url="postgresql://postgres:postgres@127.0.0.1:$port/postgres"
  # Revisions before hosted's role model ran everything as a superuser postgres.
  if grep -q "runs as the superuser supabase_admin" "$dir/src/shim/01-roles.sql"; then
    cluster_init "$dir/data" supabase_admin
    su="postgresql://supabase_admin:postgres@127.0.0.1:$port/postgres"
  else
    cluster_init "$dir/data" postgres
    su="$url"
  fi
  cluster_start "$dir/data" "$port" "$dir/postgres.log"
  for f in "$dir"/src/shim/*.sql; do psql_url "$su" -f "$f" >/dev/null 2>&1 || die "$name: shim $(basename "$f") failed"; done
  for f in "$dir"/src/supabase/migrations/*.sql; do
    psql_url "$url" -1 -f "$f" >/dev/null 2>"$dir/err" || { cat "$dir/err" >&2; die "$name: $(basename "$f") failed"; }
  done
  {
    pg_dump "$url" --schema-only -n public -n private | grep -v '^\\\(un\)\?restrict '
    psql_url "$url" -At -c "select tgname, pg_get_triggerdef(oid) from pg_trigger where tgrelid = 'auth.users'::regclass and not tgisinternal order by 1" \
      -c "select name, fn, position from private.tick_steps order by name" \
      -c "select jobname, schedule, command from cron.job order by jobname" \
      -c "select schemaname, tablename from pg_publication_tables where pubname = 'supabase_realtime' order by 1, 2"
  } > "$TMP/$name.dump"
}

setup_quiet() { bash "$ROOT/scripts/setup.sh" >/dev/null; }
setup_quiet
export PGPASSWORD=postgres
say "Building ${a} and ${b:-the working tree}"
build a "$a"
build b "$b"
if diff -u "$TMP/a.dump" "$TMP/b.dump"; then
  say "No difference: $(grep -c '^CREATE' "$TMP/a.dump") CREATE statements alike."
else
  exit 1
fi
