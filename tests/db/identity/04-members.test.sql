-- workspace_members: members see each other; admins manage roles and
-- removals; only owners touch ownership; the last owner always stays.
begin;
select plan(22);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.get_supabase_uid('acme_member') as member_id \gset
select tests.get_supabase_uid('acme_owner') as owner_id \gset
select tests.get_supabase_uid('acme_admin') as admin_id \gset
select tests.get_supabase_uid('acme_outsider') as outsider_id \gset

select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from public.workspace_members where workspace_id = %L', :'ws')),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:4'), ('member', 'ok:4'), ('admin', 'ok:4'), ('owner', 'ok:4') $$,
  'select: members see the four memberships, outsiders none');

select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme',
         format('update public.workspace_members set role = %L where workspace_id = %L and user_id = %L', 'viewer', :'ws', :'member_id')),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:0'), ('member', 'ok:0'), ('admin', 'ok:1'), ('owner', 'ok:1') $$,
  'update a member''s role: admins and owners');

select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme',
         format('insert into public.workspace_members (workspace_id, user_id, role) values (%L, %L, %L)', :'ws', :'outsider_id', 'admin')),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501') $$,
  'insert directly: nobody; people join by accepting an invitation');

select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme',
         format('delete from public.workspace_members where workspace_id = %L and user_id = %L', :'ws', :'member_id')),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:0'), ('member', 'ok:1'), ('admin', 'ok:1'), ('owner', 'ok:1') $$,
  'delete the member: admins, owners, and the member themselves (leaving)');

select is(tests.try_as('acme_admin', format('update public.workspace_members set user_id = %L where workspace_id = %L and user_id = %L',
          :'outsider_id', :'ws', :'member_id')), '42501', 'a membership cannot be handed to someone else');

-- Owner rules, whatever the path.
select is(tests.try_as('acme_admin', format('update public.workspace_members set role = %L where workspace_id = %L and user_id = %L',
          'owner', :'ws', :'member_id')), '42501', 'an admin cannot make an owner');
select is(tests.try_as('acme_admin', format('update public.workspace_members set role = %L where workspace_id = %L and user_id = %L',
          'owner', :'ws', :'admin_id')), '42501', 'an admin cannot promote themselves to owner');
select is(tests.try_as('acme_admin', format('update public.workspace_members set role = %L where workspace_id = %L and user_id = %L',
          'admin', :'ws', :'owner_id')), '42501', 'an admin cannot demote an owner');
select is(tests.try_as('acme_admin', format('delete from public.workspace_members where workspace_id = %L and user_id = %L',
          :'ws', :'owner_id')), '42501', 'an admin cannot remove an owner');
select is(tests.try_as('acme_owner', format('update public.workspace_members set role = %L where workspace_id = %L and user_id = %L',
          'admin', :'ws', :'owner_id')), '55000', 'the last owner cannot demote themselves');
select is(tests.try_as('acme_owner', format('delete from public.workspace_members where workspace_id = %L and user_id = %L',
          :'ws', :'owner_id')), '55000', 'the last owner cannot leave');
select is(tests.try_as('acme_owner', format('update public.workspace_members set status = %L where workspace_id = %L and user_id = %L',
          'suspended', :'ws', :'owner_id')), '55000', 'the last owner cannot be suspended');
select throws_ok(format('delete from public.workspace_members where workspace_id = %L and user_id = %L', :'ws', :'owner_id'),
  '55000', 'a workspace must keep at least one owner: make someone else owner first',
  'not even the service removes the last owner');

-- RPCs with the same rules and clear errors.
select tests.authenticate_as('acme_owner');
select is((public.change_member_role(:'ws', :'admin_id', 'owner')).role, 'owner'::public.member_role,
  'an owner makes another owner');
select is((public.change_member_role(:'ws', :'owner_id', 'admin')).role, 'admin'::public.member_role,
  'with a second owner, the first may step down');
select tests.authenticate_as('acme_member');
select throws_ok(format('select public.change_member_role(%L, %L, %L)', :'ws', :'member_id', 'admin'),
  '42501', 'you need the admin role in this workspace', 'a member cannot change roles');
select tests.authenticate_as('acme_admin');
select throws_ok(format('select public.change_member_role(%L, %L, %L)', :'ws', :'outsider_id', 'viewer'),
  'P0002', 'that user is not a member of this workspace', 'changing a non-member is not found');
select throws_ok(format('select public.remove_member(%L, %L)', :'ws', :'outsider_id'),
  'P0002', 'that user is not a member of this workspace', 'removing a non-member is not found');
select lives_ok(format('select public.remove_member(%L, %L)', :'ws', :'member_id'), 'an owner/admin removes a member');
select tests.authenticate_as('acme_viewer');
select lives_ok(format('select public.remove_member(%L, %L)', :'ws', tests.get_supabase_uid('acme_viewer')),
  'a viewer leaves on their own');
select tests.authenticate_as('acme_outsider');
select throws_ok(format('select public.remove_member(%L, %L)', :'ws', :'admin_id'),
  '42501', 'you need the admin role in this workspace', 'an outsider removes nobody');
select tests.clear_authentication();
select is((select count(*)::int from public.workspace_members where workspace_id = :'ws'), 2,
  'two memberships remain: the new owner and the former owner, now admin');

select * from finish();
rollback;
