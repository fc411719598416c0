import type { Sql } from "../../shared/db.ts";
import { singleDrain } from "../../shared/single-drain.ts";
import type { Storage } from "../../shared/storage.ts";
import { type Fonts, renderInvoice } from "./render.ts";
import type { InvoiceDocument, Log } from "./types.ts";
import { describe } from "../../shared/errors.ts";

// Drains private.invoice_documents: each issued invoice is rendered once,
// stored in the media bucket under <workspace>/invoices/, and handed back
// to the database, which sends the notice that waited for it. Claims are
// leased, so overlapping drains never render one invoice twice at once; a
// poke during a drain makes it look again before it stops.

export type WorkerOptions = {
  sql: Sql;
  storage: Storage;
  fonts: () => Promise<Fonts>;
  batch?: number;
  leaseSeconds?: number;
  log?: Log;
};

export type DrainSummary = { stored: number; failed: number; ms: number };

export function invoicePath(doc: Pick<InvoiceDocument, "workspace_id" | "invoice_id">): string {
  return `${doc.workspace_id}/invoices/${doc.invoice_id}.pdf`;
}

export function createInvoiceWorker(opts: WorkerOptions) {
  const { sql, storage } = opts;
  const log = opts.log ?? (() => {});
  let again = false;

  async function one(doc: InvoiceDocument, s: DrainSummary) {
    try {
      const bytes = await renderInvoice(doc, await opts.fonts());
      const path = invoicePath(doc);
      const { error } = await storage.from("media").upload(path, bytes, {
        contentType: "application/pdf",
        upsert: true,
      });
      if (error) throw error;
      await sql`select private.invoice_document_stored(${doc.invoice_id}::uuid, ${path})`;
      s.stored++;
    } catch (err) {
      const reason = describe(err);
      log("invoice_document_failed", { invoice_id: doc.invoice_id, reason });
      s.failed++;
      await sql`select private.invoice_document_failed(${doc.invoice_id}::uuid, ${reason})`
        .catch((e) =>
          log("failure_not_recorded", { invoice_id: doc.invoice_id, error: describe(e) })
        );
    }
  }

  async function drainOnce(): Promise<DrainSummary> {
    const started = Date.now();
    const s: DrainSummary = { stored: 0, failed: 0, ms: 0 };
    for (;;) {
      again = false;
      const docs = await sql<{ d: InvoiceDocument }[]>`
        select d from private.claim_invoice_documents(${opts.batch ?? 10}, ${
        opts.leaseSeconds ?? 120
      }) d`;
      for (const { d } of docs) await one(d, s);
      if (docs.length === 0 && !again) break;
    }
    s.ms = Date.now() - started;
    return s;
  }

  return singleDrain(drainOnce, () => {
    again = true;
  });
}
