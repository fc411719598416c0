-- Hooks, deliveries and dead letters: who reads and writes what, secrets
-- that no client reads back, the checks on a hook as it is saved, and RPCs
-- that tell an outsider nothing about another workspace's hooks.
begin;
select plan(49);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
insert into public.channels (id, workspace_id, provider, name, phone_number_id)
values ('c9200000-0000-0000-0000-000000000001', :'ws', 'cloud_api', 'Main', 'PN-HA1'),
       ('c9200000-0000-0000-0000-000000000009', :'beta', 'cloud_api', 'Beta', 'PN-HA9');
update private.provider_url_policy set allow_private = false;

\set everyone '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:1''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admins '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:0''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admin_rpc '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set nobody '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''42501''), (''owner'', ''42501'') $$'

select results_eq(format('select * from tests.matrix(%L, %L)', 'acme',
  format('select * from public.create_hook(%L, ''Probe'', ''https://hooks.example.com/probe'')', :'ws')), :admin_rpc,
  'create_hook: admins and owners only');

select tests.authenticate_as('acme_admin');
select id as hook, secret from public.create_hook(:'ws', 'CRM sync', 'https://hooks.example.com/in',
  array['message.received', 'contact.created'], null, 'POST', '{"X-Team": "sales"}', '{"Authorization": "Bearer s3cr3t-header-value"}') \gset
select tests.clear_authentication();

select ok(:'secret' ~ '^whsec_[A-Za-z0-9+/]{43}=$', 'the secret is whsec_ and 32 random bytes in base64, shown once');
select is((select secret_prefix from public.hooks where id = :'hook'), left(:'secret', 10), 'the row keeps only its first characters');
select is((select decrypted_secret from vault.decrypted_secrets where name = 'hook:' || :'hook' || ':secret'), :'secret', 'the secret is in Vault');
select is((select secret_header_names from public.hooks where id = :'hook'), array['Authorization'], 'a secret header is listed by name');
select ok((select to_jsonb(h)::text from public.hooks h where h.id = :'hook') not like '%s3cr3t-header-value%'
          and (select to_jsonb(h)::text from public.hooks h where h.id = :'hook') not like '%' || substr(:'secret', 11) || '%',
  'no secret is in the row');

-- The access matrix
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from public.hooks where id = %L', :'hook')),
  :everyone, 'hooks: every member reads them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('update public.hooks set description = ''x'' where id = %L', :'hook')),
  :admins, 'hooks: admins edit them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme',
  format('insert into public.hooks (workspace_id, name, url, secret_prefix) values (%L, ''x'', ''https://hooks.example.com/x'', ''whsec_x'')', :'ws')),
  :nobody, 'hooks: nobody inserts rows directly (create_hook makes the secret)');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('update public.hooks set secret_prefix = ''whsec_me'' where id = %L', :'hook')),
  :nobody, 'the secret prefix and counters are the database''s');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('update public.hooks set consecutive_failures = 0 where id = %L', :'hook')),
  :nobody, 'as is the failure count');

insert into public.hook_deliveries (workspace_id, hook_id, webhook_id, event_id, event_type, attempt, status_code, latency_ms, outcome)
values (:'ws', :'hook', 'msg_1', gen_random_uuid(), 'message.received', 1, 500, 12, 'retrying');
insert into public.message_cache (id, workspace_id, hook_id, webhook_id, event_id, event_type, event_data, reason)
values ('d9200000-0000-0000-0000-000000000001', :'ws', :'hook', 'msg_1', gen_random_uuid(), 'message.received', '{}', 'HTTP 500');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from public.hook_deliveries where hook_id = %L', :'hook')),
  :admins, 'hook_deliveries: admins read them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('update public.hook_deliveries set error = ''x'' where hook_id = %L', :'hook')),
  :nobody, 'nobody edits an attempt');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from public.message_cache where hook_id = %L', :'hook')),
  :admins, 'message_cache: admins read dead letters');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('delete from public.message_cache where hook_id = %L', :'hook')),
  :admins, 'and discard them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme',
  format('insert into public.message_cache (workspace_id, hook_id, webhook_id, event_id, event_type, event_data) values (%L, %L, ''m'', gen_random_uuid(), ''x'', ''{}'')', :'ws', :'hook')),
  :nobody, 'nobody writes dead letters');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('delete from public.hooks where id = %L', :'hook')),
  :admins, 'hooks: admins delete them');
