-- retry_message settles who may act before it locks the message: an
-- outsider is refused at once, never queued behind (or holding) a lock on
-- another workspace's row. The workspace is committed from a session of its
-- own, and removed at the end.
begin;
select plan(3);
select format('host=127.0.0.1 port=%s dbname=%s user=postgres password=postgres', current_setting('port'), current_database()) as dsn \gset
select format('host=127.0.0.1 port=%s dbname=%s user=supabase_auth_admin password=postgres', current_setting('port'), current_database()) as auth_dsn \gset
select tests.create_supabase_user('stranger', 'stranger@example.com');
select extensions.dblink_connect('setup', :'dsn'), extensions.dblink_connect('holder', :'dsn');
select ws from extensions.dblink('setup', $$select tests.create_workspace_with_roles('retrylock')$$) as t(ws uuid) \gset
select conv from extensions.dblink('setup', format(
  $$select tests.open_cloud_conversation(%L, 'c5000000-0000-0000-0000-0000000000f1', 'PN-RETRYLOCK', '5511900000091')$$, :'ws'))
  as t(conv uuid) \gset
-- A failed outbound message that never reached WhatsApp: retryable by members.
select mid from extensions.dblink('setup', format($$
  insert into public.messages (conversation_id, workspace_id, channel_id, direction, type, content, status, failed_at)
  select c.id, c.workspace_id, c.channel_id, 'outbound', 'text', 'held', 'failed', now()
    from public.conversations c where c.id = %L
  returning id$$, :'conv')) as t(mid uuid) \gset

select extensions.dblink_exec('holder', 'begin');
select * from extensions.dblink('holder', format($$select 1 from public.messages where id = %L for update$$, :'mid')) as t(x int);
set local lock_timeout = '300ms';
select is(tests.error_as('stranger', format('select public.retry_message(%L)', :'mid')),
  'P0002 message not found', 'an outsider''s retry is refused without waiting for the message''s lock');
select is(tests.error_as('stranger', format('select public.retry_message(%L)', gen_random_uuid())),
  'P0002 message not found', 'as it is for a message that does not exist');
select is(tests.error_as('retrylock_viewer', format('select public.retry_message(%L)', :'mid')),
  '42501 you need the member role in this workspace', 'a viewer is refused before the lock too');
set local lock_timeout = 0;
select extensions.dblink_exec('holder', 'rollback');

select extensions.dblink_exec('setup', format($$delete from public.workspaces where id = %L$$, :'ws'));
select extensions.dblink_exec(:'auth_dsn', $$delete from auth.users where email like 'retrylock\_%@example.com'$$);
select extensions.dblink_disconnect(c) from unnest(array['setup', 'holder']) c;

select * from finish();
rollback;
