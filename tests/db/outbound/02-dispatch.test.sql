-- The dispatcher's side of the queue: claims (rate slots, per-conversation
-- order, skip locked, leases), results (sent, retry with backoff, dead
-- letter, throttling, stale claims), statuses racing the send, template sync
-- and the minute tick.
begin;
select plan(48);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.open_cloud_conversation(:'ws', 'c4000000-0000-0000-0000-000000000001', 'PN-D1', '5511900000001') as conv_a \gset
select tests.open_cloud_conversation(:'ws', 'c4000000-0000-0000-0000-000000000001', 'PN-D1', '5511900000002') as conv_b \gset
update public.channels set settings = '{"rate_limit_per_second": 10}' where id = 'c4000000-0000-0000-0000-000000000001';
select tests.run_as('acme_member', format('insert into public.messages (conversation_id, content) values (%L, %L), (%L, %L), (%L, %L), (%L, %L)',
  :'conv_a', 'A1', :'conv_a', 'A2', :'conv_a', 'A3', :'conv_b', 'B1'));
create temporary table claims (worker text, item jsonb) on commit drop;
create function pg_temp.claim(w text, lim integer default 100) returns table (item jsonb) language sql as $$
  insert into claims select w, x from jsonb_array_elements(private.claim_outbox(w, lim, 60, 1000)) x returning item
$$;
create function pg_temp.result(w text, content text, kind text, extra jsonb default '{}') returns jsonb language sql as $$
  select private.record_send_results(w, jsonb_build_array(jsonb_build_object(
    'outbox_id', o.id, 'message_id', o.message_id, 'channel_id', o.channel_id, 'kind', kind) || extra))
    from private.outbox o join public.messages m on m.id = o.message_id where m.content = result.content
$$;

-- Claims --------------------------------------------------------------------------
select results_eq($$ select item ->> 'content' from pg_temp.claim('w1') $$, $$ values ('A1'), ('B1') $$,
  'one message per conversation at a time, oldest first');
select ok((select (max((item ->> 'send_at')::timestamptz) - min((item ->> 'send_at')::timestamptz)) = interval '100 milliseconds' from claims),
  'slots are 1/rate apart (10 per second: 100 ms)');
select results_eq($$ select item ->> 'recipient', item ->> 'type', (item ->> 'attempts')::integer from claims where item ->> 'content' = 'A1' $$,
  $$ values ('5511900000001', 'text', 1) $$, 'a claim carries what the provider client needs');
select is((select count(*) from pg_temp.claim('w2')), 0::bigint, 'a second dispatcher gets nothing: A2 waits for A1, B1 is taken');
select results_eq($$ select pg_temp.result('w1', 'A1', 'sent', '{"provider_message_id":"wamid.A1"}') $$,
  $$ values ('{"sent":1,"retry":0,"throttled":0,"failed":0,"release":0,"stale":0}'::jsonb) $$, 'a send is recorded');
select results_eq($$ select status::text, provider_message_id, sent_at is not null from public.messages where content = 'A1' $$,
  $$ values ('sent', 'wamid.A1', true) $$, 'the message is sent, with the provider''s id');
select results_eq($$ select item ->> 'content' from pg_temp.claim('w2') $$, $$ values ('A2') $$, 'then the next one of that conversation is claimable');

-- Rate -------------------------------------------------------------------------------
insert into public.channels (id, workspace_id, provider, name, phone_number_id, settings)
values ('c4000000-0000-0000-0000-000000000002', :'ws', 'cloud_api', 'Slow', 'PN-D2', '{"rate_limit_per_second": 5}');
select tests.open_cloud_conversation(:'ws', 'c4000000-0000-0000-0000-000000000002', 'PN-D2', '55119000001' || lpad(i::text, 2, '0'))
  from generate_series(1, 8) i;
select tests.run_as('service_role', $$ insert into public.messages (conversation_id, content)
  select c.id, 'slow ' || c.chat_id from public.conversations c where c.channel_id = 'c4000000-0000-0000-0000-000000000002' $$);
select is((select count(*) from pg_temp.claim('w3') x where x.item ->> 'channel_id' = 'c4000000-0000-0000-0000-000000000002'), 5::bigint,
  'a claim takes one second''s worth at the channel''s rate');
select is((select count(*) from pg_temp.claim('w4') x where x.item ->> 'channel_id' = 'c4000000-0000-0000-0000-000000000002'), 0::bigint,
  'and another dispatcher cannot exceed it: the channel''s slots are taken');
select ok((select next_slot > clock_timestamp() + interval '800 milliseconds' from private.channel_send_state where channel_id = 'c4000000-0000-0000-0000-000000000002'),
  'the channel''s clock moved a second ahead');
