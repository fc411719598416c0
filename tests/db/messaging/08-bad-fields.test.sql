-- One odd field does not fail its message, nor the event: the message is
-- stored with that field made storable (private.storable_message), the raw
-- event keeps what was sent, and a message that cannot be placed (no usable
-- chat) is skipped with its reason while its neighbours are stored.
begin;
select plan(21);
select tests.create_workspace_with_roles('acme') as ws \gset
insert into public.channels (id, workspace_id, provider, name, phone_number_id, phone_number)
values ('c0000000-0000-0000-0000-000000000001', :'ws', 'cloud_api', 'Main', 'PN-1', '15550000001');
insert into public.channels (id, workspace_id, provider, name, instance_name)
values ('e0000000-0000-0000-0000-000000000001', :'ws', 'evolution', 'Evo', 'acme-main');

create function pg_temp.cloud(body jsonb) returns jsonb language sql as $$
  select private.ingest_webhook('cloud_api', 'c0000000-0000-0000-0000-000000000001', body)
$$;
create function pg_temp.batch(variadic bodies jsonb[]) returns jsonb language sql as $$
  select private.ingest_webhooks((select jsonb_agg(jsonb_build_object('provider', 'cloud_api',
    'channel', 'c0000000-0000-0000-0000-000000000001', 'payload', b)) from unnest(bodies) b))
$$;
create function pg_temp.msg(pid text) returns public.messages language sql as $$
  select * from public.messages where provider_message_id = pid
$$;
-- An id no index entry can hold: 3,200 characters that do not compress.
create function pg_temp.long_id(tag text) returns text language sql as $$
  select tag || string_agg(md5(tag || i), '' order by i) from generate_series(1, 100) i
$$;

-- A push name over 200 characters: the name is truncated, the message kept.
select is(pg_temp.cloud(tests.cloud_message('PN-1', '5511900000001', repeat('N', 300),
  '{"id":"wamid.name","type":"text","text":{"body":"Hi"}}')) ->> 'status', 'processed', 'a 300-character push name is processed');
