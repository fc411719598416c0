-- GOWA (go-whatsapp-web-multidevice) webhooks into the inbox. Every body is an
-- example GOWA publishes in docs/webhook-payload.md (aldinokemal/
-- go-whatsapp-web-multidevice, commit 51f7b199), under the heading and line
-- given; "replaced" marks fields changed to give a body its own id.
begin;
select plan(37);
select tests.create_workspace_with_roles('acme') as ws \gset
insert into public.channels (id, workspace_id, provider, name, device_id)
values ('b0000000-0000-0000-0000-000000000001', :'ws', 'whatsmeow', 'GOWA', 'acme-gowa');
create function pg_temp.gowa(body text) returns jsonb language sql as $$
  select private.ingest_webhook('whatsmeow', 'b0000000-0000-0000-0000-000000000001', body::jsonb)
$$;
create function pg_temp.channel() returns public.channels language sql as $$
  select * from public.channels where id = 'b0000000-0000-0000-0000-000000000001'
$$;
create function pg_temp.msg(p_id text) returns public.messages language sql as $$
  select * from public.messages where channel_id = 'b0000000-0000-0000-0000-000000000001' and provider_message_id = p_id
$$;

-- "### Text Message", line 225
select pg_temp.gowa('{"event":"message","device_id":"628987654321@s.whatsapp.net","payload":{"id":"3EB0C127D7BACC83D6A1","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_lid":"251556368777322@lid","sender_display_name":"Saved Contact","from_name":"John Doe","timestamp":"2023-10-15T10:30:00Z","is_from_me":false,"body":"Hello, how are you?"}}') as r \gset
select results_eq($$ select m.content, m.direction::text, m.type::text, m.push_name, ct.name, ct.phone, c.type::text, c.chat_id
                      from public.messages m join public.contacts ct on ct.id = m.contact_id
                      join public.conversations c on c.id = m.conversation_id
                     where m.provider_message_id = '3EB0C127D7BACC83D6A1' $$,
  $$ values ('Hello, how are you?', 'inbound', 'text', 'John Doe', 'John Doe', '628987654321', 'individual', '628987654321@s.whatsapp.net') $$,
  'a text message: contact, conversation and message, the push name from from_name');
select is((select count(*)::int from jsonb_object_keys((pg_temp.msg('3EB0C127D7BACC83D6A1')).payload)), 9,
  'the message keeps GOWA''s payload as sent');
select is((pg_temp.msg('3EB0C127D7BACC83D6A1')).provider_timestamp, '2023-10-15 10:30:00+00'::timestamptz, 'the RFC 3339 timestamp is read');
select is(((pg_temp.channel()).status, (pg_temp.channel()).phone_number)::text, '(connected,628987654321)',
  'an event from the bridge shows its device connected, and its JID gives the channel''s number');
select is(:'r'::jsonb ->> 'status', 'processed', 'processed');

-- "### Reply Message", line 245
select pg_temp.gowa('{"event":"message","device_id":"628987654321@s.whatsapp.net","payload":{"id":"3EB0C127D7BACC83D6A2","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","sender_display_name":"Saved Contact","from_name":"John Doe","timestamp":"2023-10-15T10:35:00Z","is_from_me":false,"body":"I''m doing great, thanks!","replied_to_id":"3EB0C127D7BACC83D6A1","quoted_body":"Hello, how are you?"}}') as r \gset
select is(((pg_temp.msg('3EB0C127D7BACC83D6A2')).quoted_message_id, (pg_temp.msg('3EB0C127D7BACC83D6A2')).quoted_content)::text,
  ((pg_temp.msg('3EB0C127D7BACC83D6A1')).id, 'Hello, how are you?')::text, 'a reply points at the message it quotes');

-- "### Reaction Message", line 266
select pg_temp.gowa('{"event":"message.reaction","device_id":"628987654321@s.whatsapp.net","payload":{"id":"88760C69D1F35FEB239102699AE9XXXX","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","sender_display_name":"Saved Contact","from_name":"John Doe","timestamp":"2023-10-15T10:40:00Z","is_from_me":false,"reaction":"👍","reacted_message_id":"3EB0C127D7BACC83D6A1"}}') as r \gset
select is(((pg_temp.msg('88760C69D1F35FEB239102699AE9XXXX')).type, (pg_temp.msg('88760C69D1F35FEB239102699AE9XXXX')).reaction_target_id)::text,
  '(reaction,3EB0C127D7BACC83D6A1)', 'a reaction is recorded with its target');
