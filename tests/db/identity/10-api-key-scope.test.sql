-- API keys act as their creator inside their ONE workspace: with the
-- api_key claim the api function sets, every membership helper (and so
-- every policy and RPC) narrows to the key's workspace, even for a creator
-- who belongs to others. Authentication follows the creator's membership,
-- and counts requests against a per-minute limit.
begin;
select plan(19);
select tests.create_workspace_with_roles('acme') as ws_a \gset
select tests.create_workspace_with_roles('bolt') as ws_b \gset
-- acme_admin also administers bolt.
insert into public.workspace_members (workspace_id, user_id, role)
values (:'ws_b', tests.get_supabase_uid('acme_admin'), 'admin');
insert into public.notifications (user_id, workspace_id, type, title, body)
values (tests.get_supabase_uid('acme_admin'), :'ws_b', 't', 'in bolt', 'b');
insert into public.contacts (workspace_id, name, phone) values (:'ws_b', 'Bolt customer', '4915550000001');

select tests.authenticate_as('acme_admin');
select * from public.create_api_key(:'ws_a', 'acme sync', array['*']) \gset key_
select tests.clear_authentication();

-- Acts as the key would through the api function: the creator's claims
-- plus api_key.
create function pg_temp.as_key(who text, key_id uuid, ws uuid) returns void
language plpgsql as $$
begin
  perform tests.authenticate_as(who);
  perform set_config('request.jwt.claims',
    (current_setting('request.jwt.claims')::jsonb
      || jsonb_build_object('api_key', jsonb_build_object('id', key_id, 'workspace_id', ws)))::text, true);
end
$$;

-- tests.tenant_leaks with the key's claims: every public table with a
-- workspace_id, read, updated and deleted in the victim workspace.
create function pg_temp.key_leaks(who text, key_id uuid, ws uuid, victim uuid) returns setof text
language plpgsql as $$
declare
  t record;
  col text;
  n bigint;
  probe text;
begin
  for t in
    select c.table_name from information_schema.columns c
      join information_schema.tables tb on tb.table_schema = c.table_schema and tb.table_name = c.table_name
     where c.table_schema = 'public' and c.column_name = 'workspace_id' and tb.table_type = 'BASE TABLE'
     order by 1
  loop
    select a.attname into col from pg_attribute a
     where a.attrelid = format('public.%I', t.table_name)::regclass and a.attnum > 0 and not a.attisdropped
       and has_column_privilege('authenticated', a.attrelid, a.attnum, 'UPDATE')
     order by a.attnum limit 1;
    foreach probe in array array[
      format('select 1 from public.%I where workspace_id = %L', t.table_name, victim),
      format('update public.%I set %I = %I where workspace_id = %L', t.table_name,
             coalesce(col, 'workspace_id'), coalesce(col, 'workspace_id'), victim),
      format('delete from public.%I where workspace_id = %L', t.table_name, victim)]
    loop
      begin
        perform pg_temp.as_key(who, key_id, ws);
        execute probe;
        get diagnostics n = row_count;
        perform tests.clear_authentication();
        if n > 0 then
          return next format('%s -> %s rows', probe, n);
        end if;
      exception when insufficient_privilege then
        perform tests.clear_authentication();
      end;
    end loop;
  end loop;
end
$$;

-- Without the claim the creator reaches both workspaces (the control).
select tests.authenticate_as('acme_admin');
select is((select count(*)::int from public.workspaces where id in (:'ws_a', :'ws_b')), 2,
  'control: the creator''s own JWT reaches both workspaces');
select is((select count(*)::int from public.contacts where workspace_id = :'ws_b'), 1,
  'control: and bolt''s contacts');
select tests.clear_authentication();

select pg_temp.as_key('acme_admin', :'key_id', :'ws_a');
select is(array(select private.workspaces_with_role('viewer')), array[:'ws_a'::uuid],
  'workspaces_with_role: only the key''s workspace');
select is(private.workspace_role(:'ws_b'), null, 'workspace_role: none in the other workspace');
select is(private.workspace_role(:'ws_a'), 'admin'::public.member_role, 'workspace_role: the creator''s role in the key''s');
select ok(not private.has_workspace_role(:'ws_b', 'viewer'), 'has_workspace_role: false in the other workspace');
select ok(tests.get_supabase_uid('bolt_owner') <> all (array(select private.co_member_ids())),
  'co_member_ids: people of the other workspace are not co-members');
select is((select count(*)::int from public.workspaces), 1, 'listing workspaces: only the key''s');
select is((select count(*)::int from public.contacts), 0, 'listing contacts: nothing of the other workspace');
select is((select count(*)::int from public.notifications), 0, 'notifications of the other workspace are hidden');
select throws_ok(format('select * from public.create_api_key(%L, %L)', :'ws_b', 'escape'), '42501', null,
  'RPCs checking the role refuse the other workspace');
select tests.clear_authentication();

select is_empty(format('select * from pg_temp.key_leaks(%L, %L, %L, %L)', 'acme_admin', :'key_id', :'ws_a', :'ws_b'),
  'no table of the other workspace is readable, updatable or deletable under the key');

-- Platform admins: their powers stay with their own JWT.
update public.profiles set platform_role = 'super_admin' where id = tests.get_supabase_uid('acme_admin');
select pg_temp.as_key('acme_admin', :'key_id', :'ws_a');
select ok(not private.is_platform_admin(), 'is_platform_admin: never under a key');
select ok(not private.is_super_admin(), 'is_super_admin: never under a key');
select tests.clear_authentication();
update public.profiles set platform_role = 'user' where id = tests.get_supabase_uid('acme_admin');

-- Authentication: the key resolves to its creator, and stops with them.
select tests.authenticate_as_service_role();
select results_eq(format('select workspace_id, user_id, retry_after_seconds from private.authenticate_api_key(%L)', :'key_key'),
  format('values (%L::uuid, %L::uuid, null::integer)', :'ws_a', tests.get_supabase_uid('acme_admin')),
  'the service resolves a key to its workspace and creator');
select tests.clear_authentication();
update public.workspace_members set status = 'suspended'
 where workspace_id = :'ws_a' and user_id = tests.get_supabase_uid('acme_admin');
select tests.authenticate_as_service_role();
select throws_ok(format('select * from private.authenticate_api_key(%L)', :'key_key'), '28000', 'invalid API key',
  'a creator no longer active in the workspace stops the key, as an unknown key');
select tests.clear_authentication();
update public.workspace_members set status = 'active'
 where workspace_id = :'ws_a' and user_id = tests.get_supabase_uid('acme_admin');

-- Rate limit: counted per key and minute; over the limit, a retry time.
update public.api_keys set rate_limit_per_minute = 2 where id = :'key_id';
delete from private.api_key_usage where api_key_id = :'key_id';
select tests.authenticate_as_service_role();
select is((select retry_after_seconds from private.authenticate_api_key(:'key_key')), null, 'first request of the minute passes');
select is((select retry_after_seconds from private.authenticate_api_key(:'key_key')), null, 'second passes');
select ok((select retry_after_seconds between 1 and 60 from private.authenticate_api_key(:'key_key')),
  'the third is over the limit, with the seconds until the next minute');
select tests.clear_authentication();

select * from finish();
rollback;