select is((select char_length(name) from public.contacts where phone = '5511900000001'), 200, 'the contact''s name is its first 200 characters');
select is((pg_temp.msg('wamid.name')).payload #>> '{from}', '5511900000001', 'the message is stored, payload whole');

-- A sender that is no phone number: stored, with a contact without a phone.
select is(pg_temp.cloud(tests.cloud_message('PN-1', '123', 'Short',
  '{"id":"wamid.short","type":"text","text":{"body":"Hello"}}')) ->> 'messages', '1', 'a sender of 3 digits is stored');
select is((select (c.phone is null, i.external_id)::text from public.contacts c join public.contact_identities i on i.contact_id = c.id
            where i.external_id = '123'), '(t,123)', 'its contact has no phone; its address is kept');

-- A message id too long for an index entry: stored under a shortened id,
-- and its statuses (same id, same shortening) find it.
select is(pg_temp.cloud(tests.cloud_message('PN-1', '5511900000002', 'Long',
  '{"type":"text","text":{"body":"long id"}}'::jsonb || jsonb_build_object('id', pg_temp.long_id('L')))) ->> 'messages', '1',
  'a 3,200-character message id is stored');
select is((pg_temp.msg(private.provider_id(pg_temp.long_id('L')))).content, 'long id', 'under its shortened id');
select is(pg_temp.cloud(tests.cloud_status('PN-1', pg_temp.long_id('L'), 'read', '1767225700')) ->> 'parked_statuses', '0',
  'a status for that id applies');

-- Numbers beyond their columns and error codes beyond integer.
select is(pg_temp.cloud(tests.cloud_message('PN-1', '5511900000003', 'Geo',
  '{"id":"wamid.geo","type":"location","location":{"latitude":1e300,"longitude":-46.63,"name":"Far"}}')) ->> 'messages', '1',
  'a latitude of 1e300 does not fail the message');
select is(((pg_temp.msg('wamid.geo')).location_latitude, (pg_temp.msg('wamid.geo')).content)::text, '(,Far)',
  'the coordinates are left out, the rest kept');
insert into public.messages (workspace_id, channel_id, conversation_id, direction, type, content, status, provider_message_id)
select :'ws', 'c0000000-0000-0000-0000-000000000001', id, 'outbound', 'text', 'Hi', 'sent', 'wamid.out'
  from public.conversations where chat_id = '5511900000003';
select is(pg_temp.cloud(tests.cloud_status('PN-1', 'wamid.out', 'failed', '1767225700', '[{"code":1e20,"title":"Odd"}]')) ->> 'status',
  'processed', 'an error code beyond integer does not fail the status');
select is(((pg_temp.msg('wamid.out')).status, (pg_temp.msg('wamid.out')).error_title)::text, '(failed,Odd)', 'the status is applied');

-- A sender no index can hold: that message is skipped with its reason; its
-- neighbour in the same body is stored and the event is processed.
select is(pg_temp.cloud(tests.cloud_webhook('PN-1', jsonb_build_object(
  'contacts', '[{"profile":{"name":"Neighbour"},"wa_id":"5511900000004"}]'::jsonb,
  'messages', jsonb_build_array(
    jsonb_build_object('from', pg_temp.long_id('S'), 'id', 'wamid.unplaceable', 'timestamp', '1767225600', 'type', 'text',
                       'text', jsonb_build_object('body', 'lost?')),
    '{"from":"5511900000004","id":"wamid.neighbour","timestamp":"1767225601","type":"text","text":{"body":"still here"}}'::jsonb))))
  - 'event_id', '{"status": "processed", "messages": 1, "skipped": 1, "statuses": 0, "duplicates": 0, "ignored_changes": 0, "parked_statuses": 0}'::jsonb,
  'the unplaceable message is skipped, its neighbour stored');
select is((pg_temp.msg('wamid.neighbour')).content, 'still here', 'the neighbour is in the inbox');
select is((select error from public.activity_log where action = 'channel.message_skipped' and data ->> 'provider_message_id' = 'wamid.unplaceable'),
  'chat id over 256 characters', 'the skip is recorded with its reason');
select ok((select payload::text like '%wamid.unplaceable%' from public.webhook_events where processed and payload::text like '%wamid.neighbour%'),
  'the raw event keeps the skipped message');

-- The set-based batch path stores the same: a long push name in the batch,
-- a non-phone sender through the per-event fallback.
select is(pg_temp.batch(
  tests.cloud_message('PN-1', '5511900000005', repeat('B', 250), '{"id":"wamid.b-name","type":"text","text":{"body":"a"}}'),
  tests.cloud_message('PN-1', '5511900000006', 'Rich', '{"id":"wamid.b-geo","type":"location","location":{"latitude":"north","longitude":1e300}}')
) #>> '{1,status}', 'processed', 'a batch with odd fields is processed');
select is((select char_length(name) from public.contacts where phone = '5511900000005'), 200, 'its long name truncated');
select is(pg_temp.batch(tests.cloud_message('PN-1', 'not-a-number', 'Odd', '{"id":"wamid.b-odd","type":"text","text":{"body":"b"}}'))
  #>> '{0,messages}', '1', 'a sender that is no number goes through the per-event path, stored');

-- Evolution: flags and counters that are not what Baileys documents.
select is(private.ingest_webhook('evolution', 'e0000000-0000-0000-0000-000000000001', tests.evolution('messages.upsert',
  '{"key":{"remoteJid":"5511911110001@s.whatsapp.net","fromMe":"no","id":"3EB0X1"},"pushName":"Ana","message":{"imageMessage":{"url":"https://mmg.whatsapp.net/x","mimetype":"image/jpeg","fileLength":{"low":1234,"high":0},"seconds":"long","contextInfo":{"isForwarded":"sometimes","forwardingScore":"many"}}},"messageType":"imageMessage","messageTimestamp":1767225600}'))
  ->> 'messages', '1', 'odd Evolution fields do not fail the message');
select is(((pg_temp.msg('3EB0X1')).direction, (pg_temp.msg('3EB0X1')).media_size, (pg_temp.msg('3EB0X1')).forward_score)::text,
  '(inbound,,0)', 'they are read leniently or left out');

select * from finish();
rollback;
