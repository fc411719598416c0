-- A contact's timeline: the interactions people log, the ones the database
-- logs for orders and payments, orders, and WhatsApp conversations, newest
-- first in one statement under the caller's RLS, paged by keyset.
begin;
select plan(12);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.open_cloud_conversation(:'ws', 'c5000000-0000-0000-0000-0000000000b1', 'PN-TL', '2348030000001') as conv \gset
select contact_id as ct from public.conversations where id = :'conv' \gset
update public.conversations set last_message_at = now() - interval '5 days' where id = :'conv';
select tests.run_as('acme_member', format($$insert into public.client_interactions (workspace_id, contact_id, interaction_type, subject, occurred_at)
  values (%L, %L, 'call', 'Asked about a kaftan', now() - interval '4 days'), (%L, %L, 'meeting', 'Fitting', now() - interval '2 days')$$, :'ws', :'ct', :'ws', :'ct'));
select tests.run_as('acme_member', format($$insert into public.orders (id, workspace_id, contact_id, title, order_date) values ('0d000000-0000-0000-0000-0000000000c1', %L, %L, 'Kaftan', now() - interval '3 days')$$, :'ws', :'ct'));
select tests.run_as('acme_member', $$insert into public.order_items (order_id, item_name, quantity, unit_price) values ('0d000000-0000-0000-0000-0000000000c1', 'Kaftan', 1, 300)$$);
select tests.run_as('acme_member', $$select public.record_payment(100, currency, order_id => id) from public.orders where id = '0d000000-0000-0000-0000-0000000000c1'$$);
select tests.run_as('acme_member', $$update public.orders set status = 'in-progress' where id = '0d000000-0000-0000-0000-0000000000c1'$$);

select is((select array_agg((interaction_type, subject, user_id = tests.get_supabase_uid('acme_member'))::text order by occurred_at, id)
             from public.client_interactions where contact_id = :'ct' and interaction_type in ('order', 'payment')),
  array['(order,"Order ORD-00001 taken: Kaftan",t)', '(payment,"Payment of 100.00 USD on order ORD-00001",t)'],
  'the database logs the order taken and its payment, by whom');
select is((select metadata from public.client_interactions where contact_id = :'ct' and interaction_type = 'payment'),
  '{"order_id": "0d000000-0000-0000-0000-0000000000c1", "order_number": "ORD-00001", "amount": 100.00, "amount_paid": 100.00, "currency": "USD", "payment_status": "partial"}'::jsonb,
  'a payment entry names the order and the amount');

create function pg_temp.timeline(who text, before_at timestamptz default null, before_id uuid default null, n integer default 50)
returns text[] language plpgsql as $$
declare r text[];
begin
  perform tests.authenticate_as(who);
  select array_agg(t.kind || ':' || t.title order by t.at desc, t.id desc) into r
    from public.contact_timeline((select contact_id from public.conversations where chat_id = '2348030000001'), before_at, before_id, n) t;
  perform tests.clear_authentication();
  return r;
end $$;
select is(pg_temp.timeline('acme_viewer'), array[
  'order_status:Order ORD-00001 in-progress', 'interaction:Payment of 100.00 USD on order ORD-00001',
  'interaction:Order ORD-00001 taken: Kaftan', 'interaction:Fitting', 'order:ORD-00001: Kaftan',
  'interaction:Asked about a kaftan', 'conversation:WhatsApp #1'], 'one list, newest first: logged entries, the order, the conversation');
select is(pg_temp.timeline('acme_viewer', n => 3), array[
  'order_status:Order ORD-00001 in-progress', 'interaction:Payment of 100.00 USD on order ORD-00001',
  'interaction:Order ORD-00001 taken: Kaftan'], 'a page of three');
select t.at as page_at, t.id as page_id from public.contact_timeline(:'ct', null, null, 3) t order by t.at, t.id limit 1 \gset
select is(pg_temp.timeline('acme_viewer', :'page_at', :'page_id', 3), array[
  'interaction:Fitting', 'order:ORD-00001: Kaftan', 'interaction:Asked about a kaftan'], 'the next page starts after the last row');
select t.at as page_at, t.id as page_id from public.contact_timeline(:'ct', :'page_at', :'page_id', 3) t order by t.at, t.id limit 1 \gset
select is(pg_temp.timeline('acme_viewer', :'page_at', :'page_id', 3), array['conversation:WhatsApp #1'], 'and the last page holds the rest');
select is(pg_temp.timeline('acme_outsider'), null::text[], 'an outsider sees nothing of it');
select tests.create_workspace_with_roles('beta') as beta \gset
select is(pg_temp.timeline('beta_owner'), null::text[], 'nor does another workspace''s owner');
select is(tests.try_as('anon', format('select * from public.contact_timeline(%L)', :'ct')), '42501', 'anon cannot call it');
select is(tests.error_as('acme_member', format($$insert into public.client_interactions (workspace_id, contact_id, interaction_type, subject) values (%L, %L, 'payment', 'fake')$$, :'ws', :'ct')),
  '42501 payment interactions are recorded by the database from orders; log a call, email, meeting or note', 'a client cannot forge a payment entry');
select is(tests.try_as('acme_member', format($$update public.client_interactions set subject = 'edited' where contact_id = %L and interaction_type = 'order'$$, :'ct')),
  '42501', 'nor edit the database''s entries');
select is((select count(*)::integer from public.client_interactions where contact_id = :'ct' and subject = 'edited'), 0, 'which stay as written');
select * from finish();
rollback;
