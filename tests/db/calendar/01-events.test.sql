-- Events: who reads and writes workspace and personal events and the
-- calendar settings; attendees must be members; no double-booked
-- appointments (an exclusion constraint), unless the workspace allows it;
-- all-day events in the workspace's time zone; deadlines kept from orders.
begin;
select plan(38);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
select tests.get_supabase_uid('acme_member') as member \gset
select tests.get_supabase_uid('acme_admin') as admin \gset
select tests.get_supabase_uid('acme_viewer') as viewer \gset
select tests.get_supabase_uid('acme_outsider') as outsider \gset
update public.profiles set full_name = 'Maya Member' where id = :'member';
insert into public.contacts (id, workspace_id, name, phone) values
  ('c1000000-0000-0000-0000-0000000000a1', :'ws', 'Ada Obi', '2348010000001'),
  ('c1000000-0000-0000-0000-0000000000b1', :'beta', 'Beta Client', '2348010000009');

\set everyone '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:1''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set members '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admins '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:0''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set member_inserts '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admin_inserts '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set nobody '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''42501''), (''owner'', ''42501'') $$'
\set appointment 'insert into public.events (id, workspace_id, title, event_type, start_time, end_time, attendees) values (%L, %L, %L, ''appointment'', %L, %L, %L)'

-- Who may do what ------------------------------------------------------------------------
select tests.run_as('acme_member', format(:'appointment', 'e1000000-0000-0000-0000-000000000001', :'ws', 'Fitting', '2030-01-10 10:00+00', '2030-01-10 11:00+00', '{}'));
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.events where id = ''e1000000-0000-0000-0000-000000000001'''),
  :everyone, 'workspace events: every member reads them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.events (workspace_id, title, start_time) values (%L, ''Standup'', now() + interval ''1 day'')', :'ws')),
  :member_inserts, 'members add them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.events set location = ''Room 2'' where id = ''e1000000-0000-0000-0000-000000000001'''),
  :members, 'members change them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.events where id = ''e1000000-0000-0000-0000-000000000001'''),
  :members, 'members remove them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.event_attendees where event_id = ''e1000000-0000-0000-0000-000000000001'''),
  :everyone, 'attendees: every member reads them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.event_attendees (event_id, user_id, workspace_id, during, exclusive) values (''e1000000-0000-0000-0000-000000000001'', %L, %L, ''[2030-01-01,2030-01-02)'', false)', :'admin', :'ws')),
  :nobody, 'attendees are written by the database only');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.calendar_settings (workspace_id, allow_double_booking) values (%L, true)', :'ws')),
  :admin_inserts, 'settings: admins make them');
