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
# Per-agent tables (agt_<id>_*) come and go with create_agent(); they are
# one shape, typed once in shared/agent-tables.ts, not once per agent.
node -e '
  const fs = require("fs");
  const lines = fs.readFileSync(process.argv[1], "utf8").split("\n");
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    if (/^      "agt_[0-9]+_[a-z_]+": \{$/.test(lines[i])) {
      while (i < lines.length && lines[i] !== "      };") i++;
      continue;
    }
    out.push(lines[i]);
  }
  fs.writeFileSync(process.argv[1], out.join("\n"));' "$tmp"
mv "$tmp" "$out"
