-- Meta Cloud API ingestion on payloads shaped as Meta documents them.
begin;
select plan(42);
select tests.create_workspace_with_roles('acme') as ws \gset
-- Numbers whose ids Graph confirmed (routing by phone_number_id needs it).
insert into public.channels (id, workspace_id, provider, name, phone_number_id, phone_number, phone_number_verified_at)
values ('c0000000-0000-0000-0000-000000000001', :'ws', 'cloud_api', 'Main', 'PN-1', '15550000001', now()),
       ('c0000000-0000-0000-0000-000000000002', :'ws', 'cloud_api', 'Second', 'PN-2', '15550000002', now());
\set ch c0000000-0000-0000-0000-000000000001

create temp table ingest_result (label text primary key, result jsonb);
create function pg_temp.ingest(label text, payload jsonb) returns jsonb language sql as $$
  insert into ingest_result values (label, private.ingest_webhook('cloud_api', 'c0000000-0000-0000-0000-000000000001', payload))
  returning result
$$;
create function pg_temp.msg(wamid text) returns public.messages language sql as $$
  select * from public.messages where provider_message_id = wamid
$$;

-- Every message type Meta sends.
select pg_temp.ingest('text', tests.cloud_message('PN-1', '5511900000001', 'Ana', '{"id":"wamid.text","type":"text","text":{"body":"Hello"}}'));
select pg_temp.ingest('image', tests.cloud_message('PN-1', '5511900000001', 'Ana', '{"id":"wamid.image","type":"image","image":{"caption":"My dress","mime_type":"image/jpeg","sha256":"abc=","id":"MEDIA-1"}}'));
select pg_temp.ingest('video', tests.cloud_message('PN-1', '5511900000001', 'Ana', '{"id":"wamid.video","type":"video","video":{"mime_type":"video/mp4","sha256":"v=","id":"MEDIA-2"}}'));
select pg_temp.ingest('audio', tests.cloud_message('PN-1', '5511900000001', 'Ana', '{"id":"wamid.audio","type":"audio","audio":{"mime_type":"audio/ogg; codecs=opus","sha256":"a=","id":"MEDIA-3","voice":true}}'));
select pg_temp.ingest('document', tests.cloud_message('PN-1', '5511900000001', 'Ana', '{"id":"wamid.document","type":"document","document":{"caption":"Measures","filename":"measures.pdf","mime_type":"application/pdf","sha256":"d=","id":"MEDIA-4"}}'));
select pg_temp.ingest('sticker', tests.cloud_message('PN-1', '5511900000001', 'Ana', '{"id":"wamid.sticker","type":"sticker","sticker":{"mime_type":"image/webp","sha256":"s=","id":"MEDIA-5","animated":false}}'));
select pg_temp.ingest('location', tests.cloud_message('PN-1', '5511900000001', 'Ana', '{"id":"wamid.location","type":"location","location":{"latitude":-23.5505,"longitude":-46.6333,"name":"Atelier","address":"Rua Augusta, 100"}}'));
select pg_temp.ingest('contacts', tests.cloud_message('PN-1', '5511900000001', 'Ana', '{"id":"wamid.contacts","type":"contacts","contacts":[{"name":{"formatted_name":"Bia Lima","first_name":"Bia"},"phones":[{"phone":"+55 11 90000-0009","wa_id":"5511900000009","type":"CELL"}]}]}'));
select pg_temp.ingest('reaction', tests.cloud_message('PN-1', '5511900000001', 'Ana', '{"id":"wamid.reaction","type":"reaction","reaction":{"message_id":"wamid.text","emoji":"❤️"}}'));
select pg_temp.ingest('button_reply', tests.cloud_message('PN-1', '5511900000001', 'Ana', '{"id":"wamid.interactive","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"yes","title":"Yes, please"}}}'));
select pg_temp.ingest('list_reply', tests.cloud_message('PN-1', '5511900000001', 'Ana', '{"id":"wamid.list","type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"slot-3","title":"Friday 3pm","description":"Fitting"}}}'));
select pg_temp.ingest('button', tests.cloud_message('PN-1', '5511900000001', 'Ana', '{"id":"wamid.button","type":"button","button":{"payload":"CONFIRM","text":"Confirm"},"context":{"from":"15550000001","id":"wamid.template-out"}}'));
select pg_temp.ingest('order', tests.cloud_message('PN-1', '5511900000001', 'Ana', '{"id":"wamid.order","type":"order","order":{"catalog_id":"CAT1","text":"Two shirts","product_items":[{"product_retailer_id":"SKU1","quantity":2,"item_price":49.9,"currency":"BRL"}]}}'));
select pg_temp.ingest('system', tests.cloud_message('PN-1', '5511900000001', 'Ana', '{"id":"wamid.system","type":"system","system":{"body":"Ana changed her number","new_wa_id":"5511900000099","type":"user_changed_number"}}'));
select pg_temp.ingest('unsupported', tests.cloud_message('PN-1', '5511900000001', 'Ana', '{"id":"wamid.unsupported","type":"unsupported","errors":[{"code":131051,"title":"Message type unknown","message":"Message type unknown","error_data":{"details":"Message type is currently not supported."}}]}'));
select pg_temp.ingest('reply', tests.cloud_message('PN-1', '5511900000001', 'Ana', '{"id":"wamid.reply","type":"text","text":{"body":"About this one"},"context":{"from":"5511900000001","id":"wamid.image","forwarded":true}}'));

