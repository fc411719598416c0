-- Queueing outbound messages: who may send, through which channel, to whom,
-- when (the 24-hour window), with which template parameters; and that a
-- queued message lands in the outbox and pokes the dispatcher once.
begin;
select plan(57);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
select tests.open_cloud_conversation(:'ws', 'c3000000-0000-0000-0000-000000000001', 'PN-Q1', '5511900000001', 'wamid.q-in-1') as conv \gset
select tests.open_cloud_conversation(:'beta', 'c3000000-0000-0000-0000-000000000009', 'PN-Q9', '5511900000009') as beta_conv \gset
-- A customer who wrote long ago: the window is closed.
select private.ingest_webhook('cloud_api', 'c3000000-0000-0000-0000-000000000001',
  tests.cloud_message('PN-Q1', '5511900000002', 'Old', '{"id":"wamid.q-old","type":"text","text":{"body":"hi"}}'));
select id as old_conv from public.conversations where chat_id = '5511900000002' \gset
-- An Evolution channel: no window rule there.
insert into public.channels (id, workspace_id, provider, name, instance_name, api_base_url)
values ('c3000000-0000-0000-0000-000000000002', :'ws', 'evolution', 'Evo', 'acme-evo', 'http://evo.test');
select private.ingest_webhook('evolution', 'c3000000-0000-0000-0000-000000000002', tests.evolution('messages.upsert',
  '{"key":{"remoteJid":"5511900000003@s.whatsapp.net","fromMe":false,"id":"EVO-Q-1"},"pushName":"Evo","messageType":"conversation","message":{"conversation":"hi"},"messageTimestamp":1767225600}',
  'acme-evo'));
select id as evo_conv from public.conversations where chat_id = '5511900000003@s.whatsapp.net' \gset

insert into public.message_templates (id, workspace_id, channel_id, name, language, category, status, components)
values
  ('7e000000-0000-0000-0000-000000000001', :'ws', 'c3000000-0000-0000-0000-000000000001', 'order_ready', 'en_US', 'UTILITY', 'APPROVED',
   '[{"type":"HEADER","format":"TEXT","text":"Order {{1}}"},{"type":"BODY","text":"Hi {{1}}, order {{2}} is ready."},{"type":"BUTTONS","buttons":[{"type":"URL","text":"Track","url":"https://shop.test/t/{{1}}"},{"type":"QUICK_REPLY","text":"Thanks"}]}]'),
  ('7e000000-0000-0000-0000-000000000002', :'ws', 'c3000000-0000-0000-0000-000000000001', 'welcome', 'pt_BR', 'MARKETING', 'APPROVED',
   '[{"type":"HEADER","format":"IMAGE"},{"type":"BODY","text":"Olá {{first_name}}! Use {{code}}."}]'),
  ('7e000000-0000-0000-0000-000000000003', :'ws', 'c3000000-0000-0000-0000-000000000001', 'promo', 'en_US', 'MARKETING', 'PENDING',
   '[{"type":"BODY","text":"Sale!"}]'),
  ('7e000000-0000-0000-0000-000000000004', :'ws', 'c3000000-0000-0000-0000-000000000001', 'hello', 'en_US', 'UTILITY', 'APPROVED',
   '[{"type":"BODY","text":"Hello there."}]');

\set send_text 'insert into public.messages (conversation_id, content) values (%L, %L)'

-- Who may send -------------------------------------------------------------------
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format(:'send_text', :'conv', 'Hi!')),
  $$ values ('anon', '42501'), ('outsider', 'P0002'), ('viewer', '42501'), ('member', 'ok:1'), ('admin', 'ok:1'), ('owner', 'ok:1') $$,
  'members send; viewers cannot; outsiders do not even learn the conversation exists');
select is(tests.error_as('beta_owner', format(:'send_text', :'conv', 'Hi!')), 'P0002 conversation not found',
  'the owner of another workspace cannot send in ours');
