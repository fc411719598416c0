import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { forgetBooks } from "../helpers/books.ts";
import { adminSql, type Sql } from "../helpers/db.ts";
import { expectSection } from "../helpers/readme.ts";

// The README's invoice walkthrough, run verbatim: an invoice by hand,
// issued and sent on WhatsApp, paid in two parts and split; an expense;
// the reports.
const dir = mkdtempSync(join(tmpdir(), "readme-finance-"));
const demo = "00000000-0000-4000-b000-000000000001";

// What a previous run on the same stack left: its invoice (with its
// notice, payments and allocations) and its expense.
let sql: Sql;
async function forget() {
  await sql.begin(async (tx) => {
    const invoices = (await tx<{ id: string }[]>`
      select id from public.invoices where workspace_id = ${demo} and items @> '[{"name": "Hem, trousers"}]'`)
      .map((i) => i.id);
    await forgetBooks(tx, demo, { invoices, descriptions: ["Thread"] });
  });
}
beforeAll(async () => {
  sql = adminSql();
  await forget();
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await forget();
  await sql.end();
});

describe("README invoice walkthrough", () => {
  it("runs verbatim, printing what the README shows", async () => {
    await expectSection(dir, "### An invoice, end to end", 3);
  }, 120_000);
});