select is((pg_temp.msg('3EB0C127D7BACC83D6A1')).reactions, '{"628987654321@s.whatsapp.net": "👍"}'::jsonb, 'and lands on the target');

-- "### Image Message", line 910
select pg_temp.gowa('{"event":"message","device_id":"628987654321@s.whatsapp.net","payload":{"id":"3EB0C127D7BACC83D6A3","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_name":"John Doe","timestamp":"2025-07-13T11:05:51Z","image":"statics/media/1752404751-ad9e37ac-c658-4fe5-8d25-ba4a3f4d58fd.jpeg"}}') as r \gset
-- "### Image Message", line 927 (payload id replaced)
select pg_temp.gowa('{"event":"message","device_id":"628987654321@s.whatsapp.net","payload":{"id":"IMG-CAPTION","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_name":"John Doe","timestamp":"2025-07-13T11:05:51Z","body":"Check this out!","image":{"path":"statics/media/1752404751-ad9e37ac-c658-4fe5-8d25-ba4a3f4d58fd.jpeg","caption":"Check this out!"}}}') as r \gset
-- "### Image Message", line 948 (payload id replaced)
select pg_temp.gowa('{"event":"message","device_id":"628987654321@s.whatsapp.net","payload":{"id":"IMG-URL","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_name":"John Doe","timestamp":"2025-07-13T11:05:51Z","body":"Check this out!","image":{"url":"https://mmg.whatsapp.net/...","caption":"Check this out!"}}}') as r \gset
-- "### Video Message", line 969
select pg_temp.gowa('{"event":"message","device_id":"628987654321@s.whatsapp.net","payload":{"id":"3EB0C127D7BACC83D6A4","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_name":"John Doe","timestamp":"2025-07-13T11:07:24Z","body":"Watch this!","video":{"path":"statics/media/1752404845-b9393cd1-8546-4df9-8a60-ee3276036aba.mp4","caption":"Watch this!"}}}') as r \gset
-- "### Audio Message", line 990
select pg_temp.gowa('{"event":"message","device_id":"628987654321@s.whatsapp.net","payload":{"id":"3EB0C127D7BACC83D6A5","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_name":"John Doe","timestamp":"2023-10-15T10:55:00Z","audio":"statics/media/1752404905-b9393cd1-8546-4df9-8a60-ee3276036aba.ogg"}}') as r \gset
-- "### Document Message", line 1007
select pg_temp.gowa('{"event":"message","device_id":"628987654321@s.whatsapp.net","payload":{"id":"3EB0C127D7BACC83D6A6","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_name":"John Doe","timestamp":"2023-10-15T11:00:00Z","body":"Monthly report","document":{"path":"statics/media/1752404965-document.pdf","caption":"Monthly report"}}}') as r \gset
-- "### Document Message", line 1028 (payload id replaced)
select pg_temp.gowa('{"event":"message","device_id":"628987654321@s.whatsapp.net","payload":{"id":"DOC-URL","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_name":"John Doe","timestamp":"2023-10-15T11:00:00Z","body":"Monthly report","document":{"url":"https://mmg.whatsapp.net/...","filename":"report.pdf"}}}') as r \gset
-- "### Sticker Message", line 1049
select pg_temp.gowa('{"event":"message","device_id":"628987654321@s.whatsapp.net","payload":{"id":"446AC2BAF2061B53E24CA526DBDFBD4E","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_name":"John Doe","timestamp":"2025-07-13T11:09:45Z","sticker":"statics/media/1752404986-ff2464a6-c54c-4e6c-afde-c4c925ce3573.webp"}}') as r \gset
-- "### Video Note Message", line 1066
select pg_temp.gowa('{"event":"message","device_id":"628987654321@s.whatsapp.net","payload":{"id":"3EB0C127D7BACC83D6A7","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_name":"John Doe","timestamp":"2023-10-15T11:02:00Z","video_note":"statics/media/1752404990-videonote.mp4"}}') as r \gset
select results_eq($$ select m.provider_message_id, m.type::text, m.provider_type, m.content, m.media_id, m.media_url, m.media_filename
                      from public.messages m
                     where m.provider_message_id in ('3EB0C127D7BACC83D6A3', 'IMG-CAPTION', 'IMG-URL', '3EB0C127D7BACC83D6A4', '3EB0C127D7BACC83D6A5',
                                                     '3EB0C127D7BACC83D6A6', 'DOC-URL', '446AC2BAF2061B53E24CA526DBDFBD4E', '3EB0C127D7BACC83D6A7')
                     order by m.provider_timestamp, m.provider_message_id $$,
  $$ values
    ('3EB0C127D7BACC83D6A5', 'audio', 'audio', null, 'statics/media/1752404905-b9393cd1-8546-4df9-8a60-ee3276036aba.ogg', null, null),
    ('3EB0C127D7BACC83D6A6', 'document', 'document', 'Monthly report', 'statics/media/1752404965-document.pdf', null, null),
    ('DOC-URL', 'document', 'document', 'Monthly report', null, 'https://mmg.whatsapp.net/...', 'report.pdf'),
    ('3EB0C127D7BACC83D6A7', 'video', 'video_note', null, 'statics/media/1752404990-videonote.mp4', null, null),
    ('3EB0C127D7BACC83D6A3', 'image', 'image', null, 'statics/media/1752404751-ad9e37ac-c658-4fe5-8d25-ba4a3f4d58fd.jpeg', null, null),
    ('IMG-CAPTION', 'image', 'image', 'Check this out!', 'statics/media/1752404751-ad9e37ac-c658-4fe5-8d25-ba4a3f4d58fd.jpeg', null, null),
    ('IMG-URL', 'image', 'image', 'Check this out!', null, 'https://mmg.whatsapp.net/...', null),
    ('3EB0C127D7BACC83D6A4', 'video', 'video', 'Watch this!', 'statics/media/1752404845-b9393cd1-8546-4df9-8a60-ee3276036aba.mp4', null, null),
    ('446AC2BAF2061B53E24CA526DBDFBD4E', 'sticker', 'sticker', null, 'statics/media/1752404986-ff2464a6-c54c-4e6c-afde-c4c925ce3573.webp', null, null) $$,
  'media of every kind: a bridge path (downloaded) or WhatsApp''s URL, captions from body');