select is(tests.try_as('acme_owner', format('insert into public.messages (conversation_id, workspace_id, content) values (%L, %L, %L)', :'conv', :'beta', 'x')),
  '42501', 'a client cannot name the workspace (the database derives it)');
select is(tests.try_as('acme_owner', format('insert into public.messages (conversation_id, direction, content) values (%L, %L, %L)', :'conv', 'inbound', 'x')),
  '42501', 'nor forge an inbound message');
select is(tests.try_as('acme_owner', format('insert into public.messages (conversation_id, content, provider_message_id) values (%L, %L, %L)', :'conv', 'x', 'wamid.fake')),
  '42501', 'nor claim a provider id');
select is(tests.error_as('service_role', format('insert into public.messages (conversation_id, channel_id, content) values (%L, %L, %L)', :'conv', 'c3000000-0000-0000-0000-000000000009', 'x')),
  '22023 a message is sent in its conversation''s workspace and channel', 'nobody sends through another workspace''s channel, not even the service');

-- What gets queued ---------------------------------------------------------------
select count(*) as pokes_before from net.http_request_queue where url like '%/dispatch' \gset
select tests.run_as('acme_member', format('insert into public.messages (conversation_id, content) values (%L, %L), (%L, %L)', :'conv', 'First', :'conv', 'Second'));
select id as m1 from public.messages where content = 'First' \gset
select results_eq(format($$ select direction::text, status::text, workspace_id, channel_id, created_by, recipient_identifier, contact_id is not null
                            from public.messages where id = %L $$, :'m1'),
  format($$ values ('outbound', 'pending', %L::uuid, %L::uuid, %L::uuid, '5511900000001', true) $$, :'ws', 'c3000000-0000-0000-0000-000000000001', tests.get_supabase_uid('acme_member')),
  'the database fills in direction, status, workspace, channel, sender and recipient');
select results_eq($$ select o.recipient, o.priority, o.attempts from private.outbox o join public.messages m on m.id = o.message_id where m.content in ('First', 'Second') order by o.id $$,
  $$ values ('5511900000001', 10::smallint, 0), ('5511900000001', 10::smallint, 0) $$, 'both are queued, a person''s message ahead of bulk sends');
select is((select count(*) from net.http_request_queue where url like '%/dispatch') - :pokes_before, 1::bigint,
  'one poke of the dispatcher for the transaction, not one per message');
select is((select last_message_preview from public.conversations where id = :'conv'), 'Second', 'the inbox shows the reply at once');

-- The 24-hour window --------------------------------------------------------------
select is(tests.error_as('acme_member', format(:'send_text', :'old_conv', 'Still there?')),
  '55000 outside the 24-hour customer service window: only an approved template can be sent until the customer writes again',
  'free text outside the window is refused with a clear error');
select is(tests.try_as('acme_member', format('select public.send_message(%L, template_name => %L)', :'old_conv', 'hello')),
  'ok:1', 'a template goes out whatever the window');
select is(tests.try_as('acme_member', format(:'send_text', :'evo_conv', 'Evolution has no window')),
  'ok:1', 'Evolution channels have no window rule');
select tests.run_as('service_role', format('update public.conversations set window_expires_at = now() - interval %L where id = %L', '1 second', :'conv'));
select is(substr(tests.error_as('acme_member', format(:'send_text', :'conv', 'late')), 1, 5), '55000', 'the window closes 24 hours after the customer''s message');
select private.ingest_webhook('cloud_api', 'c3000000-0000-0000-0000-000000000001', tests.cloud_message('PN-Q1', '5511900000001', 'C',
  jsonb_build_object('id', 'wamid.q-in-2', 'type', 'text', 'timestamp', floor(extract(epoch from now()))::text, 'text', '{"body":"back"}'::jsonb)));
select is(tests.try_as('acme_member', format(:'send_text', :'conv', 'welcome back')), 'ok:1', 'and reopens when they write again');

