-- Delivery bookkeeping: claims with leases and secrets, results recorded
-- per attempt, backoff honouring Retry-After, dead letters after
-- retry_count attempts or at once on a permanent refusal, replay with the
-- original webhook-id and body, rotation overlap, a failing hook switched
-- off with its admins told, hook replies through the send path, pruning.
begin;
select plan(47);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.open_cloud_conversation(:'ws', 'c9300000-0000-0000-0000-000000000001', 'PN-HD1', '5511944440000') as conv \gset
select tests.authenticate_as('acme_admin');
select id as hook, secret from public.create_hook(:'ws', 'Bot', 'https://bot.example.com/in', array['message.received'],
  headers => '{"X-Team": "sales"}', secret_headers => '{"X-Api-Key": "k-7777777"}') \gset
select tests.clear_authentication();

create function pg_temp.inbound(wamid text, body text) returns void language sql as $$
  select private.ingest_webhook('cloud_api', 'c9300000-0000-0000-0000-000000000001', tests.cloud_message('PN-HD1', '5511944440000', 'Caio',
    jsonb_build_object('id', wamid, 'type', 'text', 'timestamp', floor(extract(epoch from now()))::text, 'text', jsonb_build_object('body', body))));
$$;
create function pg_temp.result(job bigint, outcome text, code integer, extra jsonb default '{}') returns jsonb language sql as $$
  select jsonb_build_array(jsonb_build_object('job_id', job, 'outcome', outcome, 'status_code', code, 'latency_ms', 20) || extra)
$$;
create function pg_temp.make_due() returns void language sql as $$
  update private.hook_jobs set next_attempt_at = now() - interval '1 second';
$$;