insert into public.calendar_settings (workspace_id) values (:'ws');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.calendar_settings where workspace_id = ''' || :'ws' || ''''),
  :everyone, 'settings: every member reads them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.calendar_settings set order_deadlines = false where workspace_id = ''' || :'ws' || ''''),
  :admins, 'settings: admins change them');
select is(tests.error_as('beta_owner', format('insert into public.events (workspace_id, title, start_time) values (%L, ''x'', now())', :'ws')),
  '42501 new row violates row-level security policy for table "events"', 'an outsider cannot write our calendar, and learns nothing from the refusal');
select is(tests.error_as('beta_owner', format('insert into public.events (workspace_id, title, start_time, contact_id) values (%L, ''x'', now(), ''c1000000-0000-0000-0000-0000000000a1'')', :'beta')),
  'P0002 contact not found in this workspace', 'another workspace''s client is not found');
select is(array(select * from tests.tenant_leaks('beta_owner', :'ws')), '{}'::text[], 'another workspace''s owner reaches nothing of ours');

-- Personal events: their owner's alone.
select tests.run_as('acme_viewer', format('insert into public.events (id, user_id, title, start_time, reminder_minutes) values (''e1000000-0000-0000-0000-0000000000f1'', %L, ''Dentist'', now() + interval ''2 days'', ''{30}'')', :'viewer'));
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.events where id = ''e1000000-0000-0000-0000-0000000000f1'''),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:1'), ('member', 'ok:0'), ('admin', 'ok:0'), ('owner', 'ok:0') $$,
  'a personal event is seen by its owner only (even a viewer has one)');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.event_reminders where event_id = ''e1000000-0000-0000-0000-0000000000f1'''),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:1'), ('member', 'ok:0'), ('admin', 'ok:0'), ('owner', 'ok:0') $$,
  'and so are its reminders');
select is(tests.error_as('acme_member', format('insert into public.events (user_id, title, start_time) values (%L, ''x'', now())', :'viewer')),
  '42501 new row violates row-level security policy for table "events"', 'nobody makes a personal event for someone else');
select is(tests.error_as('acme_viewer', format('insert into public.events (user_id, title, start_time, attendees) values (%L, ''x'', now(), %L)', :'viewer', array[:'viewer', :'member']::uuid[])),
  '22023 a personal event has no attendees but its owner', 'a personal event has no other attendees');

-- Attendees ------------------------------------------------------------------------------
select is((select attendees from public.events where id = 'e1000000-0000-0000-0000-000000000001'), array[:'member']::uuid[],
  'no attendees given: the event''s user attends');
select is(tests.error_as('acme_member', format(:'appointment', gen_random_uuid(), :'ws', 'x', '2030-02-01 10:00+00', '2030-02-01 11:00+00', array[:'outsider']::text)),
  '22023 attendee ' || :'outsider' || ' is not an active member of the workspace', 'attendees must be members');
select is(tests.error_as('acme_member', format('insert into public.events (workspace_id, title, event_type, start_time) values (%L, ''x'', ''appointment'', now())', :'ws')),
  '23514 an appointment needs an end_time after its start_time', 'an appointment needs an end');

-- Double booking -------------------------------------------------------------------------
select is(tests.error_as('acme_admin', format(:'appointment', gen_random_uuid(), :'ws', 'Alterations', '2030-01-10 10:30+00', '2030-01-10 11:30+00', array[:'member', :'admin']::text)),
  '23P01 Maya Member is already booked 2030-01-10 10:00 - 11:00 (UTC) for "Fitting"', 'an overlapping appointment for the same attendee is refused, naming who and when');
select is(tests.error_as('acme_member', format(:'appointment', gen_random_uuid(), :'ws', 'Next', '2030-01-10 11:00+00', '2030-01-10 12:00+00', '{}')),
  'ok:1', 'one right after the other is fine');
select is(tests.error_as('acme_member', format('insert into public.events (workspace_id, title, event_type, start_time, end_time) values (%L, ''Team meeting'', ''meeting'', ''2030-01-10 10:00+00'', ''2030-01-10 12:00+00'')', :'ws')),
  'ok:1', 'meetings may overlap');
select tests.run_as('acme_member', 'update public.events set status = ''cancelled'' where id = ''e1000000-0000-0000-0000-000000000001''');
select is(tests.error_as('acme_admin', format(:'appointment', gen_random_uuid(), :'ws', 'Alterations', '2030-01-10 10:30+00', '2030-01-10 11:30+00', array[:'member']::text)),
  'ok:1', 'a cancelled appointment frees its time');
select tests.run_as('acme_member', 'update public.events set status = ''scheduled'' where id = ''e1000000-0000-0000-0000-000000000001''');
select is(tests.error_as('acme_member', 'update public.events set start_time = ''2030-01-10 10:30+00'', end_time = ''2030-01-10 11:30+00'' where id = ''e1000000-0000-0000-0000-000000000001'''),
  'ok:1', 'moving within its own time does not clash with itself');
select tests.run_as('acme_admin', format('update public.calendar_settings set allow_double_booking = true where workspace_id = %L', :'ws'));
select is(tests.error_as('acme_admin', format(:'appointment', gen_random_uuid(), :'ws', 'Alterations', '2030-01-10 10:30+00', '2030-01-10 11:30+00', array[:'member']::text)),
  'ok:1', 'a workspace that allows double booking takes the overlap');
select tests.run_as('acme_admin', format(:'appointment', 'e1000000-0000-0000-0000-000000000002', :'ws', 'Overlap', '2030-01-10 10:45+00', '2030-01-10 11:15+00', array[:'member']::text));
select is(tests.error_as('acme_admin', format('update public.calendar_settings set allow_double_booking = false where workspace_id = %L', :'ws')),
  '23P01 Maya Member is already booked 2030-01-10 10:00 - 11:00 (UTC) for "Fitting"', 'and cannot stop allowing it while two appointments overlap');
