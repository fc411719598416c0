-- Finance under attack by PostgREST clients: NaN amounts (numeric takes
-- 'NaN', which compares above every number: a NaN entry in the append-only
-- ledger made every report and goal of its category NaN for good, and a
-- NaN invoice line let any payment fit its balance), an entry dressed as a
-- payment or left unsplit through the database's metadata keys, and totals
-- too large for numeric(12,2) said plainly.
begin;
select plan(18);
select tests.create_workspace_with_roles('acme') as ws \gset
insert into public.auto_splits (workspace_id, name, split_type, value, category) values (:'ws', 'Tax', 'percentage', 10, 'tax');
insert into public.financial_goals (id, workspace_id, title, target_amount, category) values ('60000000-0000-0000-0000-000000000001', :'ws', 'Rent', 1000, 'rent');
\set entry 'insert into public.transactions (workspace_id, transaction_type, category, amount, metadata) values (%L, %L, %L, %L, %L)'
\set invoice 'insert into public.invoices (workspace_id, bills_to, items) values (%L, ''Walk-in'', %L)'

-- NaN ------------------------------------------------------------------------------------
select is(tests.error_as('acme_member', format(:'entry', :'ws', 'expense', 'rent', 'NaN', '{}')),
  '23514 new row for relation "transactions" violates check constraint "transactions_amount_check"', 'a ledger entry''s amount is a number');
select is((select current_amount from public.financial_goals where id = '60000000-0000-0000-0000-000000000001'), 0.00,
  'and the goal of its category is untouched');
select is(tests.error_as('acme_member', format(:'invoice', :'ws', '[{"name": "Hem", "unit_price": "NaN"}]')),
  '22023 invoice line "Hem" needs a positive quantity and a unit_price of 0 or more', 'an invoice line''s price is a number');
select is(tests.error_as('acme_member', format(:'invoice', :'ws', '[{"name": "Hem", "unit_price": 5, "quantity": "NaN"}]')),
  '22023 invoice line "Hem" needs a positive quantity and a unit_price of 0 or more', 'and its quantity');
select is(tests.error_as('acme_admin', format($$insert into public.auto_splits (workspace_id, name, split_type, value, category) values (%L, 'Fund', 'fixed_amount', 'NaN', 'fund')$$, :'ws')),
  '23514 new row for relation "auto_splits" violates check constraint "auto_splits_value_check"', 'a split''s value is a number');
select is(tests.error_as('acme_admin', $$update public.financial_goals set target_amount = 'NaN' where id = '60000000-0000-0000-0000-000000000001'$$),
  '23514 new row for relation "financial_goals" violates check constraint "financial_goals_target_amount_check"', 'and a goal''s target');
insert into public.orders (id, workspace_id, title, customer_name) values ('0d000000-0000-0000-0000-000000000001', :'ws', 'Agbada', 'Ada Obi');
insert into public.order_items (order_id, item_name, quantity, unit_price) values ('0d000000-0000-0000-0000-000000000001', 'Agbada', 1, 100);
select is(tests.error_as('acme_member', $$select public.record_refund('NaN', 'USD', order_id => '0d000000-0000-0000-0000-000000000001')$$),
  '22023 a refund amount is positive, in cents at most (got NaN)', 'a payment or refund is a number too');

-- The database's metadata -----------------------------------------------------------------
select is(tests.error_as('acme_member', format(:'entry', :'ws', 'income', 'sales', 100, '{"split_error": "none"}')),
  '42501 metadata keys kind and split_error are written by the database', 'a member''s income is split like any other');
select is(tests.error_as('acme_member', format(:'entry', :'ws', 'income', 'sales', 100, '{"kind": "payment"}')),
  '42501 metadata keys kind and split_error are written by the database', 'and is not dressed as a payment');
select is(tests.error_as('acme_member', format(:'entry', :'ws', 'expense', 'rent', 10, jsonb_build_object('note', repeat('x', 20000)))),
  '23514 new row for relation "transactions" violates check constraint "transactions_metadata_check"', 'and its metadata is bounded, as a timeline entry''s is');
select tests.run_as('acme_member', format(:'entry', :'ws', 'income', 'other', 100, '{"source": "market stall"}'));
select is((select array_agg((a.category, a.amount)::text) from public.transaction_allocations a
             join public.transactions t on t.id = a.transaction_id where t.metadata ->> 'source' = 'market stall'),
  '{"(tax,10.00)"}', 'other income with metadata of its own is entered, and split');
select tests.run_as('acme_member', $$select public.record_payment(50, 'USD', order_id => '0d000000-0000-0000-0000-000000000001')$$);
select is((select array_agg(metadata ->> 'kind') from public.transactions where order_id = '0d000000-0000-0000-0000-000000000001'),
  '{payment}', 'a member''s record_payment still says what its entry is');

-- Too large ---------------------------------------------------------------------------------
select is(tests.error_as('acme_member', format(:'invoice', :'ws', '[{"name": "Bolts", "unit_price": 9999999999, "quantity": 5}]')),
  '22003 the invoice lines add up to 49999999995.00, more than an amount can be (9999999999.99)',
  'lines larger than an amount holds are said plainly');
select is(tests.error_as('acme_member', format(:'invoice', :'ws', '[{"name": "Bolts", "unit_price": 9999999999.99}]')),
  'ok:1', 'the largest amount is taken');
select is(tests.error_as('acme_member', format($$insert into public.invoices (workspace_id, bills_to, items, tax_rate) values (%L, 'Walk-in', '[{"name": "Bolts", "unit_price": 9000000000}]', 20)$$, :'ws')),
  '22003 the invoice would total 10800000000.00 with its tax, more than an amount can be (9999999999.99)',
  'and a tax taking the total over is said plainly too');

-- Too many ---------------------------------------------------------------------------------
-- A draft is totalled at each edit and every issued invoice is rendered:
-- 20,000 lines took a statement 106 s (each line copied the list so far).
select is(tests.error_as('acme_member', format(:'invoice', :'ws', (select jsonb_agg(jsonb_build_object('name', 'Line ' || g, 'unit_price', 1)) from generate_series(1, 501) g))),
  '22023 an invoice has at most 500 lines, not 501', 'an invoice has a bounded number of lines');
select is(tests.error_as('acme_member', format(:'invoice', :'ws', jsonb_build_array(jsonb_build_object('name', repeat('x', 201), 'unit_price', 1)))),
  '22023 invoice line "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..." has a name of 201 characters; at most 200', 'of bounded names');
select jsonb_agg(jsonb_build_object('name', 'Line ' || g, 'unit_price', 1)) as many from generate_series(1, 500) g \gset
select is(tests.error_as('acme_member', format('with i as (%s returning subtotal) select 1 from i where subtotal = 500', format(:'invoice', :'ws', :'many'))),
  'ok:1', '500 lines are totalled');

select * from finish();
rollback;