select pg_temp.inbound('wamid.HD-1', 'hi bot');
create temp table c1 as select * from private.claim_hook_jobs('w1', 10, 60);
select is((select count(*) from c1), 1::bigint, 'the job is claimed');
select is((select body::jsonb #>> '{data,message,content}' from c1), 'hi bot', 'with the exact body to post');
select ok((select webhook_id from c1) ~ '^msg_[0-9a-f]{32}$', 'and a webhook-id');
select is((select secrets from c1), array[:'secret'], 'and the signing secret');
select is((select headers from c1), '{"X-Team": "sales", "X-Api-Key": "k-7777777"}'::jsonb, 'plain and secret headers');
select is((select (timeout_ms, attempt, max_attempts, method, url) from c1), (30000, 1, 3, 'POST'::text, 'https://bot.example.com/in'::text),
  'timeout, attempt number, attempts allowed, method and URL');
select is((select count(*) from private.claim_hook_jobs('w2', 10, 60)), 0::bigint, 'a claimed job is not claimed twice');

-- A 503 with Retry-After: retried after it, not before
select is(private.record_hook_results('w2', pg_temp.result((select job_id from c1), 'delivered', 200)) ->> 'ignored', '1',
  'a result from a worker that does not hold the claim is ignored');
select is(private.record_hook_results('w1', pg_temp.result((select job_id from c1), 'retry', 503,
  '{"retry_after_seconds": 120, "response_body": "busy"}')) ->> 'retrying', '1', 'a 503 is retried');
select ok((select next_attempt_at from private.hook_jobs where id = (select job_id from c1)) >= now() + interval '119 seconds',
  'no sooner than Retry-After says');
select is((select (attempt, status_code, response_body, outcome) from public.hook_deliveries where hook_id = :'hook'),
  (1, 503, 'busy'::text, 'retrying'::text), 'the attempt is recorded');
select is((select consecutive_failures from public.hooks where id = :'hook'), 1, 'and counted as a failure');
select pg_temp.make_due();
create temp table c2 as select * from private.claim_hook_jobs('w1', 10, 60);
select is((select (webhook_id, attempt) from c2), ((select webhook_id from c1), 2), 'the retry keeps its webhook-id');
select is(private.record_hook_results('w1', pg_temp.result((select job_id from c2), 'delivered', 204)) ->> 'delivered', '1', 'then delivered');
select is((select count(*) from private.hook_jobs), 0::bigint, 'and done');
select is((select (consecutive_failures, last_success_at is not null) from public.hooks where id = :'hook'), (0, true),
  'a success resets the failure count');

-- Attempts run out: a dead letter with the reason
select pg_temp.inbound('wamid.HD-2', 'second');
select job_id as j2, webhook_id as w2 from private.claim_hook_jobs('w1', 10, 60) \gset
select private.record_hook_results('w1', pg_temp.result(:j2, 'retry', 500));
select pg_temp.make_due();
select private.record_hook_results('w1', pg_temp.result((select job_id from private.claim_hook_jobs('w1', 10, 60)), 'retry', 500));
select pg_temp.make_due();
select is(private.record_hook_results('w1', pg_temp.result((select job_id from private.claim_hook_jobs('w1', 10, 60)), 'retry', 502,
  '{"error": "HTTP 502 Bad Gateway"}')) ->> 'dead_lettered', '1', 'after retry_count attempts the event is a dead letter');
select is((select (webhook_id, attempts, reason, event_type, message_id <> '', from_number) from public.message_cache where hook_id = :'hook'),
  (:'w2'::text, 3, 'HTTP 502 Bad Gateway (after 3 attempts)'::text, 'message.received'::text, true, '5511944440000'::text),
  'the dead letter keeps the webhook-id, attempts, reason, type, message and number');
select is((select string_agg(outcome, ',' order by id) from public.hook_deliveries where webhook_id = :'w2'), 'retrying,retrying,dead_lettered',
  'every attempt is on record');

-- A permanent refusal is not retried
select pg_temp.inbound('wamid.HD-3', 'third');
select is(private.record_hook_results('w1', pg_temp.result((select job_id from private.claim_hook_jobs('w1', 10, 60)), 'permanent', 400,
  '{"error": "HTTP 400"}')) ->> 'dead_lettered', '1', 'a 400 is dead-lettered at the first attempt');

-- Replay: the original body and webhook-id, as a new job
select id as dl, event_data as dl_body from public.message_cache where webhook_id = :'w2' \gset
select is(tests.run_as('acme_admin', format('select public.replay_dead_letters(%L, ids => array[%L]::uuid[])', :'ws', :'dl')), 1::bigint,
  'an admin replays one dead letter');
create temp table c3 as select * from private.claim_hook_jobs('w1', 10, 60);
select is((select (webhook_id, body::jsonb, attempt) from c3), (:'w2'::text, :'dl_body'::jsonb, 1), 'it goes again with its webhook-id and body');
select is((select count(*) from public.message_cache where id = :'dl'), 0::bigint, 'and leaves the dead letters');
select private.record_hook_results('w1', pg_temp.result((select job_id from c3), 'delivered', 200));
select tests.authenticate_as('acme_admin');
select is(public.replay_dead_letters(:'ws', hook_id => :'hook', event_type => 'message.received'), 1, 'a filter replays what matches');
select tests.clear_authentication();
select private.record_hook_results('w1', pg_temp.result((select job_id from private.claim_hook_jobs('w1', 10, 60)), 'permanent', 410));
select is((select (replay_count, reason) from public.message_cache), (1, 'HTTP 410'::text), 'failing again, it comes back counted');
delete from private.hook_jobs;

-- A reply to message.received is sent in the conversation, once
select pg_temp.inbound('wamid.HD-4', 'price?');
create temp table c4 as select * from private.claim_hook_jobs('w1', 10, 60);
select is(private.record_hook_results('w1', pg_temp.result((select job_id from c4), 'delivered', 200,
  '{"reply": {"text": "It costs 10 BRL"}}')) ->> 'replies', '1', 'a hook''s reply is sent');
select is((select (m.direction, m.content, m.hook_id, m.status) from public.messages m where m.hook_id = :'hook'),
  ('outbound'::public.message_direction, 'It costs 10 BRL'::text, :'hook'::uuid, 'pending'::public.message_status),
  'as an outbound message of the conversation, queued for the dispatcher');
select is((select count(*) from private.outbox o join public.messages m on m.id = o.message_id where m.hook_id = :'hook'), 1::bigint,
  'through the normal send path');
select is(private.hook_reply((select h from public.hooks h where id = :'hook'), (select webhook_id from c4),
  (select body::jsonb from c4), '{"text": "It costs 10 BRL"}'), (select id from public.messages where hook_id = :'hook'),
  'the same delivery twice is one reply');
select pg_temp.inbound('wamid.HD-5', 'hello?');
select private.record_hook_results('w1', pg_temp.result((select job_id from private.claim_hook_jobs('w1', 10, 60)), 'delivered', 200,
  '{"reply": {"template_name": "nope"}}'));
select is((select error from public.hook_deliveries order by id desc limit 1), 'reply not sent: no template "nope" on this conversation''s channel',
  'a reply that cannot be sent is recorded on the delivery, not retried');
update public.contacts set opted_in = false, opted_out_at = now() where phone = '5511944440000';
update public.conversations set window_expires_at = now() - interval '1 minute' where id = :'conv';
select pg_temp.inbound('wamid.HD-6', 'again');
update public.conversations set window_expires_at = now() - interval '1 minute' where id = :'conv';
select private.record_hook_results('w1', pg_temp.result((select job_id from private.claim_hook_jobs('w1', 10, 60)), 'delivered', 200,
  '{"reply": {"text": "late"}}'));
select ok((select error from public.hook_deliveries order by id desc limit 1) like 'reply not sent: outside the 24-hour customer service window%',
  'send-time rules apply to replies');

-- Rotation: both secrets sign during the overlap
select tests.authenticate_as('acme_admin');
select public.rotate_hook_secret(:'hook', interval '1 hour') as new_secret \gset
select tests.clear_authentication();
select pg_temp.inbound('wamid.HD-7', 'rotated');
select is((select secrets from private.claim_hook_jobs('w1', 10, 60)), array[:'new_secret', :'secret'], 'during the overlap both secrets sign, the new first');
update public.hooks set previous_secret_expires_at = now() - interval '1 second' where id = :'hook';
select pg_temp.make_due();
update private.hook_jobs set claimed_until = null;
select is((select secrets from private.claim_hook_jobs('w1', 10, 60)), array[:'new_secret'], 'after it, only the new one');
select private.prune_hooks();
select is((select count(*) from vault.secrets where name = 'hook:' || :'hook' || ':previous'), 0::bigint, 'and the old one leaves Vault');
delete from private.hook_jobs;

-- One batch, one write of the hook: failures after its last success count
update public.hooks set consecutive_failures = 5 where id = :'hook';
select pg_temp.inbound('wamid.HD-B1', 'b1');
select pg_temp.inbound('wamid.HD-B2', 'b2');
select pg_temp.inbound('wamid.HD-B3', 'b3');
create temp table cb as select job_id, row_number() over (order by job_id) n from private.claim_hook_jobs('w1', 10, 60);
select is(private.record_hook_results('w1', jsonb_build_array(
    pg_temp.result((select job_id from cb where n = 1), 'retry', 500) -> 0,
    pg_temp.result((select job_id from cb where n = 2), 'delivered', 200) -> 0,
    pg_temp.result((select job_id from cb where n = 3), 'retry', 500) -> 0,
    '{"job_id": -1, "outcome": "delivered"}'::jsonb)),
  '{"delivered": 1, "retrying": 2, "dead_lettered": 0, "replies": 0, "ignored": 1}'::jsonb, 'a batch is counted by outcome');
select is((select consecutive_failures from public.hooks where id = :'hook'), 1, 'only the failure after the batch''s last success counts');
delete from private.hook_jobs;

-- At most p_per_hook of one hook in flight; a hook at its cap is passed over
select tests.authenticate_as('acme_admin');
select id as other from public.create_hook(:'ws', 'Other', 'https://other.example.com/in', array['message.received'])
  \gset
select tests.clear_authentication();
select pg_temp.inbound('wamid.HD-C' || i, 'c' || i) from generate_series(1, 5) i;
select is((select string_agg(n::text, ',') from (select count(*) n from private.claim_hook_jobs('w1', 100, 60, 2) group by hook_id) x),
  '2,2', 'a claim takes at most p_per_hook jobs of each hook');
update private.hook_jobs set claimed_until = null, claimed_by = null where hook_id = :'other';
select is((select count(*) from private.claim_hook_jobs('w1', 1, 60, 2) c where c.hook_id = :'other'), 1::bigint,
  'a hook at its cap does not hide the other hook''s jobs, even from a claim of one');
select is((select count(*) from private.claim_hook_jobs('w1', 100, 60, 2) c where c.hook_id = :'hook'), 0::bigint,
  'nor gets more while its deliveries are in flight');
delete from public.hooks where id = :'other';
delete from private.hook_jobs;

-- A hook failing too often is switched off; its queue becomes dead letters
update public.hooks set disable_after_failures = 2, consecutive_failures = 0 where id = :'hook';
select pg_temp.inbound('wamid.HD-8', 'one');
select pg_temp.inbound('wamid.HD-9', 'two');
select private.record_hook_results('w1', (select jsonb_agg(pg_temp.result(job_id, 'retry', 500) -> 0) from private.claim_hook_jobs('w1', 1, 60)));
select pg_temp.make_due();
select private.record_hook_results('w1', (select jsonb_agg(pg_temp.result(job_id, 'retry', 500) -> 0) from private.claim_hook_jobs('w1', 1, 60)));
select is((select (active, disabled_reason) from public.hooks where id = :'hook'), (false, 'switched off after 2 failed deliveries in a row'::text),
  'after disable_after_failures failures in a row the hook is switched off');
select is((select count(*) from private.hook_jobs), 0::bigint, 'nothing stays queued for it');
select ok((select count(*) from public.message_cache where reason like 'hook switched off%') >= 1, 'its pending events are dead letters');
select is((select string_agg(u.identifier, ',' order by u.identifier) from public.notifications n
             join (select tests.get_supabase_uid(x) id, x identifier from unnest(array['acme_owner', 'acme_admin', 'acme_member']) x) u on u.id = n.user_id
            where n.type = 'hook_disabled'), 'acme_admin,acme_owner', 'its admins are notified, not members');
select tests.run_as('acme_admin', format('update public.hooks set active = true where id = %L', :'hook'));
select is((select (active, consecutive_failures, disabled_at) from public.hooks where id = :'hook'), (true, 0, null::timestamptz),
  'switched on again, it starts afresh');

-- The tick sweeps, and prunes what is old
select pg_temp.inbound('wamid.HD-10', 'tick');
select is(private.sweep_hooks(), 1, 'the tick pokes the function when jobs are due');
update public.hook_deliveries set created_at = now() - interval '31 days';
update public.message_cache set created_at = now() - interval '31 days';
select private.prune_hooks();
select is((select count(*) from public.hook_deliveries) + (select count(*) from public.message_cache), 0::bigint,
  'attempts and dead letters older than 30 days are pruned');
select ok(exists (select 1 from private.tick_steps where fn = 'private.sweep_hooks') and exists (select 1 from private.tick_steps where fn = 'private.prune_hooks'),
  'both are tick steps');

select * from finish();
rollback;
