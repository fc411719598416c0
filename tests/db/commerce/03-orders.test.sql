-- Orders: who reads and writes orders, items, their history and notice
-- templates; human numbers and their format; the customer snapshot; totals
-- computed by the database; the status workflow; stock taken and returned;
-- contacts' figures; WhatsApp notices through the send path, refused for a
-- contact who opted out.
begin;
select plan(68);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
update public.workspaces set currency = 'NGN', default_tax_rate = 7.5 where id = :'ws';
insert into public.contacts (id, workspace_id, name, phone, email) values
  ('c0000000-0000-0000-0000-0000000000a1', :'ws', 'Ada Obi', '2348010000001', 'ada@example.com'),
  ('c0000000-0000-0000-0000-0000000000a2', :'ws', 'Bola Ade', '2348010000002', null);
insert into public.inventory_items (id, workspace_id, name, sku, current_stock, min_stock_level, selling_price) values
  ('1e000000-0000-0000-0000-0000000000a1', :'ws', 'Ankara, 6 yards', 'ANK-6', 10, 2, 15000),
  ('1e000000-0000-0000-0000-0000000000a2', :'ws', 'Lining', 'LIN-1', 3, 0, 2500.50);

\set everyone '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:1''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set members '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admins '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:0''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admin_inserts '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set member_inserts '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set nobody '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''42501''), (''owner'', ''42501'') $$'
\set new_order 'insert into public.orders (id, workspace_id, contact_id, title) values (%L, %L, %L, %L)'
\set new_item 'insert into public.order_items (order_id, inventory_item_id, item_name, quantity, unit_price) values (%L, %L, %L, %s, %s)'

-- Who may do what ------------------------------------------------------------------------
select tests.run_as('acme_member', format(:'new_order', '0d000000-0000-0000-0000-000000000001', :'ws', 'c0000000-0000-0000-0000-0000000000a1', 'Agbada for the wedding'));
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.orders where id = ''0d000000-0000-0000-0000-000000000001'''),
  :everyone, 'orders: every member reads them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.orders (workspace_id, customer_name, title) values (%L, ''Walk-in'', ''Hem'')', :'ws')),
  :member_inserts, 'orders: members take them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.orders set priority = ''high'' where id = ''0d000000-0000-0000-0000-000000000001'''),
  :members, 'orders: members work on them');
select tests.run_as('acme_member', format('insert into public.orders (id, workspace_id, customer_name, title) values (''0d000000-0000-0000-0000-000000000009'', %L, ''Walk-in'', ''Hem'')', :'ws'));
select tests.run_as('acme_member', format(:'new_item', '0d000000-0000-0000-0000-000000000001', null, 'Embroidery', 1, 5000));
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.orders where id = ''0d000000-0000-0000-0000-000000000009'''),
  :admins, 'orders: admins remove them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format(:'new_item', '0d000000-0000-0000-0000-000000000001', null, 'Embroidery', 1, 5000)),
  $$ values ('anon', '42501'), ('outsider', 'P0002'), ('viewer', '42501'), ('member', 'ok:1'), ('admin', 'ok:1'), ('owner', 'ok:1') $$,
  'items: members add them (an outsider does not find the order)');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.order_items where item_name = ''Embroidery'' limit 1'),
  :everyone, 'items: every member reads them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.order_items set quantity = 1 where id = (select id from public.order_items where item_name = ''Embroidery'' limit 1)'),
  :members, 'items: members change them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.order_items where id = (select id from public.order_items where item_name = ''Embroidery'' limit 1)'),
  :members, 'items: members remove them');
delete from public.order_items where item_name = 'Embroidery';
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.order_status_changes where order_id = ''0d000000-0000-0000-0000-000000000001'''),
  :everyone, 'status history: every member reads it');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.order_status_changes (order_id, workspace_id, to_status) values (''0d000000-0000-0000-0000-000000000001'', %L, ''completed'')', :'ws')),
  :nobody, 'status history: written by the database only');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.orders set number = 99 where id = ''0d000000-0000-0000-0000-000000000001'''),
  :nobody, 'numbers are the database''s');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.orders set total_amount = 1 where id = ''0d000000-0000-0000-0000-000000000001'''),
  :nobody, 'so are totals');
