import { readFileSync } from "node:fs";
import { PDFDocument } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { money, renderInvoice } from "../../functions/invoices/render.ts";
import type { InvoiceDocument } from "../../functions/invoices/types.ts";

// The invoice PDF: amounts printed from the database's text, names in any
// script DejaVu Sans covers, long invoices over several pages.

const fonts = {
  regular: new Uint8Array(readFileSync("node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf")),
  bold: new Uint8Array(readFileSync("node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf")),
};

const invoice = (over: Partial<InvoiceDocument> = {}): InvoiceDocument => ({
  invoice_id: "00000000-0000-0000-0000-000000000001",
  workspace_id: "00000000-0000-0000-0000-000000000002",
  invoice_number: "INV-2026-0007",
  title: "Order ORD-00002: Linen suit",
  description: null,
  notes: null,
  bills_from: "Atelier Demo",
  bills_to: "Carla Mendes",
  recipient_email: "carla@example.com",
  currency: "BRL",
  items: [{ name: "Linen, navy", quantity: "4", unit_price: "89.90", total: "359.60" }],
  subtotal: "359.60",
  discount: "0.00",
  tax_rate: null,
  tax: "0.00",
  total_amount: "359.60",
  amount_paid: "0.00",
  balance_due: "359.60",
  issued_at: "2026-12-04T10:00:00Z",
  issued_on: "2026-12-04",
  due_on: "2026-12-14",
  attempts: 1,
  ...over,
});

describe("invoice PDF", () => {
  it("prints amounts from their digits, grouped, with the currency code", () => {
    expect(money("1111.6", "BRL")).toBe("BRL 1,111.60");
    expect(money("99999999999.99", "USD")).toBe("USD 99,999,999,999.99");
    expect(money("-300.00", "NGN")).toBe("-NGN 300.00");
    expect(money("0", "EUR")).toBe("EUR 0.00");
  });

  it("is a PDF titled by the invoice's number, with its metadata", async () => {
    const pdf = await PDFDocument.load(await renderInvoice(invoice(), fonts));
    expect(pdf.getTitle()).toBe("INV-2026-0007");
    expect(pdf.getAuthor()).toBe("Atelier Demo");
    expect(pdf.getPageCount()).toBe(1);
    expect(pdf.getCreationDate()?.toISOString()).toBe("2026-12-04T10:00:00.000Z");
  });

  it("sets names in Cyrillic, Greek and accented Latin, and long lists over more pages", async () => {
    const items = Array.from({ length: 120 }, (_, i) => ({
      name: i % 3 === 0
        ? `Пиджак льняной, размер ${i}`
        : i % 3 === 1
        ? `Ύφασμα λινό ${i} — a very long description that has to wrap over more than one line of the item column`
        : `Botões de chifre nº ${i}`,
      quantity: "1",
      unit_price: "10.00",
      total: "10.00",
    }));
    const bytes = await renderInvoice(
      invoice({
        bills_to: "Дмитрий Иванов",
        items,
        subtotal: "1200.00",
        total_amount: "1200.00",
        balance_due: "1200.00",
        notes: "Спасибо! ".repeat(200),
      }),
      fonts,
    );
    const pdf = await PDFDocument.load(bytes);
    expect(pdf.getPageCount()).toBeGreaterThanOrEqual(4);
    // Subset embedding keeps a long invoice small.
    expect(bytes.length).toBeLessThan(200_000);
  });
});
