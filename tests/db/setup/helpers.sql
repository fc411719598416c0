-- pgTAP helpers, installed into the ephemeral test database only (never a
-- migration): create auth users, act as them the way PostgREST does, and
-- go back to the test runner's own role (postgres, not a superuser).
-- Installed by the superuser supabase_admin, as supautils would create the
-- privileged extensions pgtap and dblink for postgres on hosted.
create extension if not exists pgtap with schema extensions;
create extension if not exists dblink with schema extensions;
create schema if not exists tests;
grant usage on schema tests to postgres, anon, authenticated, service_role;

-- Creates an auth user as GoTrue would: the function runs as
-- supabase_auth_admin (GoTrue's role, which postgres is not a member of on
-- hosted), so triggers on auth.users run with the privileges they get
-- there. The identifier is how tests refer to the user afterwards.
create or replace function tests.create_supabase_user(
  identifier text,
  email text default null,
  phone text default null,
  user_metadata jsonb default '{}'::jsonb,
  app_metadata jsonb default '{}'::jsonb
) returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  user_id uuid := gen_random_uuid();
begin
  if exists (select 1 from auth.users u where u.raw_user_meta_data ->> 'test_identifier' = identifier) then
    raise exception 'test user % already exists', identifier;
  end if;
  insert into auth.users (id, instance_id, aud, role, email, phone, raw_user_meta_data,
                          raw_app_meta_data, email_confirmed_at, created_at, updated_at)
  values (user_id, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
          coalesce(email, identifier || '@test.threadline.local'), phone,
          coalesce(user_metadata, '{}'::jsonb) || jsonb_build_object('test_identifier', identifier),
          jsonb_build_object('provider', 'email', 'providers', jsonb_build_array('email'))
            || coalesce(app_metadata, '{}'::jsonb),
          now(), now(), now());
  return user_id;
end
$$;
alter function tests.create_supabase_user(text, text, text, jsonb, jsonb) owner to supabase_auth_admin;
grant usage on schema tests to supabase_auth_admin;

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

-- A workspace with one user per role: <prefix>_owner, _admin, _member,
-- _viewer, plus <prefix>_outsider who only has their personal workspace.
-- Returns the workspace id. Built as the service would, not through RLS.
create or replace function tests.create_workspace_with_roles(prefix text)
returns uuid
language plpgsql
as $$
declare
  ws uuid;
  r text;
begin
  foreach r in array array['owner', 'admin', 'member', 'viewer', 'outsider'] loop
    perform tests.create_supabase_user(prefix || '_' || r, prefix || '_' || r || '@example.com');
  end loop;
  insert into public.workspaces (name, slug, created_by, plan)
  values (initcap(prefix) || ' Inc', prefix || '-inc', tests.get_supabase_uid(prefix || '_owner'), 'premium')
  returning id into ws;
  insert into public.workspace_members (workspace_id, user_id, role)
  select ws, tests.get_supabase_uid(prefix || '_' || x.role_name), x.role_name::public.member_role
    from unnest(array['owner', 'admin', 'member', 'viewer']) as x(role_name);
  return ws;
end
$$;

-- Becomes `who` for the rest of the transaction: a test identifier, or
-- 'anon' / 'service_role' for those API roles.
create or replace function tests.act_as(who text)
returns void
language plpgsql
as $$
begin
  case who
    when 'anon' then perform tests.authenticate_as_anon();
    when 'service_role' then perform tests.authenticate_as_service_role();
    else perform tests.authenticate_as(who);
  end case;
end
$$;

-- Runs one statement as a user the way PostgREST would and reports
-- 'ok:<rows>' (rows returned or affected) or the SQLSTATE it failed with.
-- Its effects are always rolled back, so a matrix of probes can run in any
-- order. who: as for act_as.
create or replace function tests.try_as(who text, statement text)
returns text
language plpgsql
as $$
declare
  n bigint;
  result text;
begin
  begin
    perform tests.act_as(who);
    execute statement;
    get diagnostics n = row_count;
    result := 'ok:' || n;
    raise exception using errcode = 'TROLL', message = result;
  exception
    when sqlstate 'TROLL' then
      return result;
    when others then
      return sqlstate;
  end;
end
$$;

-- try_as for anon and every actor of create_workspace_with_roles(prefix):
-- one row per actor, for access-matrix assertions.
create or replace function tests.matrix(prefix text, statement text)
returns table (who text, result text)
language sql
as $$
  select a.who, tests.try_as(case a.who when 'anon' then 'anon' else prefix || '_' || a.who end, statement)
    from unnest(array['anon', 'outsider', 'viewer', 'member', 'admin', 'owner']) with ordinality as a(who, n)
   order by a.n
