import { forgetBooks } from "../helpers/books.ts";
import type { Tx } from "../helpers/db.ts";
import { walkthrough } from "../helpers/readme.ts";

// The README's order walkthrough, run verbatim: an order with stocked and
// hand-priced items, a deposit, stock taken when work starts, the
// order_ready notice when it completes, the client's figures.
const demo = "00000000-0000-4000-b000-000000000001";

// What a previous run on the same stack left, undone as an operator would:
// its notice, the stock it took (movements and level), its payment in the
// books, the order itself (which takes it out of Ana's figures), its
// timeline entries, and the number it used.
async function forget(tx: Tx) {
  const orders = await tx<{ id: string }[]>`
    select id from public.orders where workspace_id = ${demo} and title = 'Two navy linen shirts'`;
  const ids = orders.map((o) => o.id);
  if (ids.length === 0) return;
  await tx`delete from private.outbox where message_id in (select id from public.messages where order_id = any(${ids}))`;
  await tx`delete from public.messages where order_id = any(${ids})`;
  await tx`select set_config('threadline.inventory_move', 'on', true), set_config('threadline.order_mirror', 'on', true)`;
  await tx`
    update public.inventory_items i set current_stock = i.current_stock + t.taken
      from (select inventory_item_id,
                   sum(case movement_type when 'stock-out' then quantity when 'return' then -quantity else 0 end) as taken
              from public.inventory_movements where reference_type = 'order' and reference_id = any(${ids})
             group by inventory_item_id) t
     where i.id = t.inventory_item_id`;
  await tx`delete from public.inventory_movements where reference_type = 'order' and reference_id = any(${ids})`;
  await forgetBooks(tx, demo, { orders: ids });
  await tx`delete from public.orders where id = any(${ids})`;
  await tx`delete from public.client_interactions where metadata ->> 'order_id' = any(${ids})`;
  await tx`update private.workspace_counters
              set last_value = (select coalesce(max(number), 0) from public.orders where workspace_id = ${demo})
            where workspace_id = ${demo} and kind = 'order'`;
}

walkthrough("README order walkthrough", "### An order, end to end", 3, forget);
