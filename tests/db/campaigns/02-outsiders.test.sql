-- check_campaign runs before RLS, and the campaign RPCs lock the campaign:
-- an outsider learns nothing about another workspace's templates from an
-- insert, and touching another workspace's campaign takes no lock on it.
begin;
select plan(5);
select format('host=127.0.0.1 port=%s dbname=%s user=postgres password=postgres', current_setting('port'), current_database()) as dsn \gset
select tests.create_workspace_with_roles('acme') as ws \gset
insert into public.channels (id, workspace_id, provider, name, phone_number_id)
values ('c6100000-0000-0000-0000-000000000001', :'ws', 'cloud_api', 'Main', 'PN-C61');
insert into public.message_templates (id, workspace_id, channel_id, name, language, category, status, components) values
  ('7e610000-0000-0000-0000-000000000001', :'ws', 'c6100000-0000-0000-0000-000000000001', 'promo', 'en_US', 'MARKETING', 'APPROVED',
   '[{"type":"BODY","text":"Hi {{1}}, 20% off for you."}]');
\set refusal '42501 new row violates row-level security policy for table "campaigns"'
\set insert 'insert into public.campaigns (workspace_id, channel_id, name, template_id, template_params) values (%L, %L, %L, %L, %L)'

select is(tests.error_as('acme_outsider', format(:'insert', :'ws', 'c6100000-0000-0000-0000-000000000001', 'Probe',
    '7e610000-0000-0000-0000-000000000001', '["x", "too many"]')),
  :'refusal', 'an outsider naming the workspace''s channel and template is refused as RLS refuses (no parameter check)');
select is(tests.error_as('acme_outsider', format(:'insert', :'ws', 'c6100000-0000-0000-0000-000000000001', 'Probe', gen_random_uuid(), null)),
  :'refusal', 'and the same for a template that is not there');
select is(tests.error_as('acme_viewer', format(:'insert', :'ws', 'c6100000-0000-0000-0000-000000000001', 'Probe', gen_random_uuid(), null)),
  :'refusal', 'a viewer (no insert right) gets the same');

-- A member naming another workspace's channel and its template, in a
-- campaign of their own workspace: refused like a template that is not
-- there, before the template's parameters are compared.
select tests.create_workspace_with_roles('beta') as beta \gset
insert into public.channels (id, workspace_id, provider, name, phone_number_id)
values ('c6100000-0000-0000-0000-0000000000b1', :'beta', 'cloud_api', 'Theirs', 'PN-C61-B');
insert into public.message_templates (id, workspace_id, channel_id, name, language, category, status, components) values
  ('7e610000-0000-0000-0000-0000000000b1', :'beta', 'c6100000-0000-0000-0000-0000000000b1', 'secret', 'en_US', 'MARKETING', 'APPROVED',
   '[{"type":"BODY","text":"Hi {{1}} and {{2}}."}]');
select is(tests.error_as('acme_member', format(:'insert', :'ws', 'c6100000-0000-0000-0000-0000000000b1', 'Probe',
    '7e610000-0000-0000-0000-0000000000b1', '["one"]')),
  tests.error_as('acme_member', format(:'insert', :'ws', 'c6100000-0000-0000-0000-0000000000b1', 'Probe', gen_random_uuid(), '["one"]')),
  'another workspace''s template on its channel answers like no template at all');

-- A campaign another session holds: the outsider's start_campaign is
-- refused at once instead of queueing behind that lock. The campaign is
-- committed from a session of its own, and removed at the end.
select extensions.dblink_connect('setup', :'dsn'), extensions.dblink_connect('holder', :'dsn');
select extensions.dblink_exec('setup', $$
  insert into public.workspaces (id, name, slug, plan) values ('a6100000-0000-0000-0000-0000000000b1', 'Lock Co', 'lock-co-campaigns', 'premium');
  insert into public.channels (id, workspace_id, provider, name, phone_number_id)
  values ('a6100000-0000-0000-0000-0000000000c1', 'a6100000-0000-0000-0000-0000000000b1', 'cloud_api', 'Main', 'PN-LOCK-C');
  insert into public.campaigns (id, workspace_id, channel_id, name, message_content)
  values ('a6100000-0000-0000-0000-0000000000d1', 'a6100000-0000-0000-0000-0000000000b1', 'a6100000-0000-0000-0000-0000000000c1', 'Held', 'Hi')$$);
select extensions.dblink_exec('holder', 'begin');
select * from extensions.dblink('holder', $$select 1 from public.campaigns where id = 'a6100000-0000-0000-0000-0000000000d1' for update$$) as t(x int);
set local lock_timeout = '300ms';
select is(tests.error_as('acme_outsider', $$select public.start_campaign('a6100000-0000-0000-0000-0000000000d1')$$),
  'P0002 campaign not found', 'an outsider''s start_campaign is refused without waiting for (or taking) the campaign''s lock');
set local lock_timeout = 0;
select extensions.dblink_exec('holder', 'rollback');
select extensions.dblink_exec('setup', $$delete from public.workspaces where id = 'a6100000-0000-0000-0000-0000000000b1'$$);
select extensions.dblink_disconnect(c) from unnest(array['setup', 'holder']) c;

select * from finish();
rollback;
