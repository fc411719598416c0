-- Counters under concurrency, in real separate sessions (dblink): likes on
-- one post from several sessions never wait for each other (no write to
-- the post row), a rolled-back like never counts, the tick folding while
-- likes are in flight loses none, and the count read at any moment is the
-- committed one. The sessions commit, so they make and remove their own
-- fixtures.
begin;
select plan(8);
select tests.dsn() as dsn \gset
select extensions.dblink_connect('setup', :'dsn'), extensions.dblink_connect('one', :'dsn'),
       extensions.dblink_connect('two', :'dsn'), extensions.dblink_connect('three', :'dsn');
select extensions.dblink_exec(c, 'set lock_timeout = ''20s''') from unnest(array['one', 'two', 'three']) c;
select tests.committed_workspace('5d900000-0000-0000-0000-0000000000b1', '5d900000-0000-0000-0000-0000000000a1', 'social-race-pgtap');
select extensions.dblink_exec('setup', format('delete from auth.users where id in (%s)',
  (select string_agg(format('%L', '5d900000-0000-0000-0000-0000000000a' || i), ', ') from generate_series(2, 4) i)));
select extensions.dblink_exec(tests.dsn('supabase_auth_admin'), format($q$
  insert into auth.users (id, instance_id, aud, role, email, raw_user_meta_data, raw_app_meta_data, email_confirmed_at, created_at, updated_at)
  select ('5d900000-0000-0000-0000-0000000000a' || i)::uuid, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
         'social-race-' || i || '@example.com', '{}', '{"provider":"email"}', now(), now(), now()
    from generate_series(2, 4) i$q$));
select extensions.dblink_exec('setup', $$
  insert into storage.objects (bucket_id, name) values ('media', '5d900000-0000-0000-0000-0000000000b1/uploads/race.jpg') on conflict do nothing;
  insert into public.feeds (id, user_id, workspace_id, feed_type, media_paths, status)
  values ('5d900000-0000-0000-0000-0000000000f1', '5d900000-0000-0000-0000-0000000000a1', '5d900000-0000-0000-0000-0000000000b1',
          'image', array['5d900000-0000-0000-0000-0000000000b1/uploads/race.jpg'], 'published')$$);

\set as_user 'begin; set local role authenticated; set local request.jwt.claims = ''{"sub": "5d900000-0000-0000-0000-0000000000a%s", "role": "authenticated"}'''
\set like 'insert into public.feed_likes (feed_id) values (''5d900000-0000-0000-0000-0000000000f1'')'
\set count 'select like_count from public.feed_posts where id = ''5d900000-0000-0000-0000-0000000000f1'''

-- Three likes in flight on one post at once.
select extensions.dblink_exec('one', format(:'as_user', 2));
select extensions.dblink_exec('two', format(:'as_user', 3));
select extensions.dblink_exec('three', format(:'as_user', 4));
select extensions.dblink_exec('one', :'like');
select extensions.dblink_send_query('two', :'like');
select extensions.dblink_send_query('three', :'like');
select pg_sleep(0.3);
select is((extensions.dblink_is_busy('two'), extensions.dblink_is_busy('three')), (0, 0),
  'likes on one post from concurrent sessions do not wait for each other');
select extensions.dblink_get_result(c, false) from unnest(array['two', 'two', 'three', 'three']) c;
select is((select n from extensions.dblink('setup', :'count') as r(n bigint)), 0::bigint, 'nothing counts before it commits');
-- The tick folds while all three are open.
select extensions.dblink_exec('setup', 'do $$ begin perform private.fold_social_counters(); end $$');
select extensions.dblink_exec('one', 'commit');
select is((select n from extensions.dblink('setup', :'count') as r(n bigint)), 1::bigint, 'a like counts the moment it commits');
select extensions.dblink_exec('two', 'rollback');
select extensions.dblink_exec('three', 'commit');
select is((select n from extensions.dblink('setup', :'count') as r(n bigint)), 2::bigint, 'a rolled-back like never counts');

-- A fold and an unlike at once: the unlike waits for nothing either.
select extensions.dblink_exec('one', format(:'as_user', 2));
select extensions.dblink_exec('one', 'delete from public.feed_likes where feed_id = ''5d900000-0000-0000-0000-0000000000f1''');
select extensions.dblink_exec('setup', 'begin');
select extensions.dblink_exec('setup', 'do $$ begin perform private.fold_social_counters(); end $$');
select extensions.dblink_send_query('one', 'commit');
select pg_sleep(0.2);
select is(extensions.dblink_is_busy('one'), 0, 'an unlike commits while the tick holds the post row');
select extensions.dblink_get_result('one', false);
select extensions.dblink_exec('setup', 'commit');
select is((select n from extensions.dblink('setup', :'count') as r(n bigint)), 1::bigint, 'and counts: 1 like left');
select extensions.dblink_exec('setup', 'do $$ begin perform private.fold_social_counters(); end $$');
select is((select n from extensions.dblink('setup', 'select like_count::bigint from public.feeds where id = ''5d900000-0000-0000-0000-0000000000f1''') as r(n bigint)),
  1::bigint, 'folded into the post row: 1');
select is((select n from extensions.dblink('setup', :'count') as r(n bigint)), 1::bigint, 'read the same');

select extensions.dblink_exec('setup', format('delete from public.workspaces where created_by in (%1$s); delete from auth.users where id in (%1$s)',
  (select string_agg(format('%L', '5d900000-0000-0000-0000-0000000000a' || i), ', ') from generate_series(2, 4) i)));
select tests.drop_committed_workspace('5d900000-0000-0000-0000-0000000000b1', '5d900000-0000-0000-0000-0000000000a1');
select extensions.dblink_exec('setup', $$begin; set local storage.allow_delete_query = 'true';
  delete from storage.objects where name = '5d900000-0000-0000-0000-0000000000b1/uploads/race.jpg'; commit$$);
select extensions.dblink_disconnect(c) from unnest(array['setup', 'one', 'two', 'three']) c;

select * from finish();
rollback;
