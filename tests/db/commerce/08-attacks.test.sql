-- Commerce under attack by PostgREST clients: a movement naming another
-- workspace's order (which made that order's cancellation fail), NaN
-- amounts (numeric takes 'NaN', which compares above every number, so a
-- NaN price passed ">= 0" and let any payment fit a NaN balance), a line of
-- an order past pending unlinked from its stock, and totals too large for
-- numeric(12,2) said plainly.
begin;
select plan(19);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
insert into public.inventory_items (id, workspace_id, name, sku, current_stock, selling_price) values
  ('1e000000-0000-0000-0000-0000000000a1', :'ws', 'Ankara', 'ANK-6', 10, 15),
  ('1e000000-0000-0000-0000-0000000000b1', :'beta', 'Beta silk', 'SILK-1', 10, 20);
insert into public.orders (id, workspace_id, title, customer_name) values
  ('0d000000-0000-0000-0000-000000000001', :'ws', 'Agbada', 'Ada Obi'),
  ('0d000000-0000-0000-0000-000000000002', :'ws', 'Buba', 'Ada Obi');
insert into public.order_items (id, order_id, inventory_item_id, quantity) values
  ('0e000000-0000-0000-0000-000000000001', '0d000000-0000-0000-0000-000000000001', '1e000000-0000-0000-0000-0000000000a1', 2);
\set move 'insert into public.inventory_movements (inventory_item_id, workspace_id, movement_type, quantity, reference_type, reference_id) values (%L, %L, %L, 1, %L, %L)'

-- A movement naming an order ----------------------------------------------------------------
-- The order's id is no secret to everyone outside (a marketplace buyer
-- sees it in my_purchases), and a cancellation returns what the movements
-- naming it took, item by item.
select is(tests.error_as('beta_member', format(:'move', '1e000000-0000-0000-0000-0000000000b1', :'beta', 'stock-out', 'order', '0d000000-0000-0000-0000-000000000001')),
  'P0002 order not found in this workspace', 'a movement cannot name another workspace''s order');
select is(tests.error_as('beta_member', format(:'move', '1e000000-0000-0000-0000-0000000000b1', :'beta', 'stock-out', 'order', gen_random_uuid())),
  'P0002 order not found in this workspace', 'one that does not exist reads the same');
select is(tests.error_as('acme_member', format(:'move', '1e000000-0000-0000-0000-0000000000a1', :'ws', 'stock-out', 'order', '0d000000-0000-0000-0000-000000000002')),
  'ok:1', 'a movement names an order of its own workspace');
select is(tests.error_as('acme_member', format(:'move', '1e000000-0000-0000-0000-0000000000a1', :'ws', 'stock-out', 'order', null)),
  'ok:1', 'or none (the README''s "fabric out for an order")');
select tests.run_as('acme_member', $$update public.orders set status = 'in-progress' where id = '0d000000-0000-0000-0000-000000000001'$$);
select is(tests.run_as('acme_member', $$update public.orders set status = 'cancelled' where id = '0d000000-0000-0000-0000-000000000001'$$),
  1::bigint, 'the order is cancelled');
select is((select current_stock from public.inventory_items where id = '1e000000-0000-0000-0000-0000000000a1'), 10,
  'and its stock is back');

-- A line of an order past pending -------------------------------------------------------------
insert into public.orders (id, workspace_id, title, customer_name) values ('0d000000-0000-0000-0000-000000000003', :'ws', 'Kaftan', 'Ada Obi');
insert into public.order_items (id, order_id, inventory_item_id, quantity) values
  ('0e000000-0000-0000-0000-000000000003', '0d000000-0000-0000-0000-000000000003', '1e000000-0000-0000-0000-0000000000a1', 1);
update public.orders set status = 'in-progress' where id = '0d000000-0000-0000-0000-000000000003';
select is(tests.error_as('acme_member', $$update public.order_items set inventory_item_id = null where id = '0e000000-0000-0000-0000-000000000003'$$),
  '55000 the items of order ORD-00003 change only while it is pending (it is in-progress)',
  'a client does not unlink a line of an order in progress from its stock');
