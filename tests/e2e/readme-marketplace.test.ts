import type { Tx } from "../helpers/db.ts";
import { walkthrough } from "../helpers/readme.ts";

// The README's marketplace walkthrough, run verbatim: anon browses the demo
// shop, Carol buys two shirts with her choices, the tailors see the order,
// its client and their notification, and Carol's review and like show at
// once in the public listing.
const demo = "00000000-0000-4000-b000-000000000001";
const carol = "00000000-0000-4000-a000-000000000010";
const products = [1, 2, 3].map((n) => `00000000-0000-4000-9500-00000000000${n}`);

// What a previous run left, undone as an operator would: Carol's orders
// (with their timeline entries and the numbers they used), the sellers'
// notifications, her contact, her review and like, and the demo products'
// counters (folded by the tick or still pending).
async function forget(tx: Tx) {
  const orders = await tx<{ id: string }[]>`
    select id from public.orders where workspace_id = ${demo} and source = 'marketplace'`;
  const ids = orders.map((o) => o.id);
  if (ids.length > 0) {
    await tx`delete from private.outbox where message_id in (select id from public.messages where order_id = any(${ids}))`;
    await tx`delete from public.messages where order_id = any(${ids})`;
    await tx`select set_config('threadline.order_mirror', 'on', true)`;
    await tx`delete from public.orders where id = any(${ids})`;
    await tx`delete from public.client_interactions where metadata ->> 'order_id' = any(${ids})`;
    await tx`update private.workspace_counters
                set last_value = (select coalesce(max(number), 0) from public.orders where workspace_id = ${demo})
              where workspace_id = ${demo} and kind = 'order'`;
  }
  await tx`delete from public.notifications where workspace_id = ${demo} and type = 'marketplace_order'`;
  await tx`delete from public.contacts where workspace_id = ${demo} and phone = '5521998877665'`;
  await tx`delete from public.product_reviews where user_id = ${carol}`;
  await tx`delete from public.product_likes where user_id = ${carol}`;
  await tx`select set_config('threadline.product_counts', 'on', true)`;
  await tx`delete from public.product_counter_deltas where product_id = any(${products}::uuid[])`;
  await tx`update public.marketplace_products
              set likes_count = 0, sales_count = 0, review_count = 0, rating_total = 0, rating = 0
            where id = any(${products}::uuid[])`;
}

walkthrough("README marketplace walkthrough", "### A purchase, end to end", 4, forget);
