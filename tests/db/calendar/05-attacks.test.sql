-- The calendar under attack: a member who left stays in the attendees of
-- the events they own, and moving such an event gave them a fresh in-app
-- reminder, its title, time and place, in a workspace they no longer
-- belong to. Links to another workspace's order, client or people are
-- "not found", as for ones that do not exist.
begin;
select plan(8);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
select tests.get_supabase_uid('acme_member') as member \gset
select tests.get_supabase_uid('acme_admin') as admin \gset
insert into public.events (id, workspace_id, user_id, title, event_type, start_time, end_time, attendees, reminder_minutes, location) values
  ('e0000000-0000-0000-0000-0000000000d1', :'ws', :'member', 'Pricing review', 'meeting', now() + interval '3 days',
   now() + interval '3 days 1 hour', array[:'member', :'admin']::uuid[], '{60}', 'Back office');

-- A member who left --------------------------------------------------------------------------
delete from public.workspace_members where workspace_id = :'ws' and user_id = :'member';
select tests.run_as('acme_admin', $$update public.events set start_time = now() + interval '30 minutes', end_time = now() + interval '90 minutes', reminder_minutes = '{15,60}' where id = 'e0000000-0000-0000-0000-0000000000d1'$$);
select is((select array_agg(distinct status::text) from public.event_reminders where event_id = 'e0000000-0000-0000-0000-0000000000d1' and user_id = :'member'),
  '{cancelled}', 'the event they own, moved, plans no reminder for who left');
select is((select count(*)::integer from public.event_reminders where event_id = 'e0000000-0000-0000-0000-0000000000d1' and user_id = :'admin' and status = 'pending'),
  2, 'while the members still there get theirs');
update public.event_reminders set remind_at = now() - interval '1 minute' where event_id = 'e0000000-0000-0000-0000-0000000000d1' and status = 'pending';
select private.send_event_reminders();
select tests.authenticate_as('acme_member');
select is((select count(*)::integer from public.notifications where type = 'event_reminder'), 0,
  'and who left reads nothing of it');
select tests.clear_authentication();

-- Another workspace's things ---------------------------------------------------------------
insert into public.contacts (id, workspace_id, name, phone) values ('c0000000-0000-0000-0000-0000000000a1', :'ws', 'Ada Obi', '2348010000001');
insert into public.orders (id, workspace_id, contact_id, title) values ('0d000000-0000-0000-0000-000000000001', :'ws', 'c0000000-0000-0000-0000-0000000000a1', 'Agbada');
\set event 'insert into public.events (workspace_id, title, start_time, %s) values (%L, ''Fitting'', now() + interval ''1 day'', %L)'
select is(tests.error_as('beta_member', format(:'event', 'order_id', :'beta', '0d000000-0000-0000-0000-000000000001')),
  'P0002 order not found in this workspace', 'an event does not name another workspace''s order');
select is(tests.error_as('beta_member', format(:'event', 'order_id', :'beta', gen_random_uuid())),
  'P0002 order not found in this workspace', 'which reads as one that does not exist');
select is(tests.error_as('beta_member', format(:'event', 'contact_id', :'beta', 'c0000000-0000-0000-0000-0000000000a1')),
  'P0002 contact not found in this workspace', 'nor another workspace''s client');
select is(tests.error_as('beta_member', format(:'event', 'attendees', :'beta', array[:'admin']::uuid[])),
  format('22023 attendee %s is not an active member of the workspace', :'admin'), 'nor its people');
select is(tests.error_as('acme_outsider', format(:'event', 'order_id', :'ws', '0d000000-0000-0000-0000-000000000001')),
  '42501 new row violates row-level security policy for table "events"', 'an outsider is refused before anything is looked up');

select * from finish();
rollback;
