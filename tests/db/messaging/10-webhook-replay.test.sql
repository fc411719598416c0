-- Every verified body is kept for replay: its exact bytes privately, a
-- client-safe copy in webhook_events; workspace admins and the service
-- replay failed events, and each attempt is recorded on the event.
begin;
select plan(19);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('rival') as rival \gset
insert into public.channels (id, workspace_id, provider, name, instance_name)
values ('e7000000-0000-0000-0000-000000000001', :'ws', 'evolution', 'Evo', 'acme-main');
\set ch e7000000-0000-0000-0000-000000000001

-- Bytes Postgres text could not hold are kept as they came.
select private.record_webhook_failure('evolution', :'ch', '\x7b226e756c223a2200ff22'::bytea, 'unparseable', null,
  '{"nul":"?"', 'invalid UTF-8') as binary_event \gset
select is((select body from private.webhook_bodies where event_id = :binary_event), '\x7b226e756c223a2200ff22'::bytea,
  'a body with NUL and invalid UTF-8 is kept byte for byte');
select is(tests.try_as('acme_admin', 'select 1 from private.webhook_bodies'), '42501',
  'clients never read the raw bodies');
select is(tests.try_as('acme_admin', format('select 1 from public.webhook_events where id = %s and raw_body = %L', :binary_event, '{"nul":"?"')),
  'ok:1', 'admins read the safe preview');

-- A body that failed the function's validation (say, a field it wrongly
-- required), stored redacted for replay.
select private.record_webhook_failure('evolution', :'ch',
  convert_to(tests.evolution('messages.upsert', '{"key":{"remoteJid":"5511900000071@s.whatsapp.net","id":"3EB0R1"},"pushName":"Rui","message":{"conversation":"hello again"},"messageType":"conversation","messageTimestamp":1767225600}')::text, 'UTF8'),
  'invalid', tests.evolution('messages.upsert', '{"key":{"remoteJid":"5511900000071@s.whatsapp.net","id":"3EB0R1"},"pushName":"Rui","message":{"conversation":"hello again"},"messageType":"conversation","messageTimestamp":1767225600}') - 'apikey',
  null, 'invalid evolution payload: fromMe required') as invalid_event \gset
-- A body that was valid JSON all along but refused at the time: replay parses its bytes.
select private.record_webhook_failure('evolution', :'ch',
  convert_to(tests.evolution('messages.upsert', '{"key":{"remoteJid":"5511900000072@s.whatsapp.net","id":"3EB0R2","fromMe":false},"message":{"conversation":"from the bytes","base64":"SGVsbG8="},"messageType":"conversation"}')::text, 'UTF8'),
  'unparseable', null, '(preview)', 'rejected by the database: whatever it was') as raw_event \gset

select is(private.retry_webhook_events(), 0, 'the tick does not retry what only a replay can fix');

-- Who may replay: admins of the workspace and the service, no one else, and
-- an outsider is refused alike whether or not the workspace exists.
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme',
    format('select * from public.replay_webhook_events(%L, array[%s]::bigint[])', :'ws', :invalid_event)),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', 'ok:1'), ('owner', 'ok:1') $$,
  'only admins replay');
select is(tests.try_as('acme_outsider', format('select * from public.replay_webhook_events(%L)', gen_random_uuid())),
  '42501', 'an unknown workspace gets the same refusal');
select is(tests.try_as('rival_admin', format('select * from public.replay_webhook_events(%L, array[%s]::bigint[])', :'rival', :invalid_event)),
  'ok:0', 'another workspace''s admin reaches nothing of it through their own');

-- The service replays by id.
select results_eq(format('select status, error from public.replay_webhook_events(%L, array[%s]::bigint[])', :'ws', :invalid_event),
  $$ values ('processed', null::text) $$, 'a replay processes the stored event');
select results_eq(format('select processed, error, retry_count, last_attempt_at is not null, processed_at is not null, event_type from public.webhook_events where id = %s', :invalid_event),
  $$ values (true, null::text, 1, true, true, 'messages.upsert') $$, 'and records the outcome on the event');
select is((select content from public.messages where provider_message_id = '3EB0R1'), 'hello again', 'the message reaches the inbox');
select is((select count(*)::int from public.replay_webhook_events(:'ws', array[:invalid_event]::bigint[])), 0,
  'a processed event is not replayed again');

-- By filter, from the raw bytes: parsed, redacted, processed.
select results_eq(format('select event_id, status from public.replay_webhook_events(%L, provider => %L, channel_id => %L, since => now() - interval ''1 hour'', error_contains => %L)',
    :'ws', 'evolution', :'ch', 'REJECTED BY'),
  format('values (%s::bigint, %L)', :raw_event, 'processed'), 'filters pick the failed events');
select is((select payload ->> 'apikey' from public.webhook_events where id = :raw_event), null,
  'the payload parsed from the bytes holds no key');
select is((select payload #>> '{data,message,base64,stripped}' from public.webhook_events where id = :raw_event), 'inline media',
  'nor the inline media');
select is((select payload #>> '{message,base64,sha256}' from public.messages where provider_message_id = '3EB0R2'),
  encode(sha256('Hello'::bytea), 'hex'), 'the message keeps the media''s marker');

-- A replay that fails again says why and counts the attempt.
select results_eq(format('select status from public.replay_webhook_events(%L, array[%s]::bigint[])', :'ws', :binary_event),
  $$ values ('failed') $$, 'a body that still cannot be parsed fails again');
select results_eq(format('select retry_count, error ~ %L, processed from public.webhook_events where id = %s', 'UTF8', :binary_event),
  $$ values (1, true, false) $$, 'with the attempt and its error recorded');

-- The JSON walk: secrets wherever they sit, base64 only in message content.
select is(private.redact_webhook_json('{"apikey":"k","data":{"auth":{"token":"t"},"message":{"imageMessage":{"mimetype":"image/png"},"base64":"SGk="},"qrcode":{"base64":"data:image/png;base64,AA=="}}}'),
  '{"apikey":"[redacted]","data":{"auth":{"token":"[redacted]"},"message":{"imageMessage":{"mimetype":"image/png"},"base64":{"bytes":2,"sha256":"3639efcd08abb273b1619e82e78c29a7df02c1051b1820e99fc395dcaa3326b8","stripped":"inline media"}},"qrcode":{"base64":"data:image/png;base64,AA=="}}}'::jsonb,
  'redaction walks the whole body and keeps a QR code');
select is(private.redact_webhook_json('{"base64":"SGk=","event":"messages.upsert"}') #>> '{base64,stripped}', 'inline media',
  'a top-level base64 is media too');

select * from finish();
rollback;
