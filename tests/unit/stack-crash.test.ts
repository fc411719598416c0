import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

// The stack's start step after the postmaster was killed -9: its pid file
// stays behind (and, where PID 1 never reaps, the pid stays a zombie that
// pg_ctl status takes for a running server). Starting again must end with
// a database that answers queries, or fail; never a false success.
const common = fileURLToPath(new URL("../../scripts/lib/common.sh", import.meta.url));

const script = `
source "${common}"
set -e
export THREADLINE_FSYNC=off
TMP="$(mktemp -d /tmp/threadline-crash.XXXXXX)"; chmod 755 "$TMP"
[ "$(id -u)" = 0 ] && chown postgres "$TMP"
trap 'cluster_stop "$TMP/data" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
PORT="$(free_port)"
cluster_init "$TMP/data"
cluster_start "$TMP/data" "$PORT" "$TMP/pg.log"
kill -9 "$(head -n 1 "$TMP/data/postmaster.pid")"
sleep 0.5
cluster_start "$TMP/data" "$PORT" "$TMP/pg.log" 2>/dev/null
psql "postgresql://supabase_admin:postgres@127.0.0.1:$PORT/postgres" -X -Atc 'select 42'
`;

describe("stack scripts after a crash", () => {
  it("start waits for a database that answers, recovering a stale postmaster.pid", () => {
    const out = execFileSync("bash", ["-c", script], { encoding: "utf8", timeout: 90_000 });
    expect(out.trim().split("\n").pop()).toBe("42");
  }, 120_000);
});
