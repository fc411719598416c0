-- check_task runs before RLS: an outsider inserting a task into another
-- workspace gets RLS's refusal whatever the row points at, so the answer
-- never tells whether a conversation, contact or person belongs there.
begin;
select plan(6);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.open_cloud_conversation(:'ws', 'c7100000-0000-0000-0000-000000000001', 'PN-T71', '5511900000001') as conv \gset
select contact_id as contact from public.conversations where id = :'conv' \gset
\set refusal '42501 new row violates row-level security policy for table "tasks"'
\set insert 'insert into public.tasks (workspace_id, title, conversation_id, contact_id, assignee_id) values (%L, %L, %L, %L, %L)'

select is(tests.error_as('acme_outsider', format(:'insert', :'ws', 'Probe', :'conv', :'contact', tests.get_supabase_uid('acme_member'))),
  :'refusal', 'an outsider naming the workspace''s own conversation, contact and member is refused as RLS refuses');
select is(tests.error_as('acme_outsider', format(:'insert', :'ws', 'Probe', gen_random_uuid(), null, null)),
  :'refusal', 'and the same for a conversation that is not there');
select is(tests.error_as('acme_outsider', format(:'insert', :'ws', 'Probe', null, null, tests.get_supabase_uid('acme_outsider'))),
  :'refusal', 'and for an assignee who is not a member');
select is(tests.error_as('acme_viewer', format(:'insert', :'ws', 'Probe', gen_random_uuid(), null, null)),
  :'refusal', 'a viewer (no insert right) gets the same, not the link check');

-- A member of their own workspace naming another workspace's task as the
-- parent: a subtask there and a top-level task there answer alike.
select tests.create_workspace_with_roles('beta') as beta \gset
insert into public.tasks (id, workspace_id, title) values ('7a100000-0000-0000-0000-0000000000b1', :'beta', 'Theirs');
insert into public.tasks (id, workspace_id, parent_task_id, title)
values ('7a100000-0000-0000-0000-0000000000b2', :'beta', '7a100000-0000-0000-0000-0000000000b1', 'Their subtask');
select is(tests.error_as('acme_member', format('insert into public.tasks (workspace_id, title, parent_task_id) values (%L, %L, %L)',
    :'ws', 'Probe', '7a100000-0000-0000-0000-0000000000b2')),
  tests.error_as('acme_member', format('insert into public.tasks (workspace_id, title, parent_task_id) values (%L, %L, %L)',
    :'ws', 'Probe', '7a100000-0000-0000-0000-0000000000b1')),
  'another workspace''s subtask as parent is refused like its top-level task (not "one level deep")');
select matches(tests.error_as('acme_member', format('insert into public.tasks (workspace_id, title, parent_task_id) values (%L, %L, %L)',
    :'ws', 'Probe', '7a100000-0000-0000-0000-0000000000b2')), '^23503 ', 'by the key to a task of the same workspace');

select * from finish();
rollback;
