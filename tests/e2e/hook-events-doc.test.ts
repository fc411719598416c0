import { readFileSync } from "node:fs";
import { afterAll, expect, it } from "vitest";
import { adminSql } from "../helpers/db.ts";
import { root } from "../helpers/readme.ts";

// Every type a hook may subscribe to is documented for the receivers, and
// the documentation names no type the database does not emit.
const sql = adminSql();
afterAll(() => sql.end());

it("docs/hook-events.md documents exactly hook_event_types()", async () => {
  const doc = readFileSync(`${root}/docs/hook-events.md`, "utf8");
  const documented = [...doc.matchAll(/^\| `([a-z_]+\.[a-z_]+)` \|/gm)].map((m) => m[1]);
  const [{ types }] = await sql<{ types: string[] }[]>`select public.hook_event_types() as types`;
  expect([...documented].sort()).toEqual([...types, "hook.test"].sort());
});