select is(tests.try_as('acme_owner', 'select decrypted_secret from vault.decrypted_secrets'), '42501', 'no client reads Vault');
select is(tests.try_as('acme_owner', 'select * from private.hook_events'), '42501', 'nor the event outbox');
select is(tests.try_as('acme_owner', format('select * from private.claim_hook_jobs(%L)', 'me')), '42501', 'nor claims deliveries (which carry secrets)');
select is(tests.try_as('acme_owner', 'select private.record_hook_results(''me'', ''[]'')'), '42501', 'nor records results');
select is(array(select * from tests.tenant_leaks('beta_owner', :'ws')), '{}'::text[], 'another workspace''s owner reaches nothing of ours');

-- Checks as a hook is saved
\set make 'select * from public.create_hook(%L, %L, %L, %L::text[], %L::uuid[], %L, %L::jsonb, %L::jsonb, %L::boolean)'
select is(tests.error_as('acme_admin', format(:'make', :'ws', 'x', 'https://user:pw@hooks.example.com/', '{*}', null, 'POST', '{}', '{}', false)),
  '22023 url cannot carry credentials; put them in a (secret) header', 'credentials in the URL are refused');
select is(tests.error_as('acme_admin', format(:'make', :'ws', 'x', 'http://hooks.example.com/', '{*}', null, 'POST', '{}', '{}', false)),
  '22023 url must use https (set allow_insecure to permit plain http)', 'plain http needs allow_insecure');
select is(tests.error_as('acme_admin', format(:'make', :'ws', 'x', 'http://hooks.example.com/', '{*}', null, 'POST', '{}', '{}', true)),
  'ok:1', 'and is allowed with it');
select is(tests.error_as('acme_admin', format(:'make', :'ws', 'x', 'ftp://hooks.example.com/', '{*}', null, 'POST', '{}', '{}', false)),
  '22023 url must be an http(s) URL', 'other schemes are refused');
select is(tests.error_as('acme_admin', format(:'make', :'ws', 'x', 'https://169.254.169.254/latest', '{*}', null, 'POST', '{}', '{}', false)),
  '22023 url cannot point at a private, loopback or link-local address (169.254.169.254)', 'link-local targets are refused');
select is(tests.error_as('acme_admin', format(:'make', :'ws', 'x', 'https://localhost:8080/', '{*}', null, 'POST', '{}', '{}', false)),
  '22023 url cannot point at localhost', 'loopback names too');
select is(tests.error_as('acme_admin', format(:'make', :'ws', 'x', 'https://[::ffff:10.0.0.1]/', '{*}', null, 'POST', '{}', '{}', false)),
  '22023 url cannot use an IPv4 address written as IPv6', 'and private addresses in IPv6 dress');
update private.provider_url_policy set allow_private = true;
select is(tests.error_as('acme_admin', format(:'make', :'ws', 'x', 'https://127.0.0.1:54326/hooks', '{*}', null, 'POST', '{}', '{}', false)),
  'ok:1', 'unless the deployment allows private targets (the local stack)');
update private.provider_url_policy set allow_private = false;
select is(tests.error_as('acme_admin', format('update public.hooks set url = ''https://10.1.2.3/'' where id = %L', :'hook')),
  '22023 url cannot point at a private, loopback or link-local address (10.1.2.3)', 'an edit is checked as a creation is');
select is(tests.error_as('acme_admin', format(:'make', :'ws', 'x', 'https://hooks.example.com/', '{message.recieved}', null, 'POST', '{}', '{}', false)),
  '22023 unknown event types: message.recieved (see hook_event_types())', 'an unknown event type is named');
select is(tests.error_as('acme_admin', format(:'make', :'ws', 'x', 'https://hooks.example.com/', '{*}', '{c9200000-0000-0000-0000-000000000009}', 'POST', '{}', '{}', false)),
  '22023 channel_ids names a channel that is not in this workspace', 'another workspace''s channel cannot be subscribed');
