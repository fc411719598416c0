-- The member limit holds at acceptance too: an invitation reserved a seat
-- when it was sent, but the plan may have shrunk since, or invitations
-- raced past the limit. Acceptances are counted under the workspace lock.
begin;
select plan(7);
select format('host=127.0.0.1 port=%s dbname=%s user=postgres password=postgres', current_setting('port'), current_database()) as dsn \gset
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_supabase_user('first', 'first@example.com');
select tests.create_supabase_user('second', 'second@example.com');

-- Four members and room for two more: two invitations fit.
update public.workspaces set max_members = 6 where id = :'ws';
select tests.authenticate_as('acme_admin');
select token as first_token from public.invite_member(:'ws', 'first@example.com') \gset
select token as second_token from public.invite_member(:'ws', 'second@example.com') \gset
select tests.clear_authentication();

-- The plan shrinks to five seats.
update public.workspaces set max_members = 5 where id = :'ws';
select is(tests.error_as('first', format('select user_id from public.accept_invitation(%L)', :'first_token')), 'ok:1',
  'the first invitee takes the last seat');
select tests.run_as('first', format('select user_id from public.accept_invitation(%L)', :'first_token'));
select is(tests.error_as('second', format('select user_id from public.accept_invitation(%L)', :'second_token')),
  '54000 the workspace has no room for another member: ask its admins to make room or change plan',
  'the second finds the workspace full');
select is((select count(*)::int from public.workspace_members where workspace_id = :'ws'), 5, 'five members, as the plan says');
select is((select status::text from public.workspace_invitations where email = 'second@example.com'), 'pending',
  'the refused invitation stays pending, usable once there is room');

-- Two acceptances at once, in real sessions: the second waits for the
-- first's workspace lock, then counts the seat it took. Committed from
-- sessions of their own, and removed at the end.
select extensions.dblink_connect('setup', :'dsn'), extensions.dblink_connect('one', :'dsn'), extensions.dblink_connect('two', :'dsn');
select extensions.dblink_exec(c, 'set lock_timeout = ''20s''') from unnest(array['one', 'two']) c;
select format('host=127.0.0.1 port=%s dbname=%s user=supabase_auth_admin password=postgres', current_setting('port'), current_database()) as auth_dsn \gset
select extensions.dblink_exec(:'auth_dsn', $$
  insert into auth.users (id, instance_id, aud, role, email, raw_user_meta_data, raw_app_meta_data, email_confirmed_at, created_at, updated_at)
  values ('a2900000-0000-0000-0000-0000000000a0', '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
          'race-owner@example.com', '{}', '{"provider":"email"}', now(), now(), now()),
         ('a2900000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
          'race-one@example.com', '{}', '{"provider":"email"}', now(), now(), now()),
         ('a2900000-0000-0000-0000-0000000000a2', '00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated',
          'race-two@example.com', '{}', '{"provider":"email"}', now(), now(), now())$$);
select extensions.dblink_exec('setup', $$
  insert into public.workspaces (id, name, slug, plan) values ('a2900000-0000-0000-0000-0000000000b1', 'Race Co', 'race-co-members', 'free');
  insert into public.workspace_members (workspace_id, user_id, role) values ('a2900000-0000-0000-0000-0000000000b1', 'a2900000-0000-0000-0000-0000000000a0', 'owner');
  insert into public.workspace_invitations (workspace_id, email, role, token_hash, expires_at) values
    ('a2900000-0000-0000-0000-0000000000b1', 'race-one@example.com', 'member', private.token_hash('race-token-one'), now() + interval '1 day'),
    ('a2900000-0000-0000-0000-0000000000b1', 'race-two@example.com', 'member', private.token_hash('race-token-two'), now() + interval '1 day');
  update public.workspaces set max_members = 2 where id = 'a2900000-0000-0000-0000-0000000000b1'$$);
select extensions.dblink_exec('one', $$begin; set local role authenticated;
  set local request.jwt.claims = '{"sub": "a2900000-0000-0000-0000-0000000000a1", "role": "authenticated"}'$$);
select extensions.dblink_exec('two', $$begin; set local role authenticated;
  set local request.jwt.claims = '{"sub": "a2900000-0000-0000-0000-0000000000a2", "role": "authenticated"}'$$);
select * from extensions.dblink('one', $$select user_id::text from public.accept_invitation('race-token-one')$$) as t(u text);
select extensions.dblink_send_query('two', $$select user_id::text from public.accept_invitation('race-token-two')$$);
select pg_sleep(0.3);
select is(extensions.dblink_is_busy('two'), 1, 'a concurrent acceptance waits for the first');
select extensions.dblink_exec('one', 'commit');
select is((select count(*)::int from extensions.dblink_get_result('two', false) as t(r text)), 0, 'then is refused');
select matches(extensions.dblink_error_message('two'), 'no room for another member', 'because the seat is taken');
select extensions.dblink_get_result('two', false);
select extensions.dblink_exec('two', 'rollback');
select extensions.dblink_exec('setup', $$delete from public.workspaces where id = 'a2900000-0000-0000-0000-0000000000b1'$$);
select extensions.dblink_exec(:'auth_dsn', $$delete from auth.users where id in ('a2900000-0000-0000-0000-0000000000a0', 'a2900000-0000-0000-0000-0000000000a1', 'a2900000-0000-0000-0000-0000000000a2')$$);
select extensions.dblink_disconnect(c) from unnest(array['setup', 'one', 'two']) c;

select * from finish();
rollback;
