-- Finance's hook events: an invoice issued, paid in part, paid, refunded,
-- overdue and cancelled; written in the change's transaction with the
-- documented payload. An order's payment before its invoice is issued is
-- order.payment alone.
begin;
select plan(9);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.authenticate_as('acme_admin');
select id as hook from public.create_hook(:'ws', 'Books', 'https://hooks.example.com/books') \gset
select tests.clear_authentication();
create function pg_temp.events(t text) returns jsonb[] language sql as $$
  select coalesce(array_agg(body -> 'data' order by id), '{}') from private.hook_events where type = t
$$;
select tests.run_as('acme_member', format($$
  insert into public.invoices (id, workspace_id, bills_to, items, due_date)
  values ('1f000000-0000-0000-0000-0000000000a1', %L, 'Kemi', '[{"name": "Hem", "quantity": 2, "unit_price": 35}]',
          now() + interval '7 days')$$, :'ws'));
select is(cardinality(pg_temp.events('invoice.status_changed')), 0, 'a draft is not announced');
select tests.run_as('acme_member', $$update public.invoices set status = 'sent' where id = '1f000000-0000-0000-0000-0000000000a1'$$);
select is((select e #>> '{invoice,status}' || ' from ' || (e ->> 'previous_status') || ' as ' || (e #>> '{invoice,invoice_number}')
             || ', total ' || (e #>> '{invoice,total_amount}')
           from unnest(pg_temp.events('invoice.status_changed')) e),
  'sent from draft as INV-2026-0001, total 70.00', 'issuing: invoice.status_changed with its number and total');
select tests.run_as('acme_member', $$select public.record_payment(50, currency, invoice_id => id) from public.invoices where id = '1f000000-0000-0000-0000-0000000000a1'$$);
select is((pg_temp.events('invoice.payment'))[1] - 'invoice'
            || jsonb_build_object('balance', (pg_temp.events('invoice.payment'))[1] #>> '{invoice,balance_due}',
                                  'status', (pg_temp.events('invoice.payment'))[1] #>> '{invoice,payment_status}'),
  '{"amount": 50.00, "balance": "20.00", "status": "partial"}'::jsonb, 'a payment: invoice.payment with the change');
select tests.run_as('acme_member', $$select public.record_payment(20, currency, invoice_id => id) from public.invoices where id = '1f000000-0000-0000-0000-0000000000a1'$$);
select is((select array_agg((e ->> 'previous_status') || '->' || (e #>> '{invoice,status}'))
             from unnest(pg_temp.events('invoice.status_changed')) e), array['draft->sent', 'sent->paid'],
  'paying the rest: invoice.status_changed to paid');
select tests.run_as('acme_member', $$select public.record_refund(20, currency, invoice_id => id) from public.invoices where id = '1f000000-0000-0000-0000-0000000000a1'$$);
select is((select array_agg(e ->> 'amount') from unnest(pg_temp.events('invoice.payment')) e), array['50.00', '20.00', '-20.00'],
  'a refund: invoice.payment with a negative change');
update public.invoices set due_date = now() - interval '1 day' where id = '1f000000-0000-0000-0000-0000000000a1';
select ok(private.mark_overdue_invoices() >= 0, 'the tick marks overdue invoices');
select tests.run_as('acme_member', $$select public.record_refund(50, currency, invoice_id => id) from public.invoices where id = '1f000000-0000-0000-0000-0000000000a1'$$);
select tests.run_as('acme_member', $$update public.invoices set status = 'cancelled' where id = '1f000000-0000-0000-0000-0000000000a1'$$);
select is((select array_agg((e ->> 'previous_status') || '->' || (e #>> '{invoice,status}'))
             from unnest(pg_temp.events('invoice.status_changed')) e),
  array['draft->sent', 'sent->paid', 'paid->sent', 'sent->overdue', 'overdue->cancelled'],
  'a refund reopens it; the tick marks it overdue; refunded in full, then cancelled');

-- An order paid before its invoice: the issue carries no payment event.
insert into public.orders (id, workspace_id, customer_name, title) values ('0d000000-0000-0000-0000-0000000000a2', :'ws', 'Ada', 'Buba');
insert into public.order_items (order_id, item_name, quantity, unit_price) values ('0d000000-0000-0000-0000-0000000000a2', 'Buba', 1, 40);
select public.record_payment(40, currency, order_id => id) from public.orders where id = '0d000000-0000-0000-0000-0000000000a2';
insert into public.invoices (id, workspace_id, order_id) values ('1f000000-0000-0000-0000-0000000000a2', :'ws', '0d000000-0000-0000-0000-0000000000a2');
update public.invoices set status = 'sent' where id = '1f000000-0000-0000-0000-0000000000a2';
select is((select array_agg((e ->> 'previous_status') || '->' || (e #>> '{invoice,status}') || ' ' || (e #>> '{invoice,order_id}'))
             from unnest(pg_temp.events('invoice.status_changed')) e where e #>> '{invoice,id}' = '1f000000-0000-0000-0000-0000000000a2'),
  array['draft->paid 0d000000-0000-0000-0000-0000000000a2'], 'an order paid in full: its invoice is issued paid');
select is(cardinality(pg_temp.events('invoice.payment')), 4, 'and no invoice.payment for what the order had been paid');

select * from finish();
rollback;
