-- drop_agent settles who may act before it takes the agents lock or the
-- agent's row: an outsider is refused at once, never queued behind (or
-- holding) another workspace's locks. The agent is committed from a
-- session of its own, and removed at the end.
begin;
select plan(2);
select format('host=127.0.0.1 port=%s dbname=%s user=postgres password=postgres', current_setting('port'), current_database()) as dsn \gset
select format('host=127.0.0.1 port=%s dbname=%s user=supabase_auth_admin password=postgres', current_setting('port'), current_database()) as auth_dsn \gset
select tests.create_supabase_user('stranger', 'stranger@example.com');
select extensions.dblink_connect('setup', :'dsn'), extensions.dblink_connect('holder', :'dsn');
select extensions.dblink_exec(:'auth_dsn', $$
  insert into auth.users (id, instance_id, aud, role, email, raw_user_meta_data, raw_app_meta_data, email_confirmed_at, created_at, updated_at)
  values ('a9700000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
          'lock-owner@example.com', '{}', '{"provider":"email"}', now(), now(), now())$$);
select extensions.dblink_exec('setup', $$
  insert into public.workspaces (id, name, slug, plan, created_by)
  values ('a9700000-0000-0000-0000-0000000000b1', 'Lock Co', 'lock-co-agents', 'premium', 'a9700000-0000-0000-0000-0000000000a1');
  insert into public.workspace_members (workspace_id, user_id, role)
  values ('a9700000-0000-0000-0000-0000000000b1', 'a9700000-0000-0000-0000-0000000000a1', 'owner')$$);
select id as agent from extensions.dblink('setup',
  $$select id from public.create_agent('a9700000-0000-0000-0000-0000000000b1', null, 'Held')$$) as t(id bigint) \gset

-- Another session holds the agent's row and the agents lock.
select extensions.dblink_exec('holder', 'begin');
select * from extensions.dblink('holder', format($$select 1 from public.agents where id = %s for update$$, :agent)) as t(x int);
select * from extensions.dblink('holder', $$select 1 from (select pg_advisory_xact_lock(hashtextextended('threadline:agents', 0))) l$$) as t(x int);
set local lock_timeout = '300ms';
select is(tests.error_as('stranger', format('select 1 from public.drop_agent(%s)', :agent)),
  format('P0002 agent %s not found', :agent), 'an outsider''s drop_agent is refused without waiting for any lock');
select is(tests.error_as('stranger', format('select 1 from public.drop_agent(%s)', :agent + 1000000)),
  format('P0002 agent %s not found', :agent + 1000000), 'as it is for an agent that does not exist');
set local lock_timeout = 0;
select extensions.dblink_exec('holder', 'rollback');

select * from extensions.dblink('setup', format('select id from public.drop_agent(%s)', :agent)) as t(id bigint);
select extensions.dblink_exec('setup', $$delete from public.workspaces where id = 'a9700000-0000-0000-0000-0000000000b1'$$);
select extensions.dblink_exec(:'auth_dsn', $$delete from auth.users where id = 'a9700000-0000-0000-0000-0000000000a1'$$);
select extensions.dblink_disconnect(c) from unnest(array['setup', 'holder']) c;

select * from finish();
rollback;
