-- Counters under concurrency, in real separate sessions (dblink): likes
-- and reviews on one product from two sessions at once do not wait for
-- each other (nothing locks the product's row), a fold running meanwhile
-- loses nothing, and the figures are exact once each commits. The sessions
-- commit, so they make and remove their own fixtures.
begin;
select plan(8);
select tests.dsn() as dsn \gset
select extensions.dblink_connect('setup', :'dsn'), extensions.dblink_connect('one', :'dsn'), extensions.dblink_connect('two', :'dsn');
select extensions.dblink_exec(c, 'set lock_timeout = ''20s''') from unnest(array['one', 'two']) c;
select tests.committed_workspace('0e900000-0000-0000-0000-0000000000b1', '0e900000-0000-0000-0000-0000000000a1', 'market-race-pgtap');
select extensions.dblink_exec('setup', 'delete from auth.users where id in (''0e900000-0000-0000-0000-0000000000a2'', ''0e900000-0000-0000-0000-0000000000a3'')');
select extensions.dblink_exec(tests.dsn('supabase_auth_admin'), $$
  insert into auth.users (id, instance_id, aud, role, email, raw_user_meta_data, raw_app_meta_data, email_confirmed_at, created_at, updated_at)
  values ('0e900000-0000-0000-0000-0000000000a2', '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
          'race-buyer-1@example.com', '{"account_type": "customer"}', '{"provider":"email"}', now(), now(), now()),
         ('0e900000-0000-0000-0000-0000000000a3', '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
          'race-buyer-2@example.com', '{"account_type": "customer"}', '{"provider":"email"}', now(), now(), now())$$);
select extensions.dblink_exec('setup', $$
  insert into public.marketplace_products (id, workspace_id, title, category, price, status)
  values ('0e900000-0000-0000-0000-0000000000f1', '0e900000-0000-0000-0000-0000000000b1', 'Race dress', 'dresses', 10, 'published')$$);
\set as_one 'begin; set local role authenticated; set local request.jwt.claims = ''{"sub": "0e900000-0000-0000-0000-0000000000a2", "role": "authenticated"}'''
\set as_two 'begin; set local role authenticated; set local request.jwt.claims = ''{"sub": "0e900000-0000-0000-0000-0000000000a3", "role": "authenticated"}'''
\set listing 'select likes_count, review_count, rating from public.marketplace_listings where id = ''0e900000-0000-0000-0000-0000000000f1'''

-- Two likes and two reviews at once, each session's transaction open
-- while the other writes.
select extensions.dblink_exec('one', :'as_one');
select extensions.dblink_exec('two', :'as_two');
select extensions.dblink_exec('one', $$insert into public.product_likes (product_id) values ('0e900000-0000-0000-0000-0000000000f1')$$);
select extensions.dblink_exec('one', $$insert into public.product_reviews (product_id, rating) values ('0e900000-0000-0000-0000-0000000000f1', 5)$$);
select extensions.dblink_send_query('two', $$insert into public.product_likes (product_id) values ('0e900000-0000-0000-0000-0000000000f1');
  insert into public.product_reviews (product_id, rating) values ('0e900000-0000-0000-0000-0000000000f1', 2)$$);
select pg_sleep(0.3);
select is(extensions.dblink_is_busy('two'), 0, 'a like and a review on the same product do not wait for another session''s');
select extensions.dblink_get_result('two', false);
select extensions.dblink_get_result('two', false);
select extensions.dblink_get_result('two', false);
-- The tick folds while both are still open: it sees neither.
select extensions.dblink_exec('setup', 'do $d$ begin perform private.fold_product_counters(); end $d$');
select is((select (l, r) from extensions.dblink('setup', :'listing') as x(l integer, r integer, a numeric)), (0, 0), 'uncommitted: not counted yet');
select extensions.dblink_exec('one', 'commit');
select is((select (l, r, a) from extensions.dblink('setup', :'listing') as x(l integer, r integer, a numeric)), (1, 1, 5.00::numeric),
  'one committed: counted at once');
select extensions.dblink_exec('setup', 'do $d$ begin perform private.fold_product_counters(); end $d$');
select extensions.dblink_exec('two', 'commit');
select is((select (l, r, a) from extensions.dblink('setup', :'listing') as x(l integer, r integer, a numeric)), (2, 2, 3.50::numeric),
  'both committed, one folded and one pending: exact');
select extensions.dblink_exec('setup', 'do $d$ begin perform private.fold_product_counters(); end $d$');
select is((select (l, r, a) from extensions.dblink('setup', 'select likes_count, review_count, rating from public.marketplace_products where id = ''0e900000-0000-0000-0000-0000000000f1''') as x(l integer, r integer, a numeric)),
  (2, 2, 3.50::numeric), 'all folded: the row says the same');

-- Unlike and a new like at once, with a fold in between.
select extensions.dblink_exec('one', :'as_one');
select extensions.dblink_exec('two', :'as_two');
select extensions.dblink_exec('one', $$delete from public.product_likes where product_id = '0e900000-0000-0000-0000-0000000000f1'$$);
select extensions.dblink_exec('two', $$delete from public.product_reviews where product_id = '0e900000-0000-0000-0000-0000000000f1'$$);
select extensions.dblink_exec('two', 'commit');
select extensions.dblink_exec('setup', 'do $d$ begin perform private.fold_product_counters(); end $d$');
select extensions.dblink_exec('one', 'commit');
select is((select (l, r, a) from extensions.dblink('setup', :'listing') as x(l integer, r integer, a numeric)), (1, 1, 5.00::numeric),
  'an unlike and a removed review, across a fold: exact');
select is((select count(*)::integer from extensions.dblink('setup', 'select 1 from public.product_counter_deltas where product_id = ''0e900000-0000-0000-0000-0000000000f1''') as x(n integer)),
  1, 'one delta pending (the unlike, committed after the fold)');
select extensions.dblink_exec('setup', 'do $d$ begin perform private.fold_product_counters(); end $d$');
select is((select (l, r) from extensions.dblink('setup', 'select likes_count, review_count from public.marketplace_products where id = ''0e900000-0000-0000-0000-0000000000f1''') as x(l integer, r integer)),
  (1, 1), 'and folded');

select extensions.dblink_exec('setup', 'delete from auth.users where id in (''0e900000-0000-0000-0000-0000000000a2'', ''0e900000-0000-0000-0000-0000000000a3'')');
select tests.drop_committed_workspace('0e900000-0000-0000-0000-0000000000b1', '0e900000-0000-0000-0000-0000000000a1');
select extensions.dblink_disconnect(c) from unnest(array['setup', 'one', 'two']) c;

select * from finish();
rollback;