select is((select count(*)::int from public.media_files f join public.messages m on m.id = f.message_id
            where m.channel_id = 'b0000000-0000-0000-0000-000000000001'), 9, 'each media message has its media_files row');

-- "### Contact Message", line 1087
select pg_temp.gowa('{"event":"message","device_id":"628987654321@s.whatsapp.net","payload":{"id":"56B3DFF4994284634E7AAFEEF6F1A0A2","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_name":"John Doe","timestamp":"2025-07-13T11:10:19Z","contact":{"displayName":"3Care","vcard":"BEGIN:VCARD\nVERSION:3.0\nN:;3Care;;;\nFN:3Care\nTEL;type=Mobile:+62 132\nEND:VCARD","phone_number":"+62 132"}}}') as r \gset
-- "### Contacts Array Message", line 1110
select pg_temp.gowa('{"event":"message","device_id":"628987654321@s.whatsapp.net","payload":{"id":"A1B2C3D4E5F6789012345678","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_name":"John Doe","timestamp":"2025-07-13T11:10:19Z","contacts_array":[{"displayName":"Alice","vcard":"BEGIN:VCARD\nVERSION:3.0\nN:;Alice;;;\nFN:Alice\nTEL;type=Mobile:+62 812 3456 7890\nEND:VCARD","phone_number":"+62 812 3456 7890"},{"displayName":"Bob","vcard":"BEGIN:VCARD\nVERSION:3.0\nN:;Bob;;;\nFN:Bob\nTEL;type=Mobile:+62 813 9876 5432\nEND:VCARD","phone_number":"+62 813 9876 5432"}]}}') as r \gset
select results_eq($$ select type::text, provider_type, content from public.messages
                     where provider_message_id in ('56B3DFF4994284634E7AAFEEF6F1A0A2', 'A1B2C3D4E5F6789012345678') order by provider_message_id $$,
  $$ values ('contacts', 'contacts', '3Care'), ('contacts', 'contacts_array', 'Alice, Bob') $$, 'shared contacts, one or several');

