-- The minute tick: one pg_cron job running private.tick(), which does the
-- database's due work of every module and then wakes the dispatcher. Each
-- module adds its step here (fix forward: replace the function).

create extension if not exists pg_cron with schema pg_catalog;

-- Claims whose dispatcher died: claimable again (claims check the lease
-- themselves; this keeps the queue's state honest for whoever looks).
create function private.release_expired_claims()
returns integer
language sql security definer set search_path = ''
as $$
  with released as (
    update private.outbox o
       set claimed_by = null, claimed_until = null, send_at = null,
           last_error = coalesce(o.last_error, jsonb_build_object('message', 'claim expired: the dispatcher did not finish'))
     where o.claimed_until < now()
    returning 1
  )
  select count(*)::integer from released
$$;

-- Conversations whose customer service window has closed.
create function private.expire_conversations()
returns integer
language sql security definer set search_path = ''
as $$
  with expired as (
    update public.conversations c set status = 'expired'
     where c.status in ('open', 'pending') and c.window_expires_at < now()
    returning 1
  )
  select count(*)::integer from expired
$$;
create index conversations_window_idx on public.conversations (window_expires_at)
  where status in ('open', 'pending') and window_expires_at is not null;

-- Invitations past their date, and pairing QR codes past theirs.
create function private.expire_invitations_and_codes()
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  a integer;
  b integer;
begin
  update public.workspace_invitations i set status = 'expired'
   where i.status = 'pending' and i.expires_at < now();
  get diagnostics a = row_count;
  update public.channels c set qr_code = null, qr_expires_at = null
   where c.qr_code is not null and c.qr_expires_at < now();
  get diagnostics b = row_count;
  return a + b;
end
$$;

create function private.tick()
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
  if exists (select 1 from private.outbox o where o.next_attempt_at <= now() + interval '1 minute') then
    out := out || jsonb_build_object('dispatch_poked', private.poke_dispatcher());
  end if;
  return out;
end
$$;
comment on function private.tick() is 'Due work of every module, run each minute by pg_cron (job threadline-tick).';

revoke all on function private.release_expired_claims(), private.expire_conversations(),
  private.expire_invitations_and_codes(), private.tick() from public;

select cron.schedule('threadline-tick', '* * * * *', 'select private.tick()');
