-- The storage schema keeps hosted's columns, helpers, RLS and grants, and
-- postgres can do what a migration does there: add buckets and policies.
begin;
select plan(22);

select columns_are('storage', 'buckets', array['id', 'name', 'owner', 'created_at', 'updated_at', 'public',
  'avif_autodetection', 'file_size_limit', 'allowed_mime_types', 'owner_id', 'type', 'versioning_status']);
select columns_are('storage', 'objects', array['id', 'bucket_id', 'name', 'owner', 'created_at', 'updated_at',
  'last_accessed_at', 'metadata', 'path_tokens', 'version', 'owner_id', 'user_metadata', 'archived_at',
  'is_delete_marker', 'is_versioned']);
select is((select array_agg(indexrelid::regclass::text order by indexrelid::regclass::text) from pg_index where indrelid = 'storage.objects'::regclass),
  array['storage.bucketid_objname', 'storage.idx_objects_bucket_id_name', 'storage.idx_objects_bucket_id_name_lower',
        'storage.name_prefix_search', 'storage.objects_pkey'], 'objects has hosted''s indexes');
select is(storage.foldername('a/b/c.jpg'), array['a', 'b'], 'foldername');
select is(storage.filename('a/b/c.jpg'), 'c.jpg', 'filename');
select is(storage.extension('a/b/c.jpg'), 'jpg', 'extension');
select is(storage.foldername('c.jpg'), '{}'::text[], 'foldername of a top-level file is empty');
select ok((select relrowsecurity from pg_class where oid = 'storage.buckets'::regclass), 'RLS on buckets');
select ok((select relrowsecurity from pg_class where oid = 'storage.objects'::regclass), 'RLS on objects');
select is((select nspowner::regrole::text from pg_namespace where nspname = 'storage'), 'supabase_storage_admin',
  'supabase_storage_admin owns the schema');
select is((select relowner::regrole::text from pg_class where oid = 'storage.objects'::regclass), 'supabase_storage_admin',
  'and the tables');
select ok(pg_has_role('supabase_storage_admin', 'service_role', 'member')
  and pg_has_role('supabase_storage_admin', 'authenticated', 'member')
  and pg_has_role('supabase_storage_admin', 'anon', 'member'), 'Storage can set the API roles');
select ok(not pg_has_role('postgres', 'supabase_storage_admin', 'member'), 'postgres is not a member of Storage''s role');
select ok(has_table_privilege('anon', 'storage.objects', 'select,insert,update,delete')
  and has_table_privilege('authenticated', 'storage.objects', 'select,insert,update,delete')
  and has_table_privilege('service_role', 'storage.buckets', 'select,insert,update,delete'), 'API roles have table grants (RLS decides)');
select ok(has_table_privilege('postgres', 'storage.objects', 'select with grant option'), 'postgres has them with grant option');
select ok(has_schema_privilege('anon', 'storage', 'usage') and not has_schema_privilege('postgres', 'storage', 'create'),
  'usage on the schema, no create for postgres');
select ok(has_function_privilege('authenticated', 'storage.search(text, text, integer, integer, integer, text, text, text)', 'execute'),
  'search is callable');

set local role postgres;
select lives_ok($$ insert into storage.buckets (id, name) values ('pgtap-bucket', 'pgtap-bucket') $$,
  'postgres adds a bucket');
select lives_ok($$ create policy "pgtap read" on storage.objects for select to authenticated
  using (bucket_id = 'pgtap-bucket' and (storage.foldername(name))[1] = (select auth.uid())::text) $$,
  'postgres creates a policy on storage.objects');
select ok(not pg_has_role('postgres', 'supabase_storage_admin', 'member'), 'and holds no membership afterwards');
select lives_ok($$ insert into storage.objects (bucket_id, name) values ('pgtap-bucket', 'a/b.txt') $$, 'a row');
select throws_ok($$ delete from storage.objects where bucket_id = 'pgtap-bucket' $$, '42501', null,
  'direct deletes are refused, as on hosted');
reset role;

select * from finish();
rollback;