select throws_ok($$ update public.channels set settings = '{"rate_limit_per_second": 2000}' where id = 'c4000000-0000-0000-0000-000000000002' $$,
  '23514', null, 'a rate above 1,000/s is refused');

-- Leases -------------------------------------------------------------------------------
update private.outbox o set claimed_until = clock_timestamp() - interval '1 second'
  from public.messages m where m.id = o.message_id and m.content = 'B1';
select results_eq($$ select item ->> 'content' from pg_temp.claim('w5') where item ->> 'content' = 'B1' $$, $$ values ('B1') $$,
  'a claim whose lease lapsed (dispatcher killed) is claimable again');
select is((select attempts from private.outbox o join public.messages m on m.id = o.message_id where m.content = 'B1'), 2, 'and counts as another attempt');
select results_eq($$ select pg_temp.result('w1', 'B1', 'retry', '{"error":{"message":"late"}}') $$,
  $$ values ('{"sent":0,"retry":0,"throttled":0,"failed":0,"release":0,"stale":1}'::jsonb) $$, 'the old owner''s late retry is ignored');
select is((select claimed_by from private.outbox o join public.messages m on m.id = o.message_id where m.content = 'B1'), 'w5', 'the claim stays with its new owner');
select results_eq($$ select pg_temp.result('w1', 'B1', 'sent', '{"provider_message_id":"wamid.B1"}') $$,
  $$ values ('{"sent":0,"retry":0,"throttled":0,"failed":0,"release":0,"stale":1}'::jsonb) $$, 'but its late send did happen:');
select results_eq($$ select m.status::text, m.provider_message_id, (select count(*) from private.outbox o where o.message_id = m.id) from public.messages m where m.content = 'B1' $$,
  $$ values ('sent', 'wamid.B1', 0::bigint) $$, 'it is recorded and leaves the queue, so nobody sends it again');

-- Retries and dead letters ----------------------------------------------------------------
select pg_temp.result('w2', 'A2', 'retry', '{"error":{"code":2,"message":"Service temporarily unavailable","http_status":503}}');
select results_eq($$ select o.claimed_by, o.attempts, o.last_error ->> 'message', o.next_attempt_at between now() + interval '1 second' and clock_timestamp() + interval '2 seconds'
                       from private.outbox o join public.messages m on m.id = o.message_id where m.content = 'A2' $$,
  $$ values (null::text, 1, 'Service temporarily unavailable', true) $$, 'a transient failure comes back after a jittered backoff (1-2 s the first time)');
select is((select status::text from public.messages where content = 'A2'), 'pending', 'the message stays pending meanwhile');
update private.outbox o set attempts = o.max_attempts, claimed_by = 'w2', claimed_until = now() + interval '1 minute'
  from public.messages m where m.id = o.message_id and m.content = 'A2';
select pg_temp.result('w2', 'A2', 'retry', '{"error":{"code":2,"message":"still down","http_status":503}}');
select results_eq($$ select m.status::text, m.error_code, m.error_message, m.failed_at is not null, (select count(*) from private.outbox o where o.message_id = m.id)
                       from public.messages m where m.content = 'A2' $$,
  $$ values ('failed', 2, 'still down', true, 0::bigint) $$, 'after the last attempt: dead-lettered, failed with the provider''s error');
select results_eq($$ select item ->> 'content' from pg_temp.claim('w2') where item ->> 'content' like 'A%' $$, $$ values ('A3') $$,
  'a dead letter no longer holds up its conversation');
select pg_temp.result('w2', 'A3', 'failed', '{"error":{"code":100,"title":"Invalid parameter","message":"(#100) Invalid parameter","http_status":400}}');
select results_eq($$ select m.status::text, m.error_code, m.error_title, jsonb_array_length(m.errors), (select count(*) from private.outbox o where o.message_id = m.id)
                       from public.messages m where m.content = 'A3' $$,
  $$ values ('failed', 100, 'Invalid parameter', 1, 0::bigint) $$, 'a permanent error fails at once, no retry');

-- Throttling ----------------------------------------------------------------------------------
select tests.run_as('acme_member', format('insert into public.messages (conversation_id, content) values (%L, %L), (%L, %L)', :'conv_a', 'T1', :'conv_b', 'T2'));
delete from private.channel_send_state where channel_id = 'c4000000-0000-0000-0000-000000000001';
select is((select count(*) from pg_temp.claim('w6') x where x.item ->> 'content' in ('T1', 'T2')), 2::bigint, 'two more claimed');
select pg_temp.result('w6', 'T1', 'throttled', '{"scope":"channel","error":{"code":130429,"message":"(#130429) Rate limit hit","http_status":400}}');
select pg_temp.result('w6', 'T2', 'throttled', '{"scope":"channel","error":{"code":130429,"message":"(#130429) Rate limit hit","http_status":400}}');
-- The pause (0.5 to 1 s the first time) runs from the transaction's time,
-- which a slow machine may pass while this file runs: compare with now().
select results_eq($$ select throttle_count, throttled_until > now() from private.channel_send_state where channel_id = 'c4000000-0000-0000-0000-000000000001' $$,
  $$ values (1, true) $$, '130429 pauses the channel, once per episode however many sends hit it');
