-- An item naming another workspace's order is refused before that order
-- is locked, in real separate sessions (dblink): the outsider neither waits
-- for the order's lock (which told them it exists, and is busy) nor holds
-- it. The sessions commit, so they make and remove their own fixtures.
begin;
select plan(3);
select tests.dsn() as dsn \gset
select extensions.dblink_connect('setup', :'dsn'), extensions.dblink_connect('one', :'dsn'), extensions.dblink_connect('two', :'dsn');
select tests.committed_workspace('0d910000-0000-0000-0000-0000000000b1', '0d910000-0000-0000-0000-0000000000a1', 'item-lock-victim-pgtap');
select tests.committed_workspace('0d910000-0000-0000-0000-0000000000b2', '0d910000-0000-0000-0000-0000000000a2', 'item-lock-outsider-pgtap');
select extensions.dblink_exec('setup', $$
  insert into public.orders (id, workspace_id, title, customer_name)
  values ('0d910000-0000-0000-0000-0000000000c1', '0d910000-0000-0000-0000-0000000000b1', 'Agbada', 'Ada Obi')$$);

-- The victim's order is busy (a status change, a payment in flight).
select extensions.dblink_exec('one', $$begin; update public.orders set notes = 'busy' where id = '0d910000-0000-0000-0000-0000000000c1'$$);
select extensions.dblink_exec('two', $$begin; set local role authenticated;
  set local request.jwt.claims = '{"sub": "0d910000-0000-0000-0000-0000000000a2", "role": "authenticated"}';
  set local lock_timeout = '500ms'$$);
select throws_ok($$select extensions.dblink_exec('two', 'insert into public.order_items (order_id, item_name, unit_price) values (''0d910000-0000-0000-0000-0000000000c1'', ''Cap'', 1)')$$,
  'P0002', 'order not found', 'the outsider is told the order is not found, without waiting for its lock');
select extensions.dblink_exec('two', 'rollback');
select extensions.dblink_exec('two', $$begin; set local role authenticated;
  set local request.jwt.claims = '{"sub": "0d910000-0000-0000-0000-0000000000a2", "role": "authenticated"}';
  set local lock_timeout = '500ms'$$);
select throws_ok($$select extensions.dblink_exec('two', 'insert into public.order_items (order_id, workspace_id, item_name, unit_price) values (''0d910000-0000-0000-0000-0000000000c1'', ''0d910000-0000-0000-0000-0000000000b2'', ''Cap'', 1)')$$,
  'P0002', 'order not found', 'also when the item names the outsider''s own workspace');
select extensions.dblink_exec('two', 'rollback');
select extensions.dblink_exec('one', 'rollback');
select is((select n from extensions.dblink('setup', $$select count(*) from public.order_items where order_id = '0d910000-0000-0000-0000-0000000000c1'$$) as r(n bigint)),
  0::bigint, 'the order has no item');

select tests.drop_committed_workspace('0d910000-0000-0000-0000-0000000000b1', '0d910000-0000-0000-0000-0000000000a1');
select tests.drop_committed_workspace('0d910000-0000-0000-0000-0000000000b2', '0d910000-0000-0000-0000-0000000000a2');
select extensions.dblink_disconnect(c) from unnest(array['setup', 'one', 'two']) c;

select * from finish();
rollback;