select is((select count(*)::int from ingest_result where result ->> 'status' = 'processed' and (result ->> 'messages')::int = 1), 16,
  'all 16 messages are processed');
select results_eq($$ select type::text, content from public.messages where channel_id = 'c0000000-0000-0000-0000-000000000001' order by provider_message_id $$,
  $$ values ('audio', null), ('button', 'Confirm'), ('contacts', 'Bia Lima'), ('document', 'Measures'), ('image', 'My dress'),
            ('interactive', 'Yes, please'), ('interactive', 'Friday 3pm'), ('location', 'Atelier'), ('order', 'Two shirts'),
            ('reaction', '❤️'), ('text', 'About this one'), ('sticker', null), ('system', 'Ana changed her number'),
            ('text', 'Hello'), ('unsupported', null), ('video', null) $$,
  'each type is stored with its type and readable content');
select is((pg_temp.msg('wamid.document')).media_filename, 'measures.pdf', 'documents keep their file name');
select is(((pg_temp.msg('wamid.image')).media_id, (pg_temp.msg('wamid.image')).media_mime_type)::text, '(MEDIA-1,image/jpeg)',
  'media keep the provider media id and type');
select is((select count(*)::int from public.media_files where workspace_id = :'ws' and status = 'pending'), 5,
  'a pending media file is recorded for each of the 5 media messages');
select is(((pg_temp.msg('wamid.location')).location_latitude, (pg_temp.msg('wamid.location')).location_address)::text,
  '(-23.550500,"Rua Augusta, 100")', 'locations keep coordinates and address');
