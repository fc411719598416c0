-- Buying: a customer's purchase becomes an order in the seller's workspace
-- (contact, totals, stock, sales_count, the sellers notified) that the
-- buyer follows through my_purchases while nothing else of the seller's
-- workspace is readable to them; what is refused, and how it is said.
begin;
select plan(31);
select tests.create_workspace_with_roles('acme') as ws \gset
update public.workspaces set currency = 'NGN', default_tax_rate = 7.5 where id = :'ws';
select tests.create_supabase_user('acme_customer', 'cust@example.com', '+234 801 000 0099', '{"account_type":"customer", "full_name": "Chi Customer"}'::jsonb);
select tests.create_supabase_user('acme_shopper', 'Shopper@Example.com', null, '{"account_type":"customer"}'::jsonb);
insert into public.contacts (id, workspace_id, name, phone) values ('c0000000-0000-0000-0000-0000000000a1', :'ws', null, '2348010000099');
insert into public.inventory_items (id, workspace_id, name, sku, current_stock, selling_price) values
  ('1e000000-0000-0000-0000-0000000000c1', :'ws', 'Ankara, 6 yards', 'ANK-6', 3, 15000);
insert into public.marketplace_products (id, workspace_id, title, category, price, status, available_regions, inventory_item_id, stock_quantity, customization_options) values
  ('9b000000-0000-0000-0000-000000000001', :'ws', 'Ankara dress', 'dresses', 20000, 'published', '{NG}', null, null,
   '[{"name": "size", "type": "choice", "choices": ["S", "M", "L"], "required": true}, {"name": "note", "type": "text", "max": 10}, {"name": "length", "type": "number", "min": 90, "max": 150}]'),
  ('9b000000-0000-0000-0000-000000000002', :'ws', 'Ankara fabric', 'fabric', 15000, 'published', '{}', '1e000000-0000-0000-0000-0000000000c1', null, '[]'),
  ('9b000000-0000-0000-0000-000000000003', :'ws', 'Beaded bag', 'bags', 5000, 'published', '{}', null, 2, '[]'),
  ('9b000000-0000-0000-0000-000000000004', :'ws', 'Unreleased', 'bags', 5000, 'draft', '{}', null, null, '[]');
\set buy 'select order_number from public.buy_product(%L, %s, %L, %L)'

-- Refusals ----------------------------------------------------------------------------------
select is(tests.error_as('anon', format(:'buy', '9b000000-0000-0000-0000-000000000003', 1, null, null)),
  '42501 permission denied for function buy_product', 'anon does not buy');
select is(tests.error_as('acme_customer', format(:'buy', '9b000000-0000-0000-0000-000000000004', 1, null, null)),
  'P0002 product not found', 'a draft is not found');
select is(tests.error_as('acme_customer', format(:'buy', gen_random_uuid(), 1, null, null)),
  'P0002 product not found', 'exactly as an unknown product');
select is(tests.error_as('acme_member', format(:'buy', '9b000000-0000-0000-0000-000000000003', 1, null, null)),
  '42501 members of the selling workspace do not buy its products', 'the seller''s members do not buy from it');
select is(tests.error_as('acme_customer', format(:'buy', '9b000000-0000-0000-0000-000000000003', 0, null, null)),
  '22023 quantity: 1 to 1000', 'a quantity of at least one');
select is(tests.error_as('acme_customer', format(:'buy', '9b000000-0000-0000-0000-000000000001', 1, '{"size": "M"}', null)),
  '22023 region: where it is delivered; "Ankara dress" is sold in NG', 'a region where it is sold is needed');
select is(tests.error_as('acme_customer', format(:'buy', '9b000000-0000-0000-0000-000000000001', 1, '{"size": "M"}', 'GH')),
  '22023 region: "Ankara dress" is not sold in GH', 'and must be one');
select is(tests.error_as('acme_customer', format(:'buy', '9b000000-0000-0000-0000-000000000001', 1, '{}', 'NG-LA')),
  '22023 customisations.size: required', 'required options are required');
select is(tests.error_as('acme_customer', format(:'buy', '9b000000-0000-0000-0000-000000000001', 1, '{"size": "XL"}', 'NG')),
  '22023 customisations.size: "XL" is not one of S, M, L', 'a choice is one of its choices');
select is(tests.error_as('acme_customer', format(:'buy', '9b000000-0000-0000-0000-000000000001', 1, '{"size": "M", "colour": "red"}', 'NG')),
  '22023 customisations.colour: not an option of this product', 'unknown options are named');
select is(tests.error_as('acme_customer', format(:'buy', '9b000000-0000-0000-0000-000000000001', 1, '{"size": "M", "note": "far too long a note"}', 'NG')),
  '22023 customisations.note: 0 to 10 characters', 'texts keep their length');
select is(tests.error_as('acme_customer', format(:'buy', '9b000000-0000-0000-0000-000000000001', 1, '{"size": "M", "length": 200}', 'NG')),
  '22023 customisations.length: 200 is outside 90..150', 'numbers keep their bounds');
select is(tests.error_as('acme_customer', format(:'buy', '9b000000-0000-0000-0000-000000000001', 1, '{"size": "M", "length": "long"}', 'NG')),
  '22023 customisations.length: a number', 'and are numbers');