-- "### Location Message", line 1140
select pg_temp.gowa('{"event":"message","device_id":"628987654321@s.whatsapp.net","payload":{"id":"3EB0C127D7BACC83D6A9","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_name":"John Doe","timestamp":"2023-10-15T11:15:00Z","location":{"degreesLatitude":-6.2088,"degreesLongitude":106.8456,"name":"Jakarta, Indonesia","address":"Central Jakarta, DKI Jakarta, Indonesia"}}}') as r \gset
-- "### Live Location Message", line 1162
select pg_temp.gowa('{"event":"message","device_id":"628987654321@s.whatsapp.net","payload":{"id":"94D13237B4D7F33EE4A63228BBD79EC0","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_name":"John Doe","timestamp":"2025-07-13T11:11:22Z","live_location":{"degreesLatitude":-7.8050297,"degreesLongitude":110.4549165}}}') as r \gset
select results_eq($$ select type::text, provider_type, content, location_latitude, location_longitude from public.messages
                     where provider_message_id in ('3EB0C127D7BACC83D6A9', '94D13237B4D7F33EE4A63228BBD79EC0') order by provider_message_id $$,
  $$ values ('location', 'location', 'Jakarta, Indonesia', -6.2088, 106.8456),
            ('location', 'live_location', null, -7.805030, 110.454917) $$, 'locations, live ones too (to the columns'' six decimals)');

-- "### Message Edited", line 1244
select pg_temp.gowa('{"event":"message.edited","device_id":"628987654321@s.whatsapp.net","payload":{"id":"D6271D8223A05B4DA6AE9FE3CD632543","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_name":"John Doe","timestamp":"2025-07-13T11:14:19Z","is_from_me":false,"original_message_id":"94D13237B4D7F33EE4A63228BBD79EC0","body":"Updated message text"}}') as r \gset
select is(((pg_temp.msg('94D13237B4D7F33EE4A63228BBD79EC0')).content, (pg_temp.msg('94D13237B4D7F33EE4A63228BBD79EC0')).edited_at)::text,
  '("Updated message text","2025-07-13 11:14:19+00")', 'message.edited replaces the content of the original');
select is(:'r'::jsonb ->> 'edited', '1', 'and says so');
-- "### Message Edited", line 1244 (payload original_message_id replaced, id replaced)
select pg_temp.gowa('{"event":"message.edited","device_id":"628987654321@s.whatsapp.net","payload":{"id":"EDIT-2","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_name":"John Doe","timestamp":"2025-07-13T11:14:19Z","is_from_me":false,"original_message_id":"NOT-KNOWN","body":"Updated message text"}}') as r \gset
select is(:'r'::jsonb ->> 'ignored', 'the edited message is not known', 'an edit of an unknown message is kept and says why');

-- "### Message Revoked", line 1222
select pg_temp.gowa('{"event":"message.revoked","device_id":"628987654321@s.whatsapp.net","payload":{"id":"F4062F2BBCB19B7432195AD7080DA4E2","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_name":"John Doe","timestamp":"2025-07-13T11:13:30Z","is_from_me":true,"revoked_message_id":"94D13237B4D7F33EE4A63228BBD79EC0","revoked_from_me":true,"revoked_chat":"628987654321@s.whatsapp.net"}}') as r \gset
select is(((pg_temp.msg('94D13237B4D7F33EE4A63228BBD79EC0')).status, (pg_temp.msg('94D13237B4D7F33EE4A63228BBD79EC0')).deleted_at)::text,
  '(deleted,"2025-07-13 11:13:30+00")', 'message.revoked deletes the revoked message');
select is((select count(*)::int from public.messages where provider_message_id = 'F4062F2BBCB19B7432195AD7080DA4E2'), 0,
  'the revoke itself is no message');

-- "### Message Deleted", line 1186
select pg_temp.gowa('{"event":"message.deleted","device_id":"628123456789@s.whatsapp.net","payload":{"deleted_message_id":"3EB0C127D7BACC83D6A1","timestamp":"2025-07-13T11:12:00Z","from":"628987654321@s.whatsapp.net","sender_display_name":"Saved Contact","chat_id":"628987654321@s.whatsapp.net","original_content":"Hello, how are you?","original_sender":"628987654321@s.whatsapp.net","original_timestamp":"2025-07-13T10:30:00Z","was_from_me":false}}') as r \gset
select is(:'r'::jsonb ->> 'ignored', 'deleted for the bridge''s user only; the customer still has the message',
  'message.deleted (delete for me) is kept and ignored');
select is((pg_temp.msg('3EB0C127D7BACC83D6A1')).status, 'delivered'::public.message_status, 'its message stays');

