-- Payments and refunds: the arithmetic on orders and invoices, one income
-- transaction each, the client's timeline, what is refused (overpaying,
-- refunding more than was paid, another currency, a draft), an invoice made
-- from an order counting on both, and amount_paid changed outside
-- record_payment still reaching the ledger.
begin;
select plan(22);
select tests.create_workspace_with_roles('acme') as ws \gset
update public.workspaces set currency = 'NGN', default_tax_rate = 10 where id = :'ws';
insert into public.contacts (id, workspace_id, name, phone) values ('c0000000-0000-0000-0000-0000000000a1', :'ws', 'Ada Obi', '2348010000001');
select tests.run_as('acme_member', format($$insert into public.orders (id, workspace_id, contact_id, title) values ('0d000000-0000-0000-0000-000000000001', %L, 'c0000000-0000-0000-0000-0000000000a1', 'Agbada')$$, :'ws'));
select tests.run_as('acme_member', $$insert into public.order_items (order_id, item_name, quantity, unit_price) values ('0d000000-0000-0000-0000-000000000001', 'Agbada', 2, 500)$$);
\set pay 'select public.record_payment(%s, %L, order_id => ''0d000000-0000-0000-0000-000000000001'', method => ''cash'')'
\set refund 'select public.record_refund(%s, %L, order_id => ''0d000000-0000-0000-0000-000000000001'', method => ''cash'')'

-- An order ------------------------------------------------------------------------------
select is(tests.error_as('acme_member', 'update public.orders set amount_paid = 10 where id = ''0d000000-0000-0000-0000-000000000001'''),
  '42501 permission denied for table orders', 'amount_paid is not written directly');
select tests.run_as('acme_member', format(:'pay', '400.50', 'NGN'));
select is((select (amount_paid, balance_due, payment_status) from public.orders where id = '0d000000-0000-0000-0000-000000000001'),
  (400.50::numeric(12,2), 699.50::numeric(12,2), 'partial'::public.payment_status), 'a deposit: 400.50 of 1,100.00 (10% tax)');
select is((select array_agg((transaction_type, category, amount, currency, payment_method, contact_id, metadata ->> 'kind')::text) from public.transactions where order_id = '0d000000-0000-0000-0000-000000000001'),
  array['(income,sales,400.50,NGN,cash,c0000000-0000-0000-0000-0000000000a1,payment)'], 'one income transaction referencing the order and client');
select is((select created_by from public.transactions where order_id = '0d000000-0000-0000-0000-000000000001'), tests.get_supabase_uid('acme_member'), 'recorded by the member');
select is((select subject from public.client_interactions where interaction_type = 'payment' order by occurred_at desc limit 1),
  'Payment of 400.50 NGN on order ORD-00001', 'the client''s timeline gets a payment entry');
select is(tests.error_as('acme_member', format(:'pay', '699.51', 'NGN')),
  '23514 payment would overpay order ORD-00001: 699.50 NGN due, 699.51 NGN offered', 'overpayment is refused');
select is(tests.error_as('acme_member', format(:'pay', '10', 'USD')),
  '22023 a payment in USD on order ORD-00001 in NGN: amounts are not converted', 'another currency is refused');
select is(tests.error_as('acme_member', format(:'pay', '0', 'NGN')),
  '22023 a payment amount is positive, in cents at most (got 0)', 'nothing is not a payment');
select is(tests.error_as('acme_member', format(:'refund', '400.51', 'NGN')),
  '23514 refund of 400.51 NGN is more than the 400.50 NGN paid on order ORD-00001', 'a refund above what was paid is refused');
select tests.run_as('acme_member', format(:'pay', '699.50', 'NGN'));
select tests.run_as('acme_member', format(:'refund', '100', 'NGN'));
select is((select (amount_paid, balance_due, payment_status) from public.orders where id = '0d000000-0000-0000-0000-000000000001'),
  (1000.00::numeric(12,2), 100.00::numeric(12,2), 'partial'::public.payment_status), 'paid in full, then 100 refunded');
select is((select (count(*), sum(amount)) from public.transactions where order_id = '0d000000-0000-0000-0000-000000000001'),
  (3::bigint, 1000.00::numeric), 'three transactions adding up to what the order says was paid');
select is((select (total_revenue) from public.contacts where id = 'c0000000-0000-0000-0000-0000000000a1'), 1000.00::numeric(12,2), 'the client''s revenue follows');
select is(tests.error_as('acme_viewer', format(:'pay', '1', 'NGN')), '42501 only members record payments and refunds', 'viewers do not record payments');

