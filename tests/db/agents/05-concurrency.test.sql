-- Concurrent create_agent calls, in real separate sessions (dblink): the
-- second waits for the first to commit, then returns the same agent; no
-- deadlock, no duplicate, no half-made tables. The sessions commit, so they
-- make and remove their own fixtures.
begin;
select plan(6);
select format('host=127.0.0.1 port=%s dbname=%s user=postgres password=postgres', current_setting('port'), current_database()) as dsn \gset
-- GoTrue's own connection, for the user it signs up.
select format('host=127.0.0.1 port=%s dbname=%s user=supabase_auth_admin password=postgres', current_setting('port'), current_database()) as auth_dsn \gset
select extensions.dblink_connect('setup', :'dsn'), extensions.dblink_connect('one', :'dsn'), extensions.dblink_connect('two', :'dsn');
-- A session waiting on the lock gives up after 20 s: a broken order fails the test instead of hanging it.
select extensions.dblink_exec(c, 'set lock_timeout = ''20s''') from unnest(array['one', 'two']) c;

-- Until some session holds the agents lock, so that the order of the calls is certain.
create function pg_temp.await_agents_lock() returns void language plpgsql as $$
begin
  for i in 1..200 loop
    exit when exists (select 1 from pg_locks l, hashtextextended('threadline:agents', 0) k
                       where l.locktype = 'advisory' and l.granted and l.objsubid = 1
                         and l.classid = ((k >> 32) & 4294967295)::oid and l.objid = (k & 4294967295)::oid);
    perform pg_sleep(0.05);
  end loop;
end $$;

select extensions.dblink_exec(:'auth_dsn', $$
  insert into auth.users (id, instance_id, aud, role, email, raw_user_meta_data, raw_app_meta_data, email_confirmed_at, created_at, updated_at)
  values ('a9000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
          'race-owner@example.com', '{}', '{"provider":"email"}', now(), now(), now())$$);
select extensions.dblink_exec('setup', $$
  insert into public.workspaces (id, name, slug, plan, created_by)
  values ('a9000000-0000-0000-0000-0000000000b1', 'Race Co', 'race-co-pgtap', 'premium', 'a9000000-0000-0000-0000-0000000000a1');
  insert into public.workspace_members (workspace_id, user_id, role)
  values ('a9000000-0000-0000-0000-0000000000b1', 'a9000000-0000-0000-0000-0000000000a1', 'owner')$$);

-- Both sessions act as the owner, as PostgREST would.
select extensions.dblink_exec(c, $$begin; set local role authenticated;
  set local request.jwt.claims = '{"sub": "a9000000-0000-0000-0000-0000000000a1", "role": "authenticated"}'$$)
  from unnest(array['one', 'two']) c;
select extensions.dblink_send_query('one', $$select id from public.create_agent('a9000000-0000-0000-0000-0000000000b1', null, 'Racer')$$);
select pg_temp.await_agents_lock();
select extensions.dblink_send_query('two', $$select id from public.create_agent('a9000000-0000-0000-0000-0000000000b1', null, 'RACER')$$);
select pg_sleep(0.3);
select is(extensions.dblink_is_busy('two'), 1, 'the second call waits while the first is open');
select id as first_id from extensions.dblink_get_result('one') as r(id bigint) \gset
select extensions.dblink_get_result('one', false);
select extensions.dblink_exec('one', 'commit');
select id as second_id from extensions.dblink_get_result('two') as r(id bigint) \gset
select extensions.dblink_get_result('two', false);
select extensions.dblink_exec('two', 'commit');
select is(:second_id::bigint, :first_id::bigint, 'once the first commits, the second returns the same agent');
select is((select n from extensions.dblink('setup', $$select count(*) from public.agents where workspace_id = 'a9000000-0000-0000-0000-0000000000b1'$$) as r(n bigint)),
  1::bigint, 'one agent');
select is((select n from extensions.dblink('setup', format($$select count(*) from pg_class where relkind = 'r' and relname like 'agt\_%s\_%%'$$, :first_id)) as r(n bigint)),
  4::bigint, 'with its four tables');

-- Different agents at the same time: both made, one after the other (in the order
-- the lock was taken, which the test fixes so it can collect the results in turn).
select extensions.dblink_exec(c, $$begin; set local role authenticated;
  set local request.jwt.claims = '{"sub": "a9000000-0000-0000-0000-0000000000a1", "role": "authenticated"}'$$)
  from unnest(array['one', 'two']) c;
select extensions.dblink_send_query('one', $$select id from public.create_agent('a9000000-0000-0000-0000-0000000000b1', null, 'Alpha')$$);
select pg_temp.await_agents_lock();
select extensions.dblink_send_query('two', $$select id from public.create_agent('a9000000-0000-0000-0000-0000000000b1', null, 'Beta')$$);
select id as alpha from extensions.dblink_get_result('one') as r(id bigint) \gset
select extensions.dblink_get_result('one', false);
select extensions.dblink_exec('one', 'commit');
select id as beta from extensions.dblink_get_result('two') as r(id bigint) \gset
select extensions.dblink_get_result('two', false);
select extensions.dblink_exec('two', 'commit');
select isnt(:alpha::bigint, :beta::bigint, 'two names, two agents');
select is((select n from extensions.dblink('setup', $$select count(*) from public.agent_tables where workspace_id = 'a9000000-0000-0000-0000-0000000000b1'$$) as r(n bigint)),
  12::bigint, 'all three agents have their four tables registered');

-- The sessions committed: remove what they made.
select extensions.dblink_exec('setup', format($q$do $d$ begin perform public.drop_agent(a.id) from public.agents a where a.id in (%s, %s, %s); end $d$$q$, :first_id, :alpha, :beta));
select extensions.dblink_exec('setup', $$delete from auth.users where id = 'a9000000-0000-0000-0000-0000000000a1'$$);
select extensions.dblink_disconnect(c) from unnest(array['setup', 'one', 'two']) c;

select * from finish();
rollback;