select is(tests.error_as('acme_outsider', format(:'new_item', '0d000000-0000-0000-0000-000000000001', null, 'Probe', 1, 1)),
  'P0002 order not found', 'an outsider adding to our order is told it does not exist');
select is(tests.error_as('acme_outsider', format(:'new_item', gen_random_uuid(), null, 'Probe', 1, 1)),
  'P0002 order not found', 'exactly as for an order that does not exist');
select is(tests.error_as('beta_owner', format('insert into public.orders (workspace_id, contact_id, title) values (%L, %L, ''x'')', :'beta', 'c0000000-0000-0000-0000-0000000000a1')),
  'P0002 contact not found in this workspace', 'another workspace''s contact is not found');
select is(tests.error_as('beta_owner', format('insert into public.orders (workspace_id, customer_name, title) values (%L, ''x'', ''y'')', :'ws')),
  '42501 new row violates row-level security policy for table "orders"', 'nor can an outsider order into our workspace');
select is(array(select * from tests.tenant_leaks('beta_owner', :'ws')), '{}'::text[], 'another workspace''s owner reaches nothing of ours');

-- Numbers, snapshot, currency --------------------------------------------------------------
delete from public.orders where workspace_id = :'ws' and id <> '0d000000-0000-0000-0000-000000000001';
select is((select (number, order_number, customer_name, customer_email, customer_phone, currency, tax_rate)
             from public.orders where id = '0d000000-0000-0000-0000-000000000001'),
  (1::bigint, 'ORD-00001'::text, 'Ada Obi'::text, 'ada@example.com'::text, '2348010000001'::text, 'NGN'::text, 7.50::numeric(5,2)),
  'number 1, formatted; the client''s name, email and phone copied; the workspace''s currency and tax rate');
update public.contacts set name = 'Ada Obi-Okafor' where id = 'c0000000-0000-0000-0000-0000000000a1';
select is((select customer_name from public.orders where id = '0d000000-0000-0000-0000-000000000001'), 'Ada Obi',
  'a snapshot: the order keeps the name it was made with');
update public.workspaces set order_number_format = 'TL/{YYYY}/{number:3}' where id = :'ws';
select tests.run_as('acme_member', format(:'new_order', '0d000000-0000-0000-0000-000000000002', :'ws', 'c0000000-0000-0000-0000-0000000000a2', 'Trousers'));
select is((select order_number from public.orders where id = '0d000000-0000-0000-0000-000000000002'),
  'TL/' || to_char(now() at time zone 'UTC', 'YYYY') || '/' || lpad((select number from public.orders where id = '0d000000-0000-0000-0000-000000000002')::text, 3, '0'),
  'the workspace''s format');
select is(private.format_order_number('#{number:2}', 12345, now(), 'UTC'), '#12345', 'padding never cuts a number');
select is(tests.try_as('acme_admin', format('update public.workspaces set order_number_format = ''ORD-{YYYY}'' where id = %L', :'ws')), '23514',
  'a format without {number} is refused');
select is(tests.error_as('acme_member', format('insert into public.orders (workspace_id, title) values (%L, ''Nameless'')', :'ws')),
  '23502 an order needs a client: contact_id, or at least customer_name', 'an order needs a client');
select is(tests.error_as('acme_member', format('insert into public.orders (workspace_id, customer_name, title, status) values (%L, ''X'', ''Y'', ''completed'')', :'ws')),
  '55000 a new order starts pending, not completed', 'a new order starts pending');
select is(tests.error_as('acme_member', format('insert into public.orders (workspace_id, customer_name, title, assigned_to) values (%L, ''X'', ''Y'', %L)', :'ws', tests.get_supabase_uid('beta_owner'))),
  '23503 assigned_to must be an active member of the workspace', 'the assignee is a member');

