-- Audit: every change to members, invitations, API keys and workspace
-- settings lands in activity_log with the acting user, whatever path made
-- it. Hashes are never copied into the log.

-- PostgREST puts the request headers in request.headers; outside a request
-- (the service, a cron job) they are simply absent.
create function private.request_header(name text)
returns text
language sql stable set search_path = ''
as $$
  select nullif(current_setting('request.headers', true), '')::jsonb ->> name
$$;

create function private.request_ip()
returns inet
language plpgsql stable set search_path = ''
as $$
declare
  raw text := split_part(coalesce(private.request_header('x-forwarded-for'),
                                  private.request_header('x-real-ip'), ''), ',', 1);
begin
  return nullif(trim(raw), '')::inet;
exception when invalid_text_representation then
  return null;
end
$$;

create function private.audit_change()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  category text := tg_argv[0];
  old_row jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) - 'key_hash' - 'token_hash' end;
  new_row jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) - 'key_hash' - 'token_hash' end;
  row_data jsonb := coalesce(new_row, old_row);
  ws uuid;
  changed jsonb;
  verb text := case tg_op when 'INSERT' then 'created' when 'UPDATE' then 'updated' else 'deleted' end;
begin
  if tg_op = 'UPDATE' then
    select jsonb_object_agg(n.key, jsonb_build_object('old', old_row -> n.key, 'new', n.value))
      into changed
      from jsonb_each(new_row) n
     -- bookkeeping that changes constantly and tells an auditor nothing
     where n.key not in ('updated_at', 'last_used_at', 'qr_code', 'qr_expires_at', 'pairing_code',
                         'last_synced_at', 'connection_retries')
       and n.value is distinct from old_row -> n.key;
    if changed is null then
      return null;  -- nothing an auditor cares about changed
    end if;
  end if;

  ws := case when tg_table_name = 'workspaces' then (row_data ->> 'id')::uuid
             else (row_data ->> 'workspace_id')::uuid end;
  -- A deleted workspace takes its log with it; keep that one event visible
  -- to whoever deleted it by filing it under no workspace.
  if tg_table_name = 'workspaces' and tg_op = 'DELETE' then
    ws := null;
  elsif tg_op = 'DELETE' and not exists (select 1 from public.workspaces w where w.id = ws) then
    return null;  -- cascade from the workspace deletion logged above
  end if;

  insert into public.activity_log (workspace_id, actor_id, level, category, action, entity_type, entity_id,
                                   data, ip_address, user_agent)
  values (ws, (select auth.uid()), 'info', category, category || '.' || verb, tg_table_name,
          row_data ->> 'id',
          case tg_op when 'UPDATE' then jsonb_build_object('changes', changed)
                     when 'INSERT' then jsonb_build_object('new', new_row)
                     else jsonb_build_object('old', old_row) end,
          private.request_ip(), private.request_header('user-agent'));
  return null;
end
$$;
comment on function private.audit_change() is
  'AFTER trigger writing one activity_log row per change, with the acting user and changed fields.';

create trigger audit after insert or update or delete on public.workspace_members
  for each row execute function private.audit_change('member');
create trigger audit after insert or update or delete on public.workspace_invitations
  for each row execute function private.audit_change('invitation');
create trigger audit after insert or update or delete on public.api_keys
  for each row execute function private.audit_change('api_key');
create trigger audit after update or delete on public.workspaces
  for each row execute function private.audit_change('workspace');

revoke all on function private.request_header(text), private.request_ip(), private.audit_change() from public;

-- Inboxes and badges update live.
alter publication supabase_realtime add table public.notifications;
