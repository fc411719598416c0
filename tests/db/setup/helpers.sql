-- pgTAP helpers, installed into the ephemeral test database only (never a
-- migration): create auth users, act as them the way PostgREST does, and
-- go back to the test runner's own role.
create extension if not exists pgtap with schema extensions;
create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

-- Creates an auth user as GoTrue would (as supabase_auth_admin, so triggers
-- on auth.users run with the privileges they get on hosted). The identifier
-- is how tests refer to the user afterwards.
create or replace function tests.create_supabase_user(
  identifier text,
  email text default null,
  phone text default null,
  user_metadata jsonb default '{}'::jsonb,
  app_metadata jsonb default '{}'::jsonb
) returns uuid
language plpgsql
as $$
declare
  user_id uuid := gen_random_uuid();
  previous text := current_setting('role');
begin
  if exists (select 1 from auth.users u where u.raw_user_meta_data ->> 'test_identifier' = identifier) then
    raise exception 'test user % already exists', identifier;
  end if;
  perform set_config('role', 'supabase_auth_admin', true);
  insert into auth.users (id, instance_id, aud, role, email, phone, raw_user_meta_data,
                          raw_app_meta_data, email_confirmed_at, created_at, updated_at)
  values (user_id, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
          coalesce(email, identifier || '@test.threadline.local'), phone,
          coalesce(user_metadata, '{}'::jsonb) || jsonb_build_object('test_identifier', identifier),
          jsonb_build_object('provider', 'email', 'providers', jsonb_build_array('email'))
            || coalesce(app_metadata, '{}'::jsonb),
          now(), now(), now());
  perform set_config('role', previous, true);
  return user_id;
end
$$;

create or replace function tests.get_supabase_uid(identifier text) returns uuid
language sql stable security definer set search_path = ''
as $$
  select u.id from auth.users u where u.raw_user_meta_data ->> 'test_identifier' = identifier
$$;

create or replace function tests.get_supabase_user(identifier text) returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object('id', u.id, 'email', u.email, 'phone', u.phone,
                            'raw_user_meta_data', u.raw_user_meta_data,
                            'raw_app_meta_data', u.raw_app_meta_data)
    from auth.users u where u.raw_user_meta_data ->> 'test_identifier' = identifier
$$;

-- Acts as the user for the rest of the transaction, exactly as PostgREST
-- does for a request carrying that user's JWT.
create or replace function tests.authenticate_as(identifier text) returns void
language plpgsql
as $$
declare
  u jsonb := tests.get_supabase_user(identifier);
begin
  if u is null then
    raise exception 'no test user %', identifier;
  end if;
  perform set_config('role', 'authenticated', true);
  perform set_config('request.jwt.claims', jsonb_build_object(
    'sub', u ->> 'id', 'role', 'authenticated', 'aud', 'authenticated',
    'email', u ->> 'email', 'phone', u ->> 'phone',
    'app_metadata', u -> 'raw_app_meta_data', 'user_metadata', u -> 'raw_user_meta_data',
    'iat', extract(epoch from now())::int, 'exp', extract(epoch from now())::int + 3600
  )::text, true);
end
$$;

create or replace function tests.authenticate_as_anon() returns void
language plpgsql
as $$
begin
  perform set_config('role', 'anon', true);
  perform set_config('request.jwt.claims', '{"role":"anon"}', true);
end
$$;

create or replace function tests.authenticate_as_service_role() returns void
language plpgsql
as $$
begin
  perform set_config('role', 'service_role', true);
  perform set_config('request.jwt.claims', '{"role":"service_role"}', true);
end
$$;

-- Back to the role the test started as (postgres), with no claims.
create or replace function tests.clear_authentication() returns void
language plpgsql
as $$
begin
  perform set_config('role', 'none', true);
  perform set_config('request.jwt.claims', '', true);
end
$$;

-- True when every table of the schema has RLS enabled.
create or replace function tests.rls_enabled(schema_name text) returns text
language sql
as $$
  select extensions.is(
    (select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = schema_name and c.relkind in ('r', 'p') and not c.relrowsecurity),
    0,
    format('every table in schema %s has row level security enabled', schema_name))
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;
