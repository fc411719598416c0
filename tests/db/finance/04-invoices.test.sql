-- Invoices: made from an order (items and totals copied) or by hand; the
-- workflow; numbers taken when issued, per year, in the workspace's
-- format; issued invoices immutable and never deleted; WhatsApp notices
-- through the send path when sent and when the tick marks them overdue
-- (once); the receivables report.
begin;
select plan(24);
select tests.create_workspace_with_roles('acme') as ws \gset
update public.workspaces set currency = 'NGN', default_tax_rate = 7.5, invoice_number_format = 'F{YY}/{number:3}' where id = :'ws';
insert into public.contacts (id, workspace_id, name, phone, email) values ('c0000000-0000-0000-0000-0000000000a1', :'ws', 'Ada Obi', '2348010000001', 'ada@example.com');
select tests.run_as('acme_member', format($$insert into public.orders (id, workspace_id, contact_id, title, discount) values ('0d000000-0000-0000-0000-000000000001', %L, 'c0000000-0000-0000-0000-0000000000a1', 'Agbada', 0)$$, :'ws'));
select tests.run_as('acme_member', $$insert into public.order_items (order_id, item_name, quantity, unit_price) values ('0d000000-0000-0000-0000-000000000001', 'Agbada', 2, 500), ('0d000000-0000-0000-0000-000000000001', 'Cap', 1, 99.99)$$);
select tests.run_as('acme_member', $$update public.orders set discount = 99.99 where id = '0d000000-0000-0000-0000-000000000001'$$);
\set inv1 '''1a000000-0000-0000-0000-000000000001'''
\set inv2 '''1a000000-0000-0000-0000-000000000002'''

-- From an order, by hand --------------------------------------------------------------------
select tests.run_as('acme_member', format($$insert into public.invoices (id, workspace_id, order_id, due_date) values (%L, %L, '0d000000-0000-0000-0000-000000000001', now() + interval '14 days')$$, :inv1, :'ws'));
select is((select (i.subtotal, i.discount, i.tax_rate, i.tax, i.total_amount, i.currency) = (o.subtotal, o.discount, o.tax_rate, o.tax, o.total_amount, o.currency)
             from public.invoices i join public.orders o on o.id = i.order_id where i.id = :inv1), true, 'totals copied from the order');
select is((select (jsonb_array_length(items), bills_to, bills_from, recipient_email, status, invoice_number)::text from public.invoices where id = :inv1),
  '(2,"Ada Obi","Acme Inc",ada@example.com,draft,)', 'items, client and sender filled in; a draft has no number');
select is(tests.error_as('acme_member', format($$insert into public.invoices (workspace_id, order_id) values (%L, '0d000000-0000-0000-0000-000000000001')$$, :'ws')),
  '23505 duplicate key value violates unique constraint "invoices_order_key"', 'one open invoice per order');
select tests.run_as('acme_member', format($$insert into public.invoices (id, workspace_id, contact_id, items, discount) values (%L, %L, 'c0000000-0000-0000-0000-0000000000a1', '[{"name": "Hem", "quantity": 3, "unit_price": 10.005}, {"name": "Buttons", "unit_price": 2}]', 2)$$, :inv2, :'ws'));
select is((select (items, subtotal, tax, total_amount) from public.invoices where id = :inv2),
  ('[{"name": "Hem", "total": 30.03, "quantity": 3, "unit_price": 10.01}, {"name": "Buttons", "total": 2, "quantity": 1, "unit_price": 2}]'::jsonb,
   32.03::numeric(12,2), 2.25::numeric(12,2), 32.28::numeric(12,2)), 'by hand: lines, subtotal, 7.5% tax after the discount, total');
select is(tests.error_as('acme_member', format($$insert into public.invoices (workspace_id, bills_to, items) values (%L, 'X', '[{"quantity": 1}]')$$, :'ws')),
  '22023 each invoice line needs a name', 'lines are checked');
select is(tests.error_as('acme_member', format($$insert into public.invoices (workspace_id, bills_to, status) values (%L, 'X', 'sent')$$, :'ws')),
  '42501 permission denied for table invoices', 'a new invoice is a draft (status is not given)');
select tests.run_as('acme_member', format('update public.invoices set items = items || ''[{"name": "Belt", "unit_price": 5}]'' where id = %L', :inv2));
select is((select total_amount from public.invoices where id = :inv2), 37.66::numeric(12,2), 'a draft is edited, its totals follow');

-- Issued: numbered, immutable ---------------------------------------------------------------
select tests.run_as('acme_member', format('update public.invoices set status = ''sent'' where id = %L', :inv2));
select tests.run_as('acme_member', format('update public.invoices set status = ''sent'' where id = %L', :inv1));
select is((select array_agg((number, invoice_number)::text order by number) from public.invoices where workspace_id = :'ws'),
  array[format('(1,F%s/001)', to_char(now() at time zone 'UTC', 'YY')), format('(2,F%s/002)', to_char(now() at time zone 'UTC', 'YY'))],
  'numbers in the order invoices are issued, in the workspace''s format');
select is((select (invoice_year, issued_date is not null, sent_at is not null) from public.invoices where id = :inv1),
  (extract(year from now() at time zone 'UTC')::integer, true, true), 'the year of issue is the numbering''s');
select is(tests.error_as('acme_member', format('update public.invoices set due_date = now() where id = %L', :inv1)),
  format('55000 invoice F%s/002 is sent: it cannot be edited, only paid or cancelled', to_char(now() at time zone 'UTC', 'YY')), 'a sent invoice is not edited');
select is(tests.error_as('acme_member', format('update public.invoices set status = ''paid'' where id = %L', :inv1)),
  '55000 an invoice becomes paid by itself', 'paid is the payments''');