-- Templates -----------------------------------------------------------------------
\set send_tpl 'select public.send_message(%L, template_name => %L, template_params => %L::jsonb)'
select is(tests.try_as('acme_member', format(:'send_tpl', :'conv', 'order_ready', '{"header":["#42"],"body":["Ana","#42"],"buttons":{"0":"42"}}')),
  'ok:1', 'a template with header, body and button parameters');
select is((select content from public.messages where template_id = '7e000000-0000-0000-0000-000000000001' order by created_at desc limit 1), null,
  'try_as rolled it back');
select tests.run_as('acme_member', format(:'send_tpl', :'conv', 'order_ready', '{"header":["#42"],"body":["Ana","#42"],"buttons":{"0":"42"}}'));
select results_eq($$ select type::text, content, template_params from public.messages where template_id = '7e000000-0000-0000-0000-000000000001' $$,
  $$ values ('template', 'Hi Ana, order #42 is ready.', '{"header":["#42"],"body":["Ana","#42"],"buttons":{"0":"42"}}'::jsonb) $$,
  'the inbox shows the body as the customer reads it; parameters are stored normalized');
select is(tests.error_as('acme_member', format(:'send_tpl', :'conv', 'order_ready', '{"header":["#42"],"body":["Ana"],"buttons":{"0":"42"}}')),
  '22023 the template''s body takes 2 parameter(s) as an array, in order', 'too few body parameters');
select is(tests.error_as('acme_member', format(:'send_tpl', :'conv', 'order_ready', '{"header":["#42"],"body":["Ana","#42"]}')),
  '22023 the template''s buttons take parameters for index(es) [0] (got [])', 'a missing URL button parameter');
select is(tests.error_as('acme_member', format(:'send_tpl', :'conv', 'order_ready', '{"header":["#42"],"body":["Ana","line\nbreak"],"buttons":{"0":"42"}}')),
  '22023 template body parameters cannot hold new lines, tabs or more than four spaces in a row', 'Meta''s rule on body parameters, checked before sending');
select is(tests.error_as('acme_member', format(:'send_tpl', :'conv', 'order_ready', '{"header":["#42"],"body":["Ana",""],"buttons":{"0":"42"}}')),
  '22023 template body parameters must be non-empty text', 'empty parameters');
select is(tests.error_as('acme_member', format(:'send_tpl', :'conv', 'order_ready', '{"header":["#42"],"body":["Ana","#42"],"buttons":{"0":"42"},"footer":[]}')),
  '22023 template parameters take only header, body and buttons', 'unknown parameter groups');
select is(tests.error_as('acme_member', format(:'send_tpl', :'conv', 'welcome', '{"body":{"first_name":"Ana","code":"X1"}}')),
  '22023 the template''s image header needs {"header": {"link": "https://..."}}', 'a media header needs its link');
select is(tests.try_as('acme_member', format(:'send_tpl', :'conv', 'welcome', '{"header":{"link":"https://cdn.test/a.jpg"},"body":{"first_name":"Ana","code":"X1"}}')),
  'ok:1', 'named parameters and a media header');
select is(substr(tests.error_as('acme_member', format(:'send_tpl', :'conv', 'welcome', '{"header":{"link":"https://cdn.test/a.jpg"},"body":{"first_name":"Ana"}}')), 1, 56),
  '22023 the template''s body takes exactly these parameters', 'named parameters must all be given');
select is(tests.try_as('acme_member', format(:'send_tpl', :'conv', 'hello', '[]')), 'ok:1', 'a template without placeholders takes an empty array');
select is(tests.error_as('acme_member', format(:'send_tpl', :'conv', 'hello', '["extra"]')),
  '22023 the template''s body takes no parameters', 'and refuses parameters it has no place for');
select is(tests.error_as('acme_member', format(:'send_tpl', :'conv', 'promo', '[]')),
  '55000 template "promo" (en_US) is PENDING, only approved templates can be sent', 'only approved templates send');
