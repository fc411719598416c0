-- Channels: admins manage them within the plan's limit; credentials go to
-- Vault and no client role can ever read them back.
begin;
select plan(17);
select tests.create_workspace_with_roles('acme') as ws \gset

insert into public.channels (workspace_id, provider, name, phone_number_id, phone_number)
values (:'ws', 'cloud_api', 'Sales', 'PN-SALES', '15550001111') returning id as ch \gset

select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from public.channels where id = %L', :'ch')),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:1'), ('member', 'ok:1'), ('admin', 'ok:1'), ('owner', 'ok:1') $$,
  'select: every member');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme',
         format('insert into public.channels (workspace_id, provider, name, instance_name) values (%L, %L, %L, %L)', :'ws', 'evolution', 'Evo', 'evo-x')),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', 'ok:1'), ('owner', 'ok:1') $$,
  'insert: admins and owners');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('update public.channels set name = %L where id = %L', 'Renamed', :'ch')),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:0'), ('member', 'ok:0'), ('admin', 'ok:1'), ('owner', 'ok:1') $$,
  'update: admins and owners');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('delete from public.channels where id = %L', :'ch')),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:0'), ('member', 'ok:0'), ('admin', 'ok:1'), ('owner', 'ok:1') $$,
  'delete: admins and owners');
select is(tests.try_as('acme_admin', format('update public.channels set status = %L where id = %L', 'connected', :'ch')), '42501',
  'connection status is the provider''s to report, not a client''s');
select is(tests.try_as('acme_outsider', format('insert into public.channels (workspace_id, provider, name, instance_name) values (%L, %L, %L, %L)',
          :'ws', 'evolution', 'Evil', 'evil')), '42501', 'nobody adds a channel to another workspace');

-- Plan limit: the free plan has one channel.
select tests.authenticate_as('acme_outsider');
select lives_ok(format('insert into public.channels (workspace_id, provider, name, instance_name) values (%L, %L, %L, %L)',
  tests.personal_workspace('acme_outsider'), 'evolution', 'First', 'first'), 'the first channel fits the free plan');
select throws_ok(format('insert into public.channels (workspace_id, provider, name, instance_name) values (%L, %L, %L, %L)',
  tests.personal_workspace('acme_outsider'), 'evolution', 'Second', 'second'), '54000', 'the workspace''s plan allows 1 channels',
  'a second one does not');
select tests.clear_authentication();

-- Credentials.
select tests.authenticate_as('acme_admin');
select is(public.set_channel_credentials(:'ch', '{"access_token": "EAAG-secret-token", "app_secret": "app-secret-123"}'),
  array['access_token', 'app_secret'], 'an admin stores credentials; only their names come back');
select throws_ok(format('select public.set_channel_credentials(%L, %L)', :'ch', '{"api_key": "whatever-123"}'), '22023',
  'cloud_api channels take access_token, app_secret, verify_token, not api_key', 'unknown kinds are refused by name');
select throws_ok(format('select public.set_channel_credentials(%L, %L)', :'ch', '{"app_secret": "short"}'), '22023',
  'credential app_secret must be a string of at least 8 characters', 'values are checked');
select tests.authenticate_as('acme_member');
select throws_ok(format('select public.set_channel_credentials(%L, %L)', :'ch', '{"app_secret": "member-secret"}'), 'P0002',
  'channel not found', 'a member cannot set credentials');
select tests.clear_authentication();

select is((select count(*)::int from public.channels c, jsonb_each_text(to_jsonb(c)) f
            where f.value like '%EAAG-secret-token%' or f.value like '%app-secret-123%'), 0,
  'no channel column holds a secret');
select is(tests.try_as('acme_owner', 'select 1 from vault.decrypted_secrets'), '42501', 'members cannot read Vault, not even owners');
select is(tests.try_as('acme_owner', format('select private.channel_credentials(%L)', :'ch')), '42501',
  'nor call the service''s credential reader');
select is(tests.try_as('service_role', format('select private.channel_credentials(%L) ->> %L', :'ch', 'app_secret')), 'ok:1',
  'the service can');

delete from public.channels where id = :'ch';
select is((select count(*)::int from vault.secrets where name like 'channel:' || :'ch' || ':%'), 0,
  'deleting a channel deletes its secrets');

select * from finish();
rollback;
