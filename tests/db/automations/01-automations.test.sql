-- Automations: access, validation, keyword matching and priority, one reply
-- per message, groups and our own messages left alone, cooldown, failures
-- logged (and a broken automation switched off), round-robin fairness,
-- follow-up timing, cron schedules.
begin;
select plan(46);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
insert into public.channels (id, workspace_id, provider, name, phone_number_id)
values ('c8000000-0000-0000-0000-000000000001', :'ws', 'cloud_api', 'Main', 'PN-A1'),
       ('c8000000-0000-0000-0000-000000000009', :'beta', 'cloud_api', 'Beta', 'PN-A9');
create function pg_temp.inbound(wa_id text, body text, wamid text, extra jsonb default '{}') returns uuid language sql as $$
  select private.ingest_webhook('cloud_api', 'c8000000-0000-0000-0000-000000000001', tests.cloud_message('PN-A1', wa_id, 'Customer',
    jsonb_build_object('id', wamid, 'type', 'text', 'timestamp', floor(extract(epoch from now()))::text, 'text', jsonb_build_object('body', body)) || extra));
  select id from public.messages where provider_message_id = wamid;
$$;
create function pg_temp.reply_to(wamid text) returns text language sql as $$
  select string_agg(r.content, ' | ' order by r.created_at)
    from public.messages m join public.messages r on r.conversation_id = m.conversation_id and r.direction = 'outbound' and r.created_at >= m.created_at
   where m.provider_message_id = wamid and r.automation_id is not null
$$;

\set new_auto 'insert into public.automations (id, workspace_id, name, type, trigger_conditions, actions, priority, is_active) values (%L, %L, %L, %L, %L, %L, %L, %L)'
\set everyone '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:1''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admins '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:0''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admin_inserts '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set nobody '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''42501''), (''owner'', ''42501'') $$'

select tests.run_as('acme_admin', format(:'new_auto', 'a0000000-0000-0000-0000-000000000001', :'ws', 'Prices', 'keyword_reply',
  '{"keywords":["price","cost"]}', '{"reply":{"text":"Our price list: https://shop.test/prices"}}', 1, true));
select tests.run_as('acme_admin', format(:'new_auto', 'a0000000-0000-0000-0000-000000000002', :'ws', 'Greeting', 'keyword_reply',
  '{"keywords":["hi","hello"],"match":"exact"}', '{"reply":{"text":"Hello! How can we help?"}}', 5, true));
select tests.run_as('acme_admin', format(:'new_auto', 'a0000000-0000-0000-0000-000000000003', :'ws', 'Orders', 'keyword_reply',
  '{"keywords":["^order\\s*#?\\d+"],"match":"regex"}', '{"reply":{"text":"Checking your order now."}}', 3, true));
select tests.run_as('acme_admin', format(:'new_auto', 'a0000000-0000-0000-0000-000000000004', :'ws', 'Off', 'keyword_reply',
  '{"keywords":["hi"]}', '{"reply":{"text":"inactive"}}', 99, false));

