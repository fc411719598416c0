import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, type Sql } from "../helpers/db.ts";

// supabase.rpc(name, args) passes arguments by name, so a README that names
// them wrongly sends readers into errors. Every public function is listed in
// the README as `name(arg, optional?)`, with the database's own names.

const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");
let sql: Sql;

beforeAll(() => {
  sql = adminSql();
});
afterAll(() => sql.end());

describe("README RPC reference", () => {
  it("lists every public function with its argument names, optional ones marked", async () => {
    const fns = await sql<{ name: string; args: string[]; defaults: number }[]>`
      select p.proname as name, coalesce(p.proargnames[1:p.pronargs], '{}') as args, p.pronargdefaults as defaults
        from pg_proc p where p.pronamespace = 'public'::regnamespace and p.prokind = 'f'
       order by 1`;
    expect(fns.length).toBeGreaterThan(10);
    const wrong: string[] = [];
    for (const f of fns) {
      const firstOptional = f.args.length - f.defaults;
      const expected = `\`${f.name}(${
        f.args.map((a, i) => (i >= firstOptional ? `${a}?` : a)).join(", ")
      })\``;
      const documented = [...readme.matchAll(new RegExp("`" + f.name + "\\([^`]*\\)`", "g"))]
        .map((m) => m[0]);
      if (documented.length === 0) wrong.push(`${f.name}: not in the README (${expected})`);
      for (const d of documented) {
        if (d !== expected) wrong.push(`${d} should read ${expected}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
