-- The set-based batch path (private.ingest_cloud_api_batch) leaves exactly
-- the rows the per-event path leaves, answers the same, and declines or
-- falls back whenever it cannot.
begin;
select plan(23);
select tests.create_workspace_with_roles('acme') as ws \gset
insert into public.channels (id, workspace_id, provider, name, phone_number_id, phone_number)
values ('c0000000-0000-0000-0000-000000000001', :'ws', 'cloud_api', 'Main', 'PN-1', '15550000001'),
       ('c0000000-0000-0000-0000-000000000002', :'ws', 'cloud_api', 'Second', 'PN-2', '15550000002');
insert into public.channels (id, workspace_id, provider, name, instance_name)
values ('c0000000-0000-0000-0000-000000000003', :'ws', 'evolution', 'Evo', 'acme-main');
\set ch c0000000-0000-0000-0000-000000000001

-- Messages of the last few minutes, so the 24-hour window is open.
create function pg_temp.at(k integer) returns jsonb language sql stable as $$
  select jsonb_build_object('timestamp', (floor(extract(epoch from now())) - 1000 + k)::bigint::text)
$$;

-- Before the batch: Rita wrote before, Bia is a contact without a WhatsApp
-- identity yet, and we sent Rita a message that statuses will follow.
select private.ingest_webhook('cloud_api', :'ch', tests.cloud_message('PN-1', '5511900000003', 'Rita',
  '{"id":"wamid.before","type":"text","text":{"body":"Hi"}}'::jsonb || pg_temp.at(0)));
insert into public.contacts (workspace_id, name, phone, source) values (:'ws', 'Bia (manual)', '5511900000004', 'manual');
insert into public.messages (workspace_id, channel_id, conversation_id, direction, type, content, status, provider_message_id)
select :'ws', :'ch', id, 'outbound', 'text', 'Your dress is ready', 'sent', 'wamid.out1'
  from public.conversations where chat_id = '5511900000003';
insert into public.automations (workspace_id, name, type, trigger_conditions, actions)
values (:'ws', 'Hours', 'keyword_reply', '{"keywords":["hours"],"match":"contains"}', '{"reply":{"text":"We open at 9."}}');

create temp table batch_items (n integer primary key, payload jsonb not null);
insert into batch_items values
  (1, tests.cloud_message('PN-1', '5511900000001', 'Ana', '{"id":"wamid.a1","type":"text","text":{"body":"Hello"}}'::jsonb || pg_temp.at(600))),
  (2, tests.cloud_message('PN-1', '5511900000001', 'Ana', '{"id":"wamid.a2","type":"image","image":{"caption":"My dress","mime_type":"image/jpeg","sha256":"abc=","id":"MEDIA-1"}}'::jsonb || pg_temp.at(601))),
  (3, tests.cloud_message('PN-1', '5511900000002', 'Bruno', '{"id":"wamid.b1","type":"text","text":{"body":"What are your hours?"}}'::jsonb || pg_temp.at(602))),
  (4, tests.cloud_message('PN-1', '5511900000001', 'Ana Maria', '{"id":"wamid.a3","type":"location","location":{"latitude":-23.55,"longitude":-46.63,"name":"Atelier"}}'::jsonb || pg_temp.at(603))),
  (5, tests.cloud_message('PN-1', '5511900000002', 'Bruno', '{"id":"wamid.b2","type":"reaction","reaction":{"message_id":"wamid.a1","emoji":"❤️"}}'::jsonb || pg_temp.at(604))),
  (6, tests.cloud_message('PN-1', '5511900000001', 'Ana Maria', '{"id":"wamid.a4","type":"text","text":{"body":"About this one"},"context":{"from":"5511900000001","id":"wamid.a2"}}'::jsonb || pg_temp.at(605))),
  (7, tests.cloud_message('PN-1', '5511900000002', 'Bruno', '{"id":"wamid.b1","type":"text","text":{"body":"What are your hours?"}}'::jsonb || pg_temp.at(602))),
  (8, tests.cloud_message('PN-1', '5511900000001', 'Ana Maria', '{"id":"wamid.a1","type":"text","text":{"body":"Hello"}}'::jsonb || pg_temp.at(699))),
  (9, tests.cloud_status('PN-1', 'wamid.out1', 'delivered', '1767225606')),
  (10, tests.cloud_status('PN-1', 'wamid.unknown', 'read', '1767225607')),
  (11, '{"object":"whatsapp_business_account","entry":[{"id":"WABA-1","changes":[{"field":"message_template_status_update","value":{"event":"APPROVED","message_template_id":1}}]}]}'),
  (12, tests.cloud_message('PN-1', '5511900000004', 'Bia', '{"id":"wamid.c1","type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"yes","title":"Yes, please"}}}'::jsonb || pg_temp.at(608))),
  (13, tests.cloud_message('PN-1', '5511900000003', 'Rita', '{"id":"wamid.r1","type":"order","order":{"catalog_id":"C","text":"Two shirts","product_items":[]}}'::jsonb || pg_temp.at(609))),
  (14, tests.cloud_message('PN-1', '5511900000003', 'Rita Souza', '{"id":"wamid.r2","type":"system","system":{"body":"Rita changed her number"}}'::jsonb || pg_temp.at(610))),
  (15, tests.cloud_message('PN-1', '5511900000005', 'Caio', '{"id":"wamid.d1","type":"unsupported","errors":[{"code":131051,"title":"Message type unknown"}]}'::jsonb || pg_temp.at(611))),
  (16, tests.cloud_message('PN-1', '5511900000005', 'Caio', '{"id":"wamid.d2","type":"document","document":{"filename":"m.pdf","mime_type":"application/pdf","id":"MEDIA-2"}}'::jsonb || pg_temp.at(500)));

