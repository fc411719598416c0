-- A second user who signs up can neither read nor change anything of the
-- first user's workspace: through any table (swept generically) or any RPC.
begin;
select plan(20);
select tests.create_workspace_with_roles('victim') as ws \gset
select tests.create_supabase_user('intruder', 'intruder@example.com');
select tests.get_supabase_uid('victim_owner') as owner_id \gset
select tests.get_supabase_uid('victim_member') as member_id \gset

-- Give every identity table something to leak.
select tests.authenticate_as('victim_owner');
select * from public.create_api_key(:'ws', 'prod') \gset key_
select * from public.invite_member(:'ws', 'friend@example.com') \gset inv_
select tests.clear_authentication();
insert into public.notifications (user_id, workspace_id, type, title, body) values (:'owner_id', :'ws', 't', 't', 'b')
  returning id as notification_id \gset
insert into public.verification_logs (user_id, verification_type, status, sent_to) values (:'owner_id', 'email', 'sent', 'x');
select tests.run_as('victim_owner', format('update public.workspaces set settings = %L where id = %L', '{"a":1}', :'ws'));

select is_empty(format('select * from tests.tenant_leaks(%L, %L)', 'intruder', :'ws'),
  'no table with a workspace_id leaks a row to a user of another workspace');
select is_empty(format('select * from tests.tenant_leaks(%L, %L)', 'victim_outsider', :'ws'),
  'nor to the outsider fixture');
select ok((select count(*) from tests.tenant_leaks('victim_member', :'ws')) > 0,
  'the sweep does find rows for an actual member (it is not vacuous)');

select is(tests.try_as('intruder', format('select 1 from public.workspaces where id = %L', :'ws')), 'ok:0', 'workspace row: not visible');
select is(tests.try_as('intruder', format('update public.workspaces set name = %L where id = %L', 'pwned', :'ws')), 'ok:0', 'workspace row: not updatable');
select is(tests.try_as('intruder', format('delete from public.workspaces where id = %L', :'ws')), 'ok:0', 'workspace row: not deletable');
select is(tests.try_as('intruder', format('select 1 from public.profiles where id in (%L, %L)', :'owner_id', :'member_id')), 'ok:0',
  'profiles of the victim''s people: not visible');
select is(tests.try_as('intruder', format('select 1 from public.notifications where user_id = %L', :'owner_id')), 'ok:0',
  'their notifications: not visible');
select is(tests.try_as('intruder', format('select 1 from public.verification_logs where user_id = %L', :'owner_id')), 'ok:0',
  'their verification logs: not visible');
select is(tests.try_as('victim_owner', 'select 1 from public.verification_logs'), 'ok:1', 'while the owner sees their own');

-- Every RPC refuses the victim's workspace.
select tests.authenticate_as('intruder');
select throws_ok(format('select * from public.invite_member(%L, %L, %L)', :'ws', 'intruder@example.com', 'admin'), '42501', null,
  'invite_member: refused');
select throws_ok(format('select public.accept_invitation(%L)', :'inv_token'), '42501', 'this invitation was sent to another email address',
  'accept_invitation with a leaked token: refused');
select throws_ok(format('select public.revoke_invitation(%L)', :'inv_invitation_id'), 'P0002', null, 'revoke_invitation: not found');
select throws_ok(format('select public.change_member_role(%L, %L, %L)', :'ws', :'member_id', 'viewer'), '42501', null,
  'change_member_role: refused');
select throws_ok(format('select public.remove_member(%L, %L)', :'ws', :'member_id'), '42501', null, 'remove_member: refused');
select throws_ok(format('select * from public.create_api_key(%L, %L)', :'ws', 'mine'), '42501', null, 'create_api_key: refused');
select throws_ok(format('select public.revoke_api_key(%L)', :'key_id'), 'P0002', null, 'revoke_api_key: not found');
select is(public.mark_notifications_read(array[:'notification_id'::uuid]), 0,
  'mark_notifications_read: touches nothing of theirs');
select throws_ok(format('select * from private.authenticate_api_key(%L)', :'key_key'), '42501', null,
  'authenticate_api_key: not callable by users');
select tests.clear_authentication();
select is((select read_at from public.notifications where id = :'notification_id'), null, 'the victim''s notification is still unread');

select * from finish();
rollback;
