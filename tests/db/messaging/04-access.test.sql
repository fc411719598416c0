-- Messaging tables: everyone in the workspace reads; members work with
-- contacts and conversations; admins delete; what providers report is
-- written only by the service. Outsiders see nothing (also covered by the
-- generic sweep in 018).
begin;
select plan(30);
select tests.create_workspace_with_roles('acme') as ws \gset
insert into public.channels (id, workspace_id, provider, name, phone_number_id)
values ('c1000000-0000-0000-0000-000000000001', :'ws', 'cloud_api', 'Main', 'PN-RLS');
select private.ingest_webhook('cloud_api', 'c1000000-0000-0000-0000-000000000001',
  tests.cloud_message('PN-RLS', '5511900000001', 'Ana', '{"id":"wamid.rls","type":"image","image":{"id":"M1","mime_type":"image/jpeg"}}'));
select id as contact from public.contacts where phone = '5511900000001' \gset
select id as conv from public.conversations where chat_id = '5511900000001' \gset
select id as msg from public.messages where provider_message_id = 'wamid.rls' \gset

\set everyone '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:1''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set members '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set inserters '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admins '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:0''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set nobody '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''42501''), (''owner'', ''42501'') $$'

select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from public.contacts where id = %L', :'contact')), :everyone, 'contacts select');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.contacts (workspace_id, name, phone) values (%L, %L, %L)', :'ws', 'New', '5511900000077')), :inserters, 'contacts insert');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('update public.contacts set tags = %L where id = %L', '{vip}', :'contact')), :members, 'contacts update');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('delete from public.contacts where id = %L', :'contact')), :admins, 'contacts delete');

select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from public.contact_identities where contact_id = %L', :'contact')), :everyone, 'identities select');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('update public.contact_identities set is_blocked = true where contact_id = %L', :'contact')), :members, 'identities update (block)');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('delete from public.contact_identities where contact_id = %L', :'contact')), :nobody, 'identities delete: the service only');

select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from public.conversations where id = %L', :'conv')), :everyone, 'conversations select');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('update public.conversations set status = %L, unread_count = 0 where id = %L', 'closed', :'conv')), :members, 'conversations update');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('delete from public.conversations where id = %L', :'conv')), :admins, 'conversations delete');
select is(tests.try_as('acme_member', format('update public.conversations set window_expires_at = now() + interval %L where id = %L', '10 days', :'conv')),
  '42501', 'nobody extends the 24-hour window by hand');
select is(tests.try_as('acme_member', format('update public.conversations set assignee_id = %L where id = %L', tests.get_supabase_uid('acme_admin'), :'conv')),
  'ok:1', 'conversations are assigned to members');
select is(tests.try_as('acme_member', format('update public.conversations set assignee_id = %L where id = %L', tests.get_supabase_uid('acme_outsider'), :'conv')),
  '22023', 'but never to someone outside the workspace');
select is(tests.try_as('acme_member', format('update public.conversations set assignee_id = %L where id = %L', tests.get_supabase_uid('acme_viewer'), :'conv')),
  '22023', 'or to a viewer');

select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from public.messages where id = %L', :'msg')), :everyone, 'messages select');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('update public.messages set is_starred = true where id = %L', :'msg')), :members, 'messages update (star)');
select is(tests.try_as('acme_owner', format('update public.messages set content = %L where id = %L', 'rewritten', :'msg')), '42501',
  'what a customer wrote cannot be rewritten');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('delete from public.messages where id = %L', :'msg')), :nobody, 'messages delete: nobody');

select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from public.media_files where message_id = %L', :'msg')), :everyone, 'media_files select');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.webhook_events where channel_id = ''c1000000-0000-0000-0000-000000000001'''), :admins, 'webhook_events select: admins');
select private.ingest_webhook('cloud_api', 'c1000000-0000-0000-0000-000000000001',
  tests.cloud_message('PN-RLS', '5511900000002', 'Bia', '{"id":"wamid.rls-group","type":"text","group_id":"120363000000000009@g.us","text":{"body":"hi"}}'));
select id as grp from public.whatsapp_groups where group_jid = '120363000000000009@g.us' \gset
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from public.whatsapp_groups where id = %L', :'grp')), :everyone, 'whatsapp_groups select');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('update public.whatsapp_groups set is_muted = true where id = %L', :'grp')), :members, 'whatsapp_groups update (mute)');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('delete from public.whatsapp_groups where id = %L', :'grp')), :nobody, 'whatsapp_groups delete: the service only');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.whatsapp_groups (workspace_id, channel_id, group_jid) values (%L, %L, %L)', :'ws', 'c1000000-0000-0000-0000-000000000001', 'x@g.us')), :nobody, 'whatsapp_groups insert: the service only');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('update public.media_files set status = %L where message_id = %L', 'stored', :'msg')), :nobody, 'media_files update: the service only');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('delete from public.media_files where message_id = %L', :'msg')), :nobody, 'media_files delete: the service only');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.webhook_events set processed = false'), :nobody, 'webhook_events update: nobody');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.webhook_events'), :nobody, 'webhook_events delete: nobody');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.messages (workspace_id, channel_id, conversation_id, direction, content) values (%L, %L, %L, %L, %L)', :'ws', 'c1000000-0000-0000-0000-000000000001', :'conv', 'outbound', 'x')), :nobody,
  'messages insert naming workspace, channel or direction: nobody (the database derives them; see 030 for sending)');
select ok((select count(*) = 2 from pg_publication_tables where pubname = 'supabase_realtime' and tablename in ('messages', 'conversations')),
  'messages and conversations stream through Realtime');

select * from finish();
rollback;
