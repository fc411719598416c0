-- Evolution API (Baileys) ingestion on payloads shaped as Evolution sends them.
begin;
select plan(30);
select tests.create_workspace_with_roles('acme') as ws \gset
insert into public.channels (id, workspace_id, provider, name, instance_name)
values ('e0000000-0000-0000-0000-000000000001', :'ws', 'evolution', 'Evo', 'acme-main');
\set ch e0000000-0000-0000-0000-000000000001
create function pg_temp.evo(event text, data jsonb) returns jsonb language sql as $$
  select private.ingest_webhook('evolution', 'e0000000-0000-0000-0000-000000000001', tests.evolution(event, data))
$$;
create function pg_temp.channel() returns public.channels language sql as $$
  select * from public.channels where id = 'e0000000-0000-0000-0000-000000000001'
$$;
create function pg_temp.msg(key_id text) returns public.messages language sql as $$
  select * from public.messages where provider_message_id = key_id
$$;

-- Connection lifecycle.
select pg_temp.evo('qrcode.updated', '{"qrcode":{"instance":"acme-main","pairingCode":"WZYEH1YY","code":"2@y8eK+bjtEjUWy9/FOM","base64":"data:image/png;base64,iVBORw0KGgo="}}');
select is(((pg_temp.channel()).status, (pg_temp.channel()).qr_code, (pg_temp.channel()).pairing_code)::text,
  '(qr_pending,"data:image/png;base64,iVBORw0KGgo=",WZYEH1YY)', 'qrcode.updated shows the QR to scan');
select pg_temp.evo('connection.update', '{"instance":"acme-main","wuid":"5511955550000@s.whatsapp.net","profileName":"Acme Store","state":"open","statusReason":200}');
select is(((pg_temp.channel()).status, (pg_temp.channel()).phone_number, (pg_temp.channel()).profile_name, (pg_temp.channel()).qr_code)::text,
  '(connected,5511955550000,"Acme Store",)', 'connection.update open: connected, number and profile known, QR cleared');
select ok((pg_temp.channel()).last_connected_at is not null, 'with the time it connected');
select is((select count(*)::int from public.activity_log where action = 'channel.updated' and data -> 'changes' ? 'status'), 2,
  'status changes are in the activity log');
select pg_temp.evo('CONNECTION_UPDATE', '{"instance":"acme-main","state":"close","statusReason":401}');
select is(((pg_temp.channel()).status, (pg_temp.channel()).last_error)::text, '(disconnected,"closed (status 401)")',
  'close: disconnected with the reason (upper-case event names work too)');
select pg_temp.evo('connection.update', '{"instance":"acme-main","state":"refused"}');
select is((pg_temp.channel()).status, 'error'::public.channel_status, 'refused: error');

-- Messages.
select pg_temp.evo('messages.upsert', '{"key":{"remoteJid":"5511911110001@s.whatsapp.net","fromMe":false,"id":"3EB0A1"},"pushName":"Ana","message":{"conversation":"Oi"},"messageType":"conversation","messageTimestamp":1767225600,"instanceId":"i1","source":"android"}');
select results_eq($$ select m.type::text, m.content, m.direction::text, ct.phone, ct.name, m.provider_timestamp
                       from public.messages m join public.contacts ct on ct.id = m.contact_id where m.provider_message_id = '3EB0A1' $$,
  $$ values ('text', 'Oi', 'inbound', '5511911110001', 'Ana', '2026-01-01 00:00:00+00'::timestamptz) $$,
  'a text message creates the contact from the JID and push name');
select pg_temp.evo('messages.upsert', '[{"key":{"remoteJid":"5511911110001@s.whatsapp.net","fromMe":false,"id":"3EB0A2"},"pushName":"Ana","message":{"extendedTextMessage":{"text":"See @5511922220002","contextInfo":{"stanzaId":"3EB0A1","participant":"5511911110001@s.whatsapp.net","quotedMessage":{"conversation":"Oi"},"mentionedJid":["5511922220002@s.whatsapp.net"],"isForwarded":true,"forwardingScore":2}}},"messageType":"extendedTextMessage","messageTimestamp":"1767225660"}]');
select results_eq($$ select content, quoted_content, mentions, is_forwarded, forward_score, quoted_message_id is not null
                       from public.messages where provider_message_id = '3EB0A2' $$,
  $$ values ('See @5511922220002', 'Oi', array['5511922220002@s.whatsapp.net'], true, 2, true) $$,
  'extended text keeps quote, mentions and forwarding (array data, string timestamps)');