select is(tests.run_as('acme_admin', $$delete from public.inventory_items where id = '1e000000-0000-0000-0000-0000000000a1'$$), 1::bigint,
  'an admin deletes the item');
select is((select (inventory_item_id, item_name)::text from public.order_items where id = '0e000000-0000-0000-0000-000000000003'),
  '(,Ankara)', 'which still unlinks the lines of orders in progress');

-- NaN ------------------------------------------------------------------------------------
select is(tests.error_as('acme_member', $$insert into public.order_items (order_id, item_name, quantity, unit_price) values ('0d000000-0000-0000-0000-000000000002', 'Cap', 1, 'NaN')$$),
  '22023 item "Cap": unit_price must be a number, not NaN', 'an item''s price is a number');
select is(tests.error_as('acme_member', $$update public.orders set deposit_amount = 'NaN' where id = '0d000000-0000-0000-0000-000000000002'$$),
  '23514 new row for relation "orders" violates check constraint "orders_deposit_amount_check"', 'so is a deposit');
select is(tests.error_as('acme_admin', $$update public.inventory_items set selling_price = 'NaN' where sku = 'SILK-1'$$),
  'ok:0', '(another workspace''s item is not reached)');
insert into public.inventory_items (id, workspace_id, name, sku, selling_price, current_stock) values ('1e000000-0000-0000-0000-0000000000a2', :'ws', 'Lace', 'LACE-1', 5, 5);
select is(tests.error_as('acme_admin', $$update public.inventory_items set selling_price = 'NaN' where sku = 'LACE-1'$$),
  '23514 new row for relation "inventory_items" violates check constraint "inventory_items_selling_price_check"', 'and a selling price');
select is(tests.error_as('acme_admin', $$update public.inventory_items set cost_price = 'NaN' where sku = 'LACE-1'$$),
  '23514 new row for relation "inventory_items" violates check constraint "inventory_items_cost_price_check"', 'and a cost price');

-- Too large ---------------------------------------------------------------------------------
select is(tests.error_as('acme_member', $$insert into public.order_items (order_id, item_name, quantity, unit_price) values ('0d000000-0000-0000-0000-000000000002', 'Bolts', 1000000, 99999999)$$),
  '22003 item "Bolts" totals 99999999000000.00 (1000000 x 99999999.00), more than an amount can be (9999999999.99)',
  'a line larger than an amount holds is said plainly');
select is((select (subtotal, total_amount)::text from public.orders where id = '0d000000-0000-0000-0000-000000000002'), '(0.00,0.00)',
  'and the order is untouched');
insert into public.order_items (order_id, item_name, quantity, unit_price) values ('0d000000-0000-0000-0000-000000000002', 'Gold', 1, 6000000000);
select is(tests.error_as('acme_member', $$insert into public.order_items (order_id, item_name, quantity, unit_price) values ('0d000000-0000-0000-0000-000000000002', 'More gold', 1, 6000000000)$$),
  '22003 the items of order ORD-00002 would add up to 12000000000.00, more than an amount can be (9999999999.99)',
  'so are items adding up to more');
select is(tests.error_as('acme_member', $$update public.orders set tax_rate = 70 where id = '0d000000-0000-0000-0000-000000000002'$$),
  '22003 order ORD-00002 would total 10200000000.00 with its tax, more than an amount can be (9999999999.99)',
  'and a tax taking the total over');

select is(tests.error_as('acme_member', format($$insert into public.inventory_movements (inventory_item_id, workspace_id, movement_type, quantity) values ('1e000000-0000-0000-0000-0000000000a2', %L, 'stock-in', 2147483647)$$, :'ws')),
  '22003 stock of LACE-1 (Lace) would be 2147483652 pcs, more than an item counts (2147483647)',
  'so is a stock-in past what an item counts');

select * from finish();
rollback;
