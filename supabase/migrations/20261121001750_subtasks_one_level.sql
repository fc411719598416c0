-- Subtasks go one level deep both ways: a task that has subtasks cannot
-- itself become a subtask (001700 only checked the new parent).
create or replace function private.check_task()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.conversation_id is not null and not exists (
       select 1 from public.conversations c where c.id = new.conversation_id and c.workspace_id = new.workspace_id) then
    raise exception 'the conversation is not in the task''s workspace' using errcode = '22023';
  end if;
  if new.contact_id is not null and not exists (
       select 1 from public.contacts c where c.id = new.contact_id and c.workspace_id = new.workspace_id) then
    raise exception 'the contact is not in the task''s workspace' using errcode = '22023';
  end if;
  if new.assignee_id is not null and (tg_op = 'INSERT' or new.assignee_id is distinct from old.assignee_id)
     and not exists (select 1 from public.workspace_members m
                      where m.workspace_id = new.workspace_id and m.user_id = new.assignee_id and m.status = 'active'
                        and m.role >= 'member') then
    raise exception 'the assignee must be an active member (not a viewer) of the workspace' using errcode = '22023';
  end if;
  if new.parent_task_id is not null and (
       exists (select 1 from public.tasks p where p.id = new.parent_task_id and p.parent_task_id is not null)
       or (tg_op = 'UPDATE' and exists (select 1 from public.tasks s where s.parent_task_id = new.id))) then
    raise exception 'subtasks go one level deep' using errcode = '22023';
  end if;
  new.completed_at := case when new.status = 'done' then coalesce(new.completed_at, now()) end;
  if tg_op = 'UPDATE' and new.due_date is distinct from old.due_date then
    new.reminded_at := null;
    new.overdue_notified_at := null;
  end if;
  return new;
end
$$;
