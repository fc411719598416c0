-- The shim must give migrations the roles and defaults hosted Supabase has.
begin;
select plan(33);

select has_role('anon');
select has_role('authenticated');
select has_role('service_role');
select has_role('authenticator');
select ok((select rolbypassrls from pg_roles where rolname = 'service_role'), 'service_role bypasses RLS');
select ok(not (select rolbypassrls from pg_roles where rolname = 'authenticated'), 'authenticated does not bypass RLS');
select ok((select rolcanlogin and not rolinherit from pg_roles where rolname = 'authenticator'),
  'authenticator logs in and does not inherit');
select ok(not (select rolcanlogin from pg_roles where rolname = 'anon'), 'anon cannot log in');
select is_member_of('anon', 'authenticator');
select is_member_of('service_role', 'authenticator');
select ok(exists (select 1 from pg_db_role_setting s join pg_roles r on r.oid = s.setrole
                  where r.rolname = 'anon' and 'statement_timeout=3s' = any (s.setconfig)),
  'anon statement timeout is 3s');
select ok(exists (select 1 from pg_db_role_setting s join pg_roles r on r.oid = s.setrole
                  where r.rolname = 'authenticated' and 'statement_timeout=8s' = any (s.setconfig)),
  'authenticated statement timeout is 8s');
select is((select setting from pg_db_role_setting s, unnest(s.setconfig) setting
            where s.setdatabase = (select oid from pg_database where datname = current_database())
              and s.setrole = 0 and setting like 'pgrst.db_schemas=%'),
  'pgrst.db_schemas=public,graphql_public', 'PostgREST exposes public and graphql_public');
select ok(exists (select 1 from pg_publication where pubname = 'supabase_realtime'),
  'the supabase_realtime publication exists');
select has_extension('extensions', 'pgcrypto', 'pgcrypto lives in extensions');

-- Default privileges: a table a migration creates in public is reachable by
-- the API roles (RLS is what restricts it), as on hosted.
create table public.__shim_probe (id int);
select ok(has_table_privilege('authenticated', 'public.__shim_probe', 'select'),
  'new public tables are granted to authenticated by default');

-- pg_cron loads only through shared_preload_libraries; the minute tick needs it.
select lives_ok($$ create extension if not exists pg_cron $$, 'pg_cron can be created (preloaded)');
select ok((select count(*) from cron.job) >= 0, 'cron.job is readable');

-- Hosted's role model: the cluster's superuser is supabase_admin; postgres,
-- which applies every migration and runs these tests, is not a superuser.
select is(current_user::text, 'postgres', 'tests run as postgres');
select is(current_setting('is_superuser'), 'off', 'postgres is not a superuser');
select is((select array[rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls]
             from pg_roles where rolname = 'postgres'),
  array[false, true, true, true, true, true, true],
  'postgres is NOSUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS');
select ok((select rolsuper from pg_roles where rolname = 'supabase_admin'), 'supabase_admin is the superuser');
select is_member_of('pg_read_all_data', 'postgres');
select ok(not pg_has_role('postgres', 'supabase_auth_admin', 'member'), 'postgres is not a member of supabase_auth_admin');
select ok(not pg_has_role('postgres', 'supabase_admin', 'member'), 'postgres is not a member of supabase_admin');
select is((select pg_get_userbyid(datdba) from pg_database where datname = current_database()), 'postgres',
  'postgres owns the database');
select is((select string_agg(n.nspname || ':' || pg_get_userbyid(n.nspowner), ' ' order by n.nspname)
             from pg_namespace n where n.nspname in ('auth', 'vault', 'net', 'extensions')),
  'auth:supabase_admin extensions:postgres net:supabase_admin vault:supabase_admin',
  'auth, vault and net belong to supabase_admin, extensions to postgres');
select is((select pg_get_userbyid(relowner)::text from pg_class where oid = 'auth.users'::regclass), 'supabase_auth_admin',
  'auth.users belongs to supabase_auth_admin');

-- What only a superuser may do fails, as in a migration on hosted.
select throws_ok($$ create table auth.sneaky (id int) $$, '42501', null, 'postgres cannot create objects in auth');
select throws_ok($$ create extension file_fdw $$, '42501', null, 'nor create an untrusted extension');
select throws_ok($$ copy (select 1) to program 'cat' $$, '42501', null, 'nor run a program on the server');
select throws_ok($$ set role supabase_auth_admin $$, '42501', null, 'nor act as GoTrue');
select lives_ok($$ create trigger probe after insert on auth.users for each row execute function suppress_redundant_updates_trigger() $$,
  'but it may put triggers on auth.users, as migrations do');

select * from finish();
rollback;
