-- A channel bound to an agent (seed 003 whatsapp_configuration): inbound
-- messages land in the agent's tables, and the agent's outbound rows go out
-- through the outbox like any other message.
begin;
select plan(28);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
select tests.create_supabase_user('acme_seller', 'acme_seller@example.com');
insert into public.workspace_members (workspace_id, user_id, role) values (:'ws', tests.get_supabase_uid('acme_seller'), 'member');
insert into public.channels (id, workspace_id, provider, name, phone_number_id)
values ('a7000000-0000-0000-0000-000000000001', :'ws', 'cloud_api', 'Sales', 'PN-AGENT'),
       ('a7000000-0000-0000-0000-000000000002', :'ws', 'cloud_api', 'Support', 'PN-OTHER'),
       ('a7000000-0000-0000-0000-000000000009', :'beta', 'cloud_api', 'Beta', 'PN-BETA');
insert into public.channels (id, workspace_id, provider, name, instance_name)
values ('a7000000-0000-0000-0000-000000000003', :'ws', 'evolution', 'Evo', 'acme-main');
\set sales a7000000-0000-0000-0000-000000000001

select tests.run_as('acme_admin', format('select public.create_agent(%L, %L)', :'ws', tests.get_supabase_uid('acme_member')));
select tests.run_as('acme_admin', format('select public.create_agent(%L, %L)', :'ws', tests.get_supabase_uid('acme_seller')));
select id as a1, 'agt_' || id || '_customers' as c, 'agt_' || id || '_messages' as m
  from public.agents where user_id = tests.get_supabase_uid('acme_member') \gset
select id as a2, 'agt_' || id || '_messages' as m2 from public.agents where user_id = tests.get_supabase_uid('acme_seller') \gset

-- Binding -----------------------------------------------------------------------------------------
select is(tests.error_as('acme_member', format('insert into public.agent_channels (agent_id, channel_id) values (%s, %L)', :a1, :'sales')),
  '42501 new row violates row-level security policy for table "agent_channels"', 'an agent''s user cannot bind channels');
select is(tests.try_as('acme_admin', format('insert into public.agent_channels (agent_id, channel_id) values (%s, %L)', :a1, 'a7000000-0000-0000-0000-000000000009')),
  'P0002', 'a channel of another workspace cannot be bound');
select tests.run_as('acme_admin', format('insert into public.agent_channels (agent_id, channel_id) values (%s, %L)', :a1, :'sales'));
select is((select (workspace_id, user_id, is_active)::text from public.agent_channels where agent_id = :a1),
  format('(%s,%s,t)', :'ws', tests.get_supabase_uid('acme_member')), 'bound: workspace and user come from the agent');
select is(tests.error_as('acme_admin', format('insert into public.agent_channels (agent_id, channel_id) values (%s, %L)', :a2, :'sales')),
  format('23505 the channel is already bound to agent %s', :a1), 'a channel routes to one agent');
select is(tests.error_as('acme_admin', format('insert into public.agent_channels (agent_id, channel_id) values (%s, %L)', :a1, 'a7000000-0000-0000-0000-000000000002')),
  '23505 the agent''s user already has an active WhatsApp configuration: deactivate it first', 'one active configuration per user');
select is(tests.try_as('acme_member', format('select 1 from public.agent_channels where agent_id = %s', :a1)), 'ok:1', 'the agent''s user sees the binding');
select is(tests.try_as('beta_owner', 'select 1 from public.agent_channels'), 'ok:0', 'another workspace does not');

-- Inbound -----------------------------------------------------------------------------------------
select private.ingest_webhook('cloud_api', :'sales', tests.cloud_message('PN-AGENT', '447700900123', 'Nina Park',
  jsonb_build_object('id', 'wamid.A1', 'timestamp', floor(extract(epoch from now()) - 60)::text, 'type', 'text', 'text', jsonb_build_object('body', 'Do you have linen?'))))
  from generate_series(1, 3);
select is((select (name, phone, agent_id)::text from public.:"c"), format('("Nina Park",+447700900123,%s)', :a1),
  'the first message from an unknown number makes a customer, in E.164, named from the profile');
select is((select (message, direction, is_read, media_type)::text from public.:"m"), '("Do you have linen?",inbound,f,none)',
  'and lands as an inbound message');
select is((select count(*)::int from public.:"m"), 1, 'the same webhook three times: one message');
select ok((select "timestamp" from public.:"m") between (now() - interval '61 seconds')::timestamp and (now() - interval '59 seconds')::timestamp,
  'timestamped when it was sent, not when it arrived');
select private.ingest_webhook('cloud_api', :'sales', tests.cloud_message('PN-AGENT', '447700900123', 'Nina Park',
  jsonb_build_object('id', 'wamid.A2', 'timestamp', floor(extract(epoch from now()))::text, 'type', 'image',
                     'image', jsonb_build_object('id', 'MEDIA-1', 'mime_type', 'image/jpeg', 'caption', 'this one'))));
select is((select (message, media_type, caption)::text from public.:"m" order by id desc limit 1), '("this one",image,"this one")',
  'media keeps its type and caption');
select is((select count(*)::int from public.:"c"), 1, 'a known number is the same customer');
select private.ingest_webhook('cloud_api', :'sales', tests.cloud_message('PN-AGENT', '447700900123', 'Nina Park',
  jsonb_build_object('id', 'wamid.A3', 'type', 'reaction', 'reaction', jsonb_build_object('message_id', 'wamid.A1', 'emoji', '👍'))));
select is((select count(*)::int from public.:"m"), 2, 'reactions are not messages for the agent');
select private.ingest_webhook('cloud_api', 'a7000000-0000-0000-0000-000000000002', tests.cloud_message('PN-OTHER', '447700900555', 'Otto',
  jsonb_build_object('id', 'wamid.O1', 'type', 'text', 'text', jsonb_build_object('body', 'support please'))));