select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.automations where id = ''a0000000-0000-0000-0000-000000000001'''), :everyone, 'automations select');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format(:'new_auto', 'a0000000-0000-0000-0000-00000000000a', :'ws', 'Probe', 'keyword_reply',
  '{"keywords":["x"]}', '{"reply":{"text":"x"}}', 0, false)), :admin_inserts, 'automations insert: admins');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.automations set priority = 2 where id = ''a0000000-0000-0000-0000-000000000001'''), :admins, 'automations update: admins');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.automations where id = ''a0000000-0000-0000-0000-000000000001'''), :admins, 'automations delete: admins');
select is(tests.try_as('acme_owner', 'update public.automations set usage_count = 0'), '42501', 'counters are the database''s');
select is(tests.try_as('beta_owner', format(:'new_auto', 'a0000000-0000-0000-0000-00000000000b', :'ws', 'Intruder', 'keyword_reply',
  '{"keywords":["x"]}', '{"reply":{"text":"x"}}', 0, true)), '42501', 'another workspace cannot add automations to ours');
select is(tests.error_as('acme_admin', format('insert into public.automations (workspace_id, channel_id, name, type, trigger_conditions, actions) values (%L, %L, %L, %L, %L, %L)',
  :'ws', 'c8000000-0000-0000-0000-000000000009', 'Cross', 'keyword_reply', '{"keywords":["x"]}', '{"reply":{"text":"x"}}')),
  '22023 the channel is not in the automation''s workspace', 'nor run ours on their channel');

-- Validation
select is(tests.error_as('acme_admin', format(:'new_auto', gen_random_uuid(), :'ws', 'Bad', 'keyword_reply', '{}', '{"reply":{"text":"x"}}', 0, true)),
  '22023 a keyword reply needs trigger_conditions {"keywords": [...]}', 'keywords are required');
select ok(tests.error_as('acme_admin', format(:'new_auto', gen_random_uuid(), :'ws', 'Bad', 'keyword_reply', '{"keywords":["(unclosed"],"match":"regex"}', '{"reply":{"text":"x"}}', 0, true))
  like '22023 keyword (unclosed is not a valid regular expression%', 'a broken regex is refused when saved, not when a message arrives');
select is(tests.error_as('acme_admin', format(:'new_auto', gen_random_uuid(), :'ws', 'Bad', 'keyword_reply', '{"keywords":["x"]}', '{}', 0, true)),
  '22023 the action needs {"reply": {"text": ...}} or {"reply": {"template_name": ..., "template_params": ...}}', 'a reply is required');
select is(tests.error_as('acme_admin', format(:'new_auto', gen_random_uuid(), :'ws', 'Bad', 'scheduled_message', '{"cron":"61 * * * *"}', '{"reply":{"text":"x"},"labels":["vip"]}', 0, true)),
  '22023 cron field "61" is out of range 0-59', 'a bad cron field');
select is(tests.error_as('acme_admin', format(:'new_auto', gen_random_uuid(), :'ws', 'Bad', 'scheduled_message', '{"cron":"* * *"}', '{"reply":{"text":"x"},"labels":["vip"]}', 0, true)),
  '22023 a cron schedule has five fields (minute hour day-of-month month day-of-week), got "* * *"', 'a short cron');
select is(tests.error_as('acme_admin', format(:'new_auto', gen_random_uuid(), :'ws', 'Bad', 'follow_up', '{"after_hours":0}', '{"reply":{"text":"x"}}', 0, true)),
  '22023 a follow-up needs trigger_conditions {"after_hours": n} (up to 720)', 'a follow-up needs its delay');

-- Keyword replies
select pg_temp.inbound('5511900000001', 'Hi', 'wamid.k1');
select is(pg_temp.reply_to('wamid.k1'), 'Hello! How can we help?', 'exact match, case-insensitive; the inactive one with higher priority is ignored');
select pg_temp.inbound('5511900000002', 'What is the PRICE of the blue dress?', 'wamid.k2');
select is(pg_temp.reply_to('wamid.k2'), 'Our price list: https://shop.test/prices', 'contains, case-insensitive');
select pg_temp.inbound('5511900000003', 'Order #123: what is the price?', 'wamid.k3');
select is(pg_temp.reply_to('wamid.k3'), 'Checking your order now.', 'two automations match: the higher priority one answers, only one');
select pg_temp.inbound('5511900000004', 'Hi there', 'wamid.k4');
select is(pg_temp.reply_to('wamid.k4'), null, 'exact means the whole message');
select is((select count(*) from private.outbox o join public.messages m on m.id = o.message_id where m.automation_id is not null), 3::bigint, 'replies are queued like any message');
select results_eq($$ select name, usage_count from public.automations where workspace_id = (select workspace_id from public.channels where id = 'c8000000-0000-0000-0000-000000000001') and type = 'keyword_reply' order by name $$,
  $$ values ('Greeting', 1), ('Off', 0), ('Orders', 1), ('Prices', 1) $$, 'every run is counted');
select is((select count(*) from public.automation_runs where status = 'succeeded' and workspace_id = :'ws'), 3::bigint, 'and logged');

select pg_temp.inbound('5511900000002', 'and the cost of shipping?', 'wamid.k5');
select results_eq($$ select status::text, error from public.automation_runs where message_id = (select id from public.messages where provider_message_id = 'wamid.k5') $$,
  $$ values ('skipped', 'cooldown: replied to this conversation moments ago') $$, 'a second match moments later waits out the cooldown (no bot ping-pong)');

insert into public.messages (workspace_id, channel_id, conversation_id, direction, content, provider_message_id, status)
select workspace_id, channel_id, conversation_id, 'outbound', 'price is 10', 'wamid.ours', 'sent' from public.messages where provider_message_id = 'wamid.k4';
select is((select count(*) from public.automation_runs where message_id = (select id from public.messages where provider_message_id = 'wamid.ours')), 0::bigint,
  'our own messages (sent from the phone, reported back) are never answered');

select private.ingest_webhook('cloud_api', 'c8000000-0000-0000-0000-000000000001', tests.cloud_message('PN-A1', '5511900000005', 'G',
  jsonb_build_object('id', 'wamid.g1', 'type', 'text', 'group_id', '120363000000000001@g.us', 'timestamp', floor(extract(epoch from now()))::text, 'text', '{"body":"price?"}'::jsonb)));
select is((select count(*) from public.automation_runs where message_id = (select id from public.messages where provider_message_id = 'wamid.g1')), 0::bigint,
  'a group''s message is left alone');
update public.automations set trigger_conditions = trigger_conditions || '{"include_groups": true}' where id = 'a0000000-0000-0000-0000-000000000001';
select private.ingest_webhook('cloud_api', 'c8000000-0000-0000-0000-000000000001', tests.cloud_message('PN-A1', '5511900000005', 'G',
  jsonb_build_object('id', 'wamid.g2', 'type', 'text', 'group_id', '120363000000000001@g.us', 'timestamp', floor(extract(epoch from now()))::text, 'text', '{"body":"price?"}'::jsonb)));
select is((select status::text from public.automation_runs where message_id = (select id from public.messages where provider_message_id = 'wamid.g2')), 'failed',
  'unless the automation asks (and Cloud API cannot send to groups: the run fails, logged)');
select is((select error from public.automation_runs where message_id = (select id from public.messages where provider_message_id = 'wamid.g2')),
  'Cloud API channels cannot send to groups', 'with the reason');
select is((select count(*) from public.messages where provider_message_id = 'wamid.g2'), 1::bigint, 'and the inbound message is stored all the same');

-- A broken automation is switched off after five failures in a row
update public.automations set actions = '{"reply":{"template_name":"deleted_meanwhile"}}' where id = 'a0000000-0000-0000-0000-000000000001';
select pg_temp.inbound('55119000001' || i, 'price please', 'wamid.f' || i) from generate_series(0, 4) i;
select results_eq($$ select is_active, error_count, last_error from public.automations where id = 'a0000000-0000-0000-0000-000000000001' $$,
  $$ values (false, 5, 'no template "deleted_meanwhile" on this conversation''s channel') $$, 'failures in a row (five at most): switched off, with the last error');
select is((select count(*) from public.notifications where type = 'automation_disabled' and user_id = tests.get_supabase_uid('acme_admin')), 1::bigint,
  'and its author is told');

-- Round-robin assignment
select tests.run_as('acme_admin', format(:'new_auto', 'a0000000-0000-0000-0000-000000000005', :'ws', 'Assign', 'auto_assign', '{}', '{}', 0, true));
select pg_temp.inbound('55119000002' || i, 'hello there', 'wamid.rr' || i) from generate_series(0, 8) i;
select results_eq($$ select count(distinct c.assignee_id), min(n), max(n) from (select assignee_id, count(*) over (partition by assignee_id) n from public.conversations
                    where chat_id like '55119000002%') c $$,
  $$ values (3::bigint, 3::bigint, 3::bigint) $$, 'nine new conversations: three each for the member, admin and owner (not the viewer)');
select is((select usage_count from public.automations where id = 'a0000000-0000-0000-0000-000000000005'), 9, 'counted');
select is((select count(*) from public.automation_runs where automation_id = 'a0000000-0000-0000-0000-000000000005' and status = 'succeeded' and conversation_id is not null),
  9::bigint, 'and each assignment logged against its conversation');
select is((select assignee_id from public.conversations where chat_id = '5511900000001'), null, 'existing conversations are left as they were');

-- Follow-ups
update public.automations set is_active = false where type = 'auto_assign';
select tests.run_as('acme_admin', format(:'new_auto', 'a0000000-0000-0000-0000-000000000006', :'ws', 'Nudge', 'follow_up', '{"after_hours":4}',
  '{"reply":{"text":"Still interested? Reply here."}}', 0, true));
select c.id as fconv from public.conversations c where c.chat_id = '5511900000004' \gset
update public.conversations set last_message_at = now() - interval '3 hours', window_expires_at = now() + interval '20 hours' where id = :'fconv';
select is(private.run_follow_ups(), 0, 'three hours after our last message: not yet');
update public.conversations set last_message_at = now() - interval '5 hours' where id = :'fconv';
select is(private.run_follow_ups(), 1, 'five hours: the customer is nudged');
select is(private.run_follow_ups(), 0, 'once per message of ours');
update public.conversations set last_message_at = now() - interval '9 hours' where id = :'fconv';
select is(private.run_follow_ups(), 0, 'and never a follow-up to the follow-up');
select is((select count(*) from public.messages where conversation_id = :'fconv' and automation_id = 'a0000000-0000-0000-0000-000000000006'), 1::bigint, 'one follow-up in all');

-- Cron schedules
select ok(private.cron_matches('*/15 * * * *', '2026-11-23 10:30:00+00'), '*/15 fires at :30');
select ok(not private.cron_matches('*/15 * * * *', '2026-11-23 10:31:00+00'), 'not at :31');
select ok(private.cron_matches('0 9 * * 1-5', '2026-11-23 09:00:00+00') and not private.cron_matches('0 9 * * 1-5', '2026-11-22 09:00:00+00'),
  'weekdays at 9: Monday yes, Sunday no');
select ok(private.cron_matches('0 0 1 * 0', '2026-11-01 00:00:00+00') and private.cron_matches('0 0 1 * 0', '2026-11-08 00:00:00+00'),
  'day of month and day of week both restricted: either matches, as in cron');
select tests.run_as('acme_admin', format(:'new_auto', 'a0000000-0000-0000-0000-000000000007', :'ws', 'Weekly', 'scheduled_message', '{"cron":"30 10 * * 1"}',
  format('{"reply":{"text":"Weekly news"},"conversation_ids":["%s"]}', :'fconv'), 0, true));
select is(private.run_scheduled_messages('2026-11-23 10:29:00+00'), 0, 'not its minute');
select is(private.run_scheduled_messages('2026-11-23 10:30:10+00'), 1, 'its minute: sent to its conversations');
select is(private.run_scheduled_messages('2026-11-23 10:30:40+00'), 0, 'once per minute, however often the tick runs');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.automation_runs where automation_id = ''a0000000-0000-0000-0000-000000000007'''), :everyone, 'automation_runs select');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.automation_runs'), :nobody, 'automation_runs delete: nobody');

select * from finish();
rollback;
