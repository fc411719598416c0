-- A send is recorded in one write of the message (provider id, status and
-- time together) instead of two: at a campaign's 1,000 sends a second, the
-- second write and the triggers it fired again were a tenth of the work.
create or replace function private.record_sent(p_message uuid, p_channel uuid, p_provider_id text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  echo public.messages;
begin
  -- Already recorded: a second send of the same message (a lapsed lease).
  if not exists (select 1 from public.messages m where m.id = p_message and m.provider_message_id is null) then
    return;
  end if;
  -- A provider may report our own send back (Evolution's send.message)
  -- before we record it, as a row of its own: that row merges into ours.
  delete from public.messages m
   where m.channel_id = p_channel and m.provider_message_id = p_provider_id and m.id <> p_message
     and m.direction = 'outbound'
  returning * into echo;
  update public.messages m
     set provider_message_id = p_provider_id,
         status = case when private.status_rank(m.status) < private.status_rank('sent') then 'sent' else m.status end,
         sent_at = coalesce(m.sent_at, now())
   where m.id = p_message and m.provider_message_id is null;
  if echo.id is not null and echo.status not in ('pending', 'sent') then
    perform private.apply_message_status(p_channel, p_provider_id, echo.status,
      coalesce(echo.read_at, echo.delivered_at, echo.failed_at, now()), null);
  end if;
end
$$;
