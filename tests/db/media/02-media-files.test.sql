-- media_files from ingestion to Storage: what the media function is handed,
-- how its reports move a file, and the order statuses keep.
begin;
select plan(25);
select tests.create_workspace_with_roles('acme') as ws \gset
insert into public.channels (id, workspace_id, provider, name, phone_number_id)
values ('c1000000-0000-0000-0000-000000000001', :'ws', 'cloud_api', 'Main', 'PN-MEDIA');
select vault.create_secret('media-test-token', private.channel_secret_name('c1000000-0000-0000-0000-000000000001', 'access_token'));
update public.workspaces set media_max_bytes = 500000 where id = :'ws';

select count(*) as pokes_before from net.http_request_queue where url like '%/functions/v1/media' \gset
select private.ingest_webhook('cloud_api', 'c1000000-0000-0000-0000-000000000001',
  tests.cloud_message('PN-MEDIA', '5511900000001', 'Ana', '{"id":"wamid.img1","type":"image","image":{"id":"MEDIA-1","mime_type":"image/jpeg","sha256":"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}}'));
select private.ingest_webhook('cloud_api', 'c1000000-0000-0000-0000-000000000001',
  tests.cloud_message('PN-MEDIA', '5511900000001', 'Ana', '{"id":"wamid.doc1","type":"document","document":{"id":"MEDIA-2","mime_type":"application/pdf","filename":"menu.pdf"}}'));
select id as img from public.media_files where provider_media_id = 'MEDIA-1' \gset
select id as doc from public.media_files where provider_media_id = 'MEDIA-2' \gset

select is((select status::text from public.media_files where id = :'img'), 'pending', 'a received image waits as pending');
select is((select provider_sha256 from public.media_files where id = :'img'), '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=', 'with the hash Meta announced, as given');
select ok((select count(*) from net.http_request_queue where url like '%/functions/v1/media') > :pokes_before,
  'recording it pokes the media function');

select private.claim_media('w1', 10, 60) as claimed \gset
select is(jsonb_array_length(:'claimed'::jsonb), 2, 'the worker claims both files');
select is((select j ->> 'max_bytes' from jsonb_array_elements(:'claimed'::jsonb) j where j ->> 'id' = :'img'), '500000', 'with the workspace''s size limit');
select is((select j ->> 'channel_id' from jsonb_array_elements(:'claimed'::jsonb) j where j ->> 'id' = :'img'), 'c1000000-0000-0000-0000-000000000001', 'and its channel (whose token the worker gets from dispatch_channel)');
select is((select j ->> 'message_provider_id' from jsonb_array_elements(:'claimed'::jsonb) j where j ->> 'id' = :'doc'), 'wamid.doc1', 'and the message''s provider id (Evolution asks by it)');
select is(jsonb_array_length(private.claim_media('w2', 10, 60)), 0, 'a leased file is not handed out twice');

-- stored
select ok(private.media_fetched(:'img', :'ws' || '/sha256/' || repeat('ab', 32) || '.jpg', 'http://x/storage/v1/object/authenticated/media/p', repeat('AB', 32), 1234, 'image/jpeg'), 'a fetched file is reported');
select results_eq(format('select status::text, sha256, size_bytes, next_attempt_at is null, stored_at is not null from public.media_files where id = %L', :'img'),
  $$ values ('stored', repeat('ab', 32), 1234::bigint, true, true) $$, 'and is stored, with its hash in hex and its size');
select ok(not private.media_fetched(:'img', 'elsewhere', null, repeat('cd', 32), 1, null), 'a second report for a stored file changes nothing');
select is((select storage_path from public.media_files where id = :'img'), :'ws' || '/sha256/' || repeat('ab', 32) || '.jpg', 'its path stays');
select private.ingest_webhook('cloud_api', 'c1000000-0000-0000-0000-000000000001',
  tests.cloud_message('PN-MEDIA', '5511900000001', 'Ana', '{"id":"wamid.img2","type":"image","image":{"id":"MEDIA-3","mime_type":"image/jpeg","sha256":"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="}}'));
select is((select j #>> '{existing,path}' from jsonb_array_elements(private.claim_media('w1', 10, 60)) j), :'ws' || '/sha256/' || repeat('ab', 32) || '.jpg',
  'a file whose announced hash (base64, as Meta gives it) is already stored is handed out with the stored object');
select is(private.sha256_hex('not a hash'), null, 'a hash that is neither hex nor base64 matches nothing');

-- failures
select ok(private.media_fetch_failed(:'doc', 'Meta answered HTTP 503', 'retry'), 'a transient failure is reported');
select results_eq(format('select status::text, error, next_attempt_at > now() from public.media_files where id = %L', :'doc'),
  $$ values ('failed', 'Meta answered HTTP 503', true) $$, 'the file is failed with the reason and tried again later');
update public.media_files set next_attempt_at = now() - interval '1 second' where id = :'doc';
select is(jsonb_array_length(private.claim_media('w3', 10, 60)), 1, 'when its time comes it is claimed again');
update public.media_files set attempts = 8 where id = :'doc';
select private.media_fetch_failed(:'doc', 'Meta answered HTTP 503', 'retry');
select is((select next_attempt_at from public.media_files where id = :'doc'), null, 'after 8 attempts it is not tried again');
select private.ingest_webhook('cloud_api', 'c1000000-0000-0000-0000-000000000001',
  tests.cloud_message('PN-MEDIA', '5511900000001', 'Ana', '{"id":"wamid.old","type":"audio","audio":{"id":"MEDIA-OLD","mime_type":"audio/ogg"}}'));
select private.media_fetch_failed((select id from public.media_files where provider_media_id = 'MEDIA-OLD'), 'Meta no longer has media MEDIA-OLD', 'expired');
select results_eq($$ select status::text, next_attempt_at is null from public.media_files where provider_media_id = 'MEDIA-OLD' $$,
  $$ values ('expired', true) $$, 'a file the provider no longer has is expired, for good');
select is(private.media_fetched((select id from public.media_files where provider_media_id = 'MEDIA-OLD'), 'p', null, repeat('ab', 32), 1, null), false,
  'and cannot be stored after that');
select throws_ok(format('update public.media_files set status = %L where id = %L', 'pending', :'img'), '22023', 'media cannot go from stored to pending', 'statuses only move forward');
select throws_ok($$ select private.media_fetch_failed(gen_random_uuid(), 'x', 'later') $$, '22023', null, 'an unknown kind of failure is refused');
select throws_ok(format('update public.media_files set status = %L, storage_path = null where id = %L', 'stored', :'doc'), '23514', null, 'a stored file always has its path');

select is(private.media_results(jsonb_build_array(
  jsonb_build_object('id', (select id from public.media_files where provider_media_id = 'MEDIA-3'), 'kind', 'stored',
                     'path', :'ws' || '/sha256/' || repeat('ab', 32) || '.jpg', 'sha256', repeat('ab', 32), 'size', 1234),
  jsonb_build_object('id', :'img', 'kind', 'retry', 'reason', 'late report'))), 1,
  'outcomes are recorded in one call; one for a file already stored changes nothing');

-- Clients only read.
select is(tests.try_as('acme_owner', format('update public.media_files set status = %L where id = %L', 'failed', :'img')), '42501', 'clients cannot move a file');

select * from finish();
rollback;