select pg_temp.evo('messages.upsert', '{"key":{"remoteJid":"5511911110001@s.whatsapp.net","fromMe":false,"id":"3EB0A3"},"pushName":"Ana","message":{"imageMessage":{"url":"https://mmg.whatsapp.net/x.enc","mimetype":"image/jpeg","caption":"Fabric","fileSha256":"Zm9v","fileLength":"52341","mediaKey":"k"},"mediaUrl":"https://s3.example.com/evo/3EB0A3.jpeg"},"messageType":"imageMessage","messageTimestamp":{"low":1767225700,"high":0,"unsigned":true}}');
select results_eq($$ select type::text, content, media_url, media_size from public.messages where provider_message_id = '3EB0A3' $$,
  $$ values ('image', 'Fabric', 'https://s3.example.com/evo/3EB0A3.jpeg', 52341::bigint) $$,
  'images prefer Evolution''s stored media URL; protobuf Long timestamps are understood');
select pg_temp.evo('messages.upsert', '{"key":{"remoteJid":"5511911110001@s.whatsapp.net","fromMe":false,"id":"3EB0A4"},"message":{"documentWithCaptionMessage":{"message":{"documentMessage":{"fileName":"order.pdf","mimetype":"application/pdf","caption":"My order"}}}},"messageType":"documentWithCaptionMessage","messageTimestamp":1767225710}');
select is(((pg_temp.msg('3EB0A4')).type, (pg_temp.msg('3EB0A4')).media_filename, (pg_temp.msg('3EB0A4')).content)::text,
  '(document,order.pdf,"My order")', 'documents with captions are unwrapped');
select pg_temp.evo('messages.upsert', '{"key":{"remoteJid":"5511911110001@s.whatsapp.net","fromMe":false,"id":"3EB0A5"},"message":{"locationMessage":{"degreesLatitude":-22.9068,"degreesLongitude":-43.1729,"name":"Loja Centro"}},"messageType":"locationMessage","messageTimestamp":1767225720}');
select is(((pg_temp.msg('3EB0A5')).type, (pg_temp.msg('3EB0A5')).location_latitude)::text, '(location,-22.906800)', 'locations');
select pg_temp.evo('messages.upsert', '{"key":{"remoteJid":"5511911110001@s.whatsapp.net","fromMe":false,"id":"3EB0A6"},"message":{"reactionMessage":{"key":{"remoteJid":"5511911110001@s.whatsapp.net","fromMe":false,"id":"3EB0A1"},"text":"👍"}},"messageType":"reactionMessage","messageTimestamp":1767225730}');
select is((pg_temp.msg('3EB0A1')).reactions, '{"5511911110001@s.whatsapp.net": "👍"}'::jsonb, 'reactions land on their target');
select pg_temp.evo('messages.upsert', '{"key":{"remoteJid":"120363111111111111@g.us","fromMe":false,"id":"3EB0G1","participant":"5511933330003@s.whatsapp.net"},"pushName":"Caio","message":{"conversation":"Group hello"},"messageType":"conversation","messageTimestamp":1767225740}');
select results_eq($$ select c.type::text, m.participant_jid, ct.phone, ct.name from public.messages m
                       join public.conversations c on c.id = m.conversation_id join public.contacts ct on ct.id = m.contact_id
                      where m.provider_message_id = '3EB0G1' $$,
  $$ values ('group', '5511933330003@s.whatsapp.net', '5511933330003', 'Caio') $$, 'group messages: group conversation, participant as contact');