-- Totals ------------------------------------------------------------------------------------
select tests.run_as('acme_member', format(:'new_item', '0d000000-0000-0000-0000-000000000001', '1e000000-0000-0000-0000-0000000000a1', null, 2, 'null'));
select tests.run_as('acme_member', format(:'new_item', '0d000000-0000-0000-0000-000000000001', '1e000000-0000-0000-0000-0000000000a2', null, 3, 'null'));
select tests.run_as('acme_member', format(:'new_item', '0d000000-0000-0000-0000-000000000001', null, 'Tailoring', 1, 20000.10));
select is((select array_agg((item_name, unit_price, total_price)::text order by total_price) from public.order_items where order_id = '0d000000-0000-0000-0000-000000000001'),
  array['(Lining,2500.50,7501.50)', '(Tailoring,20000.10,20000.10)', '("Ankara, 6 yards",15000.00,30000.00)'],
  'items default to the inventory item''s name and selling price; totals are quantity x price');
select tests.run_as('acme_member', 'update public.orders set discount = 1501.60 where id = ''0d000000-0000-0000-0000-000000000001''');
select is((select (subtotal, discount, tax, total_amount, balance_due, payment_status) from public.orders where id = '0d000000-0000-0000-0000-000000000001'),
  (57501.60::numeric(12,2), 1501.60::numeric(12,2), 4200.00::numeric(12,2), 60200.00::numeric(12,2), 60200.00::numeric(12,2), 'unpaid'::public.payment_status),
  'subtotal, discount, 7.5% tax of 56,000.00, total and balance');
select is(tests.error_as('acme_member', 'update public.orders set discount = 60000 where id = ''0d000000-0000-0000-0000-000000000001'''),
  '23514 the discount 60000.00 is more than the subtotal 57501.60 of order ORD-00001', 'a discount above the subtotal is refused');
select tests.run_as('acme_member', 'select public.record_payment(20000, ''NGN'', order_id => ''0d000000-0000-0000-0000-000000000001'')');
select is((select (balance_due, payment_status) from public.orders where id = '0d000000-0000-0000-0000-000000000001'),
  (40200.00::numeric(12,2), 'partial'::public.payment_status), 'a deposit: partial, with the balance due');
select is(tests.error_as('acme_member', 'select public.record_payment(40200.01, ''NGN'', order_id => ''0d000000-0000-0000-0000-000000000001'')'),
  '23514 payment would overpay order ORD-00001: 40200.00 NGN due, 40200.01 NGN offered', 'overpayment is refused');
select is((select (total_orders, total_revenue) from public.contacts where id = 'c0000000-0000-0000-0000-0000000000a1'),
  (1, 20000.00::numeric(12,2)), 'the client''s figures: one order, what was paid');

-- Workflow and stock -----------------------------------------------------------------------
select is(tests.error_as('acme_member', 'update public.orders set status = ''completed'' where id = ''0d000000-0000-0000-0000-000000000001'''),
  '55000 order ORD-00001 cannot go from pending to completed', 'pending goes in-progress or cancelled only');
select tests.run_as('acme_member', format(:'new_item', '0d000000-0000-0000-0000-000000000002', '1e000000-0000-0000-0000-0000000000a2', null, 1, 'null'));
select tests.run_as('acme_member', 'update public.orders set status = ''in-progress'' where id = ''0d000000-0000-0000-0000-000000000001''');
select is((select array_agg((sku, current_stock, status)::text order by sku) from public.inventory_items where workspace_id = :'ws'),
  array['(ANK-6,8,in-stock)', '(LIN-1,0,out-of-stock)'], 'in-progress takes the items out of stock');
select is((select array_agg((movement_type, quantity, previous_stock, new_stock, reference_type)::text order by quantity)
             from public.inventory_movements where reference_id = '0d000000-0000-0000-0000-000000000001'),
  array['(stock-out,2,10,8,order)', '(stock-out,3,3,0,order)'], 'as movements referencing the order');
