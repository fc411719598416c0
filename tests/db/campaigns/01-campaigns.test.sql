-- Campaigns: who may do what, recipient expansion, the state machine,
-- feeding (with checks again at send time), counters that follow
-- out-of-order statuses, completion, and the tick starting due campaigns.
begin;
select plan(48);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
select tests.open_cloud_conversation(:'ws', 'c6000000-0000-0000-0000-000000000001', 'PN-C1', '5511900000001') as open_conv \gset
select tests.open_cloud_conversation(:'beta', 'c6000000-0000-0000-0000-000000000009', 'PN-C9', '5511900000009') as beta_conv \gset
insert into public.message_templates (id, workspace_id, channel_id, name, language, category, status, components) values
  ('7e600000-0000-0000-0000-000000000001', :'ws', 'c6000000-0000-0000-0000-000000000001', 'promo', 'en_US', 'MARKETING', 'APPROVED',
   '[{"type":"BODY","text":"Hi {{1}}, 20% off for you."}]'),
  ('7e600000-0000-0000-0000-000000000002', :'ws', 'c6000000-0000-0000-0000-000000000001', 'waiting', 'en_US', 'MARKETING', 'PENDING',
   '[{"type":"BODY","text":"Soon."}]');
-- Contacts: 1 is the open conversation; 2-5 opted in; 6 opted out; 7 opted in but blocked; beta has its own.
update public.contacts set opted_in = true, name = 'Ana Lima', labels = '{vip}' where phone = '5511900000001';
insert into public.contacts (id, workspace_id, name, phone, opted_in, labels, tags) values
  ('c0000000-0000-0000-0000-000000000002', :'ws', 'Bruno Dias', '5511900000002', true, '{vip}', '{}'),
  ('c0000000-0000-0000-0000-000000000003', :'ws', 'Carla', '5511900000003', true, '{}', '{shoes}'),
  ('c0000000-0000-0000-0000-000000000004', :'ws', 'Davi', '5511900000004', true, '{}', '{}'),
  ('c0000000-0000-0000-0000-000000000005', :'ws', null, '5511900000005', true, '{}', '{}'),
  ('c0000000-0000-0000-0000-000000000006', :'ws', 'Eva', '5511900000006', false, '{vip}', '{}'),
  ('c0000000-0000-0000-0000-000000000007', :'ws', 'Fabio', '5511900000007', true, '{vip}', '{}'),
  ('c0000000-0000-0000-0000-000000000008', :'beta', 'Other', '5511900000008', true, '{vip}', '{}');
update public.contacts set opted_in = false where id = 'c0000000-0000-0000-0000-000000000006';
insert into public.contact_identities (workspace_id, contact_id, channel_id, external_id, is_blocked)
values (:'ws', 'c0000000-0000-0000-0000-000000000007', 'c6000000-0000-0000-0000-000000000001', '5511900000007', true);

\set new_campaign 'insert into public.campaigns (id, workspace_id, channel_id, name, template_id, template_params, target_type, target_criteria) values (%L, %L, %L, %L, %L, %L, %L, %L)'
\set members '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set inserters '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set everyone '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:1''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admins '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:0''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set nobody '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''42501''), (''owner'', ''42501'') $$'

select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format(:'new_campaign', 'ca000000-0000-0000-0000-00000000000a', :'ws',
  'c6000000-0000-0000-0000-000000000001', 'Probe', '7e600000-0000-0000-0000-000000000001', '["x"]', 'all_contacts', '{}')), :inserters, 'campaigns insert: members');