select pg_temp.evo('messages.upsert', '{"key":{"remoteJid":"status@broadcast","fromMe":false,"id":"3EB0S1","participant":"5511944440004@s.whatsapp.net"},"message":{"conversation":"my story"},"messageType":"conversation","messageTimestamp":1767225750}');
select is((select count(*)::int from public.messages where provider_message_id = '3EB0S1'), 0, 'status stories are not conversations');
select pg_temp.evo('send.message', '{"key":{"remoteJid":"5511911110001@s.whatsapp.net","fromMe":true,"id":"BAE5OUT1"},"message":{"conversation":"Your order shipped"},"messageType":"conversation","messageTimestamp":1767225760,"status":"PENDING"}');
select is(((pg_temp.msg('BAE5OUT1')).direction, (pg_temp.msg('BAE5OUT1')).status)::text, '(outbound,sent)', 'send.message records our outbound message');

-- Updates, edits, deletions.
select pg_temp.evo('messages.update', '{"messageId":"m1","keyId":"BAE5OUT1","remoteJid":"5511911110001@s.whatsapp.net","fromMe":true,"status":"DELIVERY_ACK","instanceId":"i1"}');
select is((pg_temp.msg('BAE5OUT1')).status, 'delivered'::public.message_status, 'messages.update (v2 shape) moves the status');
select pg_temp.evo('messages.update', '[{"key":{"remoteJid":"5511911110001@s.whatsapp.net","fromMe":true,"id":"BAE5OUT1"},"update":{"status":4}}]');
select is((pg_temp.msg('BAE5OUT1')).status, 'read'::public.message_status, 'and the v1 shape with numeric statuses');
select pg_temp.evo('messages.upsert', '{"key":{"remoteJid":"5511911110001@s.whatsapp.net","fromMe":false,"id":"3EB0E1"},"message":{"protocolMessage":{"key":{"remoteJid":"5511911110001@s.whatsapp.net","fromMe":false,"id":"3EB0A1"},"type":"MESSAGE_EDIT","editedMessage":{"conversation":"Oi, tudo bem?"}}},"messageType":"protocolMessage","messageTimestamp":1767225800}');
select is(((pg_temp.msg('3EB0A1')).content, (pg_temp.msg('3EB0A1')).edited_at is not null)::text, '("Oi, tudo bem?",t)', 'edits update the content');
select pg_temp.evo('messages.delete', '{"key":{"remoteJid":"5511911110001@s.whatsapp.net","fromMe":false,"id":"3EB0A5"}}');
select is(((pg_temp.msg('3EB0A5')).status, (pg_temp.msg('3EB0A5')).deleted_at is not null)::text, '(deleted,t)', 'deletions are marked, not erased');

-- Contacts and groups.
select pg_temp.evo('contacts.upsert', '[{"remoteJid":"5511955556666@s.whatsapp.net","pushName":"Duda","profilePicUrl":"https://pps.whatsapp.net/duda.jpg"}]');
select results_eq($$ select ct.name, i.profile_picture_url from public.contact_identities i join public.contacts ct on ct.id = i.contact_id
                      where i.external_id = '5511955556666@s.whatsapp.net' $$,
  $$ values ('Duda', 'https://pps.whatsapp.net/duda.jpg') $$, 'contacts.upsert fills the address book');
select pg_temp.evo('groups.upsert', '[{"id":"120363111111111111@g.us","subject":"VIP Clients","owner":"5511955550000@s.whatsapp.net","desc":"Best customers","announce":true,"restrict":false,"creation":1700000000,"participants":[{"id":"5511955550000@s.whatsapp.net","admin":"superadmin"},{"id":"5511933330003@s.whatsapp.net","admin":null}]}]');
select results_eq($$ select name, description, is_announcement, participants_count from public.whatsapp_groups where group_jid = '120363111111111111@g.us' $$,
  $$ values ('VIP Clients', 'Best customers', true, 2) $$, 'groups.upsert describes the group');
