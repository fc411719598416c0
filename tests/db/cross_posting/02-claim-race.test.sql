-- Exactly once: two social drains claiming at the same moment, in real
-- separate sessions (dblink), never both get a cross-post, and a lease
-- keeps a claimed one from a later drain until it ends. The sessions
-- commit, so they make and remove their own fixtures.
begin;
select plan(6);
select tests.dsn() as dsn \gset
select extensions.dblink_connect('setup', :'dsn'), extensions.dblink_connect('one', :'dsn'), extensions.dblink_connect('two', :'dsn');
select extensions.dblink_exec(c, 'set lock_timeout = ''20s''') from unnest(array['one', 'two']) c;
select tests.committed_workspace('0d910000-0000-0000-0000-0000000000b1', '0d910000-0000-0000-0000-0000000000a1', 'xpost-race-pgtap');
select extensions.dblink_exec('setup', $$
  insert into storage.objects (bucket_id, name) values ('media', '0d910000-0000-0000-0000-0000000000b1/uploads/race.jpg')
  on conflict do nothing$$);
select extensions.dblink_exec('setup', $$
  begin;
  set local role authenticated;
  set local request.jwt.claims = '{"sub": "0d910000-0000-0000-0000-0000000000a1", "role": "authenticated"}';
  insert into public.feeds (id, workspace_id, feed_type, caption, media_paths, status)
  values ('0d910000-0000-0000-0000-0000000000f1', '0d910000-0000-0000-0000-0000000000b1', 'image', 'race',
          array['0d910000-0000-0000-0000-0000000000b1/uploads/race.jpg'], 'published');
  select public.connect_social_account('instagram', 'ig-race', 'IGQV-race-token', workspace_id => '0d910000-0000-0000-0000-0000000000b1');
  select public.cross_post('0d910000-0000-0000-0000-0000000000f1', c.id, now() + interval '1 hour')
    from public.social_media_connections c where c.platform_user_id = 'ig-race';
  commit$$);
-- Due now: scheduled, so that the running stack's social function was not
-- poked for it and leaves it to the two sessions.
select extensions.dblink_exec('setup', $$
  update public.feed_cross_posts set next_attempt_at = now() - interval '1 second'
   where feed_id = '0d910000-0000-0000-0000-0000000000f1'$$);

\set claim 'select count(*) from private.claim_cross_posts(%L, 10, 60) x where x.id in (select p.id from public.feed_cross_posts p where p.feed_id = ''0d910000-0000-0000-0000-0000000000f1'')'
select extensions.dblink_exec('one', 'begin');
select extensions.dblink_exec('two', 'begin');
-- One drain has claimed it and not committed yet when the other claims.
select extensions.dblink_send_query('one', format(:'claim', 'drain-one'));
select n as got_one from extensions.dblink_get_result('one') as r(n bigint) \gset
select extensions.dblink_get_result('one', false);
select extensions.dblink_send_query('two', format(:'claim', 'drain-two'));
select n as got_two from extensions.dblink_get_result('two') as r(n bigint) \gset
select extensions.dblink_get_result('two', false);
select is((:got_one + :got_two)::bigint, 1::bigint, 'two drains claiming at once: exactly one gets the cross-post');
select is(:got_two::bigint, 0::bigint, 'the other skips the locked row rather than waiting for it');
select extensions.dblink_exec('one', 'commit');
select extensions.dblink_exec('two', 'commit');
select is((select n from extensions.dblink('two', format(:'claim', 'drain-two')) as r(n bigint)), 0::bigint,
  'once committed, the lease keeps it from a later drain');
select is((select b from extensions.dblink('setup', $$select claimed_by from public.feed_cross_posts where feed_id = '0d910000-0000-0000-0000-0000000000f1'$$) as r(b text)),
  'drain-one', 'held by the drain that claimed it');
select is((select s from extensions.dblink('two', $$select private.record_cross_post(p.id, 'drain-two', '{"kind": "posted", "post_id": "1", "url": "x"}')::text from public.feed_cross_posts p where feed_id = '0d910000-0000-0000-0000-0000000000f1'$$) as r(s text)),
  null, 'a drain that does not hold it records nothing (null: not its row)');
select is((select s from extensions.dblink('one', $$select private.record_cross_post(p.id, 'drain-one', '{"kind": "posted", "post_id": "1790", "url": "https://www.instagram.com/p/x/"}')::text from public.feed_cross_posts p where feed_id = '0d910000-0000-0000-0000-0000000000f1'$$) as r(s text)),
  'posted', 'the holder records it posted');

select tests.drop_committed_workspace('0d910000-0000-0000-0000-0000000000b1', '0d910000-0000-0000-0000-0000000000a1');
select extensions.dblink_exec('setup', $$
  begin;
  set local storage.allow_delete_query = 'true';
  delete from storage.objects where name = '0d910000-0000-0000-0000-0000000000b1/uploads/race.jpg';
  commit$$);
select extensions.dblink_disconnect(c) from unnest(array['setup', 'one', 'two']) c;
select * from finish();
rollback;