select tests.run_as('acme_admin', 'delete from public.events where id = ''e1000000-0000-0000-0000-000000000002''');
select tests.run_as('acme_admin', format('update public.calendar_settings set allow_double_booking = false where workspace_id = %L', :'ws'));
select is((select count(*) from public.event_attendees where workspace_id = :'ws' and exclusive), 1::bigint, 'once they no longer overlap, the appointments are exclusive again');
-- Another workspace's appointment at the same time never clashes (nor is told about).
insert into public.workspace_members (workspace_id, user_id, role) values (:'beta', :'member', 'member');
select is(tests.error_as('acme_member', format(:'appointment', gen_random_uuid(), :'beta', 'Beta fitting', '2030-01-10 10:30+00', '2030-01-10 11:30+00', '{}')),
  'ok:1', 'bookings are compared inside one workspace');

-- All-day events in the workspace's zone ----------------------------------------------------
select is(tests.error_as('acme_admin', format('update public.workspaces set timezone = ''Mars/Olympus'' where id = %L', :'ws')),
  '22023 unknown time zone "Mars/Olympus"', 'a time zone must be a known IANA name');
select tests.run_as('acme_admin', format('update public.workspaces set timezone = ''America/Sao_Paulo'' where id = %L', :'ws'));
select tests.run_as('acme_member', format('insert into public.events (id, workspace_id, title, start_time, end_time, all_day) values (''e1000000-0000-0000-0000-000000000003'', %L, ''Holiday'', ''2030-03-10 12:00-03'', ''2030-03-11 12:00-03'', true)', :'ws'));
select is((select (start_time, end_time) from public.events where id = 'e1000000-0000-0000-0000-000000000003'),
  ('2030-03-10 00:00-03'::timestamptz, '2030-03-12 00:00-03'::timestamptz), 'an all-day event covers whole days in the workspace''s zone');
select tests.run_as('acme_admin', format('update public.workspaces set timezone = ''Asia/Tokyo'' where id = %L', :'ws'));
select is((select (start_time, end_time) from public.events where id = 'e1000000-0000-0000-0000-000000000003'),
  ('2030-03-10 00:00+09'::timestamptz, '2030-03-12 00:00+09'::timestamptz), 'and keeps its dates when the zone changes');

-- Deadlines from orders ----------------------------------------------------------------------
insert into public.orders (id, workspace_id, contact_id, title, due_date, created_by)
values ('0d100000-0000-0000-0000-000000000001', :'ws', 'c1000000-0000-0000-0000-0000000000a1', 'Agbada', '2030-04-01 12:00+00', :'member');
select is((select count(*) from public.events where order_id = '0d100000-0000-0000-0000-000000000001'), 0::bigint,
  'no deadline events unless the workspace asks for them');
select tests.run_as('acme_admin', format('update public.calendar_settings set order_deadlines = true where workspace_id = %L', :'ws'));
select is((select (event_type, start_time, user_id, contact_id, source, title) from public.events where order_id = '0d100000-0000-0000-0000-000000000001'),
  ('deadline'::public.event_type, '2030-04-01 12:00+00'::timestamptz, :'member'::uuid, 'c1000000-0000-0000-0000-0000000000a1'::uuid, 'order'::text, 'Order ORD-00001 due: Agbada'::text),
  'asked for: the open order''s deadline appears, for its maker, with its client');
select tests.run_as('acme_member', 'update public.orders set due_date = ''2030-04-03 12:00+00'', assigned_to = null where id = ''0d100000-0000-0000-0000-000000000001''');
select is((select start_time from public.events where order_id = '0d100000-0000-0000-0000-000000000001'), '2030-04-03 12:00+00'::timestamptz,
  'it moves with the due date');
select is((select remind_at from public.event_reminders r join public.events e on e.id = r.event_id where e.order_id = '0d100000-0000-0000-0000-000000000001'),
  '2030-04-02 12:00+00'::timestamptz, 'and its day-before reminder with it');
select tests.run_as('acme_member', 'update public.orders set status = ''cancelled'' where id = ''0d100000-0000-0000-0000-000000000001''');
select is((select status::text from public.events where order_id = '0d100000-0000-0000-0000-000000000001'), 'cancelled', 'a cancelled order cancels it');
select is(tests.error_as('acme_member', format('insert into public.events (workspace_id, title, start_time, source) values (%L, ''x'', now(), ''order'')', :'ws')),
  '42501 permission denied for table events', 'clients make no order deadlines themselves');
delete from public.orders where id = '0d100000-0000-0000-0000-000000000001';
select is((select count(*) from public.events where source = 'order' and workspace_id = :'ws'), 0::bigint, 'a deleted order takes its deadline along');

select * from finish();
rollback;
