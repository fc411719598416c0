-- Audit trail, notifications and verification logs.
begin;
select plan(27);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.get_supabase_uid('acme_member') as member_id \gset
select tests.get_supabase_uid('acme_admin') as admin_id \gset

-- Every path into members, invitations, keys and settings is logged with the actor.
select tests.run_as('acme_admin', format('update public.workspace_members set role = %L where workspace_id = %L and user_id = %L',
  'viewer', :'ws', :'member_id'));
select results_eq(
  $$ select actor_id, action, entity_type, data -> 'changes' -> 'role' from public.activity_log where action = 'member.updated' $$,
  format($$ values (%L::uuid, 'member.updated', 'workspace_members', '{"new": "viewer", "old": "member"}'::jsonb) $$, :'admin_id'),
  'a role change is logged with who did it and what changed');

select tests.authenticate_as('acme_admin');
select * from public.create_api_key(:'ws', 'logged') \gset k_
select * from public.invite_member(:'ws', 'audited@example.com') \gset i_
select tests.clear_authentication();
select is((select count(*)::int from public.activity_log where workspace_id = :'ws' and action in ('api_key.created', 'invitation.created')), 2,
  'key and invitation creation are logged');
select is((select count(*)::int from public.activity_log where data::text like '%' || encode(sha256(convert_to(:'k_key', 'UTF8')), 'hex') || '%'
             or data ? 'key_hash' or data -> 'new' ? 'key_hash' or data -> 'new' ? 'token_hash'), 0,
  'hashes never reach the log');

select set_config('request.headers', '{"x-forwarded-for": "203.0.113.9, 10.0.0.1", "user-agent": "crm-app/1.0"}', true);
select tests.run_as('acme_owner', format('update public.workspaces set settings = %L where id = %L', '{"lang":"pt"}', :'ws'));
select results_eq(
  $$ select ip_address, user_agent, data -> 'changes' -> 'settings' -> 'new' from public.activity_log where action = 'workspace.updated' $$,
  $$ values ('203.0.113.9'::inet, 'crm-app/1.0', '{"lang":"pt"}'::jsonb) $$,
  'settings changes are logged with the client''s IP and user agent from PostgREST''s headers');
select set_config('request.headers', '', true);
select is((select count(*)::int from public.activity_log where action = 'workspace.updated'), 1,
  'an update that changes nothing audited (only updated_at) is not logged');

select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from public.activity_log where workspace_id = %L limit 1', :'ws')),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:0'), ('member', 'ok:0'), ('admin', 'ok:1'), ('owner', 'ok:1') $$,
  'activity_log select: admins and owners');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('delete from public.activity_log where workspace_id = %L', :'ws')),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501') $$,
  'activity_log delete: nobody rewrites history');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('update public.activity_log set message = %L where workspace_id = %L', 'x', :'ws')),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501') $$,
  'activity_log update: nobody');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.activity_log (workspace_id, category, action) values (%L, %L, %L)', :'ws', 'x', 'x')),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501') $$,
  'activity_log insert: nobody');

-- Deleting a workspace leaves one record, visible to whoever deleted it.
select tests.run_as('acme_owner', format('delete from public.workspaces where id = %L', :'ws'));
select is(tests.try_as('acme_owner', $$ select 1 from public.activity_log where action = 'workspace.deleted' $$), 'ok:1',
  'the deletion is logged for the owner who did it');

-- Notifications: only the recipient, who may mark them read or delete them.
insert into public.notifications (user_id, type, title, body)
values (:'member_id', 'task.due', 'Task due', 'Call the client'), (:'member_id', 'task.due', 'Another', 'x');
select is(tests.try_as('acme_member', 'select 1 from public.notifications'), 'ok:2', 'the recipient sees their notifications');
select is(tests.try_as('acme_admin', 'select 1 from public.notifications'), 'ok:0', 'nobody else does');
select is(tests.try_as('anon', 'select 1 from public.notifications'), '42501', 'anon does not');
select is(tests.try_as('acme_member', 'update public.notifications set title = ''x'''), '42501', 'the content is not editable');
select is(tests.try_as('acme_admin', 'update public.notifications set read_at = now()'), 'ok:0', 'others cannot mark them read');
select is(tests.try_as('acme_member', 'insert into public.notifications (user_id, type, title, body) values (auth.uid(), ''x'', ''x'', ''x'')'),
  '42501', 'clients do not create notifications');
select tests.authenticate_as('acme_member');
select is(public.mark_notifications_read(), 2, 'mark_notifications_read marks all unread and says how many');
select tests.clear_authentication();
select is((select count(*)::int from public.notifications where is_read), 2, 'is_read follows read_at');

-- The full matrix on one member's notification and verification log.
insert into public.notifications (id, user_id, type, title, body)
values ('00000000-0000-0000-0000-00000000a001', :'member_id', 'x', 'x', 'x');
insert into public.verification_logs (id, user_id, verification_type, status, sent_to)
values ('00000000-0000-0000-0000-00000000b001', :'member_id', 'sms', 'sent', '+5511999990000');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.notifications where id = ''00000000-0000-0000-0000-00000000a001'''),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:0'), ('member', 'ok:1'), ('admin', 'ok:0'), ('owner', 'ok:0') $$,
  'notifications select: the recipient only');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', 'update public.notifications set read_at = now() where id = ''00000000-0000-0000-0000-00000000a001'''),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:0'), ('member', 'ok:1'), ('admin', 'ok:0'), ('owner', 'ok:0') $$,
  'notifications update (read_at): the recipient only');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.notifications where id = ''00000000-0000-0000-0000-00000000a001'''),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:0'), ('member', 'ok:1'), ('admin', 'ok:0'), ('owner', 'ok:0') $$,
  'notifications delete: the recipient only');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.notifications (user_id, type, title, body) values (%L, %L, %L, %L)', :'member_id', 'x', 'x', 'x')),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501') $$,
  'notifications insert: nobody (the system notifies)');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.verification_logs where id = ''00000000-0000-0000-0000-00000000b001'''),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:0'), ('member', 'ok:1'), ('admin', 'ok:0'), ('owner', 'ok:0') $$,
  'verification_logs select: the user only');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', 'update public.verification_logs set status = ''verified'' where id = ''00000000-0000-0000-0000-00000000b001'''),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501') $$,
  'verification_logs update: nobody (the service verifies)');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.verification_logs where id = ''00000000-0000-0000-0000-00000000b001'''),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501') $$,
  'verification_logs delete: nobody');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.verification_logs (user_id, verification_type, status, sent_to) values (%L, %L, %L, %L)', :'member_id', 'sms', 'verified', 'x')),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501') $$,
  'verification_logs insert: nobody');

select ok(exists (select 1 from pg_publication_tables where pubname = 'supabase_realtime' and tablename = 'notifications'),
  'notifications stream through Realtime');

select * from finish();
rollback;
