-- What happens to stored files afterwards: sent again from Storage,
-- removed when nothing uses them, removed by retention; and contacts'
-- profile pictures queued for fetching.
begin;
select plan(22);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('zeta') as other \gset
select tests.open_cloud_conversation(:'ws', 'c1000000-0000-0000-0000-000000000001', 'PN-LIFE', '5511900000001') as conv \gset
select private.ingest_webhook('cloud_api', 'c1000000-0000-0000-0000-000000000001',
  tests.cloud_message('PN-LIFE', '5511900000001', 'Ana', '{"id":"wamid.a","type":"image","image":{"id":"M-A","mime_type":"image/jpeg"}}'));
select private.ingest_webhook('cloud_api', 'c1000000-0000-0000-0000-000000000001',
  tests.cloud_message('PN-LIFE', '5511900000001', 'Ana', '{"id":"wamid.b","type":"image","image":{"id":"M-B","mime_type":"image/jpeg"}}'));
\set path :ws/sha256/1111111111111111111111111111111111111111111111111111111111111111.jpg
insert into storage.objects (bucket_id, name, metadata) values ('media', :'path', '{"mimetype": "image/jpeg", "size": 2048}');
select private.media_fetched(id, :'path', null, repeat('11', 32), 2048, 'image/jpeg') from public.media_files where provider_media_id in ('M-A', 'M-B');

-- Sending a stored file.
select tests.run_as('acme_member', format('select public.send_message(%L, content => %L, media_path => %L)', :'conv', 'here it is', :'path'));
select results_eq($$ select type::text, media_path, media_mime_type, media_size from public.messages where content = 'here it is' $$,
  format($$ values ('image', %L, 'image/jpeg', 2048::bigint) $$, :'path'),
  'a stored file is sent by its path: type, MIME type and size come from the object');
select results_eq($$ select f.status::text, f.storage_path from public.media_files f join public.messages m on m.id = f.message_id where m.content = 'here it is' $$,
  format($$ values ('stored', %L) $$, :'path'), 'the sent message has its media_files row, stored');
select ok((select (i ->> 'media_path') = :'path' from jsonb_array_elements(private.claim_outbox('d1', 10, 60, 1000)) i where i ->> 'content' = 'here it is'),
  'the dispatcher is handed the path');
select is(tests.error_as('acme_member', format('select public.send_message(%L, media_path => %L, media_type => %L)', :'conv', :'ws' || '/uploads/nothing.jpg', 'image')),
  'P0002 no file ' || :'ws' || '/uploads/nothing.jpg in the media bucket', 'a file that does not exist is named as missing');
select is(tests.error_as('acme_member', format('select public.send_message(%L, media_path => %L, media_type => %L)', :'conv', :'other' || '/uploads/x.jpg', 'image')),
  '22023 media_path is the name of a file in this workspace''s folder of the media bucket (' || :'ws' || '/...)',
  'another workspace''s file is refused without saying whether it exists');
select is(tests.error_as('acme_member', format('select public.send_message(%L, media_path => %L, media_type => %L)', :'conv', :'ws' || '/uploads/../../' || :'other' || '/x.jpg', 'image')),
  '22023 media_path is the name of a file in this workspace''s folder of the media bucket (' || :'ws' || '/...)',
  'and so is a path climbing out of the folder');
select is(tests.error_as('acme_viewer', format('select public.send_message(%L, media_path => %L)', :'conv', :'path')),
  '42501 viewers cannot send messages', 'viewers send nothing');

-- Removal when nothing uses an object any more.
delete from public.media_files where provider_media_id = 'M-A';
select is((select count(*)::int from private.storage_removals where name = :'path'), 0, 'an object still used by another message stays');
delete from public.messages where provider_message_id = 'wamid.b';
delete from public.messages where content = 'here it is';
select results_eq(format('select bucket_id, reason from private.storage_removals where name = %L', :'path'),
  $$ values ('media', 'no longer used') $$, 'once the last message using it is deleted, the object is queued for removal');
select is(jsonb_array_length(private.claim_storage_removals(10)), 1, 'the media function claims it');
select is(jsonb_array_length(private.claim_storage_removals(10)), 0, 'once');
select is(private.storage_removals_still_unused(array(select id from private.storage_removals)), array(select id from private.storage_removals),
  'and it is still unused when removed');
select is(private.storage_removals_done(array(select id from private.storage_removals)), 1, 'done, it leaves the queue');

-- Retention.
select private.ingest_webhook('cloud_api', 'c1000000-0000-0000-0000-000000000001',
  tests.cloud_message('PN-LIFE', '5511900000001', 'Ana', '{"id":"wamid.c","type":"image","image":{"id":"M-C","mime_type":"image/jpeg"}}'));
select private.media_fetched(id, :'ws' || '/sha256/' || repeat('22', 32) || '.jpg', null, repeat('22', 32), 10, 'image/jpeg') from public.media_files where provider_media_id = 'M-C';
update public.media_files set stored_at = now() - interval '40 days' where provider_media_id = 'M-C';
select is(private.apply_media_retention(), 0, 'by default media are kept for good');
update public.workspaces set media_retention_days = 30 where id = :'ws';
select is(private.apply_media_retention(), 1, 'with a retention of 30 days, a 40-day-old file goes');
select results_eq($$ select status::text, error from public.media_files where provider_media_id = 'M-C' $$,
  $$ values ('removed', 'removed by the workspace''s media retention') $$, 'marked removed, with why');
select is((select reason from private.storage_removals where name = :'ws' || '/sha256/' || repeat('22', 32) || '.jpg'), 'retention', 'and its object queued');
select throws_ok(format('update public.workspaces set media_retention_days = 0 where id = %L', :'ws'), '23514', null, 'a retention of 0 days is refused');

-- Avatars.
insert into public.channels (id, workspace_id, provider, name, instance_name)
values ('e0000000-0000-0000-0000-000000000001', :'ws', 'evolution', 'Evo', 'acme-main');
select private.ingest_webhook('evolution', 'e0000000-0000-0000-0000-000000000001', tests.evolution('contacts.upsert',
  '[{"remoteJid":"5511955556666@s.whatsapp.net","pushName":"Duda","profilePicUrl":"https://pps.whatsapp.net/duda.jpg"}]'));
select results_eq($$ select j.external_id, j.picture_url from private.avatar_jobs j join public.contacts c on c.id = j.contact_id where c.phone = '5511955556666' $$,
  $$ values ('5511955556666@s.whatsapp.net', 'https://pps.whatsapp.net/duda.jpg') $$, 'a new Evolution contact''s picture is queued, with the URL Evolution gave');
select is((select count(*)::int from private.avatar_jobs j join public.contacts c on c.id = j.contact_id where c.phone = '5511900000001'), 0,
  'Cloud API gives no pictures: nothing queued');
select private.avatar_fetched(c.id, :'ws' || '/contacts/' || c.id, 'http://x/avatars') from public.contacts c where c.phone = '5511955556666';
select results_eq($$ select avatar_path is not null, avatar_url, avatar_fetched_at is not null from public.contacts where phone = '5511955556666' $$,
  $$ values (true, 'http://x/avatars', true) $$, 'a fetched picture is the contact''s avatar');
delete from public.contacts where phone = '5511955556666';
select is((select reason from private.storage_removals where bucket_id = 'avatars'), 'contact deleted', 'deleting the contact queues its picture for removal');

select * from finish();
rollback;