select is(tests.error_as('acme_customer', format(:'buy', '9b000000-0000-0000-0000-000000000002', 4, null, null)),
  '23514 not enough stock of ANK-6 (Ankara, 6 yards): 3 pcs on hand, 4 requested', 'a linked product''s stock is the item''s');
select is(tests.error_as('acme_customer', format(:'buy', '9b000000-0000-0000-0000-000000000003', 3, null, null)),
  '23514 not enough stock of "Beaded bag": 2 left, 3 requested', 'a product''s own stock too');

-- A purchase -------------------------------------------------------------------------------
select tests.run_as('acme_customer', format(:'buy', '9b000000-0000-0000-0000-000000000001', 2, '{"size": "M", "length": 120}', 'ng-la'));
select is((select (o.source, o.status, o.subtotal, o.tax, o.total_amount, o.currency, o.customer_name, o.customer_phone, o.contact_id)
             from public.orders o where o.workspace_id = :'ws'),
  ('marketplace'::text, 'in-progress'::public.work_order_status, 40000.00::numeric, 3000.00::numeric, 43000.00::numeric, 'NGN'::text,
   'Chi Customer'::text, '2348010000099'::text, 'c0000000-0000-0000-0000-0000000000a1'::uuid),
  'an order of the seller''s, in progress, its totals the database''s, for the contact with the buyer''s phone');
select is((select (name, email, source) from public.contacts where id = 'c0000000-0000-0000-0000-0000000000a1'),
  ('Chi Customer'::text, 'cust@example.com'::text, 'manual'::text), 'the contact''s missing name and email are filled in, nothing overwritten');
select is((select (item_name, item_description, quantity, unit_price) from public.order_items where workspace_id = :'ws'),
  ('Ankara dress'::text, 'size: M, length: 120'::text, 2, 20000.00::numeric), 'one item: the product, the choices, its price');
select is((select array_agg(u.raw_user_meta_data ->> 'test_identifier' order by u.raw_user_meta_data ->> 'test_identifier') from public.notifications n join auth.users u on u.id = n.user_id
            where n.workspace_id = :'ws' and n.type = 'marketplace_order'),
  '{acme_admin,acme_member,acme_owner}'::text[], 'the seller''s members are notified, not its viewer');
select tests.run_as('acme_customer', format(:'buy', '9b000000-0000-0000-0000-000000000002', 2, null, null));
select is((select current_stock from public.inventory_items where id = '1e000000-0000-0000-0000-0000000000c1'), 1, 'linked stock is taken at once, by movements');
select is((select stock_quantity from public.marketplace_products where id = '9b000000-0000-0000-0000-000000000002'), 1, 'and the product shows it');
select tests.run_as('acme_shopper', format(:'buy', '9b000000-0000-0000-0000-000000000003', 2, null, null));
select is((select (stock_quantity, sales_count) from public.marketplace_products where id = '9b000000-0000-0000-0000-000000000003'), (0, 0),
  'own stock is taken; sales_count waits for the tick on the row');
select is((select sales_count from public.marketplace_listings where id = '9b000000-0000-0000-0000-000000000003'), 2, 'marketplace_listings counts it already');
select is((select (name, email, phone) from public.contacts where workspace_id = :'ws' and email = 'shopper@example.com'),
  ('shopper'::text, 'shopper@example.com'::text, null::text), 'a buyer without a phone becomes a contact by email');

-- What the buyer reads -------------------------------------------------------------------------
select tests.authenticate_as('acme_customer');
select results_eq('select product_title, quantity, status::text, total_amount, currency from public.my_purchases()',
  $$ values ('Ankara fabric', 2, 'in-progress', 32250.00::numeric, 'NGN'), ('Ankara dress', 2, 'in-progress', 43000.00::numeric, 'NGN') $$,
  'my_purchases: the buyer''s own orders, newest first');
select is((select count(*)::integer from public.orders) + (select count(*)::integer from public.order_items) + (select count(*)::integer from public.contacts)
          + (select count(*)::integer from public.inventory_items) + (select count(*)::integer from public.notifications where workspace_id = :'ws')
          + (select count(*)::integer from public.client_interactions),
  0, 'and nothing else of the seller''s: orders, items, contacts, stock, notifications, timeline');
select tests.clear_authentication();
select is(array(select * from tests.tenant_leaks('acme_customer', :'ws')), '{}'::text[], 'nothing of the workspace leaks to a customer');
select tests.authenticate_as('acme_shopper');
select is((select count(*)::integer from public.my_purchases()), 1, 'another buyer sees their own purchase only');
select tests.clear_authentication();

-- Cancelling gives back ---------------------------------------------------------------------
select tests.run_as('acme_member', 'update public.orders set status = ''cancelled'' where title = ''Marketplace: Beaded bag''');
select is((select (stock_quantity, sales_count) from public.marketplace_listings where id = '9b000000-0000-0000-0000-000000000003'), (2, 0),
  'a cancelled marketplace order returns its own stock and its sales');
select is(private.fold_product_counters(), 3, 'the tick folds the pending counters');
select is((select array_agg(sales_count order by title) from public.marketplace_products where workspace_id = :'ws'), '{2,2,0,0}'::integer[],
  'into the rows: dress 2, fabric 2, bag 0, draft 0');

select * from finish();
rollback;