select is((pg_temp.msg('wamid.list')).provider_type, 'interactive.list_reply', 'interactive replies keep their kind');
select is((pg_temp.msg('wamid.text')).reactions, '{"5511900000001": "❤️"}'::jsonb, 'a reaction lands on its target message');
select is(((pg_temp.msg('wamid.reply')).quoted_message_id = (pg_temp.msg('wamid.image')).id), true, 'a reply links to the quoted message');
select ok((pg_temp.msg('wamid.reply')).is_forwarded, 'forwarded messages are flagged');
select is((pg_temp.msg('wamid.unsupported')).errors -> 0 ->> 'code', '131051', 'unsupported messages keep Meta''s error');
select is((pg_temp.msg('wamid.order')).payload #>> '{order,product_items,0,product_retailer_id}', 'SKU1', 'the full provider payload is kept');
select is((pg_temp.msg('wamid.text')).provider_timestamp, '2026-01-01 00:00:00+00'::timestamptz, 'the provider timestamp is kept');

-- One contact, one conversation, with the inbox fields kept by triggers.
select is((select count(*)::int from public.contacts where workspace_id = :'ws'), 1, 'one contact for all those messages');
select results_eq($$ select name, phone, source from public.contacts where phone = '5511900000001' $$,
  $$ values ('Ana', '5511900000001', 'inbound') $$, 'created from the first message, named by the profile');
select is((select count(*)::int from public.contact_identities where external_id = '5511900000001'), 1, 'with one identity on the channel');
select results_eq($$ select display_id, type::text, unread_count, last_message_preview, window_expires_at
                       from public.conversations where chat_id = '5511900000001' $$,
  $$ values (1::bigint, 'individual', 14, 'About this one', '2026-01-02 00:00:00+00'::timestamptz) $$,
  'conversation #1 counts unread (not reactions or system notices), previews the latest, opens the 24 h window');
select is((select last_message_at from public.contacts where phone = '5511900000001'), '2026-01-01 00:00:00+00'::timestamptz,
  'the contact knows when it last wrote');

-- Duplicates: the same event three times is one message.
select pg_temp.ingest('dup2', tests.cloud_message('PN-1', '5511900000001', 'Ana', '{"id":"wamid.text","type":"text","text":{"body":"Hello"}}'));
select is((select result ->> 'status' from ingest_result where label = 'dup2'), 'duplicate', 'a byte-identical redelivery is recognised');
select is((private.ingest_webhook('cloud_api', :'ch', tests.cloud_message('PN-1', '5511900000001', 'Ana Souza', '{"id":"wamid.text","type":"text","text":{"body":"Hello"}}')) ->> 'duplicates')::int,
  1, 'the same message in a different envelope is a duplicate too');
select is((select count(*)::int from public.messages where provider_message_id = 'wamid.text'), 1, 'three deliveries, one message');
select is((select unread_count from public.conversations where chat_id = '5511900000001'), 14, 'and unread did not move');

-- Statuses: out of order, skipped, failed, before their message.
insert into public.messages (workspace_id, channel_id, conversation_id, direction, type, content, status, provider_message_id)
select :'ws', :'ch', id, 'outbound', 'text', 'Your dress is ready', 'sent', 'wamid.out1'
  from public.conversations where chat_id = '5511900000001';
select private.ingest_webhook('cloud_api', :'ch', tests.cloud_status('PN-1', 'wamid.out1', 'read', '1767225900'));
select private.ingest_webhook('cloud_api', :'ch', tests.cloud_status('PN-1', 'wamid.out1', 'delivered', '1767225800'));
select private.ingest_webhook('cloud_api', :'ch', tests.cloud_status('PN-1', 'wamid.out1', 'sent', '1767225700'));
select is(((pg_temp.msg('wamid.out1')).status, (pg_temp.msg('wamid.out1')).delivered_at, (pg_temp.msg('wamid.out1')).read_at)::text,
  '(read,"2026-01-01 00:03:20+00","2026-01-01 00:05:00+00")', 'read, then late delivered and sent: stays read, keeps every time');

select private.ingest_webhook('cloud_api', :'ch', tests.cloud_status('PN-1', 'wamid.out2', 'failed', '1767225900',
  '[{"code":131047,"title":"Re-engagement message","message":"Re-engagement message","error_data":{"details":"More than 24 hours have passed since the recipient last replied."}}]'));
select is((select count(*)::int from private.pending_message_statuses where provider_message_id = 'wamid.out2'), 1,
  'a status before its message is parked');
insert into public.messages (workspace_id, channel_id, conversation_id, direction, type, content, status, provider_message_id)
select :'ws', :'ch', id, 'outbound', 'text', 'Late', 'sent', 'wamid.out2' from public.conversations where chat_id = '5511900000001';
select is(((pg_temp.msg('wamid.out2')).status, (pg_temp.msg('wamid.out2')).error_code, (pg_temp.msg('wamid.out2')).error_title)::text,
  '(failed,131047,"Re-engagement message")', 'and applied when the message is recorded, with Meta''s error');
select is((select count(*)::int from private.pending_message_statuses), 0, 'nothing stays parked');

-- Groups, routing, failures.
select private.ingest_webhook('cloud_api', :'ch', tests.cloud_message('PN-1', '5511900000002', 'Bruno',
  '{"id":"wamid.group1","type":"text","group_id":"120363000000000001@g.us","text":{"body":"Hi all"}}'));
select results_eq($$ select c.type::text, g.group_jid, m.participant_jid, ct.phone
                       from public.messages m join public.conversations c on c.id = m.conversation_id
                       join public.whatsapp_groups g on g.id = c.group_id join public.contacts ct on ct.id = m.contact_id
                      where m.provider_message_id = 'wamid.group1' $$,
  $$ values ('group', '120363000000000001@g.us', '5511900000002', '5511900000002') $$,
  'a group message lands in the group''s conversation with its sender as contact');

select private.ingest_webhook('cloud_api', :'ch', tests.cloud_message('PN-2', '5511900000003', 'Caio', '{"id":"wamid.routed","type":"text","text":{"body":"To the second number"}}'));
select is((pg_temp.msg('wamid.routed')).channel_id, 'c0000000-0000-0000-0000-000000000002'::uuid,
  'events for another number of the same workspace are routed by phone_number_id');

select is(private.ingest_webhook('cloud_api', :'ch', tests.cloud_message('PN-UNKNOWN', '5511900000004', 'Dani', '{"id":"wamid.lost","type":"text","text":{"body":"?"}}')) ->> 'status',
  'failed', 'an unknown phone_number_id fails processing');
select results_eq($$ select processed, error, payload is not null from public.webhook_events where error like 'unknown phone_number_id%' $$,
  $$ values (false, 'unknown phone_number_id PN-UNKNOWN for this workspace', true) $$,
  'but the raw event is kept with the reason, for a retry');
select is((select count(*)::int from public.messages where provider_message_id = 'wamid.lost'), 0, 'and nothing half-done remains');

insert into public.channels (workspace_id, provider, name, phone_number_id, phone_number_verified_at)
values (:'ws', 'cloud_api', 'Late number', 'PN-UNKNOWN', now());
select is(private.retry_webhook_events(), 1, 'the tick''s retry picks the failed event up');
select ok((select processed from public.webhook_events where payload::text like '%wamid.lost%'), 'and processes it once the channel exists');

-- A username user who shares no number: known by business-scoped user id.
select pg_temp.ingest('bsuid', jsonb_build_object('object', 'whatsapp_business_account', 'entry', jsonb_build_array(jsonb_build_object(
  'id', 'WABA', 'changes', jsonb_build_array(jsonb_build_object('field', 'messages', 'value', jsonb_build_object(
    'messaging_product', 'whatsapp', 'metadata', jsonb_build_object('phone_number_id', 'PN-1'),
    'contacts', '[{"profile":{"name":"Pablo","username":"@pablo"},"user_id":"US.1349120865530274"}]'::jsonb,
    'messages', '[{"from_user_id":"US.1349120865530274","id":"wamid.bsuid","timestamp":"1767225600","type":"text","text":{"body":"Hi"}}]'::jsonb)))))));
select results_eq($$ select m.remote_jid, m.push_name, ct.phone, ct.name from public.messages m join public.contacts ct on ct.id = m.contact_id
                      where m.provider_message_id = 'wamid.bsuid' $$,
  $$ values ('US.1349120865530274', 'Pablo', null::text, 'Pablo') $$,
  'a sender known only by business-scoped user id gets a contact without a phone, named from its profile');

-- Voice notes report played.
select pg_temp.ingest('played', tests.cloud_status('PN-1', 'wamid.out1', 'played', '1767225900'));
select is((pg_temp.msg('wamid.out1')).status, 'played'::public.message_status, 'a played status moves the message on');

-- What the business sends from the WhatsApp Business app (coexistence).
select pg_temp.ingest('echo', jsonb_build_object('object', 'whatsapp_business_account', 'entry', jsonb_build_array(jsonb_build_object(
  'id', 'WABA', 'changes', jsonb_build_array(jsonb_build_object('field', 'smb_message_echoes', 'value', jsonb_build_object(
    'messaging_product', 'whatsapp', 'metadata', jsonb_build_object('display_phone_number', '15550000001', 'phone_number_id', 'PN-1'),
    'message_echoes', '[{"from":"15550000001","to":"5511900000009","id":"wamid.echo","timestamp":"1767226000","type":"text","text":{"body":"Sent from the app"}}]'::jsonb)))))));
select results_eq($$ select m.direction::text, m.status::text, m.content, m.remote_jid, ct.phone
                      from public.messages m join public.contacts ct on ct.id = m.contact_id where m.provider_message_id = 'wamid.echo' $$,
  $$ values ('outbound', 'sent', 'Sent from the app', '5511900000009', '5511900000009') $$,
  'a Business app echo is an outbound message in the customer''s conversation');
select is((select result ->> 'messages' from ingest_result where label = 'echo'), '1', 'and counts as a message');
select is(private.ingest_webhook('cloud_api', :'ch', (select payload from public.webhook_events where payload::text like '%wamid.echo%')) ->> 'status',
  'duplicate', 'its redelivery is a duplicate');

select throws_ok($$ select private.ingest_webhook('cloud_api', '00000000-0000-0000-0000-00000000dead', '{}') $$, 'P0002',
  'unknown channel 00000000-0000-0000-0000-00000000dead', 'an unknown channel is refused');
select throws_ok(format('select private.ingest_webhook(%L, %L, %L)', 'evolution', :'ch', '{}'), '22023', null,
  'a payload for the wrong provider is refused');
select is(private.record_webhook_failure('cloud_api', :'ch', convert_to('{"broken', 'UTF8'), 'unparseable', null, '{"broken', 'invalid JSON') > 0,
  true, 'a signed but broken body is stored raw');
select is(tests.try_as('acme_admin', 'select 1 from public.webhook_events where raw_body = ''{"broken'''), 'ok:1',
  'and admins can see it');

select * from finish();
rollback;
