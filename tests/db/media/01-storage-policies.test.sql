-- Who reads, uploads, replaces and deletes which objects in the media and
-- avatars buckets, as the Storage API runs each request (the JWT's role and
-- claims applied to storage.objects). Object names start with the workspace id.
begin;
select plan(19);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('zeta') as other \gset

insert into storage.objects (bucket_id, name, owner_id, metadata) values
  ('media', :'ws' || '/sha256/aaaa.jpg', null, '{"mimetype": "image/jpeg", "size": 10}'),
  ('media', :'ws' || '/uploads/by-member.jpg', tests.get_supabase_uid('acme_member')::text, '{"mimetype": "image/jpeg", "size": 10}'),
  ('avatars', :'ws' || '/contacts/c1', null, '{"mimetype": "image/jpeg", "size": 10}'),
  ('media', :'other' || '/sha256/bbbb.jpg', null, '{"mimetype": "image/jpeg", "size": 10}');

\set readers '$$ values (''anon'', ''ok:0''), (''outsider'', ''ok:0''), (''viewer'', ''ok:1''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set uploaders '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set nobody_writes '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''42501''), (''owner'', ''42501'') $$'
\set no_rows '$$ values (''anon'', ''ok:0''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:0''), (''admin'', ''ok:0''), (''owner'', ''ok:0'') $$'
\set own_or_admin '$$ values (''anon'', ''ok:0''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admins '$$ values (''anon'', ''ok:0''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:0''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'

-- read
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from storage.objects where bucket_id = %L and name = %L', 'media', :'ws' || '/sha256/aaaa.jpg')), :readers, 'a received file: the workspace reads it');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from storage.objects where bucket_id = %L and name = %L', 'media', :'ws' || '/uploads/by-member.jpg')), :readers, 'an upload: the workspace reads it');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from storage.objects where bucket_id = %L and name = %L', 'avatars', :'ws' || '/contacts/c1')), :readers, 'an avatar: the workspace reads it');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from storage.objects where name = %L', :'other' || '/sha256/bbbb.jpg')), :no_rows, 'another workspace''s file: nobody here reads it');
select is(tests.try_as('zeta_viewer', format('select 1 from storage.objects where name = %L', :'other' || '/sha256/bbbb.jpg')), 'ok:1', 'its own workspace does');
-- (Within the two workspaces' folders: the files of published public posts,
-- such as the demo's, are anyone's to read; see the social module.)
select is(tests.try_as('acme_owner', format('select 1 from storage.objects where bucket_id = %L and (name like %L or name like %L)', 'media', :'ws' || '/%', :'other' || '/%')), 'ok:2', 'a listing of the media bucket shows the workspace''s two objects, not the other''s');

-- upload
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into storage.objects (bucket_id, name, owner_id) values (%L, %L, auth.uid()::text)', 'media', :'ws' || '/uploads/new.jpg')), :uploaders, 'members upload into the workspace''s uploads folder');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into storage.objects (bucket_id, name) values (%L, %L)', 'media', :'ws' || '/sha256/forged.jpg')), :nobody_writes, 'nobody writes where received files live');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into storage.objects (bucket_id, name) values (%L, %L)', 'avatars', :'ws' || '/contacts/forged')), :nobody_writes, 'nobody writes avatars');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into storage.objects (bucket_id, name) values (%L, %L)', 'media', :'other' || '/uploads/x.jpg')), :nobody_writes, 'nobody uploads into another workspace');
select is(tests.try_as('acme_member', format('insert into storage.objects (bucket_id, name) values (%L, %L)', 'media', 'not-a-uuid/uploads/x.jpg')), '42501', 'a folder that is no workspace is refused');
select is(tests.try_as('acme_member', format('insert into storage.objects (bucket_id, name) values (%L, %L)', 'media', :'ws' || '/x.jpg')), '42501', 'uploads go into uploads/');

-- replace (upsert)
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('update storage.objects set metadata = %L where name = %L', '{"size": 1}', :'ws' || '/uploads/by-member.jpg')), :own_or_admin, 'members replace uploads');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('update storage.objects set metadata = %L where name = %L', '{"size": 1}', :'ws' || '/sha256/aaaa.jpg')), :no_rows, 'nobody replaces a received file');

-- delete, as the Storage API deletes (a plain SQL delete is refused to everyone, as on hosted)
select is(tests.try_as('acme_owner', format('delete from storage.objects where name = %L', :'ws' || '/uploads/by-member.jpg')), '42501', 'a delete by SQL is refused: the bytes would stay behind');
select set_config('storage.allow_delete_query', 'true', true);
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('delete from storage.objects where name = %L', :'ws' || '/uploads/by-member.jpg')), :own_or_admin, 'an upload is deleted by its owner and by admins');
select is(tests.try_as('acme_member', format('insert into storage.objects (bucket_id, name, owner_id) values (%L, %L, %L); delete from storage.objects where name = %L',
  'media', :'ws' || '/uploads/by-admin.jpg', tests.get_supabase_uid('acme_admin'), :'ws' || '/uploads/by-admin.jpg')), 'ok:0', 'a member does not delete another''s upload');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('delete from storage.objects where name = %L', :'ws' || '/sha256/aaaa.jpg')), :no_rows, 'nobody deletes a received file through the API (it goes when nothing uses it)');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('delete from storage.objects where name = %L', :'other' || '/sha256/bbbb.jpg')), :no_rows, 'nor another workspace''s');

select * from finish();
rollback;