select is((select count(*)::int from public.:"c"), 1, 'a channel bound to no agent leaves the agent''s tables alone');
select is((select count(*)::int from public.messages where provider_message_id = 'wamid.O1'), 1, 'and works as ever');

-- Group chats stay in the inbox.
select tests.run_as('acme_admin', format('insert into public.agent_channels (agent_id, channel_id) values (%s, %L)', :a2, 'a7000000-0000-0000-0000-000000000003'));
select private.ingest_webhook('evolution', 'a7000000-0000-0000-0000-000000000003', tests.evolution('messages.upsert', jsonb_build_object(
  'key', jsonb_build_object('remoteJid', '120363000000000001@g.us', 'fromMe', false, 'id', 'GRP-1', 'participant', '5511955551111@s.whatsapp.net'),
  'pushName', 'Gil', 'message', jsonb_build_object('conversation', 'hi all'), 'messageType', 'conversation', 'messageTimestamp', 1767225600)));
select private.ingest_webhook('evolution', 'a7000000-0000-0000-0000-000000000003', tests.evolution('messages.upsert', jsonb_build_object(
  'key', jsonb_build_object('remoteJid', '5511955552222@s.whatsapp.net', 'fromMe', false, 'id', 'DM-1'),
  'pushName', 'Dora', 'message', jsonb_build_object('conversation', 'hi Sam'), 'messageType', 'conversation', 'messageTimestamp', 1767225600)));
select is((select string_agg(message, ',') from public.:"m2"), 'hi Sam', 'group messages are not mirrored; a direct one on an Evolution channel is');

-- Outbound ---------------------------------------------------------------------------------------
select tests.run_as('acme_member', format('insert into public.%I (customer_id, message, direction) select id, %L, %L from public.%I',
  :'m', 'Yes! Sky blue and white.', 'outbound', :'c'));
select is((select (m.direction, m.type, m.content, m.status, m.created_by = tests.get_supabase_uid('acme_member'))::text
             from public.messages m where m.channel_id = :'sales' and m.content = 'Yes! Sky blue and white.'),
  '(outbound,text,"Yes! Sky blue and white.",pending,t)', 'an outbound row becomes a pending message in the customer''s conversation, sent as the agent''s user');
select is((select count(*)::int from private.outbox o join public.messages m on m.id = o.message_id where m.content = 'Yes! Sky blue and white.'), 1,
  'queued in the outbox');
select is((select count(*)::int from public.:"m" where direction = 'outbound'), 1, 'and not copied back into the agent''s table');
select tests.run_as('acme_member', format($$insert into public.%I (customer_id, message, direction, media_type, media_url, caption)
  select id, 'photo', 'outbound', 'image', 'https://cdn.example.com/linen.jpg', 'Sky blue linen' from public.%I$$, :'m', :'c'));
select is((select (m.type, m.media_url, m.content)::text from public.messages m where m.media_url = 'https://cdn.example.com/linen.jpg'),
  '(image,https://cdn.example.com/linen.jpg,"Sky blue linen")', 'media goes out as media with its caption');

select tests.run_as('acme_admin', format('insert into public.%I (name, phone) values (%L, %L)', :'c', 'Quiet', '+447700900999'));
select is(tests.error_as('acme_member', format('insert into public.%I (customer_id, message, direction) select id, %L, %L from public.%I where name = %L',
  :'m', 'hello?', 'outbound', :'c', 'Quiet')),
  '55000 outside the 24-hour customer service window: only an approved template can be sent until the customer writes again',
  'a customer who never wrote cannot get free text on Cloud API: the row is refused with the reason');
select is((select count(*)::int from public.:"m" where message = 'hello?'), 0, 'and nothing is kept');

-- A reply from the inbox on the agent's channel shows in the agent's history, once.
select tests.run_as('acme_admin', format('select public.send_message(%L, %L)',
  (select id from public.conversations where channel_id = :'sales' and chat_id = '447700900123'), 'Admin here: it ships Monday.'));
select is((select (direction, is_read)::text from public.:"m" where message = 'Admin here: it ships Monday.'), '(outbound,t)',
  'messages sent from elsewhere on the channel are mirrored as outbound');
select is((select count(*)::int from private.outbox o join public.messages m on m.id = o.message_id where m.content = 'Admin here: it ships Monday.'), 1,
  'and sent once');

-- Unbound, an agent cannot send; a failing mirror never costs the message.
update public.agent_channels set is_active = false where agent_id = :a1;
select is(tests.error_as('acme_member', format('insert into public.%I (customer_id, message, direction) select id, %L, %L from public.%I where name = %L',
  :'m', 'still there?', 'outbound', :'c', 'Nina Park')),
  format('55000 agent %s has no active WhatsApp channel: bind one in agent_channels', :a1), 'an agent without a channel cannot send');
update public.agent_channels set is_active = true where agent_id = :a1;
alter table public.:"m" rename to broken_messages;
select private.ingest_webhook('cloud_api', :'sales', tests.cloud_message('PN-AGENT', '447700900123', 'Nina Park',
  jsonb_build_object('id', 'wamid.A4', 'type', 'text', 'text', jsonb_build_object('body', 'hello again'))));
select is((select count(*)::int from public.messages where provider_message_id = 'wamid.A4'), 1, 'with the agent''s table broken, the message is still stored');
select is((select (level, action, entity_id)::text from public.activity_log where action = 'agent.mirror_failed'), format('(error,agent.mirror_failed,%s)', :a1),
  'and the failure is in the activity log');

select * from finish();
rollback;
