-- Where a channel's instance key may go: api_base_url cannot point at
-- loopback, private, link-local or unspecified addresses unless the
-- deployment allows it (the local stack does), and changing it clears the
-- credentials sent there, which an admin then sets again.
begin;
select plan(12);
select tests.create_workspace_with_roles('acme') as ws \gset
update public.workspaces set max_channels = 10 where id = :'ws';
update private.provider_url_policy set allow_private = false;
\set new_evo 'insert into public.channels (workspace_id, provider, name, instance_name, api_base_url) values (%L, ''evolution'', %L, %L, %L)'

select is(tests.error_as('acme_admin', format(:'new_evo', :'ws', 'a', 'i-a', 'http://127.0.0.1:8080')),
  '22023 api_base_url cannot point at a private, loopback or link-local address (127.0.0.1)', 'loopback is refused');
select is(tests.error_as('acme_admin', format(:'new_evo', :'ws', 'b', 'i-b', 'http://169.254.169.254/latest/meta-data')),
  '22023 api_base_url cannot point at a private, loopback or link-local address (169.254.169.254)', 'so is the cloud metadata address');
select results_eq(format($$ select u, substr(tests.error_as('acme_admin', format(%L, %L, 'c' || n, 'i-c' || n, u)), 1, 5)
                            from unnest(array['http://10.1.2.3', 'https://192.168.0.10:8443/', 'http://172.20.0.5', 'http://0.0.0.0:80',
                                              'http://[::1]:8080', 'http://[fd00::5]/', 'http://[fe80::1]', 'http://[::ffff:127.0.0.1]',
                                              'http://localhost:8080', 'http://api.localhost', 'http://2130706433/', 'http://127.1/',
                                              'http://0x7f000001/', 'http://user:pw@10.0.0.1/']) with ordinality x(u, n) $$, :'new_evo', :'ws'),
  $$ values ('http://10.1.2.3', '22023'), ('https://192.168.0.10:8443/', '22023'), ('http://172.20.0.5', '22023'), ('http://0.0.0.0:80', '22023'),
            ('http://[::1]:8080', '22023'), ('http://[fd00::5]/', '22023'), ('http://[fe80::1]', '22023'), ('http://[::ffff:127.0.0.1]', '22023'),
            ('http://localhost:8080', '22023'), ('http://api.localhost', '22023'), ('http://2130706433/', '22023'), ('http://127.1/', '22023'),
            ('http://0x7f000001/', '22023'), ('http://user:pw@10.0.0.1/', '22023') $$,
  'RFC 1918, unspecified, IPv6 loopback/unique-local/link-local/mapped, localhost and numeric forms fetch reads as loopback');
select is(tests.try_as('acme_admin', format(:'new_evo', :'ws', 'd', 'i-d', 'https://evo.example.com')), 'ok:1', 'a public host is fine');
select is(tests.try_as('acme_admin', format(:'new_evo', :'ws', 'e', 'i-e', 'http://8.8.8.8:8080')), 'ok:1', 'and a public address');

-- Changing the URL clears the key that goes there.
insert into public.channels (id, workspace_id, provider, name, device_id, api_base_url)
values ('c2100000-0000-0000-0000-000000000001', :'ws', 'whatsmeow', 'Bridge', 'dev-1', 'https://bridge.example.com');
select tests.run_as('acme_admin', $$ select public.set_channel_credentials('c2100000-0000-0000-0000-000000000001',
  '{"api_key": "bridge-key-123456", "webhook_secret": "hook-secret-123456"}') $$);
select is(tests.error_as('acme_admin', 'update public.channels set api_base_url = ''http://10.0.0.8'' where id = ''c2100000-0000-0000-0000-000000000001'''),
  '22023 api_base_url cannot point at a private, loopback or link-local address (10.0.0.8)', 'an update is checked too');
select tests.run_as('acme_admin', 'update public.channels set name = ''Bridge 2'' where id = ''c2100000-0000-0000-0000-000000000001''');
select is((select private.channel_credentials('c2100000-0000-0000-0000-000000000001') ->> 'api_key'), 'bridge-key-123456',
  'other edits keep the credentials');
select tests.run_as('acme_admin', 'update public.channels set api_base_url = ''https://elsewhere.example.net'' where id = ''c2100000-0000-0000-0000-000000000001''');
select is((select private.channel_credentials('c2100000-0000-0000-0000-000000000001') ? 'api_key'), false,
  'a new api_base_url clears the api_key from Vault');
select results_eq($$ select credentials_set, last_error from public.channels where id = 'c2100000-0000-0000-0000-000000000001' $$,
  $$ values ('{webhook_secret}'::text[], 'api_base_url changed: set the channel''s api_key again (set_channel_credentials)') $$,
  'the channel shows it needs its key again; the inbound webhook secret stays');
select tests.run_as('acme_admin', $$ select public.set_channel_credentials('c2100000-0000-0000-0000-000000000001', '{"api_key": "new-bridge-key-123"}') $$);
select is((select private.channel_credentials('c2100000-0000-0000-0000-000000000001') ->> 'api_key'), 'new-bridge-key-123',
  'the admin sets it again for the new host');

-- The local stack allows private addresses (its fake provider is on loopback).
update private.provider_url_policy set allow_private = true;
select is(tests.try_as('acme_admin', format(:'new_evo', :'ws', 'f', 'i-f', 'http://127.0.0.1:54326')), 'ok:1',
  'a deployment that allows it may use loopback');
select is(tests.try_as('acme_owner', 'select private.configure_provider_urls(true)'), '42501', 'which clients cannot switch');

select * from finish();
rollback;
