import { forgetBooks } from "../helpers/books.ts";
import type { Tx } from "../helpers/db.ts";
import { walkthrough } from "../helpers/readme.ts";

// The README's invoice walkthrough, run verbatim: an invoice by hand,
// issued and sent on WhatsApp, paid in two parts and split; an expense;
// the reports. What a run leaves: its invoice (with its notice, payments
// and allocations) and its expense.
const demo = "00000000-0000-4000-b000-000000000001";

async function forget(tx: Tx) {
  const invoices = (await tx<{ id: string }[]>`
    select id from public.invoices where workspace_id = ${demo} and items @> '[{"name": "Hem, trousers"}]'`)
    .map((i) => i.id);
  await forgetBooks(tx, demo, { invoices, descriptions: ["Thread"] });
}

walkthrough("README invoice walkthrough", "### An invoice, end to end", 3, forget);
