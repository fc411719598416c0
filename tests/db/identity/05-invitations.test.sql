-- Invitations: admins invite by email with a hashed, single-use, expiring
-- token; only the invited (confirmed) address can accept it.
begin;
select plan(26);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_supabase_user('newbie', 'newbie@example.com');
select tests.create_supabase_user('impostor', 'impostor@example.com');

select tests.authenticate_as('acme_admin');
select * from public.invite_member(:'ws', '  NewBie@Example.com ', 'member') \gset inv_
select tests.clear_authentication();

select matches(:'inv_token'::text, '^tlinv_[0-9a-f]{64}$', 'the token is returned once, 256 random bits');
select is((select email from public.workspace_invitations where id = :'inv_invitation_id'), 'newbie@example.com',
  'the email is normalized');
select is((select token_hash from public.workspace_invitations where id = :'inv_invitation_id'),
  sha256(convert_to(:'inv_token', 'UTF8')), 'only the token''s SHA-256 is stored');
select ok(:'inv_expires_at'::timestamptz between now() + interval '6 days 23 hours' and now() + interval '7 days 1 hour',
  'it expires in 7 days by default');

select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from public.workspace_invitations where workspace_id = %L', :'ws')),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:0'), ('member', 'ok:0'), ('admin', 'ok:1'), ('owner', 'ok:1') $$,
  'select: admins and owners');
select is(tests.try_as('newbie', 'select 1 from public.workspace_invitations'), 'ok:1', 'the invitee sees their invitation');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('update public.workspace_invitations set role = %L where id = %L', 'admin', :'inv_invitation_id')),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501') $$,
  'update directly: nobody');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('delete from public.workspace_invitations where id = %L', :'inv_invitation_id')),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501') $$,
  'delete directly: nobody');
select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.workspace_invitations (workspace_id, email, token_hash, expires_at) values (%L, %L, %L, now())', :'ws', 'x@y.io', '\x00')),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501') $$,
  'insert directly: nobody');

-- Who may invite, and what.
select tests.authenticate_as('acme_member');
select throws_ok(format('select * from public.invite_member(%L, %L)', :'ws', 'x@example.com'), '42501',
  'you need the admin role in this workspace', 'a member cannot invite');
select tests.authenticate_as('acme_admin');
select throws_ok(format('select * from public.invite_member(%L, %L, %L)', :'ws', 'x@example.com', 'owner'), '22023',
  'invite as admin, member or viewer; make owners with change_member_role', 'nobody is invited as owner');
select throws_ok(format('select * from public.invite_member(%L, %L)', :'ws', 'not-an-email'), '22023',
  'invalid email address: not-an-email', 'the email is validated');
select throws_ok(format('select * from public.invite_member(%L, %L)', :'ws', 'acme_viewer@example.com'), '23505',
  'acme_viewer@example.com is already a member of this workspace', 'members are not invited again');

-- Accepting.
select tests.authenticate_as('impostor');
select throws_ok(format('select public.accept_invitation(%L)', :'inv_token'), '42501',
  'this invitation was sent to another email address', 'someone else cannot use the token');
select throws_ok($$ select public.accept_invitation('tlinv_nope') $$, 'P0002', 'invitation not found', 'an unknown token is not found');
select tests.authenticate_as('newbie');
select is((public.accept_invitation(:'inv_token')).role, 'member'::public.member_role, 'the invitee joins with the invited role');
select is(tests.try_as('newbie', format('select 1 from public.workspaces where id = %L', :'ws')), 'ok:1', 'and now sees the workspace');
select is((select status from public.workspace_invitations where id = :'inv_invitation_id'), 'accepted'::public.invitation_status,
  'the invitation is marked accepted');
select tests.authenticate_as('newbie');
select throws_ok(format('select public.accept_invitation(%L)', :'inv_token'), '55000', 'invitation has already been used',
  'a token works once');

-- Revoked, replaced and expired invitations.
select tests.authenticate_as('acme_admin');
select * from public.invite_member(:'ws', 'late@example.com', 'viewer') \gset first_
select * from public.invite_member(:'ws', 'late@example.com', 'viewer') \gset second_
select tests.create_supabase_user('late', 'late@example.com');
select tests.authenticate_as('late');
select throws_ok(format('select public.accept_invitation(%L)', :'first_token'), '55000', 'invitation was revoked',
  'inviting again replaces the earlier token');
select tests.clear_authentication();
update public.workspace_invitations set expires_at = now() - interval '1 minute' where id = :'second_invitation_id';
select tests.authenticate_as('late');
select throws_ok(format('select public.accept_invitation(%L)', :'second_token'), '55000', null, 'an expired invitation fails');

select tests.authenticate_as('acme_admin');
select * from public.invite_member(:'ws', 'gone@example.com') \gset third_
select lives_ok(format('select public.revoke_invitation(%L)', :'third_invitation_id'), 'an admin revokes an invitation');
select throws_ok(format('select public.revoke_invitation(%L)', :'third_invitation_id'), '55000',
  'only a pending invitation can be revoked (this one is revoked)', 'twice is an error');
select tests.authenticate_as('acme_outsider');
select throws_ok(format('select public.revoke_invitation(%L)', :'third_invitation_id'), 'P0002', 'invitation not found',
  'an outsider cannot even learn that it exists');

-- An unconfirmed address proves nothing.
select tests.authenticate_as('acme_admin');
select * from public.invite_member(:'ws', 'unconfirmed@example.com') \gset fourth_
select tests.clear_authentication();
select tests.create_supabase_user('unconfirmed', 'unconfirmed@example.com');
update auth.users set email_confirmed_at = null where id = tests.get_supabase_uid('unconfirmed');
select tests.authenticate_as('unconfirmed');
select throws_ok(format('select public.accept_invitation(%L)', :'fourth_token'), '42501',
  'confirm your email address before accepting invitations', 'the invitee must have confirmed their email');

-- Plan limit: the free plan allows 3 members including pending invitations.
select tests.clear_authentication();
select tests.authenticate_as('acme_outsider');
select * from public.invite_member(tests.personal_workspace('acme_outsider'), 'one@example.com') \gset
select * from public.invite_member(tests.personal_workspace('acme_outsider'), 'two@example.com') \gset
select throws_ok(format('select * from public.invite_member(%L, %L)', tests.personal_workspace('acme_outsider'), 'three@example.com'),
  '54000', 'the workspace''s plan allows 3 members (including pending invitations)', 'the plan''s member limit holds');

select * from finish();
rollback;