select is(tests.error_as('acme_member', format(:'send_tpl', :'conv', 'nope', '[]')),
  'P0002 no template "nope" on this conversation''s channel', 'an unknown template name');
select is(tests.error_as('acme_member', format('insert into public.messages (conversation_id, type, template_id) values (%L, %L, %L)', :'evo_conv', 'template', '7e000000-0000-0000-0000-000000000004')),
  'P0002 template not found on this channel', 'a template belongs to its channel');
select is(tests.error_as('acme_member', format('insert into public.messages (conversation_id, content, template_id) values (%L, %L, %L)', :'conv', 'x', '7e000000-0000-0000-0000-000000000004')),
  '22023 template_id and template_params go with type template', 'template fields need type template');

-- Message types ----------------------------------------------------------------------
\set send_typed 'insert into public.messages (conversation_id, type, content, media_url, location_latitude, location_longitude) values (%L, %L, %L, %L, %L, %L)'
select is(tests.error_as('acme_member', format(:'send_text', :'conv', '   ')), '22023 a text message needs content of 1 to 4096 characters', 'blank text');
select is(tests.error_as('acme_member', format(:'send_text', :'conv', repeat('x', 4097))), '22023 a text message needs content of 1 to 4096 characters', 'text over 4096 characters');
select is(tests.try_as('acme_member', format(:'send_typed', :'conv', 'image', 'a caption', 'https://cdn.test/p.jpg', null, null)), 'ok:1', 'an image with a caption');
select is(tests.error_as('acme_member', format(:'send_typed', :'conv', 'image', null, null, null, null)),
  '22023 a image message needs media_url (http or https), media_path (a stored file) or media_id', 'media without a link');
select is(tests.error_as('acme_member', format(:'send_typed', :'conv', 'audio', 'caption', 'https://cdn.test/a.ogg', null, null)),
  '22023 a caption goes only on images, videos and documents, at most 1024 characters', 'no caption on audio');
select is(tests.try_as('acme_member', format(:'send_typed', :'conv', 'location', null, null, '-23.55', '-46.63')), 'ok:1', 'a location');
select is(substr(tests.error_as('acme_member', format(:'send_typed', :'conv', 'location', null, null, '95', '0')), 1, 5), '22023', 'latitude beyond 90');
select is(tests.error_as('acme_member', format(:'send_typed', :'conv', 'order', 'x', null, null, null)), '22023 messages of type order cannot be sent', 'types we do not send');
select id as inbound from public.messages where provider_message_id = 'wamid.q-in-1' \gset
select tests.run_as('acme_member', format('insert into public.messages (conversation_id, type, reaction_emoji, quoted_message_id) values (%L, %L, %L, %L)', :'conv', 'reaction', '👍', :'inbound'));
select results_eq($$ select reaction_target_id, quoted_provider_message_id from public.messages where type = 'reaction' and direction = 'outbound' $$,
  $$ values ('wamid.q-in-1', null::text) $$, 'a reaction targets the provider id of the message it reacts to');
select is(tests.error_as('acme_member', format('insert into public.messages (conversation_id, type, reaction_emoji) values (%L, %L, %L)', :'conv', 'reaction', '👍')),
  '22023 a reaction names the message it reacts to in quoted_message_id', 'a reaction needs its target');
select is(tests.try_as('acme_member', format('select public.send_message(%L, %L, reply_to => %L)', :'conv', 'replying', :'inbound')), 'ok:1', 'a reply quoting a message');
select is(tests.error_as('acme_member', format('select public.send_message(%L, %L, reply_to => %L)', :'evo_conv', 'replying', :'inbound')),
  '22023 the quoted message is not in this conversation', 'quoting a message of another conversation');
select is(tests.try_as('acme_member', format('insert into public.messages (conversation_id, type, payload) values (%L, %L, %L)', :'conv', 'interactive',
  '{"type":"button","body":{"text":"Pick one"},"action":{"buttons":[{"type":"reply","reply":{"id":"a","title":"A"}}]}}')), 'ok:1', 'interactive buttons on Cloud API');
