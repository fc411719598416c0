-- Every run is logged, assignments included: assigning after the
-- conversation exists lets the run point at it (before the insert there was
-- nothing to point at, so successful assignments went unlogged).
drop trigger auto_assign on public.conversations;
drop function private.auto_assign_conversation();

create function private.auto_assign_conversation()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  a public.automations;
  next_user uuid;
begin
  select * into a from public.automations x
   where x.workspace_id = new.workspace_id and x.type = 'auto_assign' and x.is_active
     and (x.channel_id is null or x.channel_id = new.channel_id)
   order by x.priority desc, x.created_at limit 1
   for update;
  if not found then
    return null;
  end if;
  with pool as (
    select m.user_id from public.workspace_members m
     where m.workspace_id = new.workspace_id and m.status = 'active' and m.role >= 'member'
       and (not a.actions ? 'members' or m.user_id::text in (select jsonb_array_elements_text(a.actions -> 'members')))
  )
  select coalesce((select p.user_id from pool p where p.user_id > (a.state ->> 'last_user')::uuid order by p.user_id limit 1),
                  (select p.user_id from pool p order by p.user_id limit 1))
    into next_user;
  if next_user is null then
    perform private.log_automation_run(a, new.id, null, null, 'failed', 'nobody to assign: no active member in the pool');
    return null;
  end if;
  update public.conversations c set assignee_id = next_user where c.id = new.id;
  update public.automations x set state = x.state || jsonb_build_object('last_user', next_user) where x.id = a.id;
  perform private.log_automation_run(a, new.id, null, null, 'succeeded', null);
  return null;
end
$$;
create trigger auto_assign after insert on public.conversations
  for each row when (new.assignee_id is null) execute function private.auto_assign_conversation();
revoke all on function private.auto_assign_conversation() from public;
