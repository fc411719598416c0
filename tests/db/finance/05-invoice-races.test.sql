-- Invoices under concurrency, in real separate sessions (dblink): numbers
-- stay gapless when one of two concurrent issues rolls back, and two
-- payments that would overpay an invoice together cannot both pass. The
-- sessions commit, so they make and remove their own fixtures.
begin;
select plan(8);
select tests.dsn() as dsn \gset
select extensions.dblink_connect('setup', :'dsn'), extensions.dblink_connect('one', :'dsn'), extensions.dblink_connect('two', :'dsn');
select extensions.dblink_exec(c, 'set lock_timeout = ''20s''') from unnest(array['one', 'two']) c;
select tests.committed_workspace('1a900000-0000-0000-0000-0000000000b1', '1a900000-0000-0000-0000-0000000000a1', 'invoice-race-pgtap');
select extensions.dblink_exec('setup', $$
  insert into public.invoices (id, workspace_id, bills_to, items) values
    ('1a900000-0000-0000-0000-000000000001', '1a900000-0000-0000-0000-0000000000b1', 'Race Client', '[{"name": "Work", "unit_price": 100}]'),
    ('1a900000-0000-0000-0000-000000000002', '1a900000-0000-0000-0000-0000000000b1', 'Race Client', '[{"name": "Work", "unit_price": 100}]'),
    ('1a900000-0000-0000-0000-000000000003', '1a900000-0000-0000-0000-0000000000b1', 'Race Client', '[{"name": "Work", "unit_price": 100}]')$$);

\set as_member 'begin; set local role authenticated; set local request.jwt.claims = ''{"sub": "1a900000-0000-0000-0000-0000000000a1", "role": "authenticated"}'''
\set send 'update public.invoices set status = ''sent'' where id = %L returning number'

-- Numbers: the second issue waits for the first's number, which a
-- rollback gives back.
select extensions.dblink_exec(c, :'as_member') from unnest(array['one', 'two']) c;
select extensions.dblink_send_query('one', format(:'send', '1a900000-0000-0000-0000-000000000001'));
select n as first_number from extensions.dblink_get_result('one') as r(n bigint) \gset
select extensions.dblink_get_result('one', false);
select extensions.dblink_send_query('two', format(:'send', '1a900000-0000-0000-0000-000000000002'));
select pg_sleep(0.3);
select is(extensions.dblink_is_busy('two'), 1, 'a concurrent issue waits for the number before it');
select extensions.dblink_exec('one', 'rollback');
select n as second_number from extensions.dblink_get_result('two') as r(n bigint) \gset
select extensions.dblink_get_result('two', false);
select extensions.dblink_exec('two', 'commit');
select is(array[:first_number, :second_number]::bigint[], array[1, 1]::bigint[], 'the first took number 1 and rolled back: the second gets 1, no gap');
select extensions.dblink_exec('one', :'as_member');
select extensions.dblink_send_query('one', format(:'send', '1a900000-0000-0000-0000-000000000001'));
select n as third_number from extensions.dblink_get_result('one') as r(n bigint) \gset
select extensions.dblink_get_result('one', false);
select extensions.dblink_exec('one', 'commit');
select is((select array_agg(n order by n) from extensions.dblink('setup', $$select number from public.invoices where workspace_id = '1a900000-0000-0000-0000-0000000000b1' and number is not null$$) as r(n bigint)),
  array[1, 2]::bigint[], 'numbers 1 and 2: gapless');

-- Two payments of 60 on an invoice of 100 at once: the second waits, then
-- sees the first and is refused.
select extensions.dblink_exec(c, :'as_member') from unnest(array['one', 'two']) c;
select extensions.dblink_exec('one', $q$do $d$ begin perform public.record_payment(60, 'USD', invoice_id => '1a900000-0000-0000-0000-000000000001'); end $d$$q$);
select extensions.dblink_send_query('two', $q$do $d$ begin perform public.record_payment(60, 'USD', invoice_id => '1a900000-0000-0000-0000-000000000001'); end $d$$q$);
select pg_sleep(0.3);
select is(extensions.dblink_is_busy('two'), 1, 'the second payment waits for the invoice');
select extensions.dblink_exec('one', 'commit');
select extensions.dblink_get_result('two', false);
select extensions.dblink_get_result('two', false);
select matches(extensions.dblink_error_message('two'), '^ERROR:  payment would overpay invoice INV-\d{4}-0002: 40\.00 USD due, 60 USD offered',
  'and is refused as an overpayment');
select extensions.dblink_exec('two', 'rollback');
select is((select (p, t) from extensions.dblink('setup', $$select (select amount_paid from public.invoices where id = '1a900000-0000-0000-0000-000000000001'), (select sum(amount) from public.transactions where invoice_id = '1a900000-0000-0000-0000-000000000001')$$) as x(p numeric, t numeric)),
  (60.00::numeric, 60.00::numeric), 'one payment counted, on the invoice and in the ledger');

-- An order paid while its invoice is issued: the issue waits for the
-- payment and counts it.
select extensions.dblink_exec('setup', $$
  insert into public.orders (id, workspace_id, customer_name, title) values ('1a900000-0000-0000-0000-0000000000d1', '1a900000-0000-0000-0000-0000000000b1', 'Race Client', 'Coat');
  insert into public.order_items (order_id, item_name, quantity, unit_price) values ('1a900000-0000-0000-0000-0000000000d1', 'Coat', 1, 100);
  insert into public.invoices (id, workspace_id, order_id) values ('1a900000-0000-0000-0000-000000000004', '1a900000-0000-0000-0000-0000000000b1', '1a900000-0000-0000-0000-0000000000d1')$$);
select extensions.dblink_exec(c, :'as_member') from unnest(array['one', 'two']) c;
select extensions.dblink_exec('one', $q$do $d$ begin perform public.record_payment(30, 'USD', order_id => '1a900000-0000-0000-0000-0000000000d1'); end $d$$q$);
select extensions.dblink_send_query('two', format(:'send', '1a900000-0000-0000-0000-000000000004'));
select pg_sleep(0.3);
select is(extensions.dblink_is_busy('two'), 1, 'issuing the order''s invoice waits for the payment in flight');
select extensions.dblink_exec('one', 'commit');
select n from extensions.dblink_get_result('two') as r(n bigint);
select extensions.dblink_get_result('two', false);
select extensions.dblink_exec('two', 'commit');
select is((select p from extensions.dblink('setup', $$select amount_paid from public.invoices where id = '1a900000-0000-0000-0000-000000000004'$$) as x(p numeric)),
  30.00::numeric, 'and is issued with it counted');

select tests.drop_committed_workspace('1a900000-0000-0000-0000-0000000000b1', '1a900000-0000-0000-0000-0000000000a1');
select extensions.dblink_disconnect(c) from unnest(array['setup', 'one', 'two']) c;
select * from finish();
rollback;
