-- Events: each type is written in the transaction of the change that
-- causes it, once per subscribed active hook, with a documented envelope
-- and nothing secret in it; workspaces without hooks get nothing.
begin;
select plan(32);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
select tests.open_cloud_conversation(:'ws', 'c9100000-0000-0000-0000-000000000001', 'PN-H1', '5511911110000') as early_conv \gset
select count(*)::int as early from private.hook_events where workspace_id = :'ws' \gset
insert into public.channels (id, workspace_id, provider, name, phone_number_id)
values ('c9100000-0000-0000-0000-000000000002', :'ws', 'cloud_api', 'Second', 'PN-H2');

select tests.authenticate_as('acme_admin');
select id as everything from public.create_hook(:'ws', 'Everything', 'https://hooks.example.com/all') \gset
select id as second_only from public.create_hook(:'ws', 'Second channel', 'https://hooks.example.com/two',
  array['message.received'], array['c9100000-0000-0000-0000-000000000002']::uuid[]) \gset
select id as paused from public.create_hook(:'ws', 'Paused', 'https://hooks.example.com/paused') \gset
update public.hooks set active = false where id = :'paused';
select tests.clear_authentication();

create function pg_temp.events(t text) returns bigint language sql as $$
  select count(*) from private.hook_events e where e.type = t
$$;
create function pg_temp.last(t text) returns jsonb language sql as $$
  select body from private.hook_events where type = t order by id desc limit 1
$$;
create function pg_temp.jobs(t text) returns text language sql as $$
  select coalesce(string_agg(h.name, ', ' order by h.name), '') from private.hook_jobs j
    join private.hook_events e on e.id = j.event_id join public.hooks h on h.id = j.hook_id where e.type = t
$$;

select is(:early, 0, 'a workspace without hooks stores no event');

-- message.received, contact.created, conversation.created: one inbound message
select private.ingest_webhook('cloud_api', 'c9100000-0000-0000-0000-000000000001', tests.cloud_message('PN-H1', '5511922220000', 'Bia',
  jsonb_build_object('id', 'wamid.H-IN-1', 'type', 'text', 'timestamp', floor(extract(epoch from now()))::text,
                     'text', jsonb_build_object('body', 'Is the blue one in stock?'))));
