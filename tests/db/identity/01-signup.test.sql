-- Sign-up creates profile, personal workspace and owner membership, as
-- GoTrue's role would trigger it; auth changes flow into the profile.
begin;
select plan(20);

select tests.create_supabase_user('ann', 'Ann@Example.com', null, '{"full_name":"Ann Lee","platform_role":"super_admin"}');
select tests.personal_workspace('ann') as ann_ws \gset

select is((select email from public.profiles where id = tests.get_supabase_uid('ann')), 'ann@example.com',
  'the profile mirrors the email, lowercased');
select is((select full_name from public.profiles where id = tests.get_supabase_uid('ann')), 'Ann Lee',
  'full_name comes from the sign-up metadata');
select is((select status from public.profiles where id = tests.get_supabase_uid('ann')), 'active'::public.profile_status,
  'a confirmed user is active');
select is((select platform_role from public.profiles where id = tests.get_supabase_uid('ann')), 'user'::public.platform_role,
  'platform_role is never taken from user_metadata');
select ok(:'ann_ws' is not null, 'a personal workspace is created');
select is((select name from public.workspaces where id = :'ann_ws'), 'Ann Lee''s workspace', 'named after the user');
select matches((select slug from public.workspaces where id = :'ann_ws'), '^ann-[0-9a-f]{6}$', 'with a unique slug');
select is((select role from public.workspace_members where workspace_id = :'ann_ws'), 'owner'::public.member_role,
  'the user owns it');
select is((select (plan, max_channels, max_members)::text from public.workspaces where id = :'ann_ws'), '(free,1,3)',
  'on the free plan with its limits');

-- Confirmation, email change, sign-in and app_metadata arrive from GoTrue.
insert into auth.users (id, email, email_confirmed_at, raw_user_meta_data)
values ('00000000-0000-0000-0000-0000000000b0', 'bob@example.com', null, '{"test_identifier":"bob"}');
select is((select status from public.profiles where id = '00000000-0000-0000-0000-0000000000b0'),
  'pending'::public.profile_status, 'an unconfirmed user is pending');
update auth.users set email_confirmed_at = now() where id = '00000000-0000-0000-0000-0000000000b0';
select is((select status from public.profiles where id = '00000000-0000-0000-0000-0000000000b0'),
  'active'::public.profile_status, 'confirming the email activates the profile');
update auth.users set email = 'robert@example.com', last_sign_in_at = '2026-01-02 03:04:05+00',
                      raw_app_meta_data = '{"platform_role":"admin"}'
 where id = '00000000-0000-0000-0000-0000000000b0';
select is((select (email, last_login_at, platform_role)::text from public.profiles where id = '00000000-0000-0000-0000-0000000000b0'),
  '(robert@example.com,"2026-01-02 03:04:05+00",admin)', 'email, last login and platform role follow auth.users');
update auth.users set raw_app_meta_data = '{"platform_role":"root"}' where id = '00000000-0000-0000-0000-0000000000b0';
select is((select platform_role from public.profiles where id = '00000000-0000-0000-0000-0000000000b0'),
  'user'::public.platform_role, 'an unknown platform role falls back to user');

-- Plans carry their limits unless a deal overrides them.
update public.workspaces set plan = 'premium' where id = :'ann_ws';
select is((select (max_channels, max_members)::text from public.workspaces where id = :'ann_ws'), '(10,50)',
  'upgrading sets the plan''s limits');
update public.workspaces set plan = 'enterprise', max_channels = 250 where id = :'ann_ws';
select is((select (max_channels, max_members)::text from public.workspaces where id = :'ann_ws'), '(250,1000)',
  'an explicit limit in the same update wins');

-- Deleting people.
select tests.create_supabase_user('solo');
select tests.personal_workspace('solo') as solo_ws \gset
delete from auth.users where id = tests.get_supabase_uid('solo');
select is((select count(*)::int from public.workspaces where id = :'solo_ws'), 0,
  'a workspace whose only member is deleted goes with them');
select is((select count(*)::int from public.profiles where email = 'solo@test.threadline.local'), 0,
  'the profile goes with the auth user');

select tests.create_supabase_user('carl');
insert into public.workspace_members (workspace_id, user_id, role)
values (:'ann_ws', tests.get_supabase_uid('carl'), 'member');
select throws_ok(
  $$ delete from auth.users where id = tests.get_supabase_uid('ann') $$,
  '55000',
  'user is the last owner of workspaces with other members (Ann Lee''s workspace): transfer ownership first',
  'the last owner of a workspace with other members cannot be deleted, and is told why');
update public.workspace_members set role = 'owner' where workspace_id = :'ann_ws' and user_id = tests.get_supabase_uid('carl');
select lives_ok($$ delete from auth.users where id = tests.get_supabase_uid('ann') $$,
  'after handing ownership over, the user can be deleted');
select is((select count(*)::int from public.workspace_members where workspace_id = :'ann_ws'), 1,
  'the workspace stays with its new owner');

select * from finish();
rollback;
