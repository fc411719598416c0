-- Agents count against the plan (each is four tables); their tables and
-- every sequence in public carry only the privileges the API uses; binding
-- a channel to an agent tells an outsider nothing about other workspaces.
begin;
select plan(13);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.run_as('acme_admin', format('select public.create_agent(%L, %L)', :'ws', tests.get_supabase_uid('acme_member')));
select id as a1 from public.agents where user_id = tests.get_supabase_uid('acme_member') \gset
insert into public.channels (id, workspace_id, provider, name, instance_name)
values ('c9600000-0000-0000-0000-000000000001', :'ws', 'evolution', 'Agent line', 'agent-line');

-- Limits: a personal workspace is on the free plan, one agent.
select is(tests.error_as('acme_outsider', format('select 1 from public.create_agent(%L, null, %L)', tests.personal_workspace('acme_outsider'), 'First')),
  'ok:1', 'the free plan''s one agent');
select tests.run_as('acme_outsider', format('select public.create_agent(%L, null, %L)', tests.personal_workspace('acme_outsider'), 'First'));
select is(tests.error_as('acme_outsider', format('select 1 from public.create_agent(%L, null, %L)', tests.personal_workspace('acme_outsider'), 'Second')),
  '54000 the workspace''s plan allows 1 agents', 'not a second');
select is(tests.error_as('acme_outsider', format('select 1 from public.create_agent(%L, null, %L)', tests.personal_workspace('acme_outsider'), 'FIRST')),
  'ok:1', 'asking again for the existing agent is no new agent');
select throws_ok(format('select public.create_agent(%L, null, %L)', tests.personal_workspace('acme_outsider'), 'By the service'),
  '54000', 'the workspace''s plan allows 1 agents', 'the limit holds for the service too');
update public.workspaces set plan = 'basic' where id = tests.personal_workspace('acme_outsider');
select is(tests.error_as('acme_outsider', format('select 1 from public.create_agent(%L, null, %L)', tests.personal_workspace('acme_outsider'), 'Second')),
  'ok:1', 'a bigger plan has room');

-- Privileges of every agent's tables, present and future (this test's and the seed's).
select is((select string_agg(format('%s %s %s', c.relname, r, p), ', ')
             from pg_class c join pg_namespace n on n.oid = c.relnamespace,
                  unnest(array['anon', 'authenticated', 'service_role']) r,
                  unnest(array['TRUNCATE', 'TRIGGER', 'REFERENCES']) p
            where n.nspname = 'public' and c.relkind in ('r', 'p', 'v') and has_table_privilege(r, c.oid, p)
              and (r <> 'service_role' or c.relname like 'agt\_%')),
  null, 'no API role may truncate, add triggers to or reference a public table (service_role: agent tables)');
select is((select string_agg(format('%s %s', c.relname, p), ', ')
             from pg_class c join pg_namespace n on n.oid = c.relnamespace, unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p
            where n.nspname = 'public' and c.relname like 'agt\_%' and c.relkind = 'r' and has_table_privilege('anon', c.oid, p)),
  null, 'anon reaches no agent table');
select is((select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public' and c.relname like 'agt\_%' and c.relkind = 'r'
              and not (has_table_privilege('authenticated', c.oid, 'SELECT') and has_table_privilege('authenticated', c.oid, 'INSERT')
                       and has_table_privilege('authenticated', c.oid, 'UPDATE') and has_table_privilege('authenticated', c.oid, 'DELETE'))),
  0, 'authenticated reads and writes every agent table (RLS decides which rows)');
select ok((select count(*) from pg_class where relname like 'agt\_%' and relkind = 'r') >= 12, 'over at least three agents'' tables');

-- Every sequence in public: no setval or reading for clients, USAGE only where clients insert.
select is((select string_agg(format('%s %s %s', c.relname, r, p), ', ')
             from pg_class c join pg_namespace n on n.oid = c.relnamespace,
                  unnest(array['anon', 'authenticated']) r, unnest(array['UPDATE', 'SELECT', 'USAGE']) p
            where n.nspname = 'public' and c.relkind = 'S' and has_sequence_privilege(r, c.oid, p)
              and not (r = 'authenticated' and p = 'USAGE'
                       and (c.relname like 'agt\_%\_id\_seq' or c.relname = 'agent_channels_id_seq'))),
  null, 'no client may setval or read any public sequence');
select ok(has_sequence_privilege('authenticated', format('public.agt_%s_customers_id_seq', :a1), 'USAGE'), 'ids come from the sequence');

-- Binding: an outsider names another workspace's agent and channel, or
-- none at all, and gets the same refusal.
\set refusal '42501 new row violates row-level security policy for table "agent_channels"'
select is(tests.error_as('acme_outsider', format('insert into public.agent_channels (agent_id, channel_id) values (%s, %L)', :a1, 'c9600000-0000-0000-0000-000000000001')),
  :'refusal', 'an outsider binding the workspace''s agent to its channel is refused as RLS refuses');
select is(tests.error_as('acme_outsider', format('insert into public.agent_channels (agent_id, channel_id) values (%s, %L)', 987654321, gen_random_uuid())),
  :'refusal', 'and the same for an agent that does not exist');

select * from finish();
rollback;
