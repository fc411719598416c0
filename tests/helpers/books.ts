import type { Tx } from "./db.ts";

// Undoes what a test's invoices and payments left in the demo's books, as
// an operator would: the ledger and issued invoices are append-only to
// everyone else, so their guards are disabled inside this transaction (the
// tables' owner may), then the goals are counted again and the yearly
// invoice counters set back to the highest number left.
export async function forgetBooks(
  tx: Tx,
  ws: string,
  what: { invoices?: string[]; orders?: string[]; descriptions?: string[] },
) {
  const invoices = what.invoices ?? [];
  const orders = what.orders ?? [];
  const descriptions = what.descriptions ?? [];
  await tx`alter table public.transactions disable trigger refuse_transaction_change`;
  await tx`alter table public.invoices disable trigger guard_invoice_delete`;
  await tx`delete from private.outbox where message_id in (select id from public.messages where invoice_id = any(${invoices}))`;
  await tx`delete from public.messages where invoice_id = any(${invoices})`;
  await tx`delete from public.client_interactions where metadata ->> 'invoice_id' = any(${invoices})`;
  await tx`
    delete from public.transaction_allocations a using public.transactions t
     where t.id = a.transaction_id and t.workspace_id = ${ws}
       and (t.invoice_id = any(${invoices}) or t.order_id = any(${orders}) or t.description = any(${descriptions}))`;
  await tx`
    delete from public.transactions t where t.workspace_id = ${ws}
       and (t.invoice_id = any(${invoices}) or t.order_id = any(${orders}) or t.description = any(${descriptions}))`;
  await tx`delete from public.invoices where id = any(${invoices})`;
  await tx`select set_config('threadline.goal_tally', 'on', true)`;
  await tx`update public.financial_goals g set current_amount = private.goal_amount(g) where g.workspace_id = ${ws}`;
  await tx`
    update private.workspace_counters c
       set last_value = (select coalesce(max(i.number), 0) from public.invoices i
                          where i.workspace_id = c.workspace_id and 'invoice:' || i.invoice_year = c.kind)
     where c.workspace_id = ${ws} and c.kind like 'invoice:%'`;
  await tx`alter table public.transactions enable trigger refuse_transaction_change`;
  await tx`alter table public.invoices enable trigger guard_invoice_delete`;
}