select tests.run_as('acme_member', format(:'new_campaign', 'ca000000-0000-0000-0000-000000000001', :'ws',
  'c6000000-0000-0000-0000-000000000001', 'VIP promo', '7e600000-0000-0000-0000-000000000001', '["{{contact.first_name}}"]', 'labels', '{"labels":["vip"]}'));
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.campaigns where id = ''ca000000-0000-0000-0000-000000000001'''), :everyone, 'campaigns select');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.campaigns set name = ''Renamed'' where id = ''ca000000-0000-0000-0000-000000000001'''), :members, 'campaigns update: members');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.campaigns where id = ''ca000000-0000-0000-0000-000000000001'''), :admins, 'campaigns delete: admins');
select is(tests.try_as('acme_owner', 'update public.campaigns set status = ''completed'''), '42501', 'nobody sets a status by hand');
select is(tests.try_as('beta_owner', format(:'new_campaign', 'ca000000-0000-0000-0000-00000000000b', :'ws', 'c6000000-0000-0000-0000-000000000001', 'Intruder',
  '7e600000-0000-0000-0000-000000000001', '["x"]', 'all_contacts', '{}')), '42501', 'another workspace cannot create campaigns in ours');
select is(tests.try_as('acme_owner', format('insert into public.campaigns (workspace_id, channel_id, name, message_content) values (%L, %L, %L, %L)',
  :'ws', 'c6000000-0000-0000-0000-000000000009', 'Cross', 'hi')), '23503', 'nor through their channel');
select is(tests.error_as('acme_member', format(:'new_campaign', 'ca000000-0000-0000-0000-00000000000d', :'ws', 'c6000000-0000-0000-0000-000000000001', 'Bad params',
  '7e600000-0000-0000-0000-000000000001', '["a","b"]', 'all_contacts', '{}')), '22023 the template''s body takes 1 parameter(s) as an array, in order',
  'template parameters are checked when the campaign is written');
select is(tests.error_as('acme_member', format(:'new_campaign', 'ca000000-0000-0000-0000-00000000000e', :'ws', 'c6000000-0000-0000-0000-000000000001', 'No list',
  '7e600000-0000-0000-0000-000000000001', '["x"]', 'selected_contacts', '{}')), '22023 selected_contacts campaigns need target_criteria {"contact_ids": [...]}',
  'a target needs its criteria');

-- State machine ---------------------------------------------------------------------
select is(tests.error_as('acme_member', 'select public.pause_campaign(''ca000000-0000-0000-0000-000000000001'')'),
  '55000 campaign "VIP promo" is draft: only running campaigns can be paused', 'a draft cannot be paused');
select is(tests.error_as('acme_member', 'select public.resume_campaign(''ca000000-0000-0000-0000-000000000001'')'),
  '55000 campaign "VIP promo" is draft: only paused campaigns can be resumed', 'nor resumed');
select is(tests.error_as('acme_member', 'select public.schedule_campaign(''ca000000-0000-0000-0000-000000000001'', now() - interval ''1 hour'')'),
  '22023 schedule a campaign for a time in the future (or start it now)', 'scheduling in the past');
select is(tests.try_as('acme_viewer', 'select public.start_campaign(''ca000000-0000-0000-0000-000000000001'')'), '42501', 'viewers cannot start campaigns');
select is(tests.try_as('beta_owner', 'select public.start_campaign(''ca000000-0000-0000-0000-000000000001'')'), 'P0002', 'other workspaces do not see them');

-- Expansion ---------------------------------------------------------------------------
select tests.run_as('acme_member', 'select public.start_campaign(''ca000000-0000-0000-0000-000000000001'')');
select is(private.feed_campaigns(), 2, 'the dispatcher feeds the campaign''s recipients');
select results_eq($$ select chat_id from public.campaign_messages where campaign_id = 'ca000000-0000-0000-0000-000000000001' order by chat_id $$,
  $$ values ('5511900000001'), ('5511900000002') $$, 'labels: opted-in vip contacts; the opted-out, the blocked and the other workspace''s are left out');
select results_eq($$ select status::text, total_recipients from public.campaigns where id = 'ca000000-0000-0000-0000-000000000001' $$,
  $$ values ('running', 2) $$, 'the campaign runs with its total');