select is(tests.error_as('acme_admin', format(:'make', :'ws', 'x', 'https://hooks.example.com/', '{*}', null, 'POST', '{"webhook-signature": "v1,forged"}', '{}', false)),
  '22023 headers cannot set the webhook-signature header', 'the signature headers are the database''s');
select is(tests.error_as('acme_admin', format(:'make', :'ws', 'x', 'https://hooks.example.com/', '{*}', null, 'POST', '{"X-A": "one\r\nX-B: two"}', '{}', false)),
  '22023 headers value of X-A must be one line of at most 4096 characters', 'header values cannot smuggle headers');
select is(tests.error_as('acme_admin', format(:'make', :'ws', 'x', 'https://hooks.example.com/', '{*}', null, 'DELETE', '{}', '{}', false)),
  '23514 new row for relation "hooks" violates check constraint "hooks_method_check"', 'methods are POST, PUT or PATCH');
select tests.authenticate_as('acme_admin');
select id as star from public.create_hook(:'ws', 'all', 'https://hooks.example.com/', array['message.read', '*']) \gset
select tests.clear_authentication();
select is((select events from public.hooks where id = :'star'), array['*'], 'a list with * is every type');

select tests.authenticate_as('acme_admin');
select count(*) from generate_series(1, 25 - (select count(*)::int from public.hooks where workspace_id = :'ws')) i,
  lateral public.create_hook(:'ws', 'filler ' || i, 'https://hooks.example.com/f' || i);
select tests.clear_authentication();
select is(tests.error_as('acme_admin', format('select * from public.create_hook(%L, ''one more'', ''https://hooks.example.com/x'')', :'ws')),
  '54000 a workspace has at most 25 hooks; delete one first', 'a workspace has at most 25 hooks');

-- RPCs on another workspace's hook answer as for a hook that does not exist
select is(tests.error_as('beta_owner', format('select public.rotate_hook_secret(%L)', :'hook')), 'P0002 hook not found', 'rotate: another workspace''s hook is not found');
select is(tests.error_as('beta_owner', format('select public.rotate_hook_secret(%L)', gen_random_uuid())), 'P0002 hook not found', 'as a hook that does not exist');
select is(tests.error_as('acme_member', format('select public.rotate_hook_secret(%L)', :'hook')), 'P0002 hook not found', 'members cannot rotate');
select is(tests.error_as('beta_owner', format('select public.send_test_event(%L)', :'hook')), 'P0002 hook not found', 'send_test_event: the same');
select is(tests.error_as('beta_owner', format('select public.set_hook_secret_headers(%L, ''{"X": "y"}'')', :'hook')), 'P0002 hook not found', 'set_hook_secret_headers: the same');
select is(tests.error_as('beta_owner', format('select public.replay_dead_letters(%L)', :'ws')), '42501 you need the admin role in this workspace', 'replay: outsiders are refused');
select is(tests.error_as('acme_member', format('select public.replay_dead_letters(%L)', :'ws')), '42501 you need the admin role in this workspace', 'as are members');
select is(tests.error_as('acme_admin', format('select public.replay_dead_letters(%L, hook_id => %L)', :'ws', (select id from public.hooks where workspace_id = :'beta' limit 1))),
  'ok:1', 'a hook filter of another workspace matches nothing');

-- Secret headers
select tests.authenticate_as('acme_admin');
select is(public.set_hook_secret_headers(:'hook', '{"Authorization": null, "X-Api-Key": "k-123456"}'), array['X-Api-Key'], 'secret headers are replaced and removed by name');
select tests.clear_authentication();
select is((select count(*) from vault.secrets where name like 'hook:' || :'hook' || ':header:%'), 1::bigint, 'and Vault follows');
delete from public.hooks where id = :'hook';
select is((select count(*) from vault.secrets where name like 'hook:' || :'hook' || ':%'), 0::bigint, 'a deleted hook takes its secrets with it');

select * from finish();
rollback;