create function pg_temp.batch() returns jsonb language sql as $$
  select jsonb_agg(jsonb_build_object('provider', 'cloud_api', 'channel', 'c0000000-0000-0000-0000-000000000001',
                                      'payload', payload) order by n) from batch_items
$$;

create function pg_temp.ws() returns uuid language sql stable as $$
  select workspace_id from public.channels where id = 'c0000000-0000-0000-0000-000000000001'
$$;

-- Everything ingestion wrote, with generated ids and numbers replaced by natural keys.
create function pg_temp.snapshot() returns jsonb language sql as $$
  select jsonb_build_object(
    'contacts', (select jsonb_agg(to_jsonb(c) - array['id', 'created_at', 'updated_at'] order by c.phone)
                   from public.contacts c where c.workspace_id = pg_temp.ws()),
    'identities', (select jsonb_agg(to_jsonb(i) - array['id', 'contact_id', 'created_at', 'updated_at']
                                    || jsonb_build_object('contact', c.phone) order by i.external_id)
                     from public.contact_identities i join public.contacts c on c.id = i.contact_id
                    where i.workspace_id = pg_temp.ws()),
    'conversations', (select jsonb_agg(to_jsonb(v) - array['id', 'display_id', 'contact_id', 'last_message_id', 'created_at', 'updated_at']
                                       || jsonb_build_object('contact', c.phone, 'last', m.provider_message_id, 'last_content', m.content)
                                       order by v.chat_id)
                        from public.conversations v left join public.contacts c on c.id = v.contact_id
                        left join public.messages m on m.id = v.last_message_id
                       where v.workspace_id = pg_temp.ws()),
    'messages', (select jsonb_agg(to_jsonb(m) - array['id', 'conversation_id', 'contact_id', 'quoted_message_id', 'created_at', 'updated_at']
                                  || jsonb_build_object('chat', v.chat_id, 'contact', c.phone, 'quoted', q.provider_message_id)
                                  order by v.chat_id, m.direction, m.provider_message_id, m.content)
                   from public.messages m join public.conversations v on v.id = m.conversation_id
                   left join public.contacts c on c.id = m.contact_id left join public.messages q on q.id = m.quoted_message_id
                  where m.workspace_id = pg_temp.ws()),
    'media', (select jsonb_agg(to_jsonb(f) - array['id', 'message_id', 'created_at', 'updated_at']
                               || jsonb_build_object('message', m.provider_message_id) order by m.provider_message_id)
                from public.media_files f join public.messages m on m.id = f.message_id where f.workspace_id = pg_temp.ws()),
    'events', (select jsonb_agg(to_jsonb(w) - array['id', 'received_at', 'created_at', 'processed_at'] order by w.body_sha256)
                 from public.webhook_events w where w.workspace_id = pg_temp.ws()),
    'parked', (select jsonb_agg(to_jsonb(p) - 'received_at' order by p.provider_message_id) from private.pending_message_statuses p
                where p.channel_id = 'c0000000-0000-0000-0000-000000000001'),
    'runs', (select jsonb_agg(jsonb_build_object('status', r.status, 'error', r.error, 'message', m.provider_message_id) order by m.provider_message_id)
               from public.automation_runs r left join public.messages m on m.id = r.message_id where r.workspace_id = pg_temp.ws()))
