-- Orders under concurrency, in real separate sessions (dblink): numbers
-- stay gapless when one of two concurrent orders rolls back, and two
-- payments on one client's orders at once both count. The sessions
-- commit, so they make and remove their own fixtures.
begin;
select plan(7);
select tests.dsn() as dsn \gset
select extensions.dblink_connect('setup', :'dsn'), extensions.dblink_connect('one', :'dsn'), extensions.dblink_connect('two', :'dsn');
select extensions.dblink_exec(c, 'set lock_timeout = ''20s''') from unnest(array['one', 'two']) c;
select tests.committed_workspace('0d900000-0000-0000-0000-0000000000b1', '0d900000-0000-0000-0000-0000000000a1', 'order-race-pgtap');
select extensions.dblink_exec('setup', $$
  insert into public.contacts (id, workspace_id, name, phone)
  values ('0d900000-0000-0000-0000-0000000000c1', '0d900000-0000-0000-0000-0000000000b1', 'Race Client', '2348099999999')$$);

\set as_member 'begin; set local role authenticated; set local request.jwt.claims = ''{"sub": "0d900000-0000-0000-0000-0000000000a1", "role": "authenticated"}'''
\set new_order 'insert into public.orders (workspace_id, contact_id, title) values (''0d900000-0000-0000-0000-0000000000b1'', ''0d900000-0000-0000-0000-0000000000c1'', %L) returning number'

-- Numbers: the second order waits for the first's number, which a
-- rollback gives back.
select extensions.dblink_exec(c, :'as_member') from unnest(array['one', 'two']) c;
select extensions.dblink_send_query('one', format(:'new_order', 'first'));
select n as first_number from extensions.dblink_get_result('one') as r(n bigint) \gset
select extensions.dblink_get_result('one', false);
select extensions.dblink_send_query('two', format(:'new_order', 'second'));
select pg_sleep(0.3);
select is(extensions.dblink_is_busy('two'), 1, 'a concurrent order waits for the number before it');
select extensions.dblink_exec('one', 'rollback');
select n as second_number from extensions.dblink_get_result('two') as r(n bigint) \gset
select extensions.dblink_get_result('two', false);
select extensions.dblink_exec('two', 'commit');
select is(:first_number::bigint, 1::bigint, 'the first took number 1');
select is(:second_number::bigint, 1::bigint, 'and rolled back: the second gets number 1, no gap');
select extensions.dblink_exec('one', :'as_member');
select extensions.dblink_send_query('one', format(:'new_order', 'third'));
select n as third_number from extensions.dblink_get_result('one') as r(n bigint) \gset
select extensions.dblink_get_result('one', false);
select extensions.dblink_exec('one', 'commit');
select is((select array_agg(n order by n) from extensions.dblink('setup', $$select number from public.orders where workspace_id = '0d900000-0000-0000-0000-0000000000b1'$$) as r(n bigint)),
  array[1, 2]::bigint[], 'numbers 1 and 2: gapless');

-- Figures: two payments on the same client's two orders at once.
select extensions.dblink_exec('setup', $$insert into public.order_items (order_id, item_name, quantity, unit_price)
  select o.id, 'Work', 1, 100 from public.orders o where o.workspace_id = '0d900000-0000-0000-0000-0000000000b1'$$);
select extensions.dblink_exec(c, :'as_member') from unnest(array['one', 'two']) c;
select extensions.dblink_exec('one', $q$do $d$ begin perform public.record_payment(30, currency, order_id => id) from public.orders where workspace_id = '0d900000-0000-0000-0000-0000000000b1' and number = 1; end $d$$q$);
select extensions.dblink_send_query('two', $q$do $d$ begin perform public.record_payment(45, currency, order_id => id) from public.orders where workspace_id = '0d900000-0000-0000-0000-0000000000b1' and number = 2; end $d$$q$);
select pg_sleep(0.3);
select is(extensions.dblink_is_busy('two'), 1, 'the second payment waits for the client''s figures');
select extensions.dblink_exec('one', 'commit');
select extensions.dblink_get_result('two', false);
select extensions.dblink_get_result('two', false);
select extensions.dblink_exec('two', 'commit');
select is((select (o, r) from extensions.dblink('setup', $$select total_orders, total_revenue from public.contacts where id = '0d900000-0000-0000-0000-0000000000c1'$$) as x(o integer, r numeric)),
  (2, 75.00::numeric), 'both count: two orders, 75.00 paid');
select is((select (o, r) from extensions.dblink('setup', $$select count(*)::integer, sum(amount_paid) from public.orders where contact_id = '0d900000-0000-0000-0000-0000000000c1' and status <> 'cancelled'$$) as x(o integer, r numeric)),
  (2, 75.00::numeric), 'as the orders say');

select tests.drop_committed_workspace('0d900000-0000-0000-0000-0000000000b1', '0d900000-0000-0000-0000-0000000000a1');
select extensions.dblink_disconnect(c) from unnest(array['setup', 'one', 'two']) c;

select * from finish();
rollback;
