-- Vault and pg_net keep hosted's signatures and privileges.
begin;
select plan(19);

select function_returns('vault', 'create_secret', array['text', 'text', 'text', 'uuid'], 'uuid');
select function_returns('vault', 'update_secret', array['uuid', 'text', 'text', 'text', 'uuid'], 'void');
select function_returns('net', 'http_post', array['text', 'jsonb', 'jsonb', 'jsonb', 'integer'], 'bigint');
select function_returns('net', 'http_get', array['text', 'jsonb', 'jsonb', 'integer'], 'bigint');
select function_returns('net', 'http_delete', array['text', 'jsonb', 'jsonb', 'integer', 'jsonb'], 'bigint');

select lives_ok($$ select vault.create_secret('s3cret', 'test_secret', 'a test') $$, 'create_secret stores a secret');
select is((select decrypted_secret from vault.decrypted_secrets where name = 'test_secret'), 's3cret',
  'decrypted_secrets decrypts it');
select isnt((select secret from vault.secrets where name = 'test_secret'), 's3cret', 'the stored value is encrypted');
select lives_ok($$ select vault.update_secret((select id from vault.secrets where name = 'test_secret'), 'rotated') $$,
  'update_secret rotates it');
select is((select decrypted_secret from vault.decrypted_secrets where name = 'test_secret'), 'rotated',
  'the rotated value is read back');
select throws_ok($$ select vault.create_secret('x', 'test_secret') $$, '23505', null, 'secret names are unique');

select ok(not has_schema_privilege('authenticated', 'vault', 'usage'), 'authenticated cannot use the vault schema');
select ok(not has_schema_privilege('anon', 'vault', 'usage'), 'anon cannot use the vault schema');
-- Hosted's supabase_vault after-create script keeps these for service_role
-- (it had them through pgsodium up to Vault 0.2.8); PostgREST does not
-- expose the schema, so no API request reaches them.
select ok(has_table_privilege('service_role', 'vault.decrypted_secrets', 'select'),
  'service_role reads vault.decrypted_secrets, as on hosted');
select is((select count(*)::int from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where n.nspname = 'vault' and has_function_privilege('anon', p.oid, 'execute')), 0,
  'anon executes nothing in vault');

-- pg_net 0.12 and later, as hosted runs it: the request functions run as
-- their caller, and PUBLIC may queue requests.
select ok(not (select prosecdef from pg_proc where oid = 'net.http_post(text, jsonb, jsonb, jsonb, integer)'::regprocedure),
  'net.http_post is security invoker');

-- A queued request is visible to the worker only once this transaction
-- commits; inside it, the id and the row exist.
select ok((select net.http_post('http://127.0.0.1:9/x', '{"a":1}'::jsonb)) > 0, 'http_post returns a request id');
select is((select convert_from(body, 'UTF8')::jsonb from net.http_request_queue order by id desc limit 1),
  '{"a":1}'::jsonb, 'the body is queued as JSON bytes');
select is(net._encode_url_with_params_array('http://h/p', net._params_array('{"a b":"c&d"}')),
  'http://h/p?a%20b=c%26d', 'query params are percent-encoded');

select * from finish();
rollback;