$$;
create function pg_temp.answers(r jsonb) returns jsonb language sql as $$
  select jsonb_agg(x - 'event_id' order by n) from jsonb_array_elements(r) with ordinality a(x, n)
$$;

-- The reference: each event through the per-event path, in order.
savepoint per_event;
select pg_temp.answers(jsonb_agg(private.ingest_webhook('cloud_api', :'ch', payload) order by n)) as item_answers
  from batch_items \gset
select pg_temp.snapshot() as item_rows \gset
rollback to savepoint per_event;

select private.ingest_cloud_api_batch(pg_temp.batch()) as batch_raw \gset
select pg_temp.snapshot() as batch_rows \gset
select isnt(:'batch_raw'::jsonb, null, 'ordinary Cloud API traffic takes the set-based path');
select pg_temp.answers(:'batch_raw'::jsonb) as batch_answers \gset

select is(:'batch_answers'::jsonb, :'item_answers'::jsonb, 'each event gets the answer the per-event path gives');
select is((:'batch_rows'::jsonb) -> 'contacts', (:'item_rows'::jsonb) -> 'contacts', 'same contacts (Bia keeps her contact, names kept)');
select is((:'batch_rows'::jsonb) -> 'identities', (:'item_rows'::jsonb) -> 'identities', 'same identities (Ana''s and Rita''s new names)');
select is((:'batch_rows'::jsonb) -> 'conversations', (:'item_rows'::jsonb) -> 'conversations', 'same conversations: last message, unread, window');
select is((:'batch_rows'::jsonb) -> 'messages', (:'item_rows'::jsonb) -> 'messages', 'same messages: reaction on its target, reply linked, duplicates skipped');
select is((:'batch_rows'::jsonb) -> 'media', (:'item_rows'::jsonb) -> 'media', 'same media files');
select is((:'batch_rows'::jsonb) -> 'events', (:'item_rows'::jsonb) -> 'events', 'same raw events');
select is((:'batch_rows'::jsonb) -> 'parked', (:'item_rows'::jsonb) -> 'parked', 'same parked statuses');
select is((:'batch_rows'::jsonb) -> 'runs', (:'item_rows'::jsonb) -> 'runs', 'the keyword automation answered the same message');
select is(:'batch_rows'::jsonb, :'item_rows'::jsonb, 'nothing else differs');

-- Sanity: the reference itself did what the fixtures ask.
select is(array[jsonb_array_length((:'item_rows'::jsonb) -> 'contacts'), jsonb_array_length((:'item_rows'::jsonb) -> 'conversations'),
                jsonb_array_length((:'item_rows'::jsonb) -> 'messages'), jsonb_array_length((:'item_rows'::jsonb) -> 'media'),
                jsonb_array_length((:'item_rows'::jsonb) -> 'events'), jsonb_array_length((:'item_rows'::jsonb) -> 'parked'),
                jsonb_array_length((:'item_rows'::jsonb) -> 'runs')],
  array[5, 5, 14, 2, 16, 1, 1], 'the compared snapshots hold every row: 5 contacts, 5 chats, 14 messages, 2 media, 16 events, 1 parked, 1 run');
select is((select reactions from public.messages where provider_message_id = 'wamid.a1'), '{"5511900000002": "❤️"}'::jsonb,
  'Bruno''s reaction landed on Ana''s message of the same batch');