$$;

-- Probes every public table that has a workspace_id as `who`, reading,
-- updating and deleting the victim workspace's rows. Returns one line per
-- leak; a correct schema returns nothing. Tables added later are covered
-- without touching this function. Rows anyone may read (a workspace's
-- published public posts, published marketplace products) are no leak: a
-- read that returns exactly what an anonymous visitor gets passes.
create or replace function tests.tenant_leaks(who text, victim uuid)
returns setof text
language plpgsql
as $$
declare
  t record;
  col text;
  r text;
  probe text;
begin
  for t in
    select c.table_name
      from information_schema.columns c
      join information_schema.tables tb on tb.table_schema = c.table_schema and tb.table_name = c.table_name
     where c.table_schema = 'public' and c.column_name = 'workspace_id' and tb.table_type = 'BASE TABLE'
     order by 1
  loop
    select a.attname into col
      from pg_attribute a
     where a.attrelid = format('public.%I', t.table_name)::regclass and a.attnum > 0 and not a.attisdropped
       and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE')
     order by a.attnum limit 1;
    foreach probe in array array[
      format('select 1 from public.%I where workspace_id = %L', t.table_name, victim),
      format('update public.%I set %I = %I where workspace_id = %L', t.table_name,
             coalesce(col, 'workspace_id'), coalesce(col, 'workspace_id'), victim),
      format('delete from public.%I where workspace_id = %L', t.table_name, victim)]
    loop
      r := tests.try_as(who, probe);
      if r not in ('ok:0', '42501') and not (probe like 'select %' and r = tests.try_as('anon', probe)) then
        return next format('%s -> %s', probe, r);
      end if;
    end loop;
  end loop;
end
$$;

-- Provider payload builders, shaped as the providers document them.

-- A Meta Cloud API webhook: one entry, one "messages" change with `value`
-- merged into the standard envelope.
create or replace function tests.cloud_webhook(phone_number_id text, value jsonb)
returns jsonb
language sql immutable
as $$
  select jsonb_build_object('object', 'whatsapp_business_account', 'entry', jsonb_build_array(jsonb_build_object(
    'id', 'WABA-1', 'changes', jsonb_build_array(jsonb_build_object('field', 'messages', 'value',
      jsonb_build_object('messaging_product', 'whatsapp',
        'metadata', jsonb_build_object('display_phone_number', '15550000000', 'phone_number_id', phone_number_id))
      || value)))))
$$;

-- One inbound Cloud API message from wa_id, with its contact profile.
create or replace function tests.cloud_message(phone_number_id text, wa_id text, profile_name text, message jsonb)
returns jsonb
language sql immutable
as $$
  select tests.cloud_webhook(phone_number_id, jsonb_build_object(
    'contacts', jsonb_build_array(jsonb_build_object('profile', jsonb_build_object('name', profile_name), 'wa_id', wa_id)),
    'messages', jsonb_build_array(jsonb_build_object('from', wa_id, 'timestamp', '1767225600') || message)))
$$;

create or replace function tests.cloud_status(phone_number_id text, wamid text, status text, ts text,
                                              errors jsonb default null)
returns jsonb
language sql immutable
as $$
  select tests.cloud_webhook(phone_number_id, jsonb_build_object('statuses', jsonb_build_array(jsonb_strip_nulls(
    jsonb_build_object('id', wamid, 'status', status, 'timestamp', ts, 'recipient_id', '5511900000000',
                       'errors', errors)))))
$$;

-- An Evolution API webhook body.
create or replace function tests.evolution(event text, data jsonb, instance text default 'acme-main')
returns jsonb
language sql immutable
as $$
  select jsonb_build_object('event', event, 'instance', instance, 'data', data,
    'destination', 'https://example.com/hook', 'date_time', '2026-01-01T00:00:00.000Z',
    'sender', '5511955550000@s.whatsapp.net', 'server_url', 'https://evo.example.com',
    'apikey', 'EVOLUTION-INSTANCE-KEY-1234')
$$;

-- Like try_as, but keeps the effects (and raises on error).
create or replace function tests.run_as(who text, statement text)
returns bigint
language plpgsql
as $$
declare
  n bigint;
