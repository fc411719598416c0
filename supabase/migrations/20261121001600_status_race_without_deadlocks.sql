-- The lock of 001350 deadlocked under load: a webhook batch and a batch of
-- send results each held one provider id's lock and waited for the other's.
-- Now only the dispatcher's side waits for the lock. A webhook that finds
-- the lock taken parks its status without waiting. The dispatcher is
-- then recording that very message and may already have looked for parked
-- statuses, so the tick applies any parked status whose message has
-- arrived (a minute at worst, for a race of milliseconds).

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
    -- Holding the lock, nobody is between recording this id and looking for
    -- its parked statuses: what we park now will be found. Without it, the
    -- tick's sweep finds it.
    exit when attempt = 2 or not pg_try_advisory_xact_lock(hashtextextended(p_channel::text || '/' || p_provider_message_id, 7));
  end loop;
  insert into private.pending_message_statuses (channel_id, provider_message_id, status, status_at, error)
  values (p_channel, p_provider_message_id, p_status, at, p_error)
  on conflict do nothing;
  return false;
end
$$;

-- Parked statuses whose message has since been recorded.
create function private.apply_stranded_statuses()
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  r record;
  n integer := 0;
begin
  for r in select distinct p.channel_id, p.provider_message_id
             from private.pending_message_statuses p
             join public.messages m on m.channel_id = p.channel_id and m.provider_message_id = p.provider_message_id
  loop
    perform private.apply_parked_statuses(r.channel_id, r.provider_message_id);
    n := n + 1;
  end loop;
  return n;
end
$$;
revoke all on function private.apply_stranded_statuses() from public;

create or replace function private.tick()
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  out jsonb := '{}'::jsonb;
begin
  out := out || jsonb_build_object('released_claims', private.release_expired_claims());
  out := out || jsonb_build_object('expired_conversations', private.expire_conversations());
  out := out || jsonb_build_object('expired_invitations_and_codes', private.expire_invitations_and_codes());
  out := out || jsonb_build_object('retried_webhook_events', private.retry_webhook_events());
  out := out || jsonb_build_object('stranded_statuses', private.apply_stranded_statuses());
  out := out || jsonb_build_object('started_campaigns', private.start_due_campaigns());
  out := out || jsonb_build_object('fed_campaign_messages', private.feed_campaigns());
  out := out || jsonb_build_object('folded_campaigns', private.fold_active_campaigns());
  if exists (select 1 from private.outbox o where o.next_attempt_at <= now() + interval '1 minute') then
    out := out || jsonb_build_object('dispatch_poked', private.poke_dispatcher());
  end if;
  return out;
end
$$;

-- The dispatcher sweeps too, between claims, so a stranded status waits
-- half a second rather than a minute.
grant execute on function private.apply_stranded_statuses() to service_role;