select is(pg_temp.events('message.received'), 1::bigint, 'an inbound message is one message.received event');
select is(pg_temp.jobs('message.received'), 'Everything', 'for the hook on every channel, not the hook of another channel nor the paused one');
select is(pg_temp.last('message.received') #>> '{data,message,content}', 'Is the blue one in stock?', 'the event carries the message');
select is(pg_temp.last('message.received') #>> '{data,contact,phone}', '5511922220000', 'and who sent it');
select ok(pg_temp.last('message.received') ?& array['id', 'type', 'version', 'created_at', 'workspace_id', 'channel_id', 'data'],
  'the envelope has id, type, version, created_at, workspace_id, channel_id and data');
select is(pg_temp.last('message.received') ->> 'id', (select id::text from private.hook_events where type = 'message.received'),
  'the envelope''s id is the event''s id');
select is(pg_temp.events('contact.created'), 1::bigint, 'a new customer is contact.created');
select is(pg_temp.events('conversation.created'), 1::bigint, 'and their conversation conversation.created');

select private.ingest_webhook('cloud_api', 'c9100000-0000-0000-0000-000000000002', tests.cloud_message('PN-H2', '5511922220000', 'Bia',
  '{"id": "wamid.H-IN-2", "type": "text", "text": {"body": "second line"}}'));
select is(pg_temp.jobs('message.received'), 'Everything, Everything, Second channel', 'a message on the second channel reaches both hooks');

-- message.sent, delivered, read, failed
select id as conv from public.conversations where chat_id = '5511922220000' and channel_id = 'c9100000-0000-0000-0000-000000000001' \gset
select tests.authenticate_as('acme_member');
select id as out_id from public.send_message(:'conv', 'Yes, size M and L.') \gset
select tests.clear_authentication();
select is(pg_temp.events('message.sent'), 0::bigint, 'a queued send is not sent yet');
select private.record_sent(:'out_id', 'c9100000-0000-0000-0000-000000000001', 'wamid.H-OUT-1');
select is(pg_temp.events('message.sent'), 1::bigint, 'message.sent when the provider took it');
select is(pg_temp.last('message.sent') #>> '{data,message,provider_message_id}', 'wamid.H-OUT-1', 'with the provider''s id');
select private.ingest_webhook('cloud_api', 'c9100000-0000-0000-0000-000000000001',
  tests.cloud_status('PN-H1', 'wamid.H-OUT-1', 'delivered', floor(extract(epoch from now()))::text));
select is(pg_temp.events('message.delivered'), 1::bigint, 'message.delivered');
select private.ingest_webhook('cloud_api', 'c9100000-0000-0000-0000-000000000001',
  tests.cloud_status('PN-H1', 'wamid.H-OUT-1', 'read', floor(extract(epoch from now()))::text));
select is(pg_temp.last('message.read') #>> '{data,previous_status}', 'delivered', 'message.read, with the status before');
select tests.authenticate_as('acme_member');
select id as out2 from public.send_message(:'conv', 'A second answer') \gset
select tests.clear_authentication();
select private.fail_message(:'out2', '{"code": 131047, "title": "Re-engagement message", "message": "More than 24 hours have passed"}');
select is(pg_temp.last('message.failed') #>> '{data,message,error,code}', '131047', 'message.failed with the provider''s error');

-- message.deleted and message.reaction
update public.messages set deleted_at = now() where provider_message_id = 'wamid.H-IN-1';
select is(pg_temp.events('message.deleted'), 1::bigint, 'message.deleted');
select private.apply_reaction('c9100000-0000-0000-0000-000000000001', 'wamid.H-OUT-1', '5511922220000', '👍', now());
select is(pg_temp.last('message.reaction') -> 'data' -> 'reaction', '{"reactor": "5511922220000", "emoji": "👍"}'::jsonb,
  'message.reaction names who reacted with what');
select private.apply_reaction('c9100000-0000-0000-0000-000000000001', 'wamid.H-OUT-1', '5511922220000', '', now());
select is(pg_temp.last('message.reaction') #>> '{data,reaction,emoji}', '', 'a removed reaction is an empty emoji');

-- conversation.assigned and closed
select tests.run_as('acme_admin', format('update public.conversations set assignee_id = %L where id = %L',
  tests.get_supabase_uid('acme_member'), :'conv'));
select is(pg_temp.last('conversation.assigned') #>> '{data,conversation,assignee_id}', tests.get_supabase_uid('acme_member')::text,
  'conversation.assigned');
select tests.run_as('acme_member', format('update public.conversations set status = ''closed'' where id = %L', :'conv'));
select is(pg_temp.events('conversation.closed'), 1::bigint, 'conversation.closed');
select tests.run_as('acme_member', format('update public.conversations set title = ''VIP'' where id = %L', :'conv'));
select is(pg_temp.events('conversation.closed') + pg_temp.events('conversation.assigned'), 2::bigint, 'other edits are not events');

-- contact.updated and contact.opted_out
select id as contact from public.contacts where phone = '5511922220000' \gset
select tests.run_as('acme_member', format('update public.contacts set name = ''Bia Lima'', tags = ''{vip}'' where id = %L', :'contact'));
select is(pg_temp.last('contact.updated') -> 'data' -> 'changed', '["name", "tags"]'::jsonb, 'contact.updated says what changed');
update public.contacts set last_message_at = now() where id = :'contact';
select is(pg_temp.events('contact.updated'), 1::bigint, 'bookkeeping is not an update');
select tests.run_as('acme_member', format('update public.contacts set opted_in = true where id = %L', :'contact'));
select tests.run_as('acme_member', format('update public.contacts set opted_in = false where id = %L', :'contact'));
select is(pg_temp.last('contact.opted_out') #>> '{data,contact,opt_out_reason}', 'set by hand', 'contact.opted_out');

-- channel.status, campaign.completed, automation.disabled
update public.channels set status = 'qr_pending', qr_code = '2@abcdef', qr_expires_at = now() + interval '1 minute'
 where id = 'c9100000-0000-0000-0000-000000000002';
select is(pg_temp.last('channel.status') #>> '{data,channel,qr_code}', '2@abcdef', 'channel.status carries the QR to scan');
update public.channels set status = 'connected', qr_code = null where id = 'c9100000-0000-0000-0000-000000000002';
select is(pg_temp.last('channel.status') #>> '{data,channel,status}', 'connected', 'and the connection');
insert into public.campaigns (id, workspace_id, channel_id, name, message_content, status)
values ('ca910000-0000-0000-0000-000000000001', :'ws', 'c9100000-0000-0000-0000-000000000001', 'Launch', 'Hello', 'running');
update public.campaigns set status = 'completed', completed_at = now() where id = 'ca910000-0000-0000-0000-000000000001';
select is(pg_temp.last('campaign.completed') #>> '{data,campaign,name}', 'Launch', 'campaign.completed');
insert into public.automations (id, workspace_id, name, type, trigger_conditions, actions)
values ('a9100000-0000-0000-0000-000000000001', :'ws', 'Greeting', 'keyword_reply', '{"keywords": ["hi"]}', '{"reply": {"text": "Hello"}}');
update public.automations set is_active = false, error_count = 5 where id = 'a9100000-0000-0000-0000-000000000001';
select is(pg_temp.last('automation.disabled') #>> '{data,automation,reason}', 'failures', 'automation.disabled, with why');

-- Nothing secret, nothing of another workspace
select ok(not exists (select 1 from private.hook_events where body::text like '%test-access-token%'),
  'no event carries a channel credential');
select tests.open_cloud_conversation(:'beta', 'c9100000-0000-0000-0000-000000000009', 'PN-H9', '5511933330000');
select is((select count(*) from private.hook_events where workspace_id = :'beta'), 0::bigint,
  'another workspace''s traffic reaches none of these hooks');
select is((select count(*) from private.hook_jobs j join public.hooks h on h.id = j.hook_id where h.id = :'paused'), 0::bigint,
  'a paused hook is queued nothing');

select * from finish();
rollback;
