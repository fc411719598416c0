-- Roles, memberships and grants as hosted Supabase has them before any
-- project migration (supabase/postgres: init-scripts, then the migration
-- that demotes postgres). The cluster's superuser is supabase_admin, which
-- runs this shim; postgres, the role migrations and developers use, is
-- NOSUPERUSER CREATEDB CREATEROLE LOGIN REPLICATION BYPASSRLS, so a
-- migration that only a superuser could apply fails here as it would on a
-- hosted project. Everything is idempotent: the shim runs on every start.
-- Local passwords are Supabase's local default, "postgres", except
-- authenticator's (PostgREST's login), which is the stack's own: psql
-- variable authenticator_password.
do $$
begin
  if current_user <> 'supabase_admin' or not (select rolsuper from pg_roles where rolname = current_user) then
    raise exception 'the shim runs as the superuser supabase_admin (the cluster is made with initdb -U supabase_admin)';
  end if;
  if not exists (select 1 from pg_roles where rolname = 'postgres') then
    create role postgres;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
  -- GoTrue connects as this role and writes auth.users; triggers on
  -- auth.users run as it, as on hosted.
  if not exists (select 1 from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin login noinherit createrole;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'dashboard_user') then
    create role dashboard_user nologin createdb createrole replication;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'supabase_functions_admin') then
    create role supabase_functions_admin nologin noinherit createrole;
  end if;
end
$$;

alter role supabase_admin with superuser createdb createrole replication bypassrls;
alter role postgres with nosuperuser inherit createdb createrole login replication bypassrls password 'postgres';
alter role authenticator with password :'authenticator_password';
alter role supabase_auth_admin with password 'postgres';
alter database postgres owner to postgres;

-- Memberships of postgres on hosted (PostgreSQL 15): the API roles, to act
-- as them; the predefined monitoring and read roles. Not supabase_admin,
-- supabase_auth_admin or any other service's role.
grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;
grant pg_monitor, pg_read_all_data, pg_signal_backend to postgres;

alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';
alter role supabase_auth_admin set search_path = auth;
alter role supabase_auth_admin set idle_in_transaction_session_timeout = '60000';
alter role postgres set search_path = "$user", public, extensions;
alter role supabase_admin set search_path = "$user", public, auth, extensions;

-- public belongs to pg_database_owner (postgres, owner of the database);
-- what either postgres or supabase_admin creates there is granted to the
-- API roles (RLS is what restricts it).
grant usage on schema public to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public grant all on sequences to postgres, anon, authenticated, service_role;

-- extensions belongs to postgres, and so do uuid-ossp and pgcrypto: hosted's
-- init scripts create them while postgres is still the superuser.
create schema if not exists extensions authorization postgres;
alter schema extensions owner to postgres;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema extensions grant all on tables to postgres with grant option;
alter default privileges for role supabase_admin in schema extensions grant all on functions to postgres with grant option;
alter default privileges for role supabase_admin in schema extensions grant all on sequences to postgres with grant option;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
do $$
declare
  obj record;
begin
  update pg_extension set extowner = 'postgres'::regrole where extname in ('uuid-ossp', 'pgcrypto');
  for obj in select p.oid::regprocedure as fn from pg_depend d join pg_proc p on p.oid = d.objid
              join pg_extension e on e.oid = d.refobjid
             where d.deptype = 'e' and d.classid = 'pg_proc'::regclass and e.extname in ('uuid-ossp', 'pgcrypto')
               and p.proowner <> 'postgres'::regrole loop
    execute format('alter function %s owner to postgres', obj.fn);
  end loop;
end
$$;

-- PostgREST exposes these schemas; the advisors read the same setting to
-- decide which objects are reachable through the API.
create schema if not exists graphql_public;
grant usage on schema graphql_public to postgres, anon, authenticated, service_role;
do $$ begin
  execute format('alter database %I set pgrst.db_schemas = %L', current_database(), 'public,graphql_public');
end $$;

-- Realtime's publication; migrations add their tables to it, which takes
-- owning it (hosted's init script made it as postgres).
do $$ begin
  if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end $$;
alter publication supabase_realtime owner to postgres;
