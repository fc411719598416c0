import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, type Sql } from "../helpers/db.ts";
import { stack } from "../helpers/stack.ts";

// Migrations reach the database as hosted's postgres does: a role that is
// not a superuser. A migration that only a superuser could apply must fail
// here, through the same `supabase db push` npm start uses, not succeed
// locally and fail on the first hosted deploy.

const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = join(root, "node_modules/.bin/supabase");
let sql: Sql;
let workdir: string;

function push(): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      cli,
      ["db", "push", `--remote=${stack().dbUrl}`, "--yes", "--skip-vault", "--workdir", workdir],
      { env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" } },
      (err, stdout, stderr) =>
        resolve({ code: err ? (err.code as number) ?? 1 : 0, output: stdout + stderr }),
    );
  });
}

// The project's own migrations (all applied already) and one more.
function project(extra: string) {
  workdir = mkdtempSync(join(tmpdir(), "threadline-push-"));
  mkdirSync(join(workdir, "supabase"));
  cpSync(join(root, "supabase/config.toml"), join(workdir, "supabase/config.toml"));
  cpSync(join(root, "supabase/migrations"), join(workdir, "supabase/migrations"), {
    recursive: true,
  });
  writeFileSync(join(workdir, "supabase/migrations/29991231000000_superuser_only.sql"), extra);
}

beforeAll(() => {
  sql = adminSql();
});
afterAll(async () => {
  await sql.end();
  if (workdir) rmSync(workdir, { recursive: true, force: true });
});

describe("migrations run as hosted's postgres", () => {
  it("applies them as a role that is not a superuser", async () => {
    const [me] = await sql<{ user: string; su: string }[]>`
      select current_user as user, current_setting('is_superuser') as su`;
    expect(me).toEqual({ user: "postgres", su: "off" });
    const [applied] = await sql<{ n: number }[]>`
      select count(*)::int as n from supabase_migrations.schema_migrations`;
    expect(applied.n).toBeGreaterThan(0);
  });

  it("refuses a migration that creates a table in auth, and records nothing", async () => {
    project("create table auth.sneaky (id int);\n");
    const { code, output } = await push();
    expect(code).not.toBe(0);
    expect(output).toMatch(/permission denied for schema auth/);
    const [row] = await sql<{ t: string | null; v: number }[]>`
      select to_regclass('auth.sneaky')::text as t,
             (select count(*)::int from supabase_migrations.schema_migrations
               where version = '29991231000000') as v`;
    expect(row).toEqual({ t: null, v: 0 });
  }, 60_000);
});