select results_eq($$ select m.content, m.type::text, m.template_params from public.messages m where m.campaign_id = 'ca000000-0000-0000-0000-000000000001' order by m.recipient_identifier $$,
  $$ values ('Hi Ana, 20% off for you.', 'template', '{"body":["Ana"]}'::jsonb), ('Hi Bruno, 20% off for you.', 'template', '{"body":["Bruno"]}'::jsonb) $$,
  'recipients were fed at once, each with their own parameters');
select is((select count(*) from private.outbox o join public.messages m on m.id = o.message_id where m.campaign_id = 'ca000000-0000-0000-0000-000000000001' and o.priority = 0),
  2::bigint, 'queued behind people''s replies');
select is((select count(*) from public.conversations where channel_id = 'c6000000-0000-0000-0000-000000000001' and chat_id = '5511900000002'), 1::bigint,
  'a conversation was opened for the recipient who had none');
select is(tests.error_as('acme_member', 'select public.start_campaign(''ca000000-0000-0000-0000-000000000001'')'),
  '55000 campaign "VIP promo" is running: only draft or scheduled campaigns can be started', 'a running campaign cannot be started again');
select is(tests.error_as('acme_member', 'update public.campaigns set target_type = ''all_contacts'' where id = ''ca000000-0000-0000-0000-000000000001'''),
  '55000 a running campaign cannot be edited', 'nor edited');
select is(tests.try_as('acme_admin', 'delete from public.campaigns where id = ''ca000000-0000-0000-0000-000000000001'''), 'ok:0', 'nor deleted while running');

select tests.run_as('acme_member', format(:'new_campaign', 'ca000000-0000-0000-0000-000000000002', :'ws', 'c6000000-0000-0000-0000-000000000001', 'Chosen',
  '7e600000-0000-0000-0000-000000000001', '["friend"]', 'selected_contacts',
  '{"contact_ids":["c0000000-0000-0000-0000-000000000003","c0000000-0000-0000-0000-000000000003","c0000000-0000-0000-0000-000000000008","c0000000-0000-0000-0000-000000000006"]}'));
select tests.run_as('acme_member', 'select public.start_campaign(''ca000000-0000-0000-0000-000000000002'')');
select private.feed_campaigns();
select results_eq($$ select chat_id from public.campaign_messages where campaign_id = 'ca000000-0000-0000-0000-000000000002' $$,
  $$ values ('5511900000003') $$, 'selected contacts: a contact listed twice is one recipient; another workspace''s and opted-out ones are dropped');

-- Counters after out-of-order statuses -----------------------------------------------------
create function pg_temp.deliver(chat text, campaign uuid, wamid text) returns void language sql as $$
  select private.record_send_results('t', jsonb_build_array(jsonb_build_object('outbox_id', o.id, 'message_id', o.message_id,
    'channel_id', o.channel_id, 'kind', 'sent', 'provider_message_id', wamid)))
    from private.outbox o join public.messages m on m.id = o.message_id
   where m.campaign_id = campaign and m.recipient_identifier = chat;
$$;
update private.outbox set claimed_by = 't', claimed_until = now() + interval '1 minute';
select private.ingest_webhook('cloud_api', 'c6000000-0000-0000-0000-000000000001', tests.cloud_status('PN-C1', 'wamid.camp-1', 'read', '1767225700'));
select pg_temp.deliver('5511900000001', 'ca000000-0000-0000-0000-000000000001', 'wamid.camp-1');
select private.ingest_webhook('cloud_api', 'c6000000-0000-0000-0000-000000000001', tests.cloud_status('PN-C1', 'wamid.camp-1', 'delivered', '1767225650'));
select results_eq($$ select status::text, read_at is not null, delivered_at is not null from public.campaign_messages where chat_id = '5511900000001' and campaign_id = 'ca000000-0000-0000-0000-000000000001' $$,
  $$ values ('read', true, true) $$, 'a read before the send was recorded, then a late delivered: the recipient is read');
