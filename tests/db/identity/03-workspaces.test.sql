-- workspaces: members read; admins edit settings; owners delete; plans and
-- limits belong to billing (the service), not to workspace admins.
begin;
select plan(14);
select tests.create_workspace_with_roles('acme') as ws \gset

select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from public.workspaces where id = %L', :'ws')),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:1'), ('member', 'ok:1'), ('admin', 'ok:1'), ('owner', 'ok:1') $$,
  'select: members only');

select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme',
         format('update public.workspaces set settings = %L where id = %L', '{"tz":"UTC"}', :'ws')),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:0'), ('member', 'ok:0'), ('admin', 'ok:1'), ('owner', 'ok:1') $$,
  'update settings: admins and owners');

select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme',
         format('insert into public.workspaces (name, slug) values (%L, %L)', 'New', 'new-ws')),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501') $$,
  'insert directly: nobody (create_workspace makes the owner too)');

select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('delete from public.workspaces where id = %L', :'ws')),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:0'), ('member', 'ok:0'), ('admin', 'ok:0'), ('owner', 'ok:1') $$,
  'delete: only an owner');

select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme',
         format('update public.workspaces set plan = %L where id = %L', 'enterprise', :'ws')),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501') $$,
  'the plan is not the workspace''s to change');
select is(tests.try_as('acme_owner', format('update public.workspaces set max_channels = 99 where id = %L', :'ws')),
  '42501', 'nor are its limits');
select is(tests.try_as('acme_owner', format('update public.workspaces set is_personal = true where id = %L', :'ws')),
  '42501', 'nor whether it is personal');
select is(tests.try_as('acme_admin', format('update public.workspaces set slug = %L where id = %L', 'Not A Slug', :'ws')),
  '23514', 'slugs are validated');

-- create_workspace
select tests.authenticate_as('acme_member');
select lives_ok($$ select public.create_workspace('Side Project', 'side-project') $$, 'any user creates a workspace');
select tests.clear_authentication();
select is((select m.role from public.workspace_members m join public.workspaces w on w.id = m.workspace_id
            where w.slug = 'side-project' and m.user_id = tests.get_supabase_uid('acme_member')),
  'owner'::public.member_role, 'and owns it');
select tests.authenticate_as('acme_member');
select throws_ok($$ select public.create_workspace('Again', 'side-project') $$, '23505', 'slug side-project is taken',
  'slugs are unique');
select throws_ok($$ select public.create_workspace('', null) $$, '22023', 'workspace name must be 1 to 100 characters',
  'a name is required');
select matches((public.create_workspace('Café & Co!')).slug, '^caf-co-[0-9a-f]{6}$', 'a slug is derived from the name');
select tests.authenticate_as_anon();
select throws_ok($$ select public.create_workspace('Anon') $$, '42501', null, 'anon cannot create workspaces');

select * from finish();
rollback;