select is((select started_at is not null from public.orders where id = '0d000000-0000-0000-0000-000000000001'), true, 'started_at is set');
select is(tests.error_as('acme_member', format(:'new_item', '0d000000-0000-0000-0000-000000000001', null, 'Late', 1, 1)),
  '55000 the items of order ORD-00001 change only while it is pending (it is in-progress)', 'items are fixed once work starts');
select is(tests.error_as('acme_member', 'update public.orders set status = ''in-progress'' where id = ''0d000000-0000-0000-0000-000000000002'''),
  '23514 not enough stock of LIN-1 (Lining): 0 pcs on hand, 1 requested', 'stock never goes negative: the second order waits');
select is((select status from public.orders where id = '0d000000-0000-0000-0000-000000000002'), 'pending'::public.work_order_status, 'and stays pending');
select is(tests.error_as('acme_admin', 'delete from public.orders where id = ''0d000000-0000-0000-0000-000000000001'''),
  '55000 order ORD-00001 is in-progress: cancel it instead of deleting it', 'an order holding stock is not deleted');
select tests.run_as('acme_member', 'update public.orders set status = ''cancelled'', cancel_reason = ''client changed her mind'' where id = ''0d000000-0000-0000-0000-000000000001''');
select is((select array_agg((sku, current_stock)::text order by sku) from public.inventory_items where workspace_id = :'ws'),
  array['(ANK-6,10)', '(LIN-1,3)'], 'cancelling returns the stock');
select is((select count(*)::integer from public.inventory_movements where reference_id = '0d000000-0000-0000-0000-000000000001' and movement_type = 'return'),
  2, 'as return movements');
select is(tests.error_as('acme_member', 'update public.orders set status = ''in-progress'' where id = ''0d000000-0000-0000-0000-000000000001'''),
  '55000 order ORD-00001 is cancelled: only its notes can change (and what was paid be refunded)', 'cancelled is final');
select is(tests.error_as('acme_member', 'update public.orders set notes = ''refund sent'' where id = ''0d000000-0000-0000-0000-000000000001'''),
  'ok:1', 'but a note can still be added');
select is((select (total_orders, total_revenue, last_order_at) from public.contacts where id = 'c0000000-0000-0000-0000-0000000000a1'),
  (0, 0.00::numeric(12,2), null::timestamptz), 'a cancelled order leaves the client''s figures');
select tests.run_as('acme_member', 'update public.orders set status = ''in-progress'' where id = ''0d000000-0000-0000-0000-000000000002''');
select tests.run_as('acme_member', 'update public.orders set status = ''completed'' where id = ''0d000000-0000-0000-0000-000000000002''');
select is((select (status, completed_at is not null) from public.orders where id = '0d000000-0000-0000-0000-000000000002'),
  ('completed'::public.work_order_status, true), 'in-progress then completed');
select is(tests.error_as('acme_member', 'update public.orders set status = ''cancelled'' where id = ''0d000000-0000-0000-0000-000000000002'''),
  '55000 order ' || (select order_number from public.orders where id = '0d000000-0000-0000-0000-000000000002') || ' cannot go from completed to cancelled', 'completed is final');
select is((select array_agg((from_status, to_status)::text order by changed_at, id) from public.order_status_changes where order_id = '0d000000-0000-0000-0000-000000000002'),
  array['(,pending)', '(pending,in-progress)', '(in-progress,completed)'], 'the status history');

-- Two lines of one item: one check on their total, one movement per line
select tests.run_as('acme_member', format('insert into public.orders (id, workspace_id, contact_id, title) values (''0d000000-0000-0000-0000-0000000000c3'', %L, %L, ''Two cuts'')', :'ws', 'c0000000-0000-0000-0000-0000000000a2'));
select tests.run_as('acme_member', format(:'new_item', '0d000000-0000-0000-0000-0000000000c3', '1e000000-0000-0000-0000-0000000000a1', null, 6, 'null'));
select tests.run_as('acme_member', format(:'new_item', '0d000000-0000-0000-0000-0000000000c3', '1e000000-0000-0000-0000-0000000000a1', null, 5, 'null'));
select is(tests.error_as('acme_member', 'update public.orders set status = ''in-progress'' where id = ''0d000000-0000-0000-0000-0000000000c3'''),
  '23514 not enough stock of ANK-6 (Ankara, 6 yards): 10 pcs on hand, 11 requested', 'lines of one item are checked on their total');