-- Our send, which GOWA answered with the id its receipts then name.
insert into public.messages (workspace_id, channel_id, conversation_id, contact_id, direction, type, content, status, provider_message_id)
select c.workspace_id, c.channel_id, c.id, c.contact_id, 'outbound', 'text', 'Our reply', 'sent', '3EB00106E8BE0F407E88EC'
  from public.conversations c where c.channel_id = 'b0000000-0000-0000-0000-000000000001' and c.chat_id = '628987654321@s.whatsapp.net';
-- "### Message Delivered", line 293
select pg_temp.gowa('{"event":"message.ack","device_id":"628123456789@s.whatsapp.net","timestamp":"2025-07-18T22:44:20Z","payload":{"ids":["3EB00106E8BE0F407E88EC"],"chat_id":"120363402106XXXXX@g.us","from":"6289685XXXXXX@s.whatsapp.net","from_lid":"251556368777322@lid","sender_display_name":"Saved Contact","receipt_type":"delivered","receipt_type_description":"means the message was delivered to the device (but the user might not have noticed)."}}') as r \gset
select is(((pg_temp.msg('3EB00106E8BE0F407E88EC')).status, (pg_temp.msg('3EB00106E8BE0F407E88EC')).delivered_at)::text,
  '(delivered,"2025-07-18 22:44:20+00")', 'message.ack delivered, at the envelope''s timestamp');
-- "### Message Read", line 316
select pg_temp.gowa('{"event":"message.ack","device_id":"628123456789@s.whatsapp.net","timestamp":"2025-07-18T22:44:44Z","payload":{"ids":["3EB00106E8BE0F407E88EC"],"chat_id":"120363402106XXXXX@g.us","from":"6289685XXXXXX@s.whatsapp.net","sender_display_name":"Saved Contact","receipt_type":"read","receipt_type_description":"the user opened the chat and saw the message."}}') as r \gset
select is(((pg_temp.msg('3EB00106E8BE0F407E88EC')).status, (pg_temp.msg('3EB00106E8BE0F407E88EC')).read_at)::text,
  '(read,"2025-07-18 22:44:44+00")', 'message.ack read');
-- "### Message Read", line 316 (payload ids replaced)
select pg_temp.gowa('{"event":"message.ack","device_id":"628123456789@s.whatsapp.net","timestamp":"2025-07-18T22:44:44Z","payload":{"ids":["NOT-SENT-YET"],"chat_id":"120363402106XXXXX@g.us","from":"6289685XXXXXX@s.whatsapp.net","sender_display_name":"Saved Contact","receipt_type":"read","receipt_type_description":"the user opened the chat and saw the message."}}') as r \gset
select is(:'r'::jsonb ->> 'parked_statuses', '1', 'a receipt for a message not recorded yet is parked');
-- "### Message Read", line 316 (payload ids replaced, receipt_type replaced)
select pg_temp.gowa('{"event":"message.ack","device_id":"628123456789@s.whatsapp.net","timestamp":"2025-07-18T22:44:44Z","payload":{"ids":["3EB00106E8BE0F407E88EC"],"chat_id":"120363402106XXXXX@g.us","from":"6289685XXXXXX@s.whatsapp.net","sender_display_name":"Saved Contact","receipt_type":"read-self","receipt_type_description":"the user opened the chat and saw the message."}}') as r \gset
select is(:'r'::jsonb ->> 'ignored', 'receipt type read-self is not a delivery status', 'read-self is no status of ours');

-- "### Text Message", line 225 (payload id replaced, chat_id replaced)
select pg_temp.gowa('{"event":"message","device_id":"628987654321@s.whatsapp.net","payload":{"id":"GROUP-1","chat_id":"120363402106XXXXX@g.us","from":"628123456789@s.whatsapp.net","from_lid":"251556368777322@lid","sender_display_name":"Saved Contact","from_name":"John Doe","timestamp":"2023-10-15T10:30:00Z","is_from_me":false,"body":"Hello, how are you?"}}') as r \gset
select results_eq($$ select c.type::text, m.participant_jid, ct.phone, g.group_jid from public.messages m
                      join public.conversations c on c.id = m.conversation_id join public.contacts ct on ct.id = m.contact_id
                      join public.whatsapp_groups g on g.id = c.group_id where m.provider_message_id = 'GROUP-1' $$,
  $$ values ('group', '628123456789@s.whatsapp.net', '628123456789', '120363402106XXXXX@g.us') $$,
  'a group message: group conversation, the sender from `from`');

