// What the database hands the invoice function for one document
// (private.claim_invoice_documents): amounts as numeric text, dates already
// written as the WhatsApp notices write them (days in the workspace's time zone).

export type InvoiceLine = { name: string; quantity: string; unit_price: string; total: string };

export type InvoiceDocument = {
  invoice_id: string;
  workspace_id: string;
  invoice_number: string;
  title: string | null;
  description: string | null;
  notes: string | null;
  bills_from: string;
  bills_to: string;
  recipient_email: string | null;
  currency: string;
  items: InvoiceLine[];
  subtotal: string;
  discount: string;
  tax_rate: string | null;
  tax: string;
  total_amount: string;
  amount_paid: string;
  balance_due: string;
  issued_at: string;
  issued_on: string;
  due_on: string | null;
  attempts: number;
};

export type Log = (event: string, fields: Record<string, unknown>) => void;
