-- A member who leaves: out of the workspace's coming events (their
-- reminders cancelled), events they own kept; suspending does the same;
-- deleting the workspace or the person still works.
begin;
select plan(7);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.get_supabase_uid('acme_member') as member \gset
select tests.get_supabase_uid('acme_admin') as admin \gset
select tests.get_supabase_uid('acme_viewer') as viewer \gset

insert into public.events (id, workspace_id, user_id, title, event_type, start_time, end_time, attendees, reminder_minutes) values
  ('e0000000-0000-0000-0000-0000000000d1', :'ws', :'admin', 'Fitting', 'appointment', now() + interval '2 days',
   now() + interval '2 days 1 hour', array[:'admin', :'member']::uuid[], '{60}'),
  ('e0000000-0000-0000-0000-0000000000d2', :'ws', :'member', 'Member''s own', 'meeting', now() + interval '3 days',
   now() + interval '3 days 1 hour', array[:'member', :'admin']::uuid[], '{60}'),
  ('e0000000-0000-0000-0000-0000000000d3', :'ws', :'admin', 'Viewer''s review', 'meeting', now() + interval '4 days',
   now() + interval '4 days 1 hour', array[:'admin', :'viewer']::uuid[], '{30}');

delete from public.workspace_members where workspace_id = :'ws' and user_id = :'member';
select is((select attendees from public.events where id = 'e0000000-0000-0000-0000-0000000000d1'), array[:'admin']::uuid[],
  'a removed member leaves the coming events');
select is((select count(*)::integer from public.event_attendees where event_id = 'e0000000-0000-0000-0000-0000000000d1' and user_id = :'member'),
  0, 'and their booking');
select is((select array_agg(distinct status::text || ': ' || coalesce(error, '')) from public.event_reminders
             where workspace_id = :'ws' and user_id = :'member'),
  array['cancelled: no longer asked for', 'cancelled: the member left the workspace'],
  'their pending reminders are cancelled');
select is((select (user_id, status) from public.events where id = 'e0000000-0000-0000-0000-0000000000d2'),
  (:'member'::uuid, 'scheduled'::public.event_status), 'an event they own stays, for an admin to hand over');

update public.workspace_members set status = 'suspended' where workspace_id = :'ws' and user_id = :'viewer';
select is((select attendees from public.events where id = 'e0000000-0000-0000-0000-0000000000d3'), array[:'admin']::uuid[],
  'a suspended member leaves them too');

select lives_ok(format('delete from auth.users where id = %L', :'admin'), 'deleting a person with events still works');
select lives_ok(format('delete from public.workspaces where id = %L', :'ws'), 'and so does deleting the workspace');

select * from finish();
rollback;
