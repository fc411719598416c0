-- Reminders: rows per attendee and offset (and the client's WhatsApp ones
-- for an appointment), moved when the event moves, cancelled with it (the
-- client told when a notice is mapped), sent once by the tick (late ones
-- too, saying how late), refusals recorded, and the client's reply linked
-- to the event.
begin;
select plan(24);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.get_supabase_uid('acme_member') as member \gset
select tests.get_supabase_uid('acme_admin') as admin \gset
select tests.open_cloud_conversation(:'ws', 'c1000000-0000-0000-0000-00000000c001', 'PN-CAL1', '2348010000001') as conv \gset
update public.contacts set name = 'Ada Obi' where workspace_id = :'ws' and phone = '2348010000001';
select id as ada from public.contacts where workspace_id = :'ws' and phone = '2348010000001' \gset
insert into public.contacts (id, workspace_id, name, phone, opted_in, opted_out_at)
values ('c1000000-0000-0000-0000-0000000000a2', :'ws', 'Bola Ade', '2348010000002', false, now());
insert into public.message_templates (id, workspace_id, channel_id, name, language, category, status, components) values
  ('7e000000-0000-0000-0000-000000000001', :'ws', 'c1000000-0000-0000-0000-00000000c001', 'appointment_reminder', 'en_US', 'UTILITY', 'APPROVED',
   '[{"type":"BODY","text":"Hi {{1}}, see you {{2}} at {{3}}."}]'),
  ('7e000000-0000-0000-0000-000000000002', :'ws', 'c1000000-0000-0000-0000-00000000c001', 'appointment_cancelled', 'en_US', 'UTILITY', 'APPROVED',
   '[{"type":"BODY","text":"Hi {{1}}, your {{2}} appointment is cancelled."}]'),
  ('7e000000-0000-0000-0000-000000000003', :'ws', 'c1000000-0000-0000-0000-00000000c001', 'promo', 'en_US', 'MARKETING', 'APPROVED',
   '[{"type":"BODY","text":"Sale!"}]');

select is(tests.error_as('acme_admin', format('insert into public.calendar_settings (workspace_id, reminder_template_id) values (%L, ''7e000000-0000-0000-0000-000000000003'')', :'ws')),
  '22023 appointment notices use UTILITY templates; "promo" is MARKETING', 'reminders go through a UTILITY template');
select is(tests.error_as('acme_admin', format('insert into public.calendar_settings (workspace_id, reminder_template_id, reminder_parameters) values (%L, ''7e000000-0000-0000-0000-000000000001'', ''["{first_name}"]'')', :'ws')),
  '22023 the template''s body takes 3 parameter(s) as an array, in order', 'whose parameters must fit');
select tests.run_as('acme_admin', format($$insert into public.calendar_settings (workspace_id, reminder_template_id, reminder_parameters, cancellation_template_id, cancellation_parameters)
  values (%L, '7e000000-0000-0000-0000-000000000001', '["{first_name}", "{when}", "{location}"]', '7e000000-0000-0000-0000-000000000002', '["{first_name}", "{date}"]')$$, :'ws'));

-- Planned ------------------------------------------------------------------------------------
select tests.run_as('acme_member', format($$insert into public.events (id, workspace_id, title, event_type, start_time, end_time, attendees, contact_id, location, reminder_minutes)
  values ('e2000000-0000-0000-0000-000000000001', %L, 'Fitting', 'appointment', now() + interval '2 days', now() + interval '2 days 1 hour', %L, %L, 'Atelier', '{1440, 60, 60}')$$,
  :'ws', array[:'member', :'admin']::text, :'ada'));
select is((select reminder_minutes from public.events where id = 'e2000000-0000-0000-0000-000000000001'), '{60,1440}'::integer[], 'offsets sorted, each once');
select results_eq($$select channel::text, coalesce(user_id::text, 'client'), minutes_before, remind_at = (select start_time from public.events where id = 'e2000000-0000-0000-0000-000000000001') - make_interval(mins => minutes_before)
                      from public.event_reminders where event_id = 'e2000000-0000-0000-0000-000000000001' order by 1, 2, 3$$,
  format($$values ('in_app', %L, 60, true), ('in_app', %L, 1440, true), ('in_app', %L, 60, true), ('in_app', %L, 1440, true), ('whatsapp', 'client', 60, true), ('whatsapp', 'client', 1440, true)$$,
         least(:'member', :'admin'), least(:'member', :'admin'), greatest(:'member', :'admin'), greatest(:'member', :'admin')),
  'one reminder per attendee per offset, and the client''s on WhatsApp');

