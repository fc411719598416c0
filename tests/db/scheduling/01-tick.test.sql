-- What the minute tick does: each module's registered step runs, a failing
-- step is reported without stopping the others, and the dispatcher is woken
-- when sends are due.
begin;
select plan(15);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.open_cloud_conversation(:'ws', 'c5000000-0000-0000-0000-000000000001', 'PN-T1', '5511900000001') as conv \gset
insert into public.channels (id, workspace_id, provider, name, instance_name)
values ('c5000000-0000-0000-0000-000000000002', :'ws', 'evolution', 'Evo', 'acme-evo');

select tests.run_as('acme_member', format('insert into public.messages (conversation_id, content) values (%L, %L)', :'conv', 'queued'));
update private.outbox set claimed_by = 'dead', claimed_until = now() - interval '1 second';
update public.conversations set window_expires_at = now() - interval '1 minute' where id = :'conv';
select tests.open_cloud_conversation(:'ws', 'c5000000-0000-0000-0000-000000000001', 'PN-T1', '5511900000002') as fresh \gset
select tests.run_as('acme_owner', format('select public.invite_member(%L, %L)', :'ws', 'late@example.com'));
update public.workspace_invitations set expires_at = now() - interval '1 day' where email = 'late@example.com';
update public.channels set qr_code = 'QR', qr_expires_at = now() - interval '1 minute' where id = 'c5000000-0000-0000-0000-000000000002';
insert into public.webhook_events (workspace_id, channel_id, provider, event_type, payload, body_sha256, error)
values (:'ws', 'c5000000-0000-0000-0000-000000000001', 'cloud_api', 'messages',
        tests.cloud_message('PN-T1', '5511900000003', 'Retry', jsonb_build_object('id', 'wamid.retry-me', 'type', 'text', 'timestamp', floor(extract(epoch from now()))::text, 'text', '{"body":"again"}'::jsonb)),
        '\x01', 'failed the first time');
select count(*) as pokes_before from net.http_request_queue where url like '%/dispatch' \gset

-- pg_cron runs the tick in a transaction of its own: forget this one's poke.
select set_config('threadline.dispatch_poked', '', true);
select private.tick() as tick \gset
select is((:'tick'::jsonb ->> 'released_claims')::integer, 1, 'the tick releases claims whose dispatcher died');
select is((select claimed_by from private.outbox limit 1), null, 'the claim is free again');
select is((select status::text from public.conversations where id = :'conv'), 'expired', 'marks conversations whose window closed expired');
select is((select status::text from public.conversations where id = :'fresh'), 'open', 'leaves open windows alone');
select is((select status::text from public.workspace_invitations where email = 'late@example.com'), 'expired', 'expires invitations past their date');
select is((select qr_code from public.channels where id = 'c5000000-0000-0000-0000-000000000002'), null, 'clears pairing codes past theirs');
select is((select count(*) from public.messages where provider_message_id = 'wamid.retry-me'), 1::bigint, 'retries webhook events that failed');
select is((select count(*) from net.http_request_queue where url like '%/dispatch') - :pokes_before, 1::bigint, 'and wakes the dispatcher when sends are due');
select is((select command from cron.job where jobname = 'threadline-tick'), 'select private.tick()', 'pg_cron runs it');
select is((select schedule from cron.job where jobname = 'threadline-tick'), '* * * * *', 'every minute');

-- A status that lost the race with the send's answer (parked while the
-- dispatcher recorded the id) is applied by the sweep.
insert into public.messages (workspace_id, channel_id, conversation_id, direction, content, provider_message_id, status)
values (:'ws', 'c5000000-0000-0000-0000-000000000001', :'fresh', 'outbound', 'raced', 'wamid.raced', 'sent');
insert into private.pending_message_statuses (channel_id, provider_message_id, status, status_at)
values ('c5000000-0000-0000-0000-000000000001', 'wamid.raced', 'read', now());
select is(private.apply_stranded_statuses(), 1, 'the sweep finds a parked status whose message has arrived');
select is((select status::text from public.messages where provider_message_id = 'wamid.raced'), 'read', 'and applies it');
select is((select count(*) from private.pending_message_statuses where provider_message_id = 'wamid.raced'), 0::bigint, 'once');

-- A broken step is reported and the others still run.
create function pg_temp.boom() returns integer language plpgsql as $$ begin raise exception 'step exploded'; end $$;
select pg_my_temp_schema()::regnamespace::text as tmp \gset
insert into private.tick_steps (name, fn, position) values ('boom', :'tmp' || '.boom', 1);
select private.tick() as tick2 \gset
select is(:'tick2'::jsonb -> 'boom', '{"error": "step exploded"}'::jsonb, 'a failing step is reported in the tick''s result');
select ok(:'tick2'::jsonb ? 'scheduled_messages', 'and the steps after it still run');

select * from finish();
rollback;
