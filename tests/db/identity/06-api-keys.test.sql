-- API keys: admins create (plaintext shown once, SHA-256 stored) and
-- revoke; only the service resolves a key to its workspace.
begin;
select plan(22);
select tests.create_workspace_with_roles('acme') as ws \gset

select tests.authenticate_as('acme_admin');
select * from public.create_api_key(:'ws', 'CRM sync', array['messages:send', 'contacts:read', 'messages:send']) \gset key_
select tests.clear_authentication();

select matches(:'key_key'::text, '^tl_[0-9a-f]{64}$', 'the key is returned once, 256 random bits');
select is(:'key_key_prefix'::text, left(:'key_key', 11), 'with a display prefix');
select is((select key_hash from public.api_keys where id = :'key_id'), sha256(convert_to(:'key_key', 'UTF8')),
  'only the SHA-256 is stored');
select is((select permissions from public.api_keys where id = :'key_id'), array['contacts:read', 'messages:send'],
  'permissions are deduplicated and sorted');

select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from public.api_keys where workspace_id = %L', :'ws')),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:0'), ('member', 'ok:0'), ('admin', 'ok:1'), ('owner', 'ok:1') $$,
  'select: admins and owners');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('update public.api_keys set revoked_at = null, expires_at = null where id = %L', :'key_id')),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501') $$,
  'update directly: nobody');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('delete from public.api_keys where id = %L', :'key_id')),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501') $$,
  'delete directly: nobody (revoke instead, so the audit trail stays)');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.api_keys (workspace_id, name, key_hash, key_prefix) values (%L, %L, %L, %L)', :'ws', 'k', '\x01', 'tl_')),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501') $$,
  'insert directly: nobody');

select tests.authenticate_as('acme_member');
select throws_ok(format('select * from public.create_api_key(%L, %L)', :'ws', 'mine'), '42501',
  'you need the admin role in this workspace', 'a member cannot create keys');
select tests.authenticate_as('acme_admin');
select throws_ok(format('select * from public.create_api_key(%L, %L, %L)', :'ws', 'k', '{messages:send,root}'), '22023',
  'unknown permissions: root', 'unknown permissions are refused by name');
select throws_ok(format('select * from public.create_api_key(%L, %L, %L, %L)', :'ws', 'k', '{}', now() - interval '1 day'), '22023',
  'expires_at must be in the future', 'a key cannot be born expired');
select throws_ok(format('select * from public.create_api_key(%L, %L)', :'ws', ''), '22023',
  'key name must be 1 to 100 characters', 'a key needs a name');

-- Authentication is for the service only.
select tests.authenticate_as('acme_owner');
select throws_ok(format('select * from private.authenticate_api_key(%L)', :'key_key'), '42501', null,
  'signed-in users cannot resolve keys');
select tests.authenticate_as_service_role();
select results_eq(format('select workspace_id, permissions from private.authenticate_api_key(%L)', :'key_key'),
  format('values (%L::uuid, %L::text[])', :'ws', '{contacts:read,messages:send}'),
  'the service resolves a key to its workspace and permissions');
select isnt((select last_used_at from public.api_keys where id = :'key_id'), null, 'and records its use');
select throws_ok($$ select * from private.authenticate_api_key('tl_wrong') $$, '28000', 'invalid API key', 'unknown keys fail');

select tests.authenticate_as('acme_owner');
select * from public.create_api_key(:'ws', 'short-lived', '{}', now() + interval '1 hour') \gset short_
select tests.clear_authentication();
update public.api_keys set expires_at = now() - interval '1 second' where id = :'short_id';
select tests.authenticate_as_service_role();
select throws_ok(format('select * from private.authenticate_api_key(%L)', :'short_key'), '28000', 'invalid API key',
  'expired keys fail');

select tests.authenticate_as('acme_outsider');
select throws_ok(format('select public.revoke_api_key(%L)', :'key_id'), 'P0002', 'API key not found',
  'an outsider cannot revoke (or detect) the key');
select tests.authenticate_as('acme_admin');
select lives_ok(format('select public.revoke_api_key(%L)', :'key_id'), 'an admin revokes it');
select throws_ok(format('select public.revoke_api_key(%L)', :'key_id'), '55000', 'API key was already revoked',
  'revoking twice is an error');
select tests.authenticate_as_service_role();
select throws_ok(format('select * from private.authenticate_api_key(%L)', :'key_key'), '28000', 'invalid API key',
  'a revoked key never authenticates again');

select tests.clear_authentication();
update public.workspaces set subscription_status = 'suspended' where id = :'ws';
select tests.authenticate_as('acme_owner');
select * from public.create_api_key(:'ws', 'after suspension') \gset late_
select tests.authenticate_as_service_role();
select throws_ok(format('select * from private.authenticate_api_key(%L)', :'late_key'), '28000', 'invalid API key',
  'keys of a suspended workspace are refused, as an unknown key is');

select * from finish();
rollback;
