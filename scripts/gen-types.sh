#!/usr/bin/env bash
# Writes TypeScript types of the public schema, formatted as the repo is.
# gen-types.sh [DB_URL] [OUT]; defaults: the running `npm start` database,
# shared/database.types.ts.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
url="${1:-}"
if [ -z "$url" ]; then
  [ -f "$STATE/run/stack.env" ] || die "no running stack: npm start first, or pass a DB URL"
  url="$(grep '^THREADLINE_DB_URL=' "$STATE/run/stack.env" | cut -d= -f2-)"
fi
out="${2:-$ROOT/shared/database.types.ts}"
tmp="$(mktemp --suffix=.ts)"
"$BIN/supabase" gen types typescript --remote="$url" --schema public >"$tmp" 2>/dev/null \
  || { rm -f "$tmp"; die "supabase gen types failed"; }
"$BIN/deno" fmt --quiet --no-config --line-width 100 "$tmp"
mv "$tmp" "$out"
