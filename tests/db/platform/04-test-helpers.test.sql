-- The helpers every RLS test uses must act exactly like PostgREST requests.
begin;
select plan(9);

select lives_ok($$ select tests.create_supabase_user('alice', 'alice@example.com') $$, 'creates a user');
select is((select email from auth.users where id = tests.get_supabase_uid('alice')), 'alice@example.com',
  'the user is in auth.users');
select throws_ok($$ select tests.create_supabase_user('alice') $$, 'P0001', 'test user alice already exists',
  'identifiers are unique');

select tests.authenticate_as('alice');
select is(current_user::text, 'authenticated', 'authenticate_as switches to the authenticated role');
select is(auth.uid(), tests.get_supabase_uid('alice'), 'auth.uid() is the user');
select is(auth.email(), 'alice@example.com', 'the claims carry the email');

select tests.authenticate_as_anon();
select is(current_user::text, 'anon', 'authenticate_as_anon switches to anon');
select tests.authenticate_as_service_role();
select is(current_user::text, 'service_role', 'authenticate_as_service_role switches to service_role');
select tests.clear_authentication();
select is(current_user::text, 'postgres', 'clear_authentication returns to the test role');

select * from finish();
rollback;
