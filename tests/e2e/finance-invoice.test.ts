import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forgetBooks } from "../helpers/books.ts";
import { adminSql, asUser, type Sql, type TestUser } from "../helpers/db.ts";
import { fake, until } from "../helpers/e2e.ts";
import { PDFDocument } from "pdf-lib";
import { ok, signIn } from "../helpers/client.ts";

// An invoice sent by a member reaches WhatsApp: the database queues the
// invoice_issued template through the send path, pg_net pokes the
// dispatcher, which sends it to the (fake) Cloud API with the invoice's
// number, amount and due date. Then the minute tick's overdue step sends
// the overdue template, once. Runs on the demo workspace (its channel and
// templates), as Maya, and removes what it made.
const demo = "00000000-0000-4000-b000-000000000001";
const maya: TestUser = {
  id: "00000000-0000-4000-a000-000000000003",
  email: "maya@demo.threadline.dev",
};
const diego = "00000000-0000-4000-e000-000000000012";
const pnid = "100000000000001";
let sql: Sql;
let invoice = "";

type Param = { type: string; text?: string; document?: { id?: string; filename?: string } };
type Logged = {
  body: {
    to?: string;
    type?: string;
    template?: { name: string; components?: { type: string; parameters: Param[] }[] };
  };
  media?: { id: string; sha256: string; mime_type: string; size: number };
};
const component = (r: Logged, type: string) =>
  r.body.template?.components?.find((c) => c.type === type)?.parameters ?? [];
const templatesTo = async (to: string, name: string) =>
  ((await (await fake(`/__fake/requests?path=${pnid}/messages`)).json()) as Logged[])
    .filter((r) => r.body?.to === to && r.body.template?.name === name);

beforeAll(() => {
  sql = adminSql();
});
afterAll(async () => {
  if (invoice) await sql.begin((tx) => forgetBooks(tx, demo, { invoices: [invoice] }));
  await sql.end();
});

describe("an invoice on WhatsApp", () => {
  it("reaches the provider as the invoice_issued template, then as invoice_overdue", async () => {
    const before = (await templatesTo("5521998765432", "invoice_issued")).length;
    const overdueBefore = (await templatesTo("5521998765432", "invoice_overdue")).length;
    const [inv] = await asUser(sql, maya, async (tx) => {
      const [made] = await tx<{ id: string }[]>`
        insert into public.invoices (workspace_id, contact_id, items, due_date)
        values (${demo}, ${diego}, '[{"name": "Hem, e2e", "unit_price": 12.34}]', '2026-01-15 23:59:59-03')
        returning id`;
      return tx<{ id: string; invoice_number: string }[]>`
        update public.invoices set status = 'sent' where id = ${made.id} returning id, invoice_number`;
    });
    invoice = inv.id;
    const sent = await until("the invoice_issued template at the provider", async () => {
      const all = await templatesTo("5521998765432", "invoice_issued");
      return all.length > before ? all[all.length - 1] : null;
    }, 20_000);
    expect(component(sent, "body").map((p) => p.text)).toEqual([
      "Diego Rocha",
      inv.invoice_number,
      "BRL",
      "12.34",
      "2026-01-15", // the day in São Paulo, the demo workspace's time zone (in UTC, the 16th)
    ]);
    const msg = await until("the message marked sent", async () => {
      const [m] = await sql<{ invoice_id: string; provider_message_id: string | null }[]>`
        select m.invoice_id, m.provider_message_id from public.messages m
          join public.invoices i on i.message_id = m.id where i.id = ${invoice}`;
      return m?.provider_message_id ? m : null;
    });
    expect(msg.invoice_id).toBe(invoice);

    // The template's DOCUMENT header carried the invoice's PDF, uploaded to
    // Meta's media endpoint: the same bytes as the object in Storage, a PDF
    // whose title is the invoice's number.
    const [header] = component(sent, "header");
    expect(header).toMatchObject({
      type: "document",
      document: { id: sent.media?.id, filename: `${inv.invoice_number}.pdf` },
    });
    expect(sent.media?.mime_type).toBe("application/pdf");
    const [doc] = await sql<{ pdf_path: string }[]>`
      select i.pdf_path from public.invoices i where i.id = ${invoice}`;
    expect(doc.pdf_path).toBe(`${demo}/invoices/${invoice}.pdf`);
    // Maya, a member, downloads it through Storage with her own session.
    const mayaClient = await signIn(maya.email, "threadline-demo");
    const file = ok(await mayaClient.storage.from("media").download(doc.pdf_path));
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect(sent.media?.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    const pdf = await PDFDocument.load(bytes);
    expect(pdf.getTitle()).toBe(inv.invoice_number);
    expect(pdf.getPageCount()).toBe(1);

    // The tick's step: past due, overdue, once.
    // (The minute tick may get there first; either way it happens once.)
    await sql`select private.mark_overdue_invoices()`;
    await until(
      "the invoice_overdue template at the provider",
      async () => (await templatesTo("5521998765432", "invoice_overdue")).length > overdueBefore,
      20_000,
    );
    const [{ again }] = await sql<
      { again: number }[]
    >`select private.mark_overdue_invoices() as again`;
    expect(again).toBe(0);
    const [row] = await sql<{ status: string; notices: number }[]>`
      select i.status, (select count(*)::integer from public.messages m where m.invoice_id = i.id) as notices
        from public.invoices i where i.id = ${invoice}`;
    expect(row).toEqual({ status: "overdue", notices: 2 });
  }, 60_000);
});