-- "### Group Member Join", line 531
select pg_temp.gowa('{"event":"group.participants","device_id":"628123456789@s.whatsapp.net","timestamp":"2025-07-28T10:30:00Z","payload":{"chat_id":"120363402106XXXXX@g.us","type":"join","jids":["6289685XXXXXX@s.whatsapp.net","6289686YYYYYY@s.whatsapp.net"]}}') as r \gset
-- "### Group Member Leave", line 551
select pg_temp.gowa('{"event":"group.participants","device_id":"628123456789@s.whatsapp.net","timestamp":"2025-07-28T10:32:00Z","payload":{"chat_id":"120363402106XXXXX@g.us","type":"leave","jids":["6289687ZZZZZZ@s.whatsapp.net"]}}') as r \gset
-- "### Group Member Promotion", line 570
select pg_temp.gowa('{"event":"group.participants","device_id":"628123456789@s.whatsapp.net","timestamp":"2025-07-28T10:33:00Z","payload":{"chat_id":"120363402106XXXXX@g.us","type":"promote","jids":["6289688AAAAAA@s.whatsapp.net"]}}') as r \gset
select is((select participants from public.whatsapp_groups where group_jid = '120363402106XXXXX@g.us'),
  '[{"jid": "6289685XXXXXX@s.whatsapp.net", "role": "member"}, {"jid": "6289686YYYYYY@s.whatsapp.net", "role": "member"}]'::jsonb,
  'group.participants join adds members; leave and promote of others change nothing of theirs');
-- "### Group Member Join", line 531 (payload jids replaced)
select pg_temp.gowa('{"event":"group.participants","device_id":"628123456789@s.whatsapp.net","timestamp":"2025-07-28T10:30:00Z","payload":{"chat_id":"120363402106XXXXX@g.us","type":"join","jids":["6289688AAAAAA@s.whatsapp.net"]}}') as r \gset
-- "### Group Member Promotion", line 570 (payload jids replaced)
select pg_temp.gowa('{"event":"group.participants","device_id":"628123456789@s.whatsapp.net","timestamp":"2025-07-28T10:33:00Z","payload":{"chat_id":"120363402106XXXXX@g.us","type":"promote","jids":["6289688AAAAAA@s.whatsapp.net","6289689BBBBBB@s.whatsapp.net"]}}') as r \gset
-- "### Group Member Leave", line 551 (payload jids replaced)
select pg_temp.gowa('{"event":"group.participants","device_id":"628123456789@s.whatsapp.net","timestamp":"2025-07-28T10:32:00Z","payload":{"chat_id":"120363402106XXXXX@g.us","type":"leave","jids":["6289685XXXXXX@s.whatsapp.net"]}}') as r \gset
select is((select (participants, participants_count)::text from public.whatsapp_groups where group_jid = '120363402106XXXXX@g.us'),
  '("[{""jid"": ""6289686YYYYYY@s.whatsapp.net"", ""role"": ""member""}, {""jid"": ""6289688AAAAAA@s.whatsapp.net"", ""role"": ""admin""}]",2)',
  'join, promote and leave, with the count');
-- "### Group Member Demotion", line 589 (payload jids replaced)
select pg_temp.gowa('{"event":"group.participants","device_id":"628123456789@s.whatsapp.net","timestamp":"2025-07-28T10:34:00Z","payload":{"chat_id":"120363402106XXXXX@g.us","type":"demote","jids":["6289688AAAAAA@s.whatsapp.net"]}}') as r \gset
select is((select participants -> 1 ->> 'role' from public.whatsapp_groups where group_jid = '120363402106XXXXX@g.us'), 'member', 'demote');

