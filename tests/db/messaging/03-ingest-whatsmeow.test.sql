-- whatsmeow bridge events ({event, device_id, payload}).
begin;
select plan(8);
select tests.create_workspace_with_roles('acme') as ws \gset
insert into public.channels (id, workspace_id, provider, name, device_id)
values ('b0000000-0000-0000-0000-000000000001', :'ws', 'whatsmeow', 'Bridge', 'device-1');
create function pg_temp.bridge(event text, payload jsonb) returns jsonb language sql as $$
  select private.ingest_webhook('whatsmeow', 'b0000000-0000-0000-0000-000000000001',
                                jsonb_build_object('event', event, 'device_id', 'device-1', 'payload', payload))
$$;
create function pg_temp.channel() returns public.channels language sql as $$
  select * from public.channels where id = 'b0000000-0000-0000-0000-000000000001'
$$;

select pg_temp.bridge('pairing', '{"qr_code":"2@abc,def,ghi","expires_at":1767225660}');
select is(((pg_temp.channel()).status, (pg_temp.channel()).qr_code)::text, '(pairing,"2@abc,def,ghi")', 'pairing shows the QR');
select pg_temp.bridge('connected', '{"jid":"5511966660000:3@s.whatsapp.net","push_name":"Acme Bridge"}');
select is(((pg_temp.channel()).status, (pg_temp.channel()).phone_number)::text, '(connected,5511966660000)', 'connected, with its number');

select pg_temp.bridge('message', '{"id":"WM-1","chat":"5511912340001@s.whatsapp.net","sender":"5511912340001@s.whatsapp.net","push_name":"Eva","timestamp":1767225600,"type":"text","text":"Bom dia"}');
select results_eq($$ select m.content, m.direction::text, ct.name, ct.phone from public.messages m join public.contacts ct on ct.id = m.contact_id
                      where m.provider_message_id = 'WM-1' $$,
  $$ values ('Bom dia', 'inbound', 'Eva', '5511912340001') $$, 'a message creates contact and conversation');
select pg_temp.bridge('message', '{"id":"WM-2","chat":"120363222222222222@g.us","sender":"5511912340002@s.whatsapp.net","is_group":true,"push_name":"Fabio","timestamp":1767225601,"type":"image","caption":"Look","media":{"url":"https://bridge.local/media/WM-2","mime_type":"image/png","size":1200}}');
select results_eq($$ select m.type::text, m.content, m.media_url, c.type::text from public.messages m join public.conversations c on c.id = m.conversation_id
                      where m.provider_message_id = 'WM-2' $$,
  $$ values ('image', 'Look', 'https://bridge.local/media/WM-2', 'group') $$, 'group media messages');
select pg_temp.bridge('message', '{"id":"WM-3","chat":"5511912340001@s.whatsapp.net","is_from_me":true,"timestamp":1767225602,"type":"text","text":"Sent from the phone"}');
select pg_temp.bridge('receipt', '{"message_ids":["WM-3"],"chat":"5511912340001@s.whatsapp.net","type":"read","timestamp":1767225700}');
select is((select status from public.messages where provider_message_id = 'WM-3'), 'read'::public.message_status, 'receipts move statuses');
select is(private.ingest_webhook('whatsmeow', 'b0000000-0000-0000-0000-000000000001', '{"device_id":"device-1"}') ->> 'error',
  'bridge payload without event', 'a body without an event fails processing and is kept with the reason');
select pg_temp.bridge('disconnected', '{"reason":"stream replaced"}');
select is(((pg_temp.channel()).status, (pg_temp.channel()).last_error)::text, '(disconnected,"stream replaced")', 'disconnected with the reason');
select is((select count(*)::int from public.conversations where channel_id = 'b0000000-0000-0000-0000-000000000001'), 2,
  'one conversation per chat');

select * from finish();
rollback;