select tests.run_as('acme_member', 'update public.order_items set quantity = 4 where order_id = ''0d000000-0000-0000-0000-0000000000c3'' and quantity = 5');
select tests.run_as('acme_member', 'update public.orders set status = ''in-progress'' where id = ''0d000000-0000-0000-0000-0000000000c3''');
select is((select array_agg((quantity, previous_stock, new_stock)::text order by created_at, new_stock desc)
             from public.inventory_movements where reference_id = '0d000000-0000-0000-0000-0000000000c3'),
  array['(6,10,4)', '(4,4,0)'], 'one movement per line, each from the level the one before left');
select is((select current_stock from public.inventory_items where id = '1e000000-0000-0000-0000-0000000000a1'), 0, 'the item is down by both');
select tests.run_as('acme_member', 'update public.orders set status = ''cancelled'' where id = ''0d000000-0000-0000-0000-0000000000c3''');
select is((select current_stock from public.inventory_items where id = '1e000000-0000-0000-0000-0000000000a1'), 10, 'and cancelling returns both');

-- Contacts' figures after several orders and payments
select tests.run_as('acme_member', format('insert into public.orders (workspace_id, contact_id, title, order_date) values (%L, %L, ''Kaftan'', ''2026-11-01'')', :'ws', 'c0000000-0000-0000-0000-0000000000a2'));
select tests.run_as('acme_member', format(:'new_item', (select id from public.orders where title = 'Kaftan'), null, 'Kaftan', 1, 100));
select tests.run_as('acme_member', 'select public.record_payment(total_amount, currency, order_id => id) from public.orders where title = ''Kaftan''');
select is((select (total_orders, total_revenue) from public.contacts where id = 'c0000000-0000-0000-0000-0000000000a2'),
  (2, 107.50::numeric(12,2)), 'two orders; revenue is what was paid (100 + 7.5% tax)');
select is((select payment_status from public.orders where title = 'Kaftan'), 'paid'::public.payment_status, 'paid in full');
select is((select last_order_at from public.contacts where id = 'c0000000-0000-0000-0000-0000000000a2'),
  (select order_date from public.orders where id = '0d000000-0000-0000-0000-000000000002'), 'last_order_at is the latest order''s date');
select tests.run_as('acme_member', 'update public.orders set status = ''cancelled'' where title = ''Kaftan''');
select is((select (total_orders, total_revenue) from public.contacts where id = 'c0000000-0000-0000-0000-0000000000a2'),
  (1, 0.00::numeric(12,2)), 'cancelled: its order and payment leave the figures');

-- WhatsApp notices ----------------------------------------------------------------------
select tests.open_cloud_conversation(:'ws', 'c5000000-0000-0000-0000-0000000000a1', 'PN-ORD', '2348010000001') as conv \gset
select is((select contact_id from public.conversations where id = :'conv'), 'c0000000-0000-0000-0000-0000000000a1'::uuid,
  'the customer writing on WhatsApp is the order''s client');
insert into public.message_templates (id, workspace_id, channel_id, name, language, category, status, components) values
  ('7e000000-0000-0000-0000-0000000000a1', :'ws', 'c5000000-0000-0000-0000-0000000000a1', 'order_ready', 'en', 'UTILITY', 'APPROVED',
   '[{"type":"BODY","text":"Hello {{1}}, your order {{2}} is {{3}}."}]'),
  ('7e000000-0000-0000-0000-0000000000a2', :'ws', 'c5000000-0000-0000-0000-0000000000a1', 'promo', 'en', 'MARKETING', 'APPROVED',
   '[{"type":"BODY","text":"Sale!"}]');