select is(tests.error_as('acme_member', format('update public.invoices set status = ''draft'' where id = %L', :inv1)),
  format('55000 invoice F%s/002 cannot go from sent to draft', to_char(now() at time zone 'UTC', 'YY')), 'an issued invoice is never a draft again');
select is(tests.error_as('acme_member', format('delete from public.invoices where id = %L', :inv1)),
  format('55000 invoice F%s/002 is issued: cancel it instead of deleting it', to_char(now() at time zone 'UTC', 'YY')), 'nor deleted (numbers stay gapless)');
select tests.run_as('acme_member', format('select public.record_payment(10, ''NGN'', invoice_id => %L)', :inv2));
select is(tests.error_as('acme_member', format('update public.invoices set status = ''cancelled'' where id = %L', :inv2)),
  format('55000 invoice F%s/001 has 10.00 NGN paid: refund it before cancelling', to_char(now() at time zone 'UTC', 'YY')), 'an invoice with money on it is refunded first');
select tests.run_as('acme_member', format('select public.record_refund(10, ''NGN'', invoice_id => %L)', :inv2));
select tests.run_as('acme_member', format('update public.invoices set status = ''cancelled'' where id = %L', :inv2));
select is((select (status, cancelled_at is not null) from public.invoices where id = :inv2), ('cancelled'::public.invoice_status, true), 'then cancelled');
select is(tests.error_as('acme_member', format('update public.invoices set status = ''sent'' where id = %L', :inv2)),
  format('55000 invoice F%s/001 cannot go from cancelled to sent', to_char(now() at time zone 'UTC', 'YY')), 'cancelled is final');

-- Notices: sent and overdue -------------------------------------------------------------------
select tests.open_cloud_conversation(:'ws', 'c5000000-0000-0000-0000-0000000000a1', 'PN-INV', '2348010000001') as conv \gset
insert into public.message_templates (id, workspace_id, channel_id, name, language, category, status, components) values
  ('7e000000-0000-0000-0000-0000000000a1', :'ws', 'c5000000-0000-0000-0000-0000000000a1', 'invoice_issued', 'en', 'UTILITY', 'APPROVED',
   '[{"type":"BODY","text":"Invoice {{1}}: {{2}} {{3}}, due {{4}}."}]'),
  ('7e000000-0000-0000-0000-0000000000a2', :'ws', 'c5000000-0000-0000-0000-0000000000a1', 'promo', 'en', 'MARKETING', 'APPROVED',
   '[{"type":"BODY","text":"Sale!"}]');
select is(tests.error_as('acme_admin', format('insert into public.invoice_templates (workspace_id, notice, template_id) values (%L, ''sent'', %L)', :'ws', '7e000000-0000-0000-0000-0000000000a2')),
  '22023 invoice notices use UTILITY templates; "promo" is MARKETING', 'a marketing template is refused');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.invoice_templates (workspace_id, notice, template_id, parameters) values (%L, ''sent'', %L, ''["{invoice_number}", "{currency}", "{total}", "{due_date}"]'')', :'ws', '7e000000-0000-0000-0000-0000000000a1')),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', 'ok:1'), ('owner', 'ok:1') $$,
  'invoice templates: admins map them');
insert into public.invoice_templates (workspace_id, notice, template_id, parameters) values
  (:'ws', 'sent', '7e000000-0000-0000-0000-0000000000a1', '["{invoice_number}", "{currency}", "{balance_due}", "{due_date}"]'),
  (:'ws', 'overdue', '7e000000-0000-0000-0000-0000000000a1', '["{invoice_number}", "{currency}", "{balance_due}", "overdue"]');
select tests.run_as('acme_member', format($$insert into public.invoices (id, workspace_id, contact_id, items, due_date) values ('1a000000-0000-0000-0000-000000000003', %L, 'c0000000-0000-0000-0000-0000000000a1', '[{"name": "Fitting", "unit_price": 100}]', '2026-01-31')$$, :'ws'));
select tests.run_as('acme_member', $$update public.invoices set status = 'sent' where id = '1a000000-0000-0000-0000-000000000003'$$);
select is((select (m.conversation_id, m.type, m.template_params, m.status)::text from public.invoices i join public.messages m on m.id = i.message_id and m.invoice_id = i.id where i.id = '1a000000-0000-0000-0000-000000000003'),
  (:'conv'::uuid, 'template', format('{"body": ["F%s/003", "NGN", "107.50", "2026-01-31"]}', to_char(now() at time zone 'UTC', 'YY'))::jsonb, 'pending')::text,
  'sending it messages the client through the send path, linked to the invoice');
select is(private.mark_overdue_invoices(), 1, 'the tick marks the sent invoice past its due date overdue');
select is((select array_agg(status::text order by number) from public.invoices where workspace_id = :'ws' and number is not null),
  array['cancelled', 'sent', 'overdue'], 'only the one past due (no due date: never overdue)');
select is((select (m.template_params -> 'body' ->> 3) from public.invoices i join public.messages m on m.id = i.message_id where i.id = '1a000000-0000-0000-0000-000000000003'),
  'overdue', 'with the overdue notice');
select is((select (private.mark_overdue_invoices(), (select count(*)::integer from public.messages where invoice_id = '1a000000-0000-0000-0000-000000000003'))),
  (0, 2), 'once: the next tick does nothing, two notices in all');
select is((select (current, days_1_30 + days_31_60 + days_61_90 + days_90_plus, total, invoices) from public.receivables_aging where workspace_id = :'ws'),
  (1075.00::numeric, 107.50::numeric, 1182.50::numeric, 2), 'receivables: what is due, by age');
select * from finish();
rollback;
