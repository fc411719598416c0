-- Recording a send looked for parked statuses under a lock every time,
-- though there almost never are any: a fifth of the cost of recording a
-- send. Now it looks first and locks only when there is something to apply.
-- A status parked by a webhook at that very moment is left to the sweep
-- (private.apply_stranded_statuses, run by the dispatcher between claims).
create or replace function private.apply_parked_statuses(p_channel uuid, p_provider_message_id text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  p record;
begin
  if not exists (select 1 from private.pending_message_statuses s
                  where s.channel_id = p_channel and s.provider_message_id = p_provider_message_id) then
    return;
  end if;
  perform private.lock_provider_id(p_channel, p_provider_message_id);
  for p in delete from private.pending_message_statuses s
            where s.channel_id = p_channel and s.provider_message_id = p_provider_message_id
           returning s.status, s.status_at, s.error
  loop
    perform private.apply_message_status(p_channel, p_provider_message_id, p.status, p.status_at, p.error);
  end loop;
end
$$;