select is((select q.provider_message_id from public.messages m join public.messages q on q.id = m.quoted_message_id
            where m.provider_message_id = 'wamid.a4'), 'wamid.a2', 'Ana''s reply points at her image of the same batch');
select is((select count(*)::int from public.messages where direction = 'inbound' and workspace_id = :'ws'), 12, '11 new messages and the earlier one');

select results_eq($$ select external_id, push_name from public.contact_identities where workspace_id = pg_temp.ws() order by 1 $$,
  $$ values ('5511900000001', 'Ana Maria'), ('5511900000002', 'Bruno'), ('5511900000003', 'Rita Souza'), ('5511900000004', 'Bia'), ('5511900000005', 'Caio') $$,
  'identities carry the latest profile names');

-- A second delivery of the whole batch changes nothing.
select is((select count(*)::int from jsonb_array_elements(private.ingest_webhooks(pg_temp.batch())) x
            where x ->> 'status' = 'duplicate'), 16, 'redelivered batch: every event is a duplicate');

-- What the set-based path leaves to the per-event path (declines before writing).
select is(private.ingest_cloud_api_batch(jsonb_build_array(
    jsonb_build_object('provider', 'cloud_api', 'channel', :'ch', 'payload', tests.cloud_message('PN-1', '5511900000009', 'Z', '{"id":"wamid.z1","type":"text","text":{"body":"z"}}')),
    jsonb_build_object('provider', 'evolution', 'channel', 'c0000000-0000-0000-0000-000000000003', 'payload', tests.evolution('connection.update', '{"state":"open"}')))),
  null, 'another provider in the batch: declined');
select is(private.ingest_cloud_api_batch(jsonb_build_array(
    jsonb_build_object('provider', 'cloud_api', 'channel', :'ch', 'payload', tests.cloud_message('PN-2', '5511900000009', 'Z', '{"id":"wamid.z2","type":"text","text":{"body":"z"}}')))),
  null, 'a second number of the same app: declined');
select is(private.ingest_cloud_api_batch(jsonb_build_array(
    jsonb_build_object('provider', 'cloud_api', 'channel', :'ch', 'payload', tests.cloud_message('PN-1', '5511900000009', 'Z', '{"id":"wamid.z3","type":"text","group_id":"G1","text":{"body":"z"}}')),
    jsonb_build_object('provider', 'cloud_api', 'channel', :'ch', 'payload', tests.cloud_webhook('PN-1', '{"errors":[{"code":131000,"title":"Something went wrong"}]}')))),
  null, 'group messages and webhook errors: declined');
select is((select count(*)::int from public.messages where provider_message_id like 'wamid.z%'), 0, 'and nothing was written');

-- An event that fails inside the set-based path sends the batch event by
-- event: the failing one is stored raw with its error, the others land.
select pg_temp.answers(private.ingest_webhooks(jsonb_build_array(
    jsonb_build_object('provider', 'cloud_api', 'channel', :'ch', 'payload', tests.cloud_message('PN-1', '5511900000010', 'Eva', '{"id":"wamid.e1","type":"text","text":{"body":"one"}}')),
    jsonb_build_object('provider', 'cloud_api', 'channel', :'ch', 'payload', '{"object":"whatsapp_business_account","entry":"wamid.e2"}'::jsonb),
    jsonb_build_object('provider', 'cloud_api', 'channel', :'ch', 'payload', tests.cloud_message('PN-1', '5511900000010', 'Eva', '{"id":"wamid.e3","type":"text","text":{"body":"three"}}'))))) as fallback \gset
select results_eq(
  format($$ select x ->> 'status', (x ->> 'messages')::int from jsonb_array_elements(%L::jsonb) x $$, :'fallback'),
  $$ values ('processed', 1), ('failed', null), ('processed', 1) $$,
  'a bad event fails alone; its neighbours are processed');
select ok((select not processed and error like '%scalar%' from public.webhook_events
            where payload ->> 'entry' = 'wamid.e2'),
  'and it is kept raw, unprocessed, with the database''s reason, for the tick to retry');

select * from finish();
rollback;