begin
  perform tests.act_as(who);
  execute statement;
  get diagnostics n = row_count;
  perform tests.clear_authentication();
  return n;
end
$$;

-- The personal workspace made at sign-up for a test user.
create or replace function tests.personal_workspace(identifier text)
returns uuid
language sql stable security definer set search_path = ''
as $$
  select w.id from public.workspaces w
   where w.is_personal and w.created_by = tests.get_supabase_uid(identifier)
$$;

-- The plan of a query, as the current role (and its RLS) would run it.
create or replace function tests.plan_of(query text)
returns text
language plpgsql
as $$
declare
  line text;
  plan text := '';
begin
  for line in execute 'explain (costs off) ' || query loop
    plan := plan || line || E'\n';
  end loop;
  return plan;
end
$$;

grant execute on all functions in schema tests to postgres, anon, authenticated, service_role;

-- Like try_as, with the error's message: 'ok:<rows>' or '<SQLSTATE> <message>'.
create or replace function tests.error_as(who text, statement text)
returns text
language plpgsql
as $$
declare
  n bigint;
  result text;
begin
  begin
    perform tests.act_as(who);
    execute statement;
    get diagnostics n = row_count;
    result := 'ok:' || n;
    raise exception using errcode = 'TROLL', message = result;
  exception
    when sqlstate 'TROLL' then
      return result;
    when others then
      return sqlstate || ' ' || sqlerrm;
  end;
end
$$;

-- A Cloud API channel in a workspace whose conversation with wa_id is open
-- (the customer wrote just now). Returns the conversation id.
create or replace function tests.open_cloud_conversation(ws uuid, channel uuid, phone_number_id text, wa_id text,
                                                         wamid text default null)
returns uuid
language plpgsql
as $$
begin
  if not exists (select 1 from public.channels c where c.id = channel) then
    insert into public.channels (id, workspace_id, provider, name, phone_number_id)
    values (channel, ws, 'cloud_api', 'Cloud ' || phone_number_id, phone_number_id);
    perform vault.create_secret('test-access-token', private.channel_secret_name(channel, 'access_token'));
  end if;
  perform private.ingest_webhook('cloud_api', channel, tests.cloud_message(phone_number_id, wa_id, 'Customer ' || wa_id,
    jsonb_build_object('id', coalesce(wamid, 'wamid.in-' || wa_id || '-' || gen_random_uuid()), 'type', 'text',
                       'timestamp', floor(extract(epoch from now()))::text, 'text', jsonb_build_object('body', 'hello'))));
  return (select c.id from public.conversations c where c.channel_id = channel and c.chat_id = wa_id);
end
$$;

-- For tests whose dblink sessions commit: an owner (made as GoTrue makes a
-- user, over its own connection) and a premium workspace of theirs,
-- committed. What an interrupted run left is removed first;
-- tests.drop_committed_workspace removes them at the end.
create or replace function tests.dsn(db_user text default 'postgres')
returns text
language sql stable
as $$
  select format('host=127.0.0.1 port=%s dbname=%s user=%s password=postgres', current_setting('port'), current_database(), db_user)
$$;

create or replace function tests.drop_committed_workspace(ws uuid, owner uuid)
returns void
language plpgsql
as $$
begin
  perform extensions.dblink_exec(tests.dsn(), format('delete from public.workspaces where id = %L', ws));
  perform extensions.dblink_exec(tests.dsn(), format('delete from auth.users where id = %L', owner));
end
$$;

create or replace function tests.committed_workspace(ws uuid, owner uuid, slug text)
returns void
language plpgsql
as $$
begin
  perform tests.drop_committed_workspace(ws, owner);
  perform extensions.dblink_exec(tests.dsn('supabase_auth_admin'), format($q$
    insert into auth.users (id, instance_id, aud, role, email, raw_user_meta_data, raw_app_meta_data, email_confirmed_at,
                            created_at, updated_at)
    values (%L, '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated', %L, '{}',
            '{"provider":"email"}', now(), now(), now())$q$, owner, slug || '@example.com'));
  perform extensions.dblink_exec(tests.dsn(), format($q$
    insert into public.workspaces (id, name, slug, plan, created_by) values (%L, %L, %L, 'premium', %L);
    insert into public.workspace_members (workspace_id, user_id, role) values (%L, %L, 'owner')$q$,
    ws, initcap(replace(slug, '-', ' ')), slug, owner, ws, owner));
end
$$;

grant execute on all functions in schema tests to postgres, anon, authenticated, service_role;