select is(private.fold_campaign('ca000000-0000-0000-0000-000000000001')::text, 'running', 'one recipient still sending: running');
select results_eq($$ select sent_count, delivered_count, read_count, failed_count from public.campaigns where id = 'ca000000-0000-0000-0000-000000000001' $$,
  $$ values (1, 1, 1, 0) $$, 'counters count each recipient once, at its furthest status');
select private.record_send_results('t', jsonb_build_array(jsonb_build_object('outbox_id', o.id, 'kind', 'failed',
  'error', '{"code":131026,"message":"Message undeliverable"}'::jsonb)))
  from private.outbox o join public.messages m on m.id = o.message_id
 where m.campaign_id = 'ca000000-0000-0000-0000-000000000001' and m.recipient_identifier = '5511900000002';
select results_eq($$ select status::text, error from public.campaign_messages where chat_id = '5511900000002' and campaign_id = 'ca000000-0000-0000-0000-000000000001' $$,
  $$ values ('failed', 'Message undeliverable') $$, 'a failed send fails its recipient with the provider''s error');
select private.feed_campaigns();
select is((select status::text from public.campaigns where id = 'ca000000-0000-0000-0000-000000000001'), 'completed',
  'every recipient final: the dispatcher''s next feed completes the campaign (no wait for the minute tick)');
select is(private.fold_campaign('ca000000-0000-0000-0000-000000000001')::text, 'completed', 'and folding again keeps it completed');
select results_eq($$ select total_recipients, sent_count, delivered_count, read_count, failed_count, completed_at is not null from public.campaigns where id = 'ca000000-0000-0000-0000-000000000001' $$,
  $$ values (2, 1, 1, 1, 1, true) $$, 'with exact counters');
select results_eq($$ select total, sent, delivered, read, failed from public.campaign_progress where campaign_id = 'ca000000-0000-0000-0000-000000000001' $$,
  $$ values (2, 1, 1, 1, 1) $$, 'campaign_progress agrees');
select is(tests.error_as('acme_member', 'select public.cancel_campaign(''ca000000-0000-0000-0000-000000000001'')'),
  '55000 campaign "VIP promo" is completed: only draft, scheduled, running or paused campaigns can be cancelled', 'a completed campaign cannot be cancelled');

-- Free content, pause, cancel ------------------------------------------------------------------
insert into public.campaigns (id, workspace_id, channel_id, name, message_content, target_type)
values ('ca000000-0000-0000-0000-000000000003', :'ws', 'c6000000-0000-0000-0000-000000000001', 'Free text', 'News!', 'all_contacts');
update private.outbox set claimed_by = null, claimed_until = null;
select tests.run_as('acme_member', 'select public.start_campaign(''ca000000-0000-0000-0000-000000000003'')');
select private.feed_campaigns();
select results_eq($$ select chat_id, status::text, error from public.campaign_messages where campaign_id = 'ca000000-0000-0000-0000-000000000003' order by chat_id $$,
  $$ values ('5511900000001', 'sending', null),
            ('5511900000002', 'skipped', 'outside the 24-hour window (only template campaigns reach them)'),
            ('5511900000003', 'skipped', 'outside the 24-hour window (only template campaigns reach them)'),
            ('5511900000004', 'skipped', 'outside the 24-hour window (only template campaigns reach them)'),
            ('5511900000005', 'skipped', 'outside the 24-hour window (only template campaigns reach them)') $$,
  'free content reaches only recipients inside their window on Cloud API');

insert into public.campaigns (id, workspace_id, channel_id, name, template_id, template_params, target_type)
values ('ca000000-0000-0000-0000-000000000004', :'ws', 'c6000000-0000-0000-0000-000000000001', 'Pausable', '7e600000-0000-0000-0000-000000000001', '["x"]', 'all_contacts');
update public.contacts set opted_in = false where id = 'c0000000-0000-0000-0000-000000000005';
select tests.run_as('acme_member', 'select public.start_campaign(''ca000000-0000-0000-0000-000000000004'')');
select private.feed_campaigns();
select is((select count(*) from public.campaign_messages where campaign_id = 'ca000000-0000-0000-0000-000000000004'), 4::bigint, 'four opted-in, unblocked recipients');
select tests.run_as('acme_member', 'select public.pause_campaign(''ca000000-0000-0000-0000-000000000004'')');
select results_eq($$ select status::text, count(*) from public.campaign_messages where campaign_id = 'ca000000-0000-0000-0000-000000000004' group by 1 $$,
  $$ values ('queued', 4::bigint) $$, 'pausing takes back what was fed but not yet claimed');