-- Moved ----------------------------------------------------------------------------------------
select tests.run_as('acme_member', 'update public.events set start_time = start_time + interval ''1 day'', end_time = end_time + interval ''1 day'', attendees = array[user_id] where id = ''e2000000-0000-0000-0000-000000000001''');
select is((select count(*) from public.event_reminders where event_id = 'e2000000-0000-0000-0000-000000000001' and status = 'pending'
             and remind_at = (select start_time from public.events where id = 'e2000000-0000-0000-0000-000000000001') - make_interval(mins => minutes_before)),
  4::bigint, 'rescheduling moves the unsent reminders');
select is((select error from public.event_reminders where event_id = 'e2000000-0000-0000-0000-000000000001' and user_id = :'admin' and minutes_before = 60),
  'no longer asked for', 'an attendee taken off has theirs cancelled');

-- Sent once --------------------------------------------------------------------------------------
update public.event_reminders set remind_at = now() - interval '5 minutes' where event_id = 'e2000000-0000-0000-0000-000000000001' and minutes_before = 1440 and status = 'pending';
select is(private.send_event_reminders(), 2, 'the tick sends what is due: the member''s and the client''s');
select is(private.send_event_reminders(), 0, 'and a second tick sends nothing again');
select is((select count(*) from public.notifications where reference_id = 'e2000000-0000-0000-0000-000000000001' and type = 'event_reminder' and user_id = :'member'),
  1::bigint, 'one notification for the member');
select matches((select body from public.notifications where reference_id = 'e2000000-0000-0000-0000-000000000001' and type = 'event_reminder'),
  '^Starts \d{4}-\d\d-\d\d \d\d:\d\d \(UTC\) at Atelier\. This reminder is 5 min late\.$', 'which says when, where, and how late the tick was');
select is((select (late_seconds between 300 and 320) from public.event_reminders where event_id = 'e2000000-0000-0000-0000-000000000001' and channel = 'in_app' and status = 'sent'),
  true, 'the row records the lateness too');