select pg_temp.evo('group-participants.update', '{"id":"120363111111111111@g.us","participants":["5511977770007@s.whatsapp.net"],"action":"add"}');
select pg_temp.evo('group-participants.update', '{"id":"120363111111111111@g.us","participants":["5511933330003@s.whatsapp.net"],"action":"promote"}');
select pg_temp.evo('group-participants.update', '{"id":"120363111111111111@g.us","participants":["5511955550000@s.whatsapp.net"],"action":"remove"}');
select results_eq($$ select participants_count, participants from public.whatsapp_groups where group_jid = '120363111111111111@g.us' $$,
  $$ values (2, '[{"jid": "5511933330003@s.whatsapp.net", "role": "admin"}, {"jid": "5511977770007@s.whatsapp.net", "role": "member"}]'::jsonb) $$,
  'participants are added, promoted and removed');

-- Wrapped messages are read from inside; the stored media URL sits outside.
select pg_temp.evo('messages.upsert', '{"key":{"remoteJid":"5511911110001@s.whatsapp.net","fromMe":false,"id":"3EB0W1"},"message":{"ephemeralMessage":{"message":{"viewOnceMessageV2":{"message":{"imageMessage":{"mimetype":"image/jpeg","caption":"Once","fileLength":"100"}}}}},"mediaUrl":"https://s3.example.com/evo/3EB0W1.jpeg"},"messageType":"ephemeralMessage","messageTimestamp":1767225800}');
select is(((pg_temp.msg('3EB0W1')).type, (pg_temp.msg('3EB0W1')).content, (pg_temp.msg('3EB0W1')).media_url)::text,
  '(image,Once,https://s3.example.com/evo/3EB0W1.jpeg)', 'a view-once image in a disappearing chat is an image');

-- LID addressing: the phone JID that comes with it files the chat.
select pg_temp.evo('messages.upsert', '{"key":{"remoteJid":"272516946294519@lid","remoteJidAlt":"5511911110001@s.whatsapp.net","addressingMode":"lid","fromMe":false,"id":"3EB0L1"},"pushName":"Ana","message":{"conversation":"Via LID"},"messageType":"conversation","messageTimestamp":1767225810}');
select is((select count(distinct conversation_id)::int from public.messages where provider_message_id in ('3EB0A1', '3EB0L1')), 1,
  'a LID-addressed message lands in the conversation its phone JID already has');

-- Edits and revokes (messages.edited carries the protocolMessage).
select pg_temp.evo('MESSAGES_EDITED', '{"key":{"remoteJid":"5511911110001@s.whatsapp.net","fromMe":false,"id":"3EB0A1"},"type":"MESSAGE_EDIT","editedMessage":{"conversation":"Oi, tudo bem?"},"timestampMs":"1767225900000"}');
select is(((pg_temp.msg('3EB0A1')).content, (pg_temp.msg('3EB0A1')).edited_at)::text, '("Oi, tudo bem?","2026-01-01 00:05:00+00")',
  'an edit replaces the text, at the edit''s time');
select pg_temp.evo('messages.update', '{"keyId":"3EB0A1","remoteJid":"5511911110001@s.whatsapp.net","fromMe":false,"status":"DELETED"}');
select is((pg_temp.msg('3EB0A1')).deleted_at, null, 'an update without a receipt (Evolution''s DELETED) deletes nothing');
select pg_temp.evo('messages.edited', '{"key":{"remoteJid":"5511911110001@s.whatsapp.net","fromMe":false,"id":"3EB0L1"},"type":"REVOKE"}');
select ok((pg_temp.msg('3EB0L1')).deleted_at is not null, 'a revoke deletes its target');

-- Secrets never stored; duplicates harmless.
select is((select count(*)::int from public.webhook_events where payload::text like '%EVOLUTION-INSTANCE-KEY%'), 0,
  'the instance API key in the body is never stored');
select is(pg_temp.evo('messages.upsert', '{"key":{"remoteJid":"5511911110001@s.whatsapp.net","fromMe":false,"id":"3EB0A1"},"pushName":"Ana","message":{"conversation":"Oi"},"messageType":"conversation","messageTimestamp":1767225600,"instanceId":"i1","source":"android"}') ->> 'status',
  'duplicate', 'a redelivered event is a duplicate');
select is((select count(*)::int from public.messages where provider_message_id = '3EB0A1'), 1, 'one message row');

select * from finish();
rollback;