select is((select count(*) from public.messages where campaign_id = 'ca000000-0000-0000-0000-000000000004'), 0::bigint, 'unsent messages are withdrawn');
select private.feed_campaigns();
select is((select count(*) from public.messages where campaign_id = 'ca000000-0000-0000-0000-000000000004'), 0::bigint, 'a paused campaign is not fed');
update public.contacts set opted_in = false where id = 'c0000000-0000-0000-0000-000000000004';
select tests.run_as('acme_member', 'select public.resume_campaign(''ca000000-0000-0000-0000-000000000004'')');
select private.feed_campaigns();
select results_eq($$ select chat_id, status::text from public.campaign_messages where campaign_id = 'ca000000-0000-0000-0000-000000000004' order by chat_id $$,
  $$ values ('5511900000001', 'sending'), ('5511900000002', 'sending'), ('5511900000003', 'sending'), ('5511900000004', 'skipped') $$,
  'resuming feeds again, and someone who opted out meanwhile is skipped');
select tests.run_as('acme_member', 'select public.cancel_campaign(''ca000000-0000-0000-0000-000000000004'')');
select results_eq($$ select status::text, skipped_count from public.campaigns where id = 'ca000000-0000-0000-0000-000000000004' $$,
  $$ values ('cancelled', 4) $$, 'cancelling skips everyone not yet sent to');

-- Template approval, scheduling from the tick --------------------------------------------------------
insert into public.campaigns (id, workspace_id, channel_id, name, template_id, target_type)
values ('ca000000-0000-0000-0000-000000000005', :'ws', 'c6000000-0000-0000-0000-000000000001', 'Not yet', '7e600000-0000-0000-0000-000000000002', 'all_contacts');
select is(tests.error_as('acme_member', 'select public.start_campaign(''ca000000-0000-0000-0000-000000000005'')'),
  '55000 template "waiting" is PENDING, only approved templates can be sent', 'a campaign with an unapproved template does not start');
insert into public.campaigns (id, workspace_id, channel_id, name, template_id, template_params, target_type, target_criteria)
values ('ca000000-0000-0000-0000-000000000006', :'ws', 'c6000000-0000-0000-0000-000000000001', 'Later', '7e600000-0000-0000-0000-000000000001', '["x"]',
        'selected_contacts', '{"contact_ids":["c0000000-0000-0000-0000-000000000002"]}');
select tests.run_as('acme_member', 'select public.schedule_campaign(''ca000000-0000-0000-0000-000000000006'', now() + interval ''1 hour'')');
select is((select status::text from public.campaigns where id = 'ca000000-0000-0000-0000-000000000006'), 'scheduled', 'scheduled');
select is(private.start_due_campaigns(), 0, 'not due yet: the tick leaves it');
update public.campaigns set scheduled_at = now() - interval '1 second' where id = 'ca000000-0000-0000-0000-000000000006';
select is(private.start_due_campaigns(), 1, 'due: the tick starts it');
select results_eq($$ select status::text, total_recipients from public.campaigns where id = 'ca000000-0000-0000-0000-000000000006' $$,
  $$ values ('running', 1) $$, 'and it runs');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.campaign_messages where campaign_id = ''ca000000-0000-0000-0000-000000000006'''), :everyone, 'campaign_messages select');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.campaign_messages set status = ''read'''), :nobody, 'campaign_messages update: nobody');
select is(tests.try_as('acme_outsider', 'select 1 from public.campaign_progress'), 'ok:0', 'an outsider sees no progress');

select * from finish();
rollback;
