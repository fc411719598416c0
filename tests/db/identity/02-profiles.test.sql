-- profiles: yourself and people you share a workspace with; you edit only
-- yourself and only the columns a person may change.
begin;
select plan(10);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.get_supabase_uid('acme_owner') as owner_id \gset
select tests.get_supabase_uid('acme_outsider') as outsider_id \gset

select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from public.profiles where id = %L', :'owner_id')),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:1'), ('member', 'ok:1'), ('admin', 'ok:1'), ('owner', 'ok:1') $$,
  'select the owner''s profile: co-members yes, outsider and anon no');

select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.profiles'),
  $$ values ('anon', '42501'), ('outsider', 'ok:1'), ('viewer', 'ok:4'), ('member', 'ok:4'), ('admin', 'ok:4'), ('owner', 'ok:4') $$,
  'select all profiles: each sees themselves plus co-members only');

select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme',
         format('update public.profiles set first_name = %L where id = %L', 'X', :'owner_id')),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:0'), ('member', 'ok:0'), ('admin', 'ok:0'), ('owner', 'ok:1') $$,
  'update the owner''s profile: only the owner');

select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme',
         format('insert into public.profiles (id, email) values (%L, %L)', gen_random_uuid(), 'x@y.io')),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501') $$,
  'insert a profile: nobody (sign-up creates them)');

select results_eq(
  format('select * from tests.matrix(%L, %L)', 'acme', format('delete from public.profiles where id = %L', :'owner_id')),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501') $$,
  'delete a profile: nobody (deleting the auth user does it)');

select is(tests.try_as('acme_owner', format('update public.profiles set platform_role = %L where id = %L', 'super_admin', :'owner_id')),
  '42501', 'nobody promotes themselves to platform admin');
select is(tests.try_as('acme_owner', format('update public.profiles set email = %L where id = %L', 'me@evil.io', :'owner_id')),
  '42501', 'email is changed through Supabase Auth, not the profile');
select is(tests.try_as('acme_owner', format('update public.profiles set username = %L where id = %L', 'Bad Name', :'owner_id')),
  '23514', 'usernames are validated');

-- Platform admins (set from app_metadata by the service) see everyone.
update auth.users set raw_app_meta_data = '{"platform_role":"super_admin"}' where id = :'outsider_id';
select is(tests.try_as('acme_outsider', format('select 1 from public.profiles where id = %L', :'owner_id')), 'ok:1',
  'a platform super admin reads any profile');
select is(tests.try_as('acme_outsider', format('update public.profiles set first_name = %L where id = %L', 'X', :'owner_id')),
  'ok:0', 'but cannot edit it');

select * from finish();
rollback;
