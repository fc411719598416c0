-- Tasks: access, links kept inside the workspace, subtasks, and reminders
-- from the tick that go out once.
begin;
select plan(24);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
select tests.open_cloud_conversation(:'ws', 'c7000000-0000-0000-0000-000000000001', 'PN-T7', '5511900000001') as conv \gset
select tests.open_cloud_conversation(:'beta', 'c7000000-0000-0000-0000-000000000009', 'PN-T9', '5511900000009') as beta_conv \gset
insert into public.tasks (id, workspace_id, title, conversation_id, assignee_id, due_date, created_by)
values ('7a000000-0000-0000-0000-000000000001', :'ws', 'Call Ana back', :'conv', tests.get_supabase_uid('acme_member'),
        now() + interval '30 minutes', tests.get_supabase_uid('acme_admin'));

\set everyone '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:1''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set members '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set inserters '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'

select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.tasks where id = ''7a000000-0000-0000-0000-000000000001'''), :everyone, 'tasks select');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.tasks (workspace_id, title) values (%L, %L)', :'ws', 'New')), :inserters, 'tasks insert: members');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.tasks set status = ''in_progress'' where id = ''7a000000-0000-0000-0000-000000000001'''), :members, 'tasks update: members');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.tasks where id = ''7a000000-0000-0000-0000-000000000001'''), :members, 'tasks delete: members');
select is(tests.try_as('beta_owner', format('insert into public.tasks (workspace_id, title) values (%L, %L)', :'ws', 'Intruder')), '42501', 'another workspace cannot add tasks to ours');
select is(tests.try_as('acme_owner', 'update public.tasks set reminded_at = null'), '42501', 'reminder bookkeeping is the tick''s');

select is(tests.error_as('acme_member', format('insert into public.tasks (workspace_id, title, conversation_id) values (%L, %L, %L)', :'ws', 'Peek', :'beta_conv')),
  '22023 the conversation is not in the task''s workspace', 'a task cannot point at another workspace''s conversation');
select contact_id as beta_contact from public.conversations where id = :'beta_conv' \gset
select is(tests.error_as('acme_member', format('insert into public.tasks (workspace_id, title, contact_id) values (%L, %L, %L)', :'ws', 'Peek', :'beta_contact')),
  '22023 the contact is not in the task''s workspace', 'nor contact');
select is(tests.error_as('acme_member', format('insert into public.tasks (workspace_id, title, assignee_id) values (%L, %L, %L)', :'ws', 'X', tests.get_supabase_uid('acme_viewer'))),
  '22023 the assignee must be an active member (not a viewer) of the workspace', 'viewers are not assigned tasks');
select is(tests.try_as('acme_member', format('insert into public.tasks (workspace_id, title, assignee_id) values (%L, %L, %L)', :'ws', 'X', tests.get_supabase_uid('beta_member'))),
  '22023', 'nor people of another workspace');

-- Subtasks
select tests.run_as('acme_member', format('insert into public.tasks (id, workspace_id, parent_task_id, title) values (%L, %L, %L, %L)',
  '7a000000-0000-0000-0000-000000000002', :'ws', '7a000000-0000-0000-0000-000000000001', 'Find her order'));
select is((select count(*) from public.tasks where parent_task_id = '7a000000-0000-0000-0000-000000000001'), 1::bigint, 'a subtask');
select is(tests.error_as('acme_member', format('insert into public.tasks (workspace_id, parent_task_id, title) values (%L, %L, %L)', :'ws', '7a000000-0000-0000-0000-000000000002', 'Deeper')),
  '22023 subtasks go one level deep', 'one level deep');
select tests.run_as('acme_member', format('insert into public.tasks (id, workspace_id, title) values (%L, %L, %L)', '7a000000-0000-0000-0000-000000000009', :'ws', 'Another'));
select is(tests.error_as('acme_member', 'update public.tasks set parent_task_id = ''7a000000-0000-0000-0000-000000000009'' where id = ''7a000000-0000-0000-0000-000000000001'''),
  '22023 subtasks go one level deep', 'a task with subtasks cannot become a subtask');
select is(tests.try_as('beta_owner', format('insert into public.tasks (workspace_id, parent_task_id, title) values (%L, %L, %L)', :'beta', '7a000000-0000-0000-0000-000000000001', 'Hijack')),
  '23503', 'a subtask lives in its parent''s workspace');
select tests.run_as('acme_member', 'update public.tasks set status = ''done'' where id = ''7a000000-0000-0000-0000-000000000002''');
select isnt((select completed_at from public.tasks where id = '7a000000-0000-0000-0000-000000000002'), null, 'done stamps completed_at');
select tests.run_as('acme_member', 'update public.tasks set status = ''in_progress'' where id = ''7a000000-0000-0000-0000-000000000002''');
select is((select completed_at from public.tasks where id = '7a000000-0000-0000-0000-000000000002'), null, 'reopening clears it');

-- Reminders
insert into public.tasks (id, workspace_id, title, due_date, created_by) values
  ('7a000000-0000-0000-0000-000000000003', :'ws', 'Send the invoice', now() - interval '2 hours', tests.get_supabase_uid('acme_owner')),
  ('7a000000-0000-0000-0000-000000000004', :'ws', 'Next week', now() + interval '7 days', tests.get_supabase_uid('acme_owner'));
select is(private.task_reminders(), 2, 'the tick sends two reminders');
select results_eq($$ select user_id, type, reference_id from public.notifications where reference_type = 'task' order by type $$,
  format($$ values (%L::uuid, 'task_due', '7a000000-0000-0000-0000-000000000001'::uuid), (%L::uuid, 'task_overdue', '7a000000-0000-0000-0000-000000000003'::uuid) $$,
         tests.get_supabase_uid('acme_member'), tests.get_supabase_uid('acme_owner')),
  'due soon to the assignee; overdue and unassigned to the creator; next week''s not yet');
select is(private.task_reminders(), 0, 'and never twice');
update public.workspaces set timezone = 'Asia/Kolkata' where id = :'ws';
update public.tasks set reminded_at = null, due_date = date_trunc('minute', now()) + interval '20 minutes'
 where id = '7a000000-0000-0000-0000-000000000004';
select private.task_reminders();
select is((select body from public.notifications where reference_id = '7a000000-0000-0000-0000-000000000004'),
  format('Due %s (Asia/Kolkata).', to_char((date_trunc('minute', now()) + interval '20 minutes') at time zone 'Asia/Kolkata', 'YYYY-MM-DD HH24:MI')),
  'the reminder tells the time in the workspace''s time zone, and names it');
update public.workspaces set timezone = 'UTC' where id = :'ws';
select tests.run_as('acme_member', 'update public.tasks set due_date = now() - interval ''1 minute'' where id = ''7a000000-0000-0000-0000-000000000001''');
select is(private.task_reminders(), 1, 'a task that slipped past its due date is reported overdue');
select tests.run_as('acme_member', 'update public.tasks set due_date = now() + interval ''10 minutes'' where id = ''7a000000-0000-0000-0000-000000000001''');
select is(private.task_reminders(), 1, 'a new due date earns a new reminder');
select tests.run_as('acme_member', 'update public.tasks set status = ''done'', due_date = now() - interval ''1 day'' where id = ''7a000000-0000-0000-0000-000000000001''');
select is(private.task_reminders(), 0, 'done tasks are left alone');
select ok((private.tick() ? 'task_reminders'), 'the tick runs the reminders');

select * from finish();
rollback;