-- A cancelled order can still be refunded, not paid
select tests.run_as('acme_member', 'update public.orders set status = ''cancelled'' where id = ''0d000000-0000-0000-0000-000000000001''');
select is(tests.error_as('acme_member', format(:'refund', '1000', 'NGN')), 'ok:1', 'a cancelled order''s payments are refunded');
select is(tests.error_as('acme_member', format(:'pay', '1', 'NGN')),
  '55000 order ORD-00001 is cancelled: only its notes can change (and what was paid be refunded)', 'but not paid');

-- An invoice made from an order: one transaction, both figures ----------------------------------
select tests.run_as('acme_member', format($$insert into public.orders (id, workspace_id, contact_id, title) values ('0d000000-0000-0000-0000-000000000002', %L, 'c0000000-0000-0000-0000-0000000000a1', 'Kaftan')$$, :'ws'));
select tests.run_as('acme_member', $$insert into public.order_items (order_id, item_name, quantity, unit_price) values ('0d000000-0000-0000-0000-000000000002', 'Kaftan', 1, 200)$$);
select tests.run_as('acme_member', $$select public.record_payment(20, 'NGN', order_id => '0d000000-0000-0000-0000-000000000002')$$);
select tests.run_as('acme_member', format($$insert into public.invoices (id, workspace_id, order_id) values ('1a000000-0000-0000-0000-000000000002', %L, '0d000000-0000-0000-0000-000000000002')$$, :'ws'));
select is(tests.error_as('acme_member', $$select public.record_payment(1, 'NGN', invoice_id => '1a000000-0000-0000-0000-000000000002')$$),
  '55000 invoice (draft) is draft: payments are recorded on issued invoices', 'a draft is not paid');
select tests.run_as('acme_member', $$update public.invoices set status = 'sent' where id = '1a000000-0000-0000-0000-000000000002'$$);
select is((select (total_amount, amount_paid, balance_due) from public.invoices where id = '1a000000-0000-0000-0000-000000000002'),
  (220.00::numeric(12,2), 20.00::numeric(12,2), 200.00::numeric(12,2)), 'issued with what the order had been paid');
select is(tests.error_as('acme_member', $$select public.record_payment(1, 'NGN', order_id => '0d000000-0000-0000-0000-000000000002')$$),
  format('55000 order ORD-00002 is invoiced (%s): record the payment on the invoice', (select invoice_number from public.invoices where id = '1a000000-0000-0000-0000-000000000002')),
  'once invoiced, the order is paid through its invoice');
select tests.run_as('acme_member', $$select public.record_payment(200, 'NGN', invoice_id => '1a000000-0000-0000-0000-000000000002', method => 'transfer')$$);
select is((select (i.status, i.payment_status, o.amount_paid, o.payment_status)::text from public.invoices i join public.orders o on o.id = i.order_id where i.id = '1a000000-0000-0000-0000-000000000002'),
  '(paid,paid,220.00,paid)', 'the invoice is paid, and so is its order');
select is((select array_agg((amount, order_id is not null, invoice_id is not null)::text) from public.transactions where invoice_id = '1a000000-0000-0000-0000-000000000002'),
  array['(200.00,t,t)'], 'with one transaction naming both');
select tests.run_as('acme_member', $$select public.record_refund(50, 'NGN', invoice_id => '1a000000-0000-0000-0000-000000000002')$$);
select is((select (i.status, i.amount_paid, o.amount_paid)::text from public.invoices i join public.orders o on o.id = i.order_id where i.id = '1a000000-0000-0000-0000-000000000002'),
  '(sent,170.00,170.00)', 'a refund sends it back to sent, on both');

-- Outside record_payment: the service's change is entered too
insert into public.orders (id, workspace_id, customer_name, title) values ('0d000000-0000-0000-0000-000000000003', :'ws', 'Walk-in', 'Hem');
insert into public.order_items (order_id, item_name, quantity, unit_price) values ('0d000000-0000-0000-0000-000000000003', 'Hem', 1, 10);
update public.orders set amount_paid = 11 where id = '0d000000-0000-0000-0000-000000000003';
select is((select (amount, payment_method, metadata ->> 'kind')::text from public.transactions where order_id = '0d000000-0000-0000-0000-000000000003'),
  '(11.00,,ledger_adjustment)', 'amount_paid set by the service reaches the ledger as income of the difference');
select * from finish();
rollback;
