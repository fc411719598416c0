-- Order independence: a reaction that overtakes its message waits for it
-- (parked like statuses), and statuses or reactions parked for an inbound
-- message apply as it is recorded, not at the next tick. A deleted message
-- leaves the inbox: its conversation's preview says [deleted] instead of its
-- text, and it no longer counts as unread.
begin;
select plan(18);
select tests.create_workspace_with_roles('acme') as ws \gset
insert into public.channels (id, workspace_id, provider, name, phone_number_id, phone_number)
values ('c0000000-0000-0000-0000-000000000001', :'ws', 'cloud_api', 'Main', 'PN-1', '15550000001');
insert into public.channels (id, workspace_id, provider, name, instance_name)
values ('e0000000-0000-0000-0000-000000000001', :'ws', 'evolution', 'Evo', 'acme-main');

create function pg_temp.cloud(body jsonb) returns jsonb language sql as $$
  select private.ingest_webhook('cloud_api', 'c0000000-0000-0000-0000-000000000001', body)
$$;
create function pg_temp.batch(variadic bodies jsonb[]) returns jsonb language sql as $$
  select private.ingest_webhooks((select jsonb_agg(jsonb_build_object('provider', 'cloud_api',
    'channel', 'c0000000-0000-0000-0000-000000000001', 'payload', b)) from unnest(bodies) b))
$$;
create function pg_temp.evo(data jsonb) returns jsonb language sql as $$
  select private.ingest_webhook('evolution', 'e0000000-0000-0000-0000-000000000001', tests.evolution('messages.upsert', data))
$$;
create function pg_temp.text_msg(wa_id text, id text, body text, ts integer) returns jsonb language sql as $$
  select tests.cloud_message('PN-1', wa_id, 'Customer', jsonb_build_object('id', id, 'type', 'text', 'timestamp', ts::text,
                                                                      'text', jsonb_build_object('body', body)))
$$;
create function pg_temp.reaction(wa_id text, id text, target text, emoji text, ts integer) returns jsonb language sql as $$
  select tests.cloud_message('PN-1', wa_id, 'Customer', jsonb_build_object('id', id, 'type', 'reaction', 'timestamp', ts::text,
                                                                      'reaction', jsonb_build_object('message_id', target, 'emoji', emoji)))
$$;
create function pg_temp.reactions(pid text) returns jsonb language sql as $$
  select reactions from public.messages where provider_message_id = pid
$$;
create function pg_temp.conv(chat text) returns public.conversations language sql as $$
  select * from public.conversations where chat_id = chat
$$;
create function pg_temp.evo_text(jid text, id text, body text, ts integer) returns jsonb language sql as $$
  select jsonb_build_object('key', jsonb_build_object('remoteJid', jid, 'fromMe', false, 'id', id), 'pushName', 'Ana',
                            'message', jsonb_build_object('conversation', body), 'messageType', 'conversation', 'messageTimestamp', ts)
$$;
create function pg_temp.evo_revoke(jid text, id text, target text, ts integer) returns jsonb language sql as $$
  select jsonb_build_object('key', jsonb_build_object('remoteJid', jid, 'fromMe', false, 'id', id),
                            'message', jsonb_build_object('protocolMessage', jsonb_build_object('type', 'REVOKE',
                              'key', jsonb_build_object('remoteJid', jid, 'fromMe', false, 'id', target))),
                            'messageType', 'protocolMessage', 'messageTimestamp', ts)
$$;

-- A reaction before its message (per-event path): parked, then applied.
select pg_temp.cloud(pg_temp.reaction('5511900000001', 'wamid.r1', 'wamid.t1', '❤️', 1767225601));
select is((select count(*)::int from private.pending_reactions where provider_message_id = 'wamid.t1'), 1,
  'a reaction to a message not recorded yet waits');
select pg_temp.cloud(pg_temp.text_msg('5511900000001', 'wamid.t1', 'Hello', 1767225600));
select is(pg_temp.reactions('wamid.t1'), '{"5511900000001": "❤️"}'::jsonb, 'it lands when the message arrives');
select is((select count(*)::int from private.pending_reactions), 0, 'and is no longer parked');

-- A reaction and its removal before the message: the latest wins.
select pg_temp.cloud(pg_temp.reaction('5511900000002', 'wamid.r2', 'wamid.t2', '👍', 1767225610));
select pg_temp.cloud(pg_temp.reaction('5511900000002', 'wamid.r3', 'wamid.t2', '', 1767225611));
select pg_temp.cloud(pg_temp.text_msg('5511900000002', 'wamid.t2', 'Hi', 1767225600));
select is(pg_temp.reactions('wamid.t2'), '{}'::jsonb, 'a reaction removed before its message arrived stays removed');

-- The set-based path: a reaction in one batch, its message in the next; and
-- both in one batch, the reaction first.
select pg_temp.batch(pg_temp.reaction('5511900000003', 'wamid.r4', 'wamid.t3', '😂', 1767225620),
                     pg_temp.text_msg('5511900000009', 'wamid.x1', 'other', 1767225620));
select pg_temp.batch(pg_temp.text_msg('5511900000003', 'wamid.t3', 'Joke', 1767225600),
                     pg_temp.text_msg('5511900000009', 'wamid.x2', 'other', 1767225621));
select is(pg_temp.reactions('wamid.t3'), '{"5511900000003": "😂"}'::jsonb, 'batches: a reaction waits for the next batch''s message');
select pg_temp.batch(pg_temp.reaction('5511900000004', 'wamid.r5', 'wamid.t4', '🙏', 1767225630),
                     pg_temp.text_msg('5511900000004', 'wamid.t4', 'Thanks', 1767225600));
