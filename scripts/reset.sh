#!/usr/bin/env bash
# `npm run reset`: throws away the local database and starts from scratch
# (shim, every migration, seed), like `supabase db reset`.
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
bash "$ROOT/scripts/stop.sh"
data="$(cat "$STATE/run/data-dir" 2>/dev/null || true)"
[ -n "$data" ] && rm -rf "$(dirname "$data")"
# Stored files go with the rows that describe them.
rm -rf "$STATE/db" "$STATE/storage"
exec bash "$ROOT/scripts/start.sh"
