-- A Meta phone_number_id is claimed only by proof: typing another
-- business's id first locks nobody out, only a channel whose token Graph
-- answered for holds it, and webhooks are routed by it only to such a
-- channel. Clients can neither bring nor forge that proof.
begin;
select plan(16);
select tests.create_workspace_with_roles('owner') as owner_ws \gset
select tests.create_workspace_with_roles('squat') as squat_ws \gset

-- The squatter types the real business's id first.
select is(tests.run_as('squat_admin', format('insert into public.channels (id, workspace_id, provider, name, phone_number_id) values (%L, %L, %L, %L, %L)',
  'c3300000-0000-0000-0000-0000000000a2', :'squat_ws', 'cloud_api', 'Not mine', 'PN-REAL')), 1::bigint, 'an unverified claim is stored');
select is(tests.error_as('owner_admin', format('insert into public.channels (id, workspace_id, provider, name, phone_number_id) values (%L, %L, %L, %L, %L)',
  'c3300000-0000-0000-0000-0000000000b1', :'owner_ws', 'cloud_api', 'Ours', 'PN-REAL')), 'ok:1',
  'and does not lock the real business out of adding its number');
select tests.run_as('owner_admin', format('insert into public.channels (id, workspace_id, provider, name, phone_number_id) values (%L, %L, %L, %L, %L)',
  'c3300000-0000-0000-0000-0000000000b1', :'owner_ws', 'cloud_api', 'Ours', 'PN-REAL'));
select is((select count(*)::int from public.channels where phone_number_id = 'PN-REAL' and phone_number_verified_at is null), 2,
  'both claims wait for proof');

-- Clients cannot bring or make the proof.
select is(tests.try_as('squat_admin', format('insert into public.channels (id, workspace_id, provider, name, phone_number_id, phone_number_verified_at) values (%L, %L, %L, %L, %L, now())',
  'c3300000-0000-0000-0000-0000000000a3', :'squat_ws', 'cloud_api', 'Forged', 'PN-FORGED')), 'ok:1', 'an insert naming a verification time is accepted');
select tests.run_as('squat_admin', format('insert into public.channels (id, workspace_id, provider, name, phone_number_id, phone_number_verified_at) values (%L, %L, %L, %L, %L, now())',
  'c3300000-0000-0000-0000-0000000000a3', :'squat_ws', 'cloud_api', 'Forged', 'PN-FORGED'));
select is((select phone_number_verified_at from public.channels where id = 'c3300000-0000-0000-0000-0000000000a3'), null,
  'but the time is not kept');
select is(tests.try_as('squat_admin', $$update public.channels set phone_number_verified_at = now() where id = 'c3300000-0000-0000-0000-0000000000a2'$$),
  '42501', 'nor can a client set it later');
select is(tests.try_as('squat_admin', $$select private.record_phone_number_verification('c3300000-0000-0000-0000-0000000000a2', 'PN-REAL', true)$$),
  '42501', 'and only the service records what Graph answered');

-- Graph answers for the owner's token: the owner's channel holds the id.
select is(private.record_phone_number_verification('c3300000-0000-0000-0000-0000000000b1', 'PN-REAL', true), '{"verified": true}'::jsonb,
  'a verified claim is recorded');
select is(private.record_phone_number_verification('c3300000-0000-0000-0000-0000000000a2', 'PN-REAL', true) ->> 'error', 'taken',
  'another channel''s verification of a held id fails');
select is((select format('%s %s', phone_number_verified_at is null, phone_number_error) from public.channels where id = 'c3300000-0000-0000-0000-0000000000a2'),
  't this phone number id is already verified by another channel', 'and says why');
select is(private.record_phone_number_verification('c3300000-0000-0000-0000-0000000000a3', 'PN-FORGED', false,
            'Graph answered 400: Unsupported get request.') ->> 'verified', 'false', 'a refusal by Graph is recorded');
select is((select phone_number_error from public.channels where id = 'c3300000-0000-0000-0000-0000000000a3'),
  'Graph answered 400: Unsupported get request.', 'with Graph''s reason');
select is(private.record_phone_number_verification('c3300000-0000-0000-0000-0000000000b1', 'PN-OLD', false) ->> 'stale', 'true',
  'an answer about an id the channel no longer has changes nothing');

-- Webhooks are routed by phone_number_id only to a verified channel: the
-- squatter's own app cannot have the real number's events land in its claim.
insert into public.channels (id, workspace_id, provider, name, phone_number_id, phone_number_verified_at)
values ('c3300000-0000-0000-0000-0000000000a1', :'squat_ws', 'cloud_api', 'Squatter app', 'PN-SQUAT-1', now());
select is(private.ingest_webhook('cloud_api', 'c3300000-0000-0000-0000-0000000000a1', tests.cloud_message('PN-REAL', '5511900000001', 'Ana',
  '{"id":"wamid.squat","type":"text","text":{"body":"hi"}}')) ->> 'status', 'failed',
  'an event for the squatted id is not routed to the unverified claim');
select is((select count(*)::int from public.messages where provider_message_id = 'wamid.squat'), 0, 'and nothing lands there');

-- A new id has proved nothing.
update public.channels set phone_number_id = 'PN-REAL-2' where id = 'c3300000-0000-0000-0000-0000000000b1';
select is((select phone_number_verified_at from public.channels where id = 'c3300000-0000-0000-0000-0000000000b1'), null,
  'changing phone_number_id clears the verification');

select * from finish();
rollback;
