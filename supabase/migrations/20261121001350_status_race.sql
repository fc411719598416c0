-- A status and the send's answer can race: the webhook looks for the
-- message by provider id while the dispatcher, not yet committed, is
-- recording that id. The webhook would park the status just after the
-- dispatcher looked for parked ones, and the status would wait forever.
-- Both sides now take a transaction lock on the (channel, provider id)
-- before parking or applying parked statuses, and the webhook looks again
-- once it holds it.

create function private.lock_provider_id(p_channel uuid, p_provider_message_id text)
returns void
language sql volatile set search_path = ''
as $$ select pg_advisory_xact_lock(hashtextextended(p_channel::text || '/' || p_provider_message_id, 7)) $$;

create or replace function private.apply_message_status(
  p_channel uuid, p_provider_message_id text, p_status public.message_status, p_at timestamptz, p_error jsonb
) returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  at timestamptz := coalesce(p_at, now());
begin
  for attempt in 1..2 loop
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
    -- Not there: maybe being recorded right now. Wait for that, then look again.
    if attempt = 1 then
      perform private.lock_provider_id(p_channel, p_provider_message_id);
    end if;
  end loop;
  insert into private.pending_message_statuses (channel_id, provider_message_id, status, status_at, error)
  values (p_channel, p_provider_message_id, p_status, at, p_error)
  on conflict do nothing;
  return false;
end
$$;

create or replace function private.apply_parked_statuses(p_channel uuid, p_provider_message_id text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  p record;
begin
  perform private.lock_provider_id(p_channel, p_provider_message_id);
  for p in delete from private.pending_message_statuses s
            where s.channel_id = p_channel and s.provider_message_id = p_provider_message_id
           returning s.status, s.status_at, s.error
  loop
    perform private.apply_message_status(p_channel, p_provider_message_id, p.status, p.status_at, p.error);
  end loop;
end
$$;

revoke all on function private.lock_provider_id(uuid, text) from public;