select is(pg_temp.reactions('wamid.t4'), '{"5511900000004": "🙏"}'::jsonb, 'batches: or finds it later in the same batch');

-- Evolution: a reaction before its message.
select pg_temp.evo('{"key":{"remoteJid":"5511911110001@s.whatsapp.net","fromMe":false,"id":"3EBR1"},"message":{"reactionMessage":{"key":{"remoteJid":"5511911110001@s.whatsapp.net","fromMe":false,"id":"3EBT1"},"text":"👍"}},"messageType":"reactionMessage","messageTimestamp":1767225730}');
select pg_temp.evo(pg_temp.evo_text('5511911110001@s.whatsapp.net', '3EBT1', 'Oi', 1767225700));
select is(pg_temp.reactions('3EBT1'), '{"5511911110001@s.whatsapp.net": "👍"}'::jsonb, 'Evolution: the reaction lands on its late message');

-- A reaction to our message before the send's answer gave it its id.
update public.conversations set window_expires_at = now() + interval '1 day' where chat_id = '5511900000001';
insert into public.messages (workspace_id, channel_id, conversation_id, direction, type, content, status)
select :'ws', 'c0000000-0000-0000-0000-000000000001', id, 'outbound', 'text', 'Our offer', 'pending'
  from public.conversations where chat_id = '5511900000001';
select pg_temp.cloud(pg_temp.reaction('5511900000001', 'wamid.r6', 'wamid.out1', '🔥', 1767225640));
update public.messages set provider_message_id = 'wamid.out1', status = 'sent' where content = 'Our offer';
select is(pg_temp.reactions('wamid.out1'), '{"5511900000001": "🔥"}'::jsonb, 'a reaction to our send lands once its id is recorded');

-- A deletion that overtook its (inbound) message applies as it is recorded,
-- not at the next tick; the new conversation shows neither text nor unread.
select pg_temp.evo(pg_temp.evo_revoke('5511911110002@s.whatsapp.net', '3EBD0', '3EBD1', 1767225801));
select is((select count(*)::int from private.pending_message_statuses where provider_message_id = '3EBD1'), 1, 'the early deletion is parked');
select pg_temp.evo(pg_temp.evo_text('5511911110002@s.whatsapp.net', '3EBD1', 'oops, wrong chat', 1767225800));
select is((select (status, deleted_at is not null)::text from public.messages where provider_message_id = '3EBD1'), '(deleted,t)',
  'it applies as the message is recorded');
select is((select count(*)::int from private.pending_message_statuses), 0, 'nothing waits for the tick');
select is(((pg_temp.conv('5511911110002@s.whatsapp.net')).last_message_preview, (pg_temp.conv('5511911110002@s.whatsapp.net')).unread_count)::text,
  '([deleted],0)', 'its conversation shows no text and nothing unread');

-- Deleting the last message: preview without its text, one unread less.
select pg_temp.evo(pg_temp.evo_text('5511911110003@s.whatsapp.net', '3EBE1', 'first', 1767225900));
select pg_temp.evo(pg_temp.evo_text('5511911110003@s.whatsapp.net', '3EBE2', 'my card number is 1234', 1767225901));
select is(((pg_temp.conv('5511911110003@s.whatsapp.net')).last_message_preview, (pg_temp.conv('5511911110003@s.whatsapp.net')).unread_count)::text,
  '("my card number is 1234",2)', 'before: the last text and two unread');
select pg_temp.evo(pg_temp.evo_revoke('5511911110003@s.whatsapp.net', '3EBE3', '3EBE2', 1767225902));
select is(((pg_temp.conv('5511911110003@s.whatsapp.net')).last_message_preview, (pg_temp.conv('5511911110003@s.whatsapp.net')).unread_count)::text,
  '([deleted],1)', 'after its deletion: [deleted], one unread');
select is((select content from public.messages where provider_message_id = '3EBE2'), 'my card number is 1234',
  'the row keeps its content (deletions are marked, not erased)');

-- Deleting an earlier message: the preview stays; unread drops only while
-- the message was among the unread ones.
select pg_temp.evo(pg_temp.evo_text('5511911110003@s.whatsapp.net', '3EBE4', 'third', 1767225903));
select pg_temp.evo(pg_temp.evo_revoke('5511911110003@s.whatsapp.net', '3EBE5', '3EBE1', 1767225904));
select is(((pg_temp.conv('5511911110003@s.whatsapp.net')).last_message_preview, (pg_temp.conv('5511911110003@s.whatsapp.net')).unread_count)::text,
  '(third,1)', 'an earlier unread message deleted: preview kept, one unread less');
update public.conversations set unread_count = 0 where chat_id = '5511911110003@s.whatsapp.net';
select pg_temp.evo(pg_temp.evo_text('5511911110003@s.whatsapp.net', '3EBE6', 'fourth', 1767225905));
select pg_temp.evo(pg_temp.evo_revoke('5511911110003@s.whatsapp.net', '3EBE7', '3EBE4', 1767225906));
select is((pg_temp.conv('5511911110003@s.whatsapp.net')).unread_count, 1, 'a message already read deleted: unread unchanged');

-- Meta's "deleted" status on our own last message.
select pg_temp.cloud(tests.cloud_status('PN-1', 'wamid.out1', 'deleted', '1767225990'));
select is((pg_temp.conv('5511900000001')).last_message_preview, '[deleted]', 'Cloud API: our deleted last message leaves the preview too');

select * from finish();
rollback;