select is(tests.error_as('acme_member', format('insert into public.messages (conversation_id, type, payload) values (%L, %L, %L)', :'evo_conv', 'interactive',
  '{"type":"button","body":{"text":"Pick one"}}')), '55000 interactive messages need a Cloud API channel', 'not on Evolution');

-- Opted out, blocked, inactive ---------------------------------------------------------
select tests.run_as('acme_member', format('update public.contacts set opted_in = true where phone = %L', '5511900000001'));
select tests.run_as('acme_member', format('update public.contacts set opted_in = false where phone = %L', '5511900000001'));
-- Opting out is from marketing (04-send-rules): service messages still go.
select is(tests.try_as('acme_member', format(:'send_text', :'conv', 'hi')), 'ok:1', 'an opted-out contact still gets a reply in the window');
select is(tests.try_as('acme_member', format(:'send_tpl', :'conv', 'hello', '[]')), 'ok:1', 'and a utility template');
select tests.run_as('service_role', format('update public.contacts set opted_in = true where phone = %L', '5511900000001'));
select tests.run_as('acme_member', format('update public.contact_identities set is_blocked = true where external_id = %L', '5511900000001'));
select is(tests.error_as('acme_member', format(:'send_text', :'conv', 'hi')), '55000 the contact is blocked on this channel', 'a blocked contact gets nothing');
select tests.run_as('acme_member', format('update public.contact_identities set is_blocked = false where external_id = %L', '5511900000001'));
select tests.run_as('acme_admin', 'update public.channels set is_active = false where id = ''c3000000-0000-0000-0000-000000000001''');
select is(tests.error_as('acme_member', format(:'send_text', :'conv', 'hi')), '55000 the channel "Cloud PN-Q1" is inactive', 'an inactive channel sends nothing');
select tests.run_as('acme_admin', 'update public.channels set is_active = true where id = ''c3000000-0000-0000-0000-000000000001''');

-- send_message idempotency, retry_message -------------------------------------------------
select tests.run_as('acme_member', format('select public.send_message(%L, %L, idempotency_key => %L)', :'conv', 'once', 'key-1'));
select tests.run_as('acme_member', format('select public.send_message(%L, %L, idempotency_key => %L)', :'conv', 'once', 'key-1'));
select is((select count(*) from public.messages where idempotency_key = 'key-1'), 1::bigint, 'the same idempotency key twice is one message');
select is((select count(*) from private.outbox o join public.messages m on m.id = o.message_id where m.idempotency_key = 'key-1'), 1::bigint, 'queued once');
select is(tests.try_as('beta_member', format('select public.send_message(%L, %L, idempotency_key => %L)', :'beta_conv', 'other ws', 'key-1')),
  'ok:1', 'keys are per workspace');

select o.message_id as failed_msg from private.outbox o join public.messages m on m.id = o.message_id where m.content = 'First' \gset
delete from private.outbox where message_id = :'failed_msg';
select private.fail_message(:'failed_msg', '{"code":131026,"title":"Message undeliverable","message":"Receiver is incapable"}');
select is(tests.try_as('acme_viewer', format('select public.retry_message(%L)', :'failed_msg')), '42501', 'viewers cannot retry');
select is(tests.try_as('beta_owner', format('select public.retry_message(%L)', :'failed_msg')), 'P0002', 'nor can another workspace');
select tests.run_as('acme_member', format('select public.retry_message(%L)', :'failed_msg'));
select results_eq(format($$ select m.status::text, m.error_code, (select count(*) from private.outbox o where o.message_id = m.id) from public.messages m where m.id = %L $$, :'failed_msg'),
  $$ values ('pending', null::integer, 1::bigint) $$, 'a member queues a failed message again');
select is(tests.error_as('acme_member', format('select public.retry_message(%L)', :'failed_msg')),
  '55000 only a failed outbound message that never reached WhatsApp can be retried', 'only failed messages are retried');

select * from finish();
rollback;
