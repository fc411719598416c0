-- The channel limit and set_channel_credentials run before RLS and lock
-- rows: an outsider gets RLS's refusal whether the workspace is full or
-- not, and neither waits for nor takes a lock on another workspace's rows.
begin;
select plan(6);
select format('host=127.0.0.1 port=%s dbname=%s user=postgres password=postgres', current_setting('port'), current_database()) as dsn \gset
select tests.create_workspace_with_roles('acme') as ws \gset
-- Two workspaces of another tenant on the free plan (one channel): one full, one empty.
select tests.create_workspace_with_roles('full') as full_ws \gset
update public.workspaces set plan = 'free' where id = :'full_ws';
insert into public.channels (workspace_id, provider, name, instance_name) values (:'full_ws', 'evolution', 'Only', 'only');
select tests.create_workspace_with_roles('empty') as empty_ws \gset
update public.workspaces set plan = 'free' where id = :'empty_ws';
\set refusal '42501 new row violates row-level security policy for table "channels"'
\set insert 'insert into public.channels (workspace_id, provider, name, instance_name) values (%L, %L, %L, %L)'

select is(tests.error_as('acme_outsider', format(:'insert', :'full_ws', 'evolution', 'Probe', 'probe')),
  :'refusal', 'an outsider adding a channel to a full workspace is refused as RLS refuses, not with the plan''s limit');
select is(tests.error_as('acme_outsider', format(:'insert', :'empty_ws', 'evolution', 'Probe', 'probe')),
  :'refusal', 'and exactly the same for a workspace with room');
select is(tests.error_as('full_member', format(:'insert', :'full_ws', 'evolution', 'Probe', 'probe')),
  :'refusal', 'a member (no insert right) of a full workspace gets the same');

-- Rows held by another session: the outsider's calls are refused at once
-- instead of queueing behind those locks. Committed from a session of
-- their own, and removed at the end.
select extensions.dblink_connect('setup', :'dsn'), extensions.dblink_connect('holder', :'dsn');
select extensions.dblink_exec('setup', $$
  insert into public.workspaces (id, name, slug, plan) values ('a3100000-0000-0000-0000-0000000000b1', 'Lock Co', 'lock-co-channels', 'premium');
  insert into public.channels (id, workspace_id, provider, name, phone_number_id)
  values ('a3100000-0000-0000-0000-0000000000c1', 'a3100000-0000-0000-0000-0000000000b1', 'cloud_api', 'Main', 'PN-LOCK-CH')$$);
select extensions.dblink_exec('holder', 'begin');
select * from extensions.dblink('holder', $$select 1 from public.workspaces where id = 'a3100000-0000-0000-0000-0000000000b1' for update$$) as t(x int);
select * from extensions.dblink('holder', $$select 1 from public.channels where id = 'a3100000-0000-0000-0000-0000000000c1' for update$$) as t(x int);
set local lock_timeout = '300ms';
select is(tests.error_as('acme_outsider', format(:'insert', 'a3100000-0000-0000-0000-0000000000b1', 'evolution', 'Probe', 'probe')),
  :'refusal', 'the channel limit takes no lock on (and waits for none of) an outsider''s target workspace');
select is(tests.error_as('acme_outsider', $$select public.set_channel_credentials('a3100000-0000-0000-0000-0000000000c1', '{"access_token": "probe-token"}')$$),
  'P0002 channel not found', 'set_channel_credentials refuses an outsider without locking the channel');
set local lock_timeout = 0;
select extensions.dblink_exec('holder', 'rollback');
select extensions.dblink_exec('setup', $$delete from public.workspaces where id = 'a3100000-0000-0000-0000-0000000000b1'$$);
select extensions.dblink_disconnect(c) from unnest(array['setup', 'holder']) c;

-- Templates: the check reads the channel only for the workspace's admins.
select is(tests.error_as('acme_outsider', format('insert into public.message_templates (workspace_id, channel_id, name, language, category, components) values (%L, %L, %L, %L, %L, %L)',
    :'ws', gen_random_uuid(), 'probe', 'en_US', 'UTILITY', '[]')),
  '42501 new row violates row-level security policy for table "message_templates"',
  'an outsider''s template is refused as RLS refuses, before its components are checked');

select * from finish();
rollback;