select results_eq($$ select o.attempts, o.throttled_count from private.outbox o join public.messages m on m.id = o.message_id where m.content = 'T1' $$,
  $$ values (0, 1) $$, 'a rate-limit answer does not spend an attempt');
update private.outbox o set next_attempt_at = now() - interval '1 second' from public.messages m where m.id = o.message_id and m.content in ('T1', 'T2');
update private.channel_send_state set throttled_until = clock_timestamp() + interval '1 minute' where channel_id = 'c4000000-0000-0000-0000-000000000001';
select is((select count(*) from pg_temp.claim('w7') x where x.item ->> 'content' in ('T1', 'T2')), 0::bigint, 'nothing is claimed on a paused channel');
update private.channel_send_state set throttled_until = null, next_slot = now() where channel_id = 'c4000000-0000-0000-0000-000000000001';
select is((select count(*) from pg_temp.claim('w7') x where x.item ->> 'content' in ('T1', 'T2')), 2::bigint, 'and both go again after the pause');
select pg_temp.result('w7', 'T1', 'throttled', '{"scope":"recipient","error":{"code":131056,"message":"pair rate limit hit"}}');
select ok((select o.next_attempt_at >= now() + interval '3 seconds' from private.outbox o join public.messages m on m.id = o.message_id where m.content = 'T1'),
  '131056 holds back that recipient for seconds');
select is((select throttled_until from private.channel_send_state where channel_id = 'c4000000-0000-0000-0000-000000000001'), null,
  'without pausing the channel');
select pg_temp.result('w7', 'T2', 'release', '{"retry_after_ms": 5000}');
select results_eq($$ select o.claimed_by, o.attempts, o.next_attempt_at >= now() + interval '5 seconds' from private.outbox o join public.messages m on m.id = o.message_id where m.content = 'T2' $$,
  $$ values (null::text, 0, true) $$, 'a released claim returns unspent, due when asked');

-- Statuses that beat the send's answer; our send echoed back -----------------------------------
select tests.run_as('acme_member', format('insert into public.messages (conversation_id, content) values (%L, %L)', :'conv_b', 'S1'));
delete from private.outbox where message_id in (select id from public.messages where content in ('T1', 'T2'));
select private.ingest_webhook('cloud_api', 'c4000000-0000-0000-0000-000000000001',
  tests.cloud_status('PN-D1', 'wamid.S1', 'delivered', floor(extract(epoch from now()))::text));
select is((select count(*) from pg_temp.claim('w8') x where x.item ->> 'content' = 'S1'), 1::bigint, 'S1 claimed');
select pg_temp.result('w8', 'S1', 'sent', '{"provider_message_id":"wamid.S1"}');
select results_eq($$ select status::text, sent_at is not null, delivered_at is not null from public.messages where content = 'S1' $$,
  $$ values ('delivered', true, true) $$, 'a status that arrived before the send was recorded applies then');

insert into public.channels (id, workspace_id, provider, name, instance_name, api_base_url)
values ('c4000000-0000-0000-0000-000000000003', :'ws', 'evolution', 'Evo', 'acme-evo', 'http://evo.test');
select private.ingest_webhook('evolution', 'c4000000-0000-0000-0000-000000000003', tests.evolution('messages.upsert',
  '{"key":{"remoteJid":"5511900000005@s.whatsapp.net","fromMe":false,"id":"EVO-D-1"},"pushName":"E","messageType":"conversation","message":{"conversation":"hi"},"messageTimestamp":1767225600}', 'acme-evo'));
select tests.run_as('acme_member', $$ insert into public.messages (conversation_id, content) select id, 'E1' from public.conversations where chat_id = '5511900000005@s.whatsapp.net' $$);
select is((select count(*) from pg_temp.claim('w9') x where x.item ->> 'content' = 'E1'), 1::bigint, 'E1 claimed');
select private.ingest_webhook('evolution', 'c4000000-0000-0000-0000-000000000003', tests.evolution('send.message',
  '{"key":{"remoteJid":"5511900000005@s.whatsapp.net","fromMe":true,"id":"EVO-OUT-1"},"messageType":"conversation","message":{"conversation":"E1"},"messageTimestamp":1767225601,"status":"SERVER_ACK"}', 'acme-evo'));