select is(tests.error_as('acme_admin', format('insert into public.order_status_templates (workspace_id, status, template_id) values (%L, ''completed'', %L)', :'ws', '7e000000-0000-0000-0000-0000000000a2')),
  '22023 order notices use UTILITY templates; "promo" is MARKETING', 'a marketing template is refused');
select is(tests.error_as('acme_admin', format('insert into public.order_status_templates (workspace_id, status, template_id, parameters) values (%L, ''completed'', %L, ''["{customer_name}"]'')', :'ws', '7e000000-0000-0000-0000-0000000000a1')),
  '22023 the template''s body takes 3 parameter(s) as an array, in order', 'parameters must fit the template');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.order_status_templates (workspace_id, status, template_id, parameters) values (%L, ''completed'', %L, ''["{customer_name}", "{order_number}", "ready"]'')', :'ws', '7e000000-0000-0000-0000-0000000000a1')),
  :admin_inserts, 'notice templates: admins map them');
insert into public.order_status_templates (workspace_id, status, template_id, parameters)
values (:'ws', 'in-progress', '7e000000-0000-0000-0000-0000000000a1', '["{customer_name}", "{order_number}", "being made"]'),
       (:'ws', 'completed', '7e000000-0000-0000-0000-0000000000a1', '["{customer_name}", "{order_number}", "ready for pick-up"]');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.order_status_templates where status = ''completed'''),
  :everyone, 'notice templates: every member reads them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.order_status_templates set is_active = true where status = ''completed'''),
  :admins, 'notice templates: admins change them');
select tests.run_as('acme_member', format(:'new_order', '0d000000-0000-0000-0000-000000000003', :'ws', 'c0000000-0000-0000-0000-0000000000a1', 'Buba'));
select tests.run_as('acme_member', 'update public.orders set status = ''in-progress'' where id = ''0d000000-0000-0000-0000-000000000003''');
select is((select (m.type, m.content, m.order_id, m.status, m.conversation_id) from public.order_status_changes s join public.messages m on m.id = s.message_id
            where s.order_id = '0d000000-0000-0000-0000-000000000003' and s.to_status = 'in-progress'),
  ('template'::public.message_type, 'Hello Ada Obi-Okafor, your order ' || (select order_number from public.orders where id = '0d000000-0000-0000-0000-000000000003') || ' is being made.',
   '0d000000-0000-0000-0000-000000000003'::uuid, 'pending'::public.message_status, :'conv'::uuid),
  'a status change sends the mapped template through the send path, linked to the order, in the client''s conversation');
select is((select count(*)::integer from private.outbox o join public.messages m on m.id = o.message_id where m.order_id = '0d000000-0000-0000-0000-000000000003'),
  1, 'and queues it for the dispatcher');
update public.contacts set opted_in = false, opted_out_at = now() where id = 'c0000000-0000-0000-0000-0000000000a1';
select tests.run_as('acme_member', 'update public.orders set status = ''completed'' where id = ''0d000000-0000-0000-0000-000000000003''');
select is((select (message_id, message_error) from public.order_status_changes where order_id = '0d000000-0000-0000-0000-000000000003' and to_status = 'completed'),
  (null::uuid, 'the contact opted out of messages'::text), 'an opted-out client is not messaged; the history says why');
select is((select status from public.orders where id = '0d000000-0000-0000-0000-000000000003'), 'completed'::public.work_order_status,
  'and the status change stands');

select is(tests.run_as('acme_admin', 'delete from public.inventory_items where sku = ''LIN-1'''), 1::bigint,
  'an item used by completed orders can be removed');
select is((select count(*)::integer from public.order_items where workspace_id = :'ws' and item_name = 'Lining' and inventory_item_id is null), 2,
  'their lines keep their name and price, unlinked');
select is(tests.error_as('acme_owner', format('delete from public.workspaces where id = %L', :'ws')), 'ok:1',
  'a workspace with orders in progress can still be deleted, orders and all');

select * from finish();
rollback;
