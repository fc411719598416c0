-- Two members take the last unit at the same time, in real separate
-- sessions (dblink): the second waits for the first's row lock, then sees
-- no stock and is refused. Never oversold, never a lost update. The
-- sessions commit, so they make and remove their own fixtures.
begin;
select plan(5);
select tests.dsn() as dsn \gset
select extensions.dblink_connect('setup', :'dsn'), extensions.dblink_connect('one', :'dsn'), extensions.dblink_connect('two', :'dsn');
select extensions.dblink_exec(c, 'set lock_timeout = ''20s''') from unnest(array['one', 'two']) c;
select tests.committed_workspace('1e900000-0000-0000-0000-0000000000b1', '1e900000-0000-0000-0000-0000000000a1', 'stock-race-pgtap');
select extensions.dblink_exec('setup', $$
  insert into public.inventory_items (id, workspace_id, name, sku, current_stock)
  values ('1e900000-0000-0000-0000-0000000000c1', '1e900000-0000-0000-0000-0000000000b1', 'Silk, ivory', 'SILK-IVORY', 1)$$);

select extensions.dblink_exec(c, $$begin; set local role authenticated;
  set local request.jwt.claims = '{"sub": "1e900000-0000-0000-0000-0000000000a1", "role": "authenticated"}'$$)
  from unnest(array['one', 'two']) c;
\set take 'insert into public.inventory_movements (inventory_item_id, workspace_id, movement_type, quantity, reference_type) values (''1e900000-0000-0000-0000-0000000000c1'', ''1e900000-0000-0000-0000-0000000000b1'', ''stock-out'', 1, ''order'') returning new_stock'
select extensions.dblink_send_query('one', :'take');
select new_stock as first_left from extensions.dblink_get_result('one') as r(new_stock integer) \gset
select extensions.dblink_get_result('one', false);
select extensions.dblink_send_query('two', :'take');
select pg_sleep(0.3);
select is(extensions.dblink_is_busy('two'), 1, 'the second taker waits for the first''s lock on the item');
select extensions.dblink_exec('one', 'commit');
select is(:first_left, 0, 'the first takes the last unit');
select throws_like($$select * from extensions.dblink_get_result('two') as r(new_stock integer)$$,
  '%not enough stock of SILK-IVORY (Silk, ivory): 0 pcs on hand, 1 requested%', 'the second sees none left and is refused');
select extensions.dblink_get_result('two', false);
select extensions.dblink_exec('two', 'rollback');
select is((select n from extensions.dblink('setup', $$select current_stock from public.inventory_items where id = '1e900000-0000-0000-0000-0000000000c1'$$) as r(n integer)),
  0, 'stock is exactly zero: never oversold');
select is((select n from extensions.dblink('setup', $$select count(*) from public.inventory_movements where inventory_item_id = '1e900000-0000-0000-0000-0000000000c1'$$) as r(n bigint)),
  2::bigint, 'the opening stock-in and the one stock-out');

select tests.drop_committed_workspace('1e900000-0000-0000-0000-0000000000b1', '1e900000-0000-0000-0000-0000000000a1');
select extensions.dblink_disconnect(c) from unnest(array['setup', 'one', 'two']) c;

select * from finish();
rollback;