select is((select count(*) from public.messages where provider_message_id = 'EVO-OUT-1'), 1::bigint, 'Evolution reported our send before we recorded it');
select pg_temp.result('w9', 'E1', 'sent', '{"provider_message_id":"EVO-OUT-1"}');
select results_eq($$ select m.content, m.created_by is not null from public.messages m where m.provider_message_id = 'EVO-OUT-1' $$,
  $$ values ('E1', true) $$, 'the echo merges into our message: one row, ours');

-- Recipient pacing ------------------------------------------------------------------------------
update public.channels set settings = '{"rate_limit_per_second": 10, "recipient_interval_ms": 60000}' where id = 'c4000000-0000-0000-0000-000000000001';
update private.channel_send_state set next_slot = now() where channel_id = 'c4000000-0000-0000-0000-000000000001';
select tests.run_as('acme_member', format('insert into public.messages (conversation_id, content) values (%L, %L), (%L, %L)', :'conv_b', 'P1', :'conv_b', 'P2'));
select is((select count(*) from pg_temp.claim('w10') x where x.item ->> 'content' = 'P1'), 1::bigint, 'P1 claimed');
select pg_temp.result('w10', 'P1', 'sent', '{"provider_message_id":"wamid.P1"}');
select is((select count(*) from pg_temp.claim('w10') x where x.item ->> 'content' = 'P2'), 0::bigint,
  'with recipient_interval_ms the same recipient waits before the next send');

-- Access ------------------------------------------------------------------------------------------
select is(tests.try_as('acme_owner', 'select private.claim_outbox(''x'')'), '42501', 'clients cannot claim');
select is(tests.try_as('acme_owner', 'select private.record_send_results(''x'', ''[]'')'), '42501', 'nor record results');
select is(tests.try_as('acme_owner', 'select 1 from private.outbox'), '42501', 'nor read the queue');
select is(tests.try_as('service_role', 'select private.claim_outbox(''svc'', 0)'), 'ok:1', 'the service claims');

-- Template sync ---------------------------------------------------------------------------------------
update public.channels set business_account_id = 'WABA-D1' where id = 'c4000000-0000-0000-0000-000000000001';
select results_eq($$ select private.sync_templates('c4000000-0000-0000-0000-000000000001', '[
    {"provider_template_id":"T-1","name":"order_ready","language":"en_US","category":"UTILITY","status":"APPROVED","components":[{"type":"BODY","text":"Hi {{1}}"}]},
    {"provider_template_id":"T-2","name":"promo","language":"en_US","category":"MARKETING","status":"IN_APPEAL","components":[{"type":"BODY","text":"Sale"}]},
    {"provider_template_id":"T-3","name":"bad name","language":"en_US","category":"MARKETING","status":"APPROVED","components":[{"type":"BODY","text":"x"}]}]') $$,
  $$ values ('{"synced":2,"disabled":0}'::jsonb) $$, 'templates are stored as the provider lists them (a malformed one skipped)');
select results_eq($$ select name, status::text, category::text from public.message_templates where channel_id = 'c4000000-0000-0000-0000-000000000001' order by name $$,
  $$ values ('order_ready', 'APPROVED', 'UTILITY'), ('promo', 'PENDING', 'MARKETING') $$, 'Meta''s statuses map onto ours');
select results_eq($$ select private.sync_templates('c4000000-0000-0000-0000-000000000001', '[
    {"provider_template_id":"T-1","name":"order_ready","language":"en_US","category":"UTILITY","status":"PAUSED","components":[{"type":"BODY","text":"Hi {{1}}"}]}]') $$,
  $$ values ('{"synced":1,"disabled":1}'::jsonb) $$, 'a second sync');
select results_eq($$ select name, status::text from public.message_templates where channel_id = 'c4000000-0000-0000-0000-000000000001' order by name $$,
  $$ values ('order_ready', 'PAUSED'), ('promo', 'DISABLED') $$, 'updates statuses and disables what the provider no longer lists');
select is(tests.try_as('acme_member', 'select public.sync_templates(''c4000000-0000-0000-0000-000000000001'')'), '42501', 'members cannot ask for a sync');
select is(tests.error_as('acme_admin', 'select public.sync_templates(''c4000000-0000-0000-0000-000000000003'')'),
  '55000 templates sync from Cloud API channels with a business_account_id', 'Evolution channels have no templates to sync');
select tests.run_as('acme_admin', 'select public.sync_templates(''c4000000-0000-0000-0000-000000000001'')');
select is((select convert_from(body, 'utf8')::jsonb from net.http_request_queue where url like '%/dispatch' order by id desc limit 1),
  '{"action":"sync_templates","channel_id":"c4000000-0000-0000-0000-000000000001"}'::jsonb, 'an admin''s request goes to the dispatcher');

select * from finish();
rollback;
