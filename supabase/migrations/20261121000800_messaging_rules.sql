-- What keeps messaging consistent whoever writes: human numbers for
-- conversations, assignees who belong to the workspace, delivery statuses
-- that only move forward (even when they arrive before their message), and
-- conversation/contact state that follows every new message.

-- Per-workspace human numbers (conversation #1, #2, ...) come from one
-- sequence per workspace and counter: nextval never waits on another
-- transaction, where a counter row would serialize every ingest that opens a
-- conversation. Numbers may skip after a rollback, which a display number
-- can afford.
create function private.next_number(ws uuid, counter text)
returns bigint
language plpgsql volatile security definer set search_path = ''
as $$
declare
  seq text := counter || '_' || replace(ws::text, '-', '');
begin
  if counter !~ '^[a-z_]{1,30}$' then
    raise exception 'bad counter name %', counter using errcode = '22023';
  end if;
  if to_regclass('private.' || seq) is null then
    -- First number of this workspace: create its sequence once, even when
    -- two transactions get here together.
    perform pg_advisory_xact_lock(hashtext('private.' || seq));
    execute format('create sequence if not exists private.%I', seq);
  end if;
  return nextval(('private.' || seq)::regclass);
end
$$;
comment on function private.next_number(uuid, text) is
  'Next per-workspace number for a counter (e.g. conversation), from a sequence private.<counter>_<workspace>.';

-- A deleted workspace takes its sequences with it.
create function private.drop_workspace_sequences()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  seq text;
begin
  for seq in select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
              where n.nspname = 'private' and c.relkind = 'S'
                and c.relname like '%\_' || replace(old.id::text, '-', '')
  loop
    execute format('drop sequence if exists private.%I', seq);
  end loop;
  return old;
end
$$;
create trigger drop_workspace_sequences after delete on public.workspaces
  for each row execute function private.drop_workspace_sequences();

create function private.assign_conversation_number()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  new.display_id := private.next_number(new.workspace_id, 'conversation');
  return new;
end
$$;
create trigger assign_number before insert on public.conversations
  for each row execute function private.assign_conversation_number();

create function private.check_assignee()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.assignee_id is not null and not exists (
       select 1 from public.workspace_members m
        where m.workspace_id = new.workspace_id and m.user_id = new.assignee_id and m.status = 'active'
          and m.role >= 'member') then
    raise exception 'the assignee must be an active member (not a viewer) of the workspace' using errcode = '22023';
  end if;
  return new;
end
$$;
create trigger check_assignee before insert or update of assignee_id on public.conversations
  for each row when (new.assignee_id is not null) execute function private.check_assignee();

create function private.stamp_contact()
returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.opted_in then
    new.opted_in_at := coalesce(new.opted_in_at, now());
  else
    new.opted_out_at := now();
  end if;
  return new;
end
$$;
create trigger stamp_contact_insert before insert on public.contacts
  for each row when (new.opted_in) execute function private.stamp_contact();
create trigger stamp_contact_update before update of opted_in on public.contacts
  for each row when (new.opted_in is distinct from old.opted_in) execute function private.stamp_contact();

-- Delivery statuses ----------------------------------------------------------

-- Statuses only move forward. failed sits between sent and delivered: a
-- message reported failed that later shows delivered was delivered.
create function private.status_rank(s public.message_status)
returns integer
language sql immutable set search_path = ''
as $$
  select case s when 'pending' then 0 when 'sent' then 10 when 'failed' then 15 when 'delivered' then 20
                when 'read' then 30 when 'played' then 40 when 'deleted' then 100 end
$$;

-- Statuses for a message we have not recorded yet (the provider's answer to
-- a send can arrive after its first status; Meta delivers out of order).
create table private.pending_message_statuses (
  channel_id uuid not null references public.channels (id) on delete cascade,
  provider_message_id text not null,
  status public.message_status not null,
  status_at timestamptz not null,
  error jsonb,
  received_at timestamptz not null default now(),
  primary key (channel_id, provider_message_id, status)
);
comment on table private.pending_message_statuses is 'Statuses that arrived before their message; applied when it is recorded.';

-- Applies one status to the message with that provider id. Returns false
-- (and parks the status) when the message is not known yet.
create function private.apply_message_status(
  p_channel uuid, p_provider_message_id text, p_status public.message_status, p_at timestamptz, p_error jsonb
) returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  at timestamptz := coalesce(p_at, now());
begin
  update public.messages m set
    status = case when private.status_rank(p_status) > private.status_rank(m.status) then p_status else m.status end,
    sent_at = case when p_status = 'sent' then coalesce(m.sent_at, at) else m.sent_at end,
    delivered_at = case when p_status = 'delivered' then coalesce(m.delivered_at, at) else m.delivered_at end,
    read_at = case when p_status in ('read', 'played') then coalesce(m.read_at, at) else m.read_at end,
    failed_at = case when p_status = 'failed' then coalesce(m.failed_at, at) else m.failed_at end,
    error_code = case when p_status = 'failed' then coalesce((p_error ->> 'code')::integer, m.error_code) else m.error_code end,
    error_title = case when p_status = 'failed' then coalesce(p_error ->> 'title', m.error_title) else m.error_title end,
    error_message = case when p_status = 'failed'
                         then coalesce(p_error ->> 'message', p_error #>> '{error_data,details}', m.error_message)
                         else m.error_message end,
    errors = case when p_error is not null then coalesce(m.errors, '[]'::jsonb) || jsonb_build_array(p_error) else m.errors end,
    deleted_at = case when p_status = 'deleted' then coalesce(m.deleted_at, at) else m.deleted_at end
  where m.channel_id = p_channel and m.provider_message_id = p_provider_message_id;
  if found then
    return true;
  end if;
  insert into private.pending_message_statuses (channel_id, provider_message_id, status, status_at, error)
  values (p_channel, p_provider_message_id, p_status, at, p_error)
  on conflict do nothing;
  return false;
end
$$;

-- Applies the statuses parked for a provider message id, now that the
-- message is known.
create function private.apply_parked_statuses(p_channel uuid, p_provider_message_id text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  p record;
begin
  for p in delete from private.pending_message_statuses s
            where s.channel_id = p_channel and s.provider_message_id = p_provider_message_id
           returning s.status, s.status_at, s.error
  loop
    perform private.apply_message_status(p_channel, p_provider_message_id, p.status, p.status_at, p.error);
  end loop;
end
$$;

-- Conversation and contact follow each new message -----------------------------

create function private.on_message_recorded()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  ts timestamptz := coalesce(new.provider_timestamp, new.created_at);
  counts boolean := new.type not in ('reaction', 'system');
begin
  update public.conversations c set
    last_message_id = case when counts and (c.last_message_at is null or ts >= c.last_message_at) then new.id else c.last_message_id end,
    last_message_preview = case when counts and (c.last_message_at is null or ts >= c.last_message_at)
                                then left(coalesce(new.content, '[' || new.type || ']'), 140) else c.last_message_preview end,
    last_message_direction = case when counts and (c.last_message_at is null or ts >= c.last_message_at)
                                  then new.direction else c.last_message_direction end,
    last_message_at = case when counts then greatest(c.last_message_at, ts) else c.last_message_at end,
    unread_count = c.unread_count + case when new.direction = 'inbound' and counts then 1 else 0 end,
    -- The 24-hour window opens and refreshes only on the customer's messages.
    last_inbound_at = case when new.direction = 'inbound' and new.type <> 'system' then greatest(c.last_inbound_at, ts) else c.last_inbound_at end,
    window_expires_at = case when new.direction = 'inbound' and new.type <> 'system'
                             then greatest(c.window_expires_at, ts + interval '24 hours') else c.window_expires_at end,
    status = case when new.direction = 'inbound' and c.status in ('closed', 'expired') then 'open' else c.status end,
    closed_at = case when new.direction = 'inbound' and c.status in ('closed', 'expired') then null else c.closed_at end
  -- A conversation created for this very message already holds its state.
  where c.id = new.conversation_id and c.last_message_id is distinct from new.id;

  if new.contact_id is not null and counts then
    update public.contacts ct set last_message_at = ts
     where ct.id = new.contact_id and (ct.last_message_at is null or ct.last_message_at < ts);
  end if;

  -- Statuses that were waiting for this message (only ours get statuses).
  if new.provider_message_id is not null and new.direction = 'outbound' then
    perform private.apply_parked_statuses(new.channel_id, new.provider_message_id);
  end if;
  return null;
end
$$;
create trigger on_message_recorded after insert on public.messages
  for each row execute function private.on_message_recorded();

-- An outbound message gets its provider id after the send: statuses parked
-- for that id apply then.
create function private.on_provider_id_recorded()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.apply_parked_statuses(new.channel_id, new.provider_message_id);
  return null;
end
$$;
create trigger on_provider_id_recorded after update of provider_message_id on public.messages
  for each row when (old.provider_message_id is null and new.provider_message_id is not null)
  execute function private.on_provider_id_recorded();

revoke all on function private.next_number(uuid, text), private.drop_workspace_sequences(), private.assign_conversation_number(), private.check_assignee(),
  private.stamp_contact(), private.status_rank(public.message_status),
  private.apply_message_status(uuid, text, public.message_status, timestamptz, jsonb),
  private.apply_parked_statuses(uuid, text),
  private.on_message_recorded(), private.on_provider_id_recorded() from public;