-- "### User Typing", line 362
select pg_temp.gowa('{"event":"chat_presence","device_id":"628123456789@s.whatsapp.net","timestamp":"2026-01-22T12:00:00Z","payload":{"from":"628987654321@s.whatsapp.net","sender_display_name":"Saved Contact","chat_id":"628987654321@s.whatsapp.net","state":"composing","media":"","is_group":false}}') as r \gset
select is((:'r'::jsonb ->> 'status', :'r'::jsonb ->> 'ignored')::text, '(processed,"event chat_presence is not used")', 'chat_presence is acknowledged, kept and ignored');
-- "### Label Edit", line 463
select pg_temp.gowa('{"event":"label.edit","device_id":"628123456789@s.whatsapp.net","timestamp":"2026-01-22T12:03:00Z","payload":{"label_id":"9","name":"Important","color":2,"predefined_id":"1","deleted":false,"order_index":1,"is_active":true,"type":"CUSTOM","is_immutable":false,"mute_end_time_ms":0}}') as r \gset
select is((:'r'::jsonb ->> 'status', :'r'::jsonb ->> 'ignored')::text, '(processed,"event label.edit is not used")', 'label.edit is acknowledged, kept and ignored');
-- "### Newsletter Joined", line 624
select pg_temp.gowa('{"event":"newsletter.joined","device_id":"628123456789@s.whatsapp.net","timestamp":"2026-01-18T12:00:00Z","payload":{"newsletter_id":"120363123456789@newsletter","name":"Tech News Daily","description":"Latest tech updates and news"}}') as r \gset
select is((:'r'::jsonb ->> 'status', :'r'::jsonb ->> 'ignored')::text, '(processed,"event newsletter.joined is not used")', 'newsletter.joined is acknowledged, kept and ignored');
-- "### Call Offer", line 727
select pg_temp.gowa('{"event":"call.offer","device_id":"628123456789@s.whatsapp.net","timestamp":"2026-02-05T12:00:00Z","payload":{"call_id":"ABC123DEF456","from":"628987654321@s.whatsapp.net","sender_display_name":"Saved Contact","auto_rejected":false,"remote_platform":"android","remote_version":"2.24.1.5"}}') as r \gset
select is((:'r'::jsonb ->> 'status', :'r'::jsonb ->> 'ignored')::text, '(processed,"event call.offer is not used")', 'call.offer is acknowledged, kept and ignored');
select is((select count(*)::int from public.webhook_events
             where channel_id = 'b0000000-0000-0000-0000-000000000001' and event_type in ('chat_presence', 'label.edit', 'newsletter.joined', 'call.offer')
               and processed), 4, 'ignored events are stored, processed');

-- "### Forwarded Message", line 1289 (payload is_from_me replaced, id replaced)
select pg_temp.gowa('{"event":"message","device_id":"628987654321@s.whatsapp.net","payload":{"id":"FROM-PHONE","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_name":"John Doe","timestamp":"2023-10-15T11:45:00Z","body":"This is a forwarded message","forwarded":true,"is_from_me":true}}') as r \gset
select is(((pg_temp.msg('FROM-PHONE')).direction, (pg_temp.msg('FROM-PHONE')).status, (pg_temp.msg('FROM-PHONE')).is_forwarded)::text,
  '(outbound,sent,t)', 'a message sent from the phone (is_from_me) is ours, forwarded flag kept');

-- "### Text Message", line 225 (payload id replaced; session_id added, which GOWA adds when it knows the device)
select pg_temp.gowa('{"event":"message","device_id":"628111111111@s.whatsapp.net","session_id":"other-device","payload":{"id":"OTHER-DEVICE-1","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_name":"John Doe","timestamp":"2023-10-15T10:30:00Z","is_from_me":false,"body":"Hello, how are you?"}}') as r \gset
select is(:'r'::jsonb ->> 'ignored', 'an event of GOWA device other-device, not of this channel''s (acme-gowa)',
  'an event of another device of the same GOWA server is kept and ignored');
select is((select count(*)::int from public.messages where provider_message_id = 'OTHER-DEVICE-1'), 0, 'and stores no message');
select pg_temp.gowa('{"event":"message","device_id":"628987654321@s.whatsapp.net","session_id":"acme-gowa","payload":{"id":"OWN-DEVICE-1","chat_id":"628987654321@s.whatsapp.net","from":"628123456789@s.whatsapp.net","from_name":"John Doe","timestamp":"2023-10-15T10:30:00Z","is_from_me":false,"body":"Hello, how are you?"}}') as r \gset
select is(:'r'::jsonb ->> 'messages', '1', 'one of its own device is processed');

select is(private.ingest_webhook('whatsmeow', 'b0000000-0000-0000-0000-000000000001', '{"device_id":"628987654321@s.whatsapp.net","payload":{}}') ->> 'error',
  'bridge payload without event', 'a body without an event fails processing and is kept with the reason');

select * from finish();
rollback;

