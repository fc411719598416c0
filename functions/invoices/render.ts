import fontkit from "@pdf-lib/fontkit";
import { PDFDocument, type PDFFont, type PDFPage, rgb } from "pdf-lib";
import type { InvoiceDocument } from "./types.ts";

// An invoice as an A4 PDF. Text is set in DejaVu Sans (embedded, subset),
// so names in Latin, Greek, Cyrillic, Hebrew or Arabic letters print as
// written; the standard PDF fonts only know Latin-1. Amounts arrive as the
// database's numeric text and are printed from it: no float ever touches
// them. Long item lists continue on further pages, each numbered.

export type Fonts = { regular: Uint8Array; bold: Uint8Array };

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 50;
const GREY = rgb(0.4, 0.4, 0.4);
const LINE = rgb(0.8, 0.8, 0.8);

// 1234567.5 as text -> "1,234,567.50": the digits the database gave, grouped.
export function money(amount: string, currency: string): string {
  const m = amount.trim().match(/^(-?)(\d+)(?:\.(\d+))?$/);
  if (!m) return `${currency} ${amount}`;
  const grouped = m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${m[1]}${currency} ${grouped}.${(m[3] ?? "").padEnd(2, "0").slice(0, 2)}`;
}

const isZero = (amount: string | null) => !amount || /^-?0*(\.0*)?$/.test(amount.trim());

// Splits text into lines no wider than `width`, breaking at spaces (and
// inside a word longer than a line).
export function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line = "";
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (font.widthOfTextAtSize(candidate, size) <= width) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = "";
      let rest = word;
      while (font.widthOfTextAtSize(rest, size) > width) {
        let cut = rest.length - 1;
        while (cut > 1 && font.widthOfTextAtSize(rest.slice(0, cut), size) > width) cut--;
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
    lines.push(line);
  }
  return lines;
}

export async function renderInvoice(inv: InvoiceDocument, fonts: Fonts): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const regular = await doc.embedFont(fonts.regular, { subset: true });
  const bold = await doc.embedFont(fonts.bold, { subset: true });
  doc.setTitle(inv.invoice_number);
  doc.setSubject(inv.title ?? `Invoice ${inv.invoice_number}`);
  doc.setAuthor(inv.bills_from);
  doc.setCreator("Threadline");
  doc.setProducer("Threadline (pdf-lib)");
  doc.setCreationDate(new Date(inv.issued_at));
  doc.setModificationDate(new Date(inv.issued_at));

  const width = A4[0] - 2 * MARGIN;
  let page: PDFPage = doc.addPage(A4);
  let y = A4[1] - MARGIN;

  function text(
    s: string,
    x: number,
    opts: { size?: number; font?: PDFFont; right?: boolean; grey?: boolean } = {},
  ) {
    const size = opts.size ?? 10;
    const font = opts.font ?? regular;
    const at = opts.right ? x - font.widthOfTextAtSize(s, size) : x;
    page.drawText(s, { x: at, y, size, font, color: opts.grey ? GREY : rgb(0, 0, 0) });
  }
  function newPage() {
    page = doc.addPage(A4);
    y = A4[1] - MARGIN;
  }
  // Room for `h` more points above the footer, or a new page.
  function room(h: number, onNewPage?: () => void) {
    if (y - h >= MARGIN + 30) return;
    newPage();
    onNewPage?.();
  }
  function paragraph(label: string, body: string) {
    room(28);
    text(label, MARGIN, { font: bold });
    y -= 14;
    for (const line of wrap(body, regular, 10, width)) {
      room(14);
      text(line, MARGIN);
      y -= 14;
    }
    y -= 6;
  }

  // Heading: who bills, the number and dates.
  text("INVOICE", MARGIN, { size: 22, font: bold });
  text(inv.invoice_number, MARGIN + width, { size: 14, font: bold, right: true });
  y -= 22;
  text(`Issued ${inv.issued_on}`, MARGIN + width, { right: true, grey: true });
  if (inv.due_on) {
    y -= 14;
    text(`Due ${inv.due_on}`, MARGIN + width, { right: true, grey: true });
  }
  y -= 30;

  const half = width / 2 - 10;
  const from = wrap(inv.bills_from, regular, 10, half);
  const to = wrap(
    [inv.bills_to, inv.recipient_email].filter(Boolean).join("\n"),
    regular,
    10,
    half,
  );
  text("From", MARGIN, { font: bold });
  text("Bill to", MARGIN + width / 2, { font: bold });
  y -= 14;
  for (let i = 0; i < Math.max(from.length, to.length); i++) {
    room(14);
    if (from[i]) text(from[i], MARGIN);
    if (to[i]) text(to[i], MARGIN + width / 2);
    y -= 14;
  }
  y -= 16;
  if (inv.title) {
    for (const line of wrap(inv.title, bold, 12, width)) {
      room(16);
      text(line, MARGIN, { size: 12, font: bold });
      y -= 16;
    }
    y -= 4;
  }
  if (inv.description) paragraph("Description", inv.description);

  // The lines: name wraps in its column; quantity, unit price and total right-aligned.
  const cols = { qty: MARGIN + width * 0.62, unit: MARGIN + width * 0.8, total: MARGIN + width };
  const nameWidth = width * 0.52;
  function tableHead() {
    text("Item", MARGIN, { font: bold });
    text("Qty", cols.qty, { font: bold, right: true });
    text("Unit price", cols.unit, { font: bold, right: true });
    text("Amount", cols.total, { font: bold, right: true });
    y -= 6;
    page.drawLine({
      start: { x: MARGIN, y },
      end: { x: MARGIN + width, y },
      thickness: 0.5,
      color: LINE,
    });
    y -= 14;
  }
  room(40);
  tableHead();
  for (const item of inv.items) {
    const lines = wrap(item.name, regular, 10, nameWidth);
    room(14 * lines.length, tableHead);
    text(item.quantity, cols.qty, { right: true });
    text(money(item.unit_price, inv.currency), cols.unit, { right: true });
    text(money(item.total, inv.currency), cols.total, { right: true });
    for (const line of lines) {
      text(line, MARGIN);
      y -= 14;
    }
    y -= 4;
  }
  page.drawLine({
    start: { x: MARGIN, y: y + 8 },
    end: { x: MARGIN + width, y: y + 8 },
    thickness: 0.5,
    color: LINE,
  });
  y -= 6;

  const totals: [string, string, boolean][] = [["Subtotal", inv.subtotal, false]];
  if (!isZero(inv.discount)) totals.push(["Discount", `-${inv.discount}`, false]);
  if (!isZero(inv.tax) || !isZero(inv.tax_rate)) {
    totals.push([`Tax (${inv.tax_rate ?? "0"}%)`, inv.tax, false]);
  }
  totals.push(["Total", inv.total_amount, true]);
  if (!isZero(inv.amount_paid)) totals.push(["Paid", `-${inv.amount_paid}`, false]);
  totals.push(["Balance due", inv.balance_due, true]);
  room(16 * totals.length);
  for (const [label, amount, strong] of totals) {
    const font = strong ? bold : regular;
    text(label, cols.unit, { font, right: true });
    text(money(amount, inv.currency), cols.total, { font, right: true });
    y -= 16;
  }
  y -= 14;
  if (inv.notes) paragraph("Notes", inv.notes);

  const pages = doc.getPages();
  pages.forEach((p, i) => {
    const label = `${inv.invoice_number} · page ${i + 1} of ${pages.length}`;
    p.drawText(label, {
      x: A4[0] - MARGIN - regular.widthOfTextAtSize(label, 8),
      y: MARGIN - 20,
      size: 8,
      font: regular,
      color: GREY,
    });
  });
  return await doc.save();
}
