-- The shim must give migrations the roles and defaults hosted Supabase has.
begin;
select plan(18);

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

select * from finish();
rollback;
