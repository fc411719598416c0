-- auth.* helpers read claims the way hosted does: JSON first-class, legacy
-- per-claim settings as fallback.
begin;
select plan(23);

select has_table('auth', 'users', 'auth.users exists');
select has_column('auth', 'users', 'raw_app_meta_data', 'auth.users has raw_app_meta_data');
select has_column('auth', 'users', 'email_confirmed_at', 'auth.users has email_confirmed_at');
select has_column('auth', 'users', 'is_anonymous', 'auth.users has is_anonymous');

select set_config('request.jwt.claims',
  '{"sub":"11111111-1111-1111-1111-111111111111","role":"authenticated","email":"a@x.io","app_metadata":{"plan":"pro"}}', true);
select is(auth.uid(), '11111111-1111-1111-1111-111111111111'::uuid, 'auth.uid() reads sub from request.jwt.claims');
select is(auth.role(), 'authenticated', 'auth.role() reads role');
select is(auth.email(), 'a@x.io', 'auth.email() reads email');
select is(auth.jwt() -> 'app_metadata' ->> 'plan', 'pro', 'auth.jwt() returns the whole claims object');

select set_config('request.jwt.claims', '', true);
select set_config('request.jwt.claim.sub', '22222222-2222-2222-2222-222222222222', true);
select is(auth.uid(), '22222222-2222-2222-2222-222222222222'::uuid, 'auth.uid() falls back to the legacy setting');
select set_config('request.jwt.claim.sub', '', true);
select is(auth.uid(), null, 'auth.uid() is null without claims');

select ok(not has_table_privilege('anon', 'auth.users', 'select'), 'anon cannot read auth.users');
select ok(not has_table_privilege('authenticated', 'auth.users', 'select'), 'authenticated cannot read auth.users');

-- Sessions and refresh tokens, as GoTrue keeps them: its tables, out of
-- the API roles' reach, gone with their user.
select has_table('auth', 'sessions', 'auth.sessions exists');
select has_table('auth', 'refresh_tokens', 'auth.refresh_tokens exists');
select table_owner_is('auth', 'sessions', 'supabase_auth_admin', 'auth.sessions belongs to supabase_auth_admin');
select table_owner_is('auth', 'refresh_tokens', 'supabase_auth_admin', 'auth.refresh_tokens belongs to supabase_auth_admin');
select enum_has_labels('auth', 'aal_level', array['aal1', 'aal2', 'aal3'], 'auth.aal_level as GoTrue has it');
select ok(not has_table_privilege('authenticated', 'auth.sessions', 'select')
          and not has_table_privilege('anon', 'auth.refresh_tokens', 'select'),
  'the API roles cannot read sessions or refresh tokens');
select ok(has_table_privilege('postgres', 'auth.sessions', 'select'), 'postgres reads auth.sessions');

insert into auth.users (id, aud, role, email) values ('33333333-3333-3333-3333-333333333333', 'authenticated', 'authenticated', 'gone@x.io');
insert into auth.sessions (id, user_id, aal) values ('44444444-4444-4444-4444-444444444444', '33333333-3333-3333-3333-333333333333', 'aal1');
insert into auth.refresh_tokens (token, user_id, revoked, session_id)
values ('rt-gone', '33333333-3333-3333-3333-333333333333', false, '44444444-4444-4444-4444-444444444444');
delete from auth.users where id = '33333333-3333-3333-3333-333333333333';
select is((select count(*)::int from auth.refresh_tokens where token = 'rt-gone'), 0,
  'a deleted user takes their sessions and refresh tokens along');

-- PostgREST follows DDL through hosted's event triggers.
select ok(exists (select 1 from pg_event_trigger where evtname = 'pgrst_ddl_watch' and evtevent = 'ddl_command_end' and evtenabled = 'O'),
  'pgrst_ddl_watch runs after DDL');
select ok(exists (select 1 from pg_event_trigger where evtname = 'pgrst_drop_watch' and evtevent = 'sql_drop' and evtenabled = 'O'),
  'pgrst_drop_watch runs after drops');
select lives_ok($$create table public.pgrst_watch_probe (id int); drop table public.pgrst_watch_probe$$,
  'DDL by postgres passes through the watch triggers');

select * from finish();
rollback;