select is((select (m.type::text, m.content, m.status::text, m.event_id) from public.event_reminders r join public.messages m on m.id = r.message_id
            where r.event_id = 'e2000000-0000-0000-0000-000000000001' and r.channel = 'whatsapp' and r.status = 'sent'),
  ('template'::text, 'Hi Ada, see you ' || to_char((select start_time from public.events where id = 'e2000000-0000-0000-0000-000000000001') at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' at Atelier.', 'pending'::text, 'e2000000-0000-0000-0000-000000000001'::uuid)::record,
  'the client''s reminder is queued through the send path, linked to the event');
select is((select count(*) from private.outbox o join public.messages m on m.id = o.message_id where m.event_id = 'e2000000-0000-0000-0000-000000000001'),
  1::bigint, 'once, in the outbox');

-- A reply ----------------------------------------------------------------------------------------
-- (the reminder went out a minute ago: this transaction's clock stands still)
update public.messages set created_at = now() - interval '1 minute' where event_id = 'e2000000-0000-0000-0000-000000000001';
update public.messages set created_at = now() - interval '2 minutes' where conversation_id = :'conv' and direction = 'inbound';
select private.ingest_webhook('cloud_api', 'c1000000-0000-0000-0000-00000000c001', tests.cloud_message('PN-CAL1', '2348010000001', 'Ada',
  jsonb_build_object('id', 'wamid.cal-reply-1', 'type', 'text', 'timestamp', floor(extract(epoch from now()))::text, 'text', '{"body": "See you then!"}'::jsonb))) is not null as ingested;
select is((select event_id from public.messages where provider_message_id = 'wamid.cal-reply-1'), 'e2000000-0000-0000-0000-000000000001'::uuid,
  'the client''s next message in the conversation is linked to the event');
select private.ingest_webhook('cloud_api', 'c1000000-0000-0000-0000-00000000c001', tests.cloud_message('PN-CAL1', '2348010000001', 'Ada',
  jsonb_build_object('id', 'wamid.cal-reply-2', 'type', 'text', 'timestamp', floor(extract(epoch from now()))::text, 'text', '{"body": "Also, my sister wants a dress"}'::jsonb))) is not null as ingested;
select is((select event_id from public.messages where provider_message_id = 'wamid.cal-reply-2'), null,
  'the one after that is ordinary inbox traffic');
update public.messages set provider_message_id = 'wamid.cal-out-1' where event_id = 'e2000000-0000-0000-0000-000000000001' and direction = 'outbound';
select private.ingest_webhook('cloud_api', 'c1000000-0000-0000-0000-00000000c001', tests.cloud_message('PN-CAL1', '2348010000001', 'Ada',
  jsonb_build_object('id', 'wamid.cal-reply-3', 'type', 'text', 'timestamp', floor(extract(epoch from now()))::text, 'text', '{"body": "Can we make it 3pm?"}'::jsonb,
                     'context', jsonb_build_object('from', 'PN-CAL1', 'id', 'wamid.cal-out-1')))) is not null as ingested;
select is((select event_id from public.messages where provider_message_id = 'wamid.cal-reply-3'), 'e2000000-0000-0000-0000-000000000001'::uuid,
  'a reply quoting the reminder is linked, whenever it comes');

-- Refused ----------------------------------------------------------------------------------------
select tests.run_as('acme_member', format($$insert into public.events (id, workspace_id, title, event_type, start_time, end_time, contact_id, reminder_minutes)
  values ('e2000000-0000-0000-0000-000000000002', %L, 'Hem', 'appointment', now() + interval '30 minutes', now() + interval '1 hour', 'c1000000-0000-0000-0000-0000000000a2', '{60, 1440}')$$, :'ws'));
select is((select count(*) from public.event_reminders where event_id = 'e2000000-0000-0000-0000-000000000002'), 2::bigint,
  'offsets already past when planned: only the nearest is kept (member and client), due now');
select is(private.send_event_reminders(), 2, 'the tick handles both');
select is((select (status::text, error) from public.event_reminders where event_id = 'e2000000-0000-0000-0000-000000000002' and channel = 'whatsapp'),
  ('failed'::text, 'the contact opted out of messages'::text)::record, 'a client who opted out is not messaged; the row says why');

-- Cancelled --------------------------------------------------------------------------------------
select tests.run_as('acme_member', 'update public.events set status = ''cancelled'' where id = ''e2000000-0000-0000-0000-000000000001''');
select is((select array_agg(distinct error) from public.event_reminders where event_id = 'e2000000-0000-0000-0000-000000000001' and kind = 'reminder' and status = 'cancelled'),
  array['no longer asked for', 'the event was cancelled'], 'cancelling cancels the unsent reminders');
select is((select (channel::text, status::text) from public.event_reminders where event_id = 'e2000000-0000-0000-0000-000000000001' and kind = 'cancellation'),
  ('whatsapp'::text, 'pending'::text)::record, 'and queues the client''s cancellation notice');
select is(private.send_event_reminders(), 1, 'which the next tick sends');
select is((select m.content from public.event_reminders r join public.messages m on m.id = r.message_id
            where r.event_id = 'e2000000-0000-0000-0000-000000000001' and r.kind = 'cancellation'),
  'Hi Ada, your ' || to_char((select start_time from public.events where id = 'e2000000-0000-0000-0000-000000000001') at time zone 'UTC', 'YYYY-MM-DD') || ' appointment is cancelled.',
  'with the cancellation template');
select tests.run_as('acme_member', 'update public.events set status = ''scheduled'' where id = ''e2000000-0000-0000-0000-000000000001''');
select is((select count(*) from public.event_reminders where event_id = 'e2000000-0000-0000-0000-000000000001' and status = 'pending' and minutes_before = 60), 2::bigint,
  'scheduled again: the reminders not yet sent are planned again');

select * from finish();
rollback;
