-- Module: tasks
--
-- Follow-ups for the team, with subtasks one level deep, linked to a
-- conversation, a contact and an assignee. The tick tells the assignee (or
-- the creator) once when a task is due within the hour and once when it is
-- overdue.

-- ==========================================================================
-- Types
-- ==========================================================================

create type public.task_status as enum ('to_do', 'in_progress', 'done');
create type public.task_sub_status as enum ('waiting_reply', 'blocked', 'scheduled', 'review');

-- ==========================================================================
-- Tables
-- ==========================================================================

create table public.tasks (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  parent_task_id uuid,
  title text not null check (char_length(btrim(title)) between 1 and 300),
  description text,
  status public.task_status not null default 'to_do',
  sub_status public.task_sub_status,
  priority public.priority_level not null default 'medium',
  due_date timestamptz,
  conversation_id uuid references public.conversations (id) on delete set null,
  contact_id uuid references public.contacts (id) on delete set null,
  assignee_id uuid references public.profiles (id) on delete set null,
  position integer not null default 0,
  completed_at timestamptz,
  reminded_at timestamptz,
  overdue_notified_at timestamptz,
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (id, workspace_id),
  -- A subtask lives in its parent's workspace.
  foreign key (parent_task_id, workspace_id) references public.tasks (id, workspace_id) on delete cascade,
  check (parent_task_id is distinct from id)
);
comment on table public.tasks is 'Team tasks and subtasks (parent_task_id), linked to a conversation, contact and assignee; the tick reminds the assignee when due and when overdue.';
comment on column public.tasks.sub_status is 'Why an open task waits: waiting_reply, blocked, scheduled, review.';
comment on column public.tasks.reminded_at is 'When the "due soon" notification went out (once per due date).';
comment on column public.tasks.overdue_notified_at is 'When the "overdue" notification went out (once per due date).';

-- ==========================================================================
-- Indexes
-- ==========================================================================

create index tasks_workspace_idx on public.tasks (workspace_id, status, due_date);
create index tasks_parent_idx on public.tasks (parent_task_id, workspace_id) where parent_task_id is not null;
create index tasks_conversation_id_idx on public.tasks (conversation_id) where conversation_id is not null;
create index tasks_contact_id_idx on public.tasks (contact_id) where contact_id is not null;
create index tasks_assignee_id_idx on public.tasks (assignee_id) where assignee_id is not null;
create index tasks_created_by_idx on public.tasks (created_by) where created_by is not null;

-- What the tick looks at: open tasks with a due date.
create index tasks_due_idx on public.tasks (due_date) where status <> 'done' and due_date is not null;

-- ==========================================================================
-- Functions
-- ==========================================================================

-- Links stay in the task's workspace; the assignee is an active member;
-- subtasks go one level deep both ways (a task that has subtasks cannot
-- itself become one); done means completed_at; a new due date earns new
-- reminders. An outsider is refused before any of it is looked up.
create function private.check_task()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.require_writer(new.workspace_id, 'member', 'tasks');
  end if;
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
       exists (select 1 from public.tasks p
                where p.id = new.parent_task_id and p.workspace_id = new.workspace_id and p.parent_task_id is not null)
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

-- Due within the hour, and overdue: one notification each, to the assignee
-- (or, unassigned, the creator).
create function private.task_reminders()
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  a integer;
  b integer;
begin
  with due as (
    update public.tasks t set reminded_at = now()
     where t.status <> 'done' and t.due_date is not null and t.reminded_at is null
       and t.due_date > now() and t.due_date <= now() + interval '1 hour'
       and coalesce(t.assignee_id, t.created_by) is not null
    returning t.*
  )
  insert into public.notifications (user_id, workspace_id, type, title, body, action_url, reference_type, reference_id)
  select coalesce(d.assignee_id, d.created_by), d.workspace_id, 'task_due', 'Task due soon: ' || left(d.title, 80),
         format('Due %s (%s).', to_char(d.due_date at time zone tz.name, 'YYYY-MM-DD HH24:MI'), tz.name), '/tasks/' || d.id,
         'task', d.id
    from due d cross join lateral (select private.workspace_timezone(d.workspace_id) as name) tz;
  get diagnostics a = row_count;

  with overdue as (
    update public.tasks t set overdue_notified_at = now(), reminded_at = coalesce(t.reminded_at, now())
     where t.status <> 'done' and t.due_date is not null and t.overdue_notified_at is null and t.due_date <= now()
       and coalesce(t.assignee_id, t.created_by) is not null
    returning t.*
  )
  insert into public.notifications (user_id, workspace_id, type, title, body, action_url, reference_type, reference_id)
  select coalesce(o.assignee_id, o.created_by), o.workspace_id, 'task_overdue', 'Task overdue: ' || left(o.title, 80),
         format('It was due %s (%s).', to_char(o.due_date at time zone tz.name, 'YYYY-MM-DD HH24:MI'), tz.name),
         '/tasks/' || o.id, 'task', o.id
    from overdue o cross join lateral (select private.workspace_timezone(o.workspace_id) as name) tz;
  get diagnostics b = row_count;
  return a + b;
end
$$;

-- ==========================================================================
-- Access
-- ==========================================================================

alter table public.tasks enable row level security;
revoke all on public.tasks from anon, authenticated;
grant select, delete on public.tasks to authenticated;

grant insert (id, workspace_id, parent_task_id, title, description, status, sub_status, priority, due_date, conversation_id,
  contact_id, assignee_id, position) on public.tasks to authenticated;

grant update (parent_task_id, title, description, status, sub_status, priority, due_date, conversation_id, contact_id,
  assignee_id, position) on public.tasks to authenticated;

-- A caller's workspaces are a small part of a shared table (see identity).
alter table public.tasks alter column workspace_id set (n_distinct = 500);

create policy tasks_select on public.tasks for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));

create policy tasks_insert on public.tasks for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));

create policy tasks_update on public.tasks for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('member'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));

create policy tasks_delete on public.tasks for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('member'))));

-- ==========================================================================
-- Triggers
-- ==========================================================================

create trigger set_updated_at before update on public.tasks for each row execute function private.set_updated_at();

create trigger check_task before insert or update on public.tasks
  for each row execute function private.check_task();

-- ==========================================================================
-- Grants
-- ==========================================================================

revoke all on function private.check_task(), private.task_reminders() from public;

-- ==========================================================================
-- Tick steps
-- ==========================================================================

insert into private.tick_steps (name, fn, position) values
  ('task_reminders', 'private.task_reminders', 90);
