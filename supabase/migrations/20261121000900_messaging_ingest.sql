-- Inbound pipeline. The webhook function verifies a provider's request and
-- hands the payload to private.ingest_webhook(), which in one transaction
-- stores the raw event (deduplicated on its content hash), then turns it
-- into contacts, identities, groups, conversations, messages and statuses.
-- Each provider's shape is normalized by its own function into one message
-- record that private.store_message() writes; storing is idempotent on the
-- provider's message id, so retries and duplicates are harmless.

-- Helpers ----------------------------------------------------------------------

-- Phone digits of a WhatsApp JID (5511999999999:12@s.whatsapp.net -> 5511999999999),
-- or of a bare wa_id; null for groups, broadcast lists and privacy ids (@lid).
create function private.jid_phone(jid text)
returns text
language sql immutable set search_path = ''
as $$
  select case
    when jid ~ '^[1-9][0-9]{6,14}$' then jid
    when jid ~ '^[1-9][0-9]{6,14}(:[0-9]+)?@(s\.whatsapp\.net|c\.us)$' then substring(jid from '^([0-9]+)')
  end
$$;

-- Provider timestamps: unix seconds as number or string, protobuf Long
-- objects ({low, high}) from Baileys, or ISO 8601 text.
create function private.provider_ts(v jsonb)
returns timestamptz
language plpgsql immutable set search_path = ''
as $$
begin
  if v is null or v = 'null'::jsonb then
    return null;
  elsif jsonb_typeof(v) = 'number' then
    return to_timestamp((v #>> '{}')::numeric);
  elsif jsonb_typeof(v) = 'object' and v ? 'low' then
    return to_timestamp(((v ->> 'high')::numeric * 4294967296) + ((v ->> 'low')::bigint & 4294967295));
  elsif (v #>> '{}') ~ '^[0-9]+$' then
    return to_timestamp((v #>> '{}')::numeric);
  else
    return (v #>> '{}')::timestamptz;
  end if;
exception when others then
  return null;
end
$$;

-- Resolvers: find or create, race-safe through unique keys -----------------------

create function private.resolve_contact(ch public.channels, p_ext_id text, p_phone text, p_push_name text,
                                        p_seen_at timestamptz)
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  ident record;
  cid uuid;
begin
  select i.id, i.contact_id, i.push_name into ident
    from public.contact_identities i
   where i.channel_id = ch.id and i.workspace_id = ch.workspace_id and i.external_id = p_ext_id;
  if found then
    if p_push_name is not null and p_push_name is distinct from ident.push_name then
      update public.contact_identities i set push_name = p_push_name, last_seen_at = now()
       where i.id = ident.id;
      update public.contacts c set name = p_push_name where c.id = ident.contact_id and c.name is null;
    end if;
    return ident.contact_id;
  end if;

  -- A new number: one CRM contact per phone in the workspace, whatever the channel.
  if p_phone is not null then
    insert into public.contacts (workspace_id, name, phone, source, last_message_at, added_by)
    values (ch.workspace_id, p_push_name, p_phone, 'inbound', p_seen_at, null)
    on conflict (workspace_id, phone) where phone is not null do nothing
    returning id into cid;
    if cid is null then
      select c.id into cid from public.contacts c where c.workspace_id = ch.workspace_id and c.phone = p_phone;
    end if;
  else
    insert into public.contacts (workspace_id, name, source, last_message_at, added_by)
    values (ch.workspace_id, p_push_name, 'inbound', p_seen_at, null)
    returning id into cid;
  end if;

  insert into public.contact_identities (workspace_id, contact_id, channel_id, external_id, phone, push_name, last_seen_at)
  values (ch.workspace_id, cid, ch.id, p_ext_id, p_phone, p_push_name, now())
  on conflict (channel_id, workspace_id, external_id) do nothing;
  if not found then
    -- Another transaction registered this address first; use its contact.
    select i.contact_id into cid from public.contact_identities i
     where i.channel_id = ch.id and i.workspace_id = ch.workspace_id and i.external_id = p_ext_id;
  end if;
  return cid;
end
$$;

create function private.resolve_group(ch public.channels, jid text, group_name text)
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  gid uuid;
begin
  select g.id into gid from public.whatsapp_groups g
   where g.channel_id = ch.id and g.workspace_id = ch.workspace_id and g.group_jid = jid;
  if gid is null then
    insert into public.whatsapp_groups (workspace_id, channel_id, group_jid, name)
    values (ch.workspace_id, ch.id, jid, group_name)
    on conflict (channel_id, workspace_id, group_jid) do nothing
    returning id into gid;
    if gid is null then
      select g.id into gid from public.whatsapp_groups g
   where g.channel_id = ch.id and g.workspace_id = ch.workspace_id and g.group_jid = jid;
    end if;
  end if;
  return gid;
end
$$;

-- Finds or creates the conversation for a chat. A new one is created
-- already holding its first message's state (first: the message's id,
-- direction, type, content and time), so the message trigger has nothing
-- left to rewrite; the state mirrors private.on_message_recorded().
create function private.resolve_conversation(ch public.channels, chat text, kind public.conversation_type,
                                             p_contact uuid, p_group uuid, first jsonb)
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  cid uuid;
  ts timestamptz := (first ->> 'at')::timestamptz;
  counts boolean := first ->> 'type' not in ('reaction', 'system');
  inbound boolean := first ->> 'direction' = 'inbound';
begin
  select c.id into cid from public.conversations c
   where c.channel_id = ch.id and c.workspace_id = ch.workspace_id and c.chat_id = chat;
  if cid is null then
    insert into public.conversations (workspace_id, channel_id, type, chat_id, contact_id, group_id,
                                      last_message_id, last_message_at, last_message_preview, last_message_direction,
                                      unread_count, last_inbound_at, window_expires_at)
    values (ch.workspace_id, ch.id, kind, chat, p_contact, p_group,
            case when counts then (first ->> 'id')::uuid end,
            case when counts then ts end,
            case when counts then left(coalesce(first ->> 'content', '[' || (first ->> 'type') || ']'), 140) end,
            case when counts then (first ->> 'direction')::public.message_direction end,
            case when counts and inbound then 1 else 0 end,
            case when inbound and first ->> 'type' <> 'system' then ts end,
            case when inbound and first ->> 'type' <> 'system' then ts + interval '24 hours' end)
    on conflict (channel_id, workspace_id, chat_id) do nothing
    returning id into cid;
    if cid is null then
      select c.id into cid from public.conversations c
   where c.channel_id = ch.id and c.workspace_id = ch.workspace_id and c.chat_id = chat;
    end if;
  end if;
  return cid;
end
$$;

-- The one place messages are written from providers. m is a normalized
-- record: provider_message_id, chat_id, chat_type, from_me, phone,
-- push_name, participant, type, provider_type, content, media{}, location{},
-- quoted_id, quoted_content, forwarded, forward_score, mentions[], reaction{},
-- timestamp, status, payload.
create function private.store_message(ch public.channels, m jsonb)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  from_me boolean := coalesce((m ->> 'from_me')::boolean, false);
  is_group boolean := m ->> 'chat_type' = 'group';
  chat text := m ->> 'chat_id';
  grp uuid;
  contact uuid;
  conv uuid;
  mid uuid;
  ts timestamptz := coalesce(private.provider_ts(m -> 'timestamp'), now());
  mid_new uuid := private.uuid7();
  first jsonb;
  quoted_ref uuid;
  mentioned text[] := '{}';
  kind public.message_type := case when m ->> 'type' in ('text', 'image', 'video', 'audio', 'document', 'sticker',
      'location', 'contacts', 'reaction', 'interactive', 'button', 'order', 'poll', 'list', 'template', 'system')
    then (m ->> 'type')::public.message_type else 'unsupported'::public.message_type end;
begin
  if chat is null or chat = '' then
    raise exception 'message % has no chat', m ->> 'provider_message_id' using errcode = '22023';
  end if;
  if m ->> 'quoted_id' is not null then
    select q.id into quoted_ref from public.messages q where q.channel_id = ch.id and q.provider_message_id = m ->> 'quoted_id';
  end if;
  if jsonb_typeof(m -> 'mentions') = 'array' and jsonb_array_length(m -> 'mentions') > 0 then
    mentioned := array(select jsonb_array_elements_text(m -> 'mentions'));
  end if;
  first := jsonb_build_object('id', mid_new, 'at', ts, 'type', kind, 'content', m ->> 'content',
                              'direction', case when from_me then 'outbound' else 'inbound' end);
  if is_group then
    grp := private.resolve_group(ch, chat, m ->> 'group_name');
    if not from_me and m ->> 'participant' is not null then
      contact := private.resolve_contact(ch, m ->> 'participant', private.jid_phone(m ->> 'participant'), m ->> 'push_name', ts);
    end if;
    conv := private.resolve_conversation(ch, chat, 'group', null, grp, first);
  else
    contact := private.resolve_contact(ch, chat, coalesce(m ->> 'phone', private.jid_phone(chat)),
                                       case when from_me then null else m ->> 'push_name' end, ts);
    conv := private.resolve_conversation(ch, chat, 'individual', contact, null, first);
  end if;

  insert into public.messages (
    id, workspace_id, channel_id, conversation_id, contact_id, direction, type, provider_type, provider_message_id,
    content, payload, media_id, media_url, media_mime_type, media_filename, media_size, media_sha256, media_duration,
    location_latitude, location_longitude, location_name, location_address,
    quoted_provider_message_id, quoted_message_id, quoted_content, is_forwarded, forward_score, mentions,
    reaction_emoji, reaction_target_id, participant_jid, remote_jid, push_name,
    sender_identifier, recipient_identifier, status, sent_at, delivered_at, provider_timestamp, errors)
  values (
    mid_new, ch.workspace_id, ch.id, conv, contact,
    case when from_me then 'outbound'::public.message_direction else 'inbound'::public.message_direction end,
    kind, m ->> 'provider_type', m ->> 'provider_message_id',
    m ->> 'content', m -> 'payload',
    m #>> '{media,id}', m #>> '{media,url}', m #>> '{media,mime_type}', m #>> '{media,filename}',
    (m #>> '{media,size}')::bigint, m #>> '{media,sha256}', (m #>> '{media,duration}')::integer,
    (m #>> '{location,latitude}')::numeric, (m #>> '{location,longitude}')::numeric,
    m #>> '{location,name}', m #>> '{location,address}',
    m ->> 'quoted_id', quoted_ref, m ->> 'quoted_content',
    coalesce((m ->> 'forwarded')::boolean, false), coalesce((m ->> 'forward_score')::integer, 0),
    mentioned,
    m #>> '{reaction,emoji}', m #>> '{reaction,target_id}',
    case when is_group then m ->> 'participant' end, chat, m ->> 'push_name',
    case when from_me then coalesce(ch.phone_number, 'me') else coalesce(m ->> 'participant', chat) end,
    case when from_me then chat else coalesce(ch.phone_number, 'me') end,
    coalesce((m ->> 'status')::public.message_status,
             case when from_me then 'sent'::public.message_status else 'delivered'::public.message_status end),
    case when from_me then ts end,
    case when not from_me then ts end,
    ts, m -> 'errors')
  on conflict (channel_id, provider_message_id) where provider_message_id is not null do nothing
  returning id into mid;

  if mid is null then
    return jsonb_build_object('duplicate', true);
  end if;

  -- A reaction lands on its target too ({reactor: emoji}; an empty emoji removes it).
  if kind = 'reaction' and m #>> '{reaction,target_id}' is not null then
    update public.messages t
       set reactions = case when coalesce(m #>> '{reaction,emoji}', '') = ''
                            then t.reactions - coalesce(m ->> 'participant', chat)
                            else t.reactions || jsonb_build_object(coalesce(m ->> 'participant', chat), m #>> '{reaction,emoji}') end
     where t.channel_id = ch.id and t.provider_message_id = m #>> '{reaction,target_id}';
  end if;

  if m #>> '{media,id}' is not null or m #>> '{media,url}' is not null then
    insert into public.media_files (workspace_id, channel_id, message_id, provider_media_id, source_url, mime_type,
                                    file_name, size_bytes, sha256, duration_seconds)
    values (ch.workspace_id, ch.id, mid, m #>> '{media,id}', m #>> '{media,url}', m #>> '{media,mime_type}',
            m #>> '{media,filename}', (m #>> '{media,size}')::bigint, m #>> '{media,sha256}',
            (m #>> '{media,duration}')::integer);
  end if;
  return jsonb_build_object('duplicate', false, 'message_id', mid, 'conversation_id', conv);
end
$$;

-- Meta Cloud API ---------------------------------------------------------------

create function private.cloud_api_message(msg jsonb, contacts jsonb)
returns jsonb
language plpgsql immutable set search_path = ''
as $$
declare
  t text := msg ->> 'type';
  obj jsonb := msg -> (msg ->> 'type');
  is_group boolean := msg ? 'group_id';
  n jsonb;
begin
  n := jsonb_build_object(
    'provider_message_id', msg ->> 'id',
    'chat_type', case when is_group then 'group' else 'individual' end,
    'chat_id', case when is_group then msg ->> 'group_id' else msg ->> 'from' end,
    'participant', case when is_group then msg ->> 'from' end,
    'phone', msg ->> 'from',
    -- Meta sends one contacts entry per sender; look further only if not first.
    'push_name', case when contacts #>> '{0,wa_id}' = msg ->> 'from' then contacts #>> '{0,profile,name}'
                      else (select c #>> '{profile,name}' from jsonb_array_elements(coalesce(contacts, '[]'::jsonb)) c
                             where c ->> 'wa_id' = msg ->> 'from' limit 1) end,
    'from_me', false,
    'type', case when t = 'unknown' then 'unsupported' else t end,
    'provider_type', case when t = 'interactive' then 'interactive.' || (obj ->> 'type') else t end,
    'timestamp', msg -> 'timestamp',
    'quoted_id', msg #>> '{context,id}',
    'forwarded', coalesce((msg #>> '{context,forwarded}')::boolean, false)
                 or coalesce((msg #>> '{context,frequently_forwarded}')::boolean, false),
    'forward_score', case when coalesce((msg #>> '{context,frequently_forwarded}')::boolean, false) then 5 else 0 end,
    'errors', msg -> 'errors',
    'payload', msg);

  if t in ('image', 'video', 'audio', 'document', 'sticker') then
    n := n || jsonb_build_object(
      'content', obj ->> 'caption',
      'media', jsonb_strip_nulls(jsonb_build_object(
        'id', obj ->> 'id', 'url', obj ->> 'url', 'mime_type', obj ->> 'mime_type', 'sha256', obj ->> 'sha256',
        'filename', obj ->> 'filename')));
  elsif t = 'text' then
    n := n || jsonb_build_object('content', obj ->> 'body');
  elsif t = 'location' then
    n := n || jsonb_build_object('content', coalesce(obj ->> 'name', obj ->> 'address'),
                                 'location', obj - 'url');
  elsif t = 'contacts' then
    n := n || jsonb_build_object('content',
      (select string_agg(c #>> '{name,formatted_name}', ', ') from jsonb_array_elements(obj) c));
  elsif t = 'reaction' then
    n := n || jsonb_build_object('content', obj ->> 'emoji',
      'reaction', jsonb_build_object('target_id', obj ->> 'message_id', 'emoji', obj ->> 'emoji'));
  elsif t = 'interactive' then
    n := n || jsonb_build_object('content', coalesce(obj #>> '{button_reply,title}', obj #>> '{list_reply,title}',
                                                     obj #>> '{nfm_reply,body}'));
  elsif t = 'button' then
    n := n || jsonb_build_object('content', obj ->> 'text');
  elsif t = 'order' then
    n := n || jsonb_build_object('content', coalesce(obj ->> 'text',
      format('Order of %s item(s)', jsonb_array_length(coalesce(obj -> 'product_items', '[]'::jsonb)))));
  elsif t = 'system' then
    n := n || jsonb_build_object('content', obj ->> 'body');
  end if;
  return n;
end
$$;

create function private.process_cloud_api(ch public.channels, payload jsonb)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  entries jsonb := coalesce(payload -> 'entry', '[]'::jsonb);
  changes jsonb;
  change jsonb;
  v jsonb;
  list jsonb;
  i integer;
  j integer;
  k integer;
  target public.channels;
  msg jsonb;
  st jsonb;
  stored jsonb;
  n_messages integer := 0;
  n_duplicates integer := 0;
  statuses integer := 0;
  parked integer := 0;
  ignored integer := 0;
begin
  if payload ->> 'object' is distinct from 'whatsapp_business_account' then
    raise exception 'not a WhatsApp Business Account webhook (object = %)', coalesce(payload ->> 'object', 'null')
      using errcode = '22023';
  end if;
  -- Index loops, not SELECT loops: no executor run per array (this is the hot path).
  for i in 0 .. jsonb_array_length(entries) - 1 loop
  changes := coalesce(entries -> i -> 'changes', '[]'::jsonb);
  for j in 0 .. jsonb_array_length(changes) - 1 loop
    change := changes -> j;
    v := change -> 'value';
    if change ->> 'field' <> 'messages' then
      ignored := ignored + 1;  -- template/account updates: kept raw, handled by their modules
      continue;
    end if;
    -- One Meta app can serve several numbers: route by phone_number_id
    -- within the workspace whose secret verified the request.
    target := ch;
    if v #>> '{metadata,phone_number_id}' is distinct from ch.phone_number_id then
      select * into target from public.channels c
       where c.workspace_id = ch.workspace_id and c.phone_number_id = v #>> '{metadata,phone_number_id}';
      if not found then
        raise exception 'unknown phone_number_id % for this workspace', v #>> '{metadata,phone_number_id}'
          using errcode = 'P0002';
      end if;
    end if;

    list := coalesce(v -> 'messages', '[]'::jsonb);
    for k in 0 .. jsonb_array_length(list) - 1 loop
      msg := list -> k;
      stored := private.store_message(target, private.cloud_api_message(msg, v -> 'contacts'));
      if (stored ->> 'duplicate')::boolean then n_duplicates := n_duplicates + 1; else n_messages := n_messages + 1; end if;
    end loop;

    list := coalesce(v -> 'statuses', '[]'::jsonb);
    for k in 0 .. jsonb_array_length(list) - 1 loop
      st := list -> k;
      if st ->> 'status' in ('sent', 'delivered', 'read', 'failed', 'deleted') then
        statuses := statuses + 1;
        if not private.apply_message_status(target.id, st ->> 'id', (st ->> 'status')::public.message_status,
                                            private.provider_ts(st -> 'timestamp'), st #> '{errors,0}') then
          parked := parked + 1;
        end if;
      end if;
    end loop;

    if v ? 'errors' then
      insert into public.activity_log (workspace_id, level, category, action, entity_type, entity_id, data, success, error)
      values (ch.workspace_id, 'error', 'channel', 'channel.webhook_error', 'channels', target.id::text,
              v -> 'errors', false, v #>> '{errors,0,title}');
    end if;
  end loop;
  end loop;
  return jsonb_build_object('messages', n_messages, 'duplicates', n_duplicates, 'statuses', statuses, 'parked_statuses', parked,
                                                             'ignored_changes', ignored);
end
$$;

-- Evolution API (Baileys) ------------------------------------------------------

create function private.evolution_status(s jsonb)
returns public.message_status
language sql immutable set search_path = ''
as $$
  select case upper(s #>> '{}')
    when 'ERROR' then 'failed' when '0' then 'failed'
    when 'SERVER_ACK' then 'sent' when '2' then 'sent'
    when 'DELIVERY_ACK' then 'delivered' when '3' then 'delivered'
    when 'READ' then 'read' when '4' then 'read'
    when 'PLAYED' then 'played' when '5' then 'played'
    when 'DELETED' then 'deleted'
  end::public.message_status
$$;

create function private.evolution_message(d jsonb)
returns jsonb
language plpgsql immutable set search_path = ''
as $$
declare
  k jsonb := d -> 'key';
  msg jsonb := coalesce(d -> 'message', '{}'::jsonb);
  mt text := coalesce(d ->> 'messageType',
                      (select x from jsonb_object_keys(msg) x where x not in ('messageContextInfo', 'mediaUrl', 'base64') limit 1));
  inner_msg jsonb;
  ctx jsonb;
  remote text := k ->> 'remoteJid';
  is_group boolean := remote like '%@g.us';
  t text;
  n jsonb;
begin
  if mt = 'documentWithCaptionMessage' then
    inner_msg := msg #> '{documentWithCaptionMessage,message,documentMessage}';
    mt := 'documentMessage';
  else
    inner_msg := msg -> mt;
  end if;
  ctx := coalesce(inner_msg -> 'contextInfo', d -> 'contextInfo');
  t := case mt
    when 'conversation' then 'text' when 'extendedTextMessage' then 'text'
    when 'imageMessage' then 'image' when 'videoMessage' then 'video' when 'audioMessage' then 'audio'
    when 'documentMessage' then 'document' when 'stickerMessage' then 'sticker'
    when 'locationMessage' then 'location' when 'liveLocationMessage' then 'location'
    when 'contactMessage' then 'contacts' when 'contactsArrayMessage' then 'contacts'
    when 'reactionMessage' then 'reaction'
    when 'pollCreationMessage' then 'poll' when 'pollCreationMessageV3' then 'poll'
    when 'listResponseMessage' then 'interactive' when 'listMessage' then 'list'
    when 'buttonsResponseMessage' then 'button' when 'templateButtonReplyMessage' then 'button'
    else 'unsupported' end;

  n := jsonb_build_object(
    'provider_message_id', k ->> 'id',
    'chat_type', case when is_group then 'group' else 'individual' end,
    'chat_id', remote,
    'participant', case when is_group then coalesce(k ->> 'participant', d ->> 'participant') end,
    'push_name', d ->> 'pushName',
    'from_me', coalesce((k ->> 'fromMe')::boolean, false),
    'type', t,
    'provider_type', mt,
    'timestamp', d -> 'messageTimestamp',
    'quoted_id', ctx ->> 'stanzaId',
    'quoted_content', coalesce(ctx #>> '{quotedMessage,conversation}', ctx #>> '{quotedMessage,extendedTextMessage,text}'),
    'forwarded', coalesce((ctx ->> 'isForwarded')::boolean, false),
    'forward_score', coalesce((ctx ->> 'forwardingScore')::integer, 0),
    'mentions', coalesce(ctx -> 'mentionedJid', '[]'::jsonb),
    'status', case when coalesce((k ->> 'fromMe')::boolean, false) then 'sent' end,
    'payload', d - 'base64');

  if t in ('image', 'video', 'audio', 'document', 'sticker') then
    n := n || jsonb_build_object('content', inner_msg ->> 'caption',
      'media', jsonb_strip_nulls(jsonb_build_object(
        'url', coalesce(msg ->> 'mediaUrl', inner_msg ->> 'url'), 'mime_type', inner_msg ->> 'mimetype',
        'size', inner_msg #>> '{fileLength}', 'sha256', inner_msg ->> 'fileSha256',
        'filename', inner_msg ->> 'fileName', 'duration', inner_msg ->> 'seconds')));
  elsif mt = 'conversation' then
    n := n || jsonb_build_object('content', msg ->> 'conversation');
  elsif mt = 'extendedTextMessage' then
    n := n || jsonb_build_object('content', inner_msg ->> 'text');
  elsif t = 'location' then
    n := n || jsonb_build_object('content', coalesce(inner_msg ->> 'name', inner_msg ->> 'address'),
      'location', jsonb_build_object('latitude', inner_msg -> 'degreesLatitude', 'longitude', inner_msg -> 'degreesLongitude',
                                     'name', inner_msg ->> 'name', 'address', inner_msg ->> 'address'));
  elsif t = 'contacts' then
    n := n || jsonb_build_object('content', inner_msg ->> 'displayName');
  elsif t = 'reaction' then
    n := n || jsonb_build_object('content', inner_msg ->> 'text',
      'reaction', jsonb_build_object('target_id', inner_msg #>> '{key,id}', 'emoji', inner_msg ->> 'text'));
  elsif t = 'poll' then
    n := n || jsonb_build_object('content', inner_msg ->> 'name');
  elsif t in ('interactive', 'list') then
    n := n || jsonb_build_object('content', coalesce(inner_msg ->> 'title', inner_msg #>> '{singleSelectReply,selectedRowId}',
                                                     inner_msg ->> 'description'));
  elsif t = 'button' then
    n := n || jsonb_build_object('content', coalesce(inner_msg ->> 'selectedDisplayText', inner_msg ->> 'selectedId'));
  end if;
  return n;
end
$$;

-- Evolution sends one object or an array, depending on version and event.
create function private.as_array(v jsonb)
returns setof jsonb
language sql immutable set search_path = ''
as $$
  select x from jsonb_array_elements(case when jsonb_typeof(v) = 'array' then v
                                          when v is null or v = 'null'::jsonb then '[]'::jsonb
                                          else jsonb_build_array(v) end) x
$$;

create function private.process_evolution(ch public.channels, payload jsonb)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  ev text := replace(lower(payload ->> 'event'), '_', '.');
  d jsonb;
  item jsonb;
  stored jsonb;
  n_messages integer := 0;
  n_duplicates integer := 0;
  statuses integer := 0;
  st public.message_status;
  target_id text;
  state text;
  touched integer := 0;
begin
  if ev is null then
    raise exception 'Evolution payload without event' using errcode = '22023';
  end if;
  d := payload -> 'data';

  if ev in ('messages.upsert', 'send.message') then
    for item in select private.as_array(d) loop
      if item #>> '{key,remoteJid}' = 'status@broadcast' then
        continue;  -- status stories are not conversations
      end if;
      if item #>> '{message,protocolMessage,type}' in ('REVOKE', '0') then
        perform private.apply_message_status(ch.id, item #>> '{message,protocolMessage,key,id}', 'deleted',
                                             private.provider_ts(item -> 'messageTimestamp'), null);
        statuses := statuses + 1;
        continue;
      elsif item #>> '{message,protocolMessage,type}' in ('MESSAGE_EDIT', '14') then
        update public.messages m
           set content = coalesce(item #>> '{message,protocolMessage,editedMessage,conversation}',
                                  item #>> '{message,protocolMessage,editedMessage,extendedTextMessage,text}', m.content),
               edited_at = coalesce(private.provider_ts(item -> 'messageTimestamp'), now())
         where m.channel_id = ch.id and m.provider_message_id = item #>> '{message,protocolMessage,key,id}';
        statuses := statuses + 1;
        continue;
      end if;
      stored := private.store_message(ch, private.evolution_message(item));
      if (stored ->> 'duplicate')::boolean then n_duplicates := n_duplicates + 1; else n_messages := n_messages + 1; end if;
    end loop;

  elsif ev = 'messages.update' then
    for item in select private.as_array(d) loop
      st := private.evolution_status(coalesce(item -> 'status', item #> '{update,status}'));
      target_id := coalesce(item ->> 'keyId', item #>> '{key,id}', item ->> 'messageId');
      if st is not null and target_id is not null then
        perform private.apply_message_status(ch.id, target_id, st, private.provider_ts(item -> 'datetime'), null);
        statuses := statuses + 1;
      end if;
    end loop;

  elsif ev = 'messages.delete' then
    for item in select private.as_array(d) loop
      target_id := coalesce(item #>> '{key,id}', item ->> 'id', item ->> 'keyId');
      if target_id is not null then
        perform private.apply_message_status(ch.id, target_id, 'deleted', now(), null);
        statuses := statuses + 1;
      end if;
    end loop;

  elsif ev = 'qrcode.updated' then
    update public.channels c
       set status = 'qr_pending', qr_code = coalesce(d #>> '{qrcode,base64}', d #>> '{qrcode,code}', d ->> 'base64'),
           pairing_code = d #>> '{qrcode,pairingCode}', qr_expires_at = now() + interval '60 seconds',
           connection_retries = c.connection_retries + 1
     where c.id = ch.id;

  elsif ev = 'connection.update' then
    state := lower(coalesce(d ->> 'state', d ->> 'connection'));
    update public.channels c set
      status = case state when 'open' then 'connected' when 'connecting' then 'connecting'
                          when 'close' then 'disconnected' when 'refused' then 'error' else c.status end::public.channel_status,
      last_connected_at = case when state = 'open' then now() else c.last_connected_at end,
      disconnected_at = case when state in ('close', 'refused') then now() else c.disconnected_at end,
      connection_retries = case when state = 'open' then 0 else c.connection_retries end,
      qr_code = case when state = 'open' then null else c.qr_code end,
      qr_expires_at = case when state = 'open' then null else c.qr_expires_at end,
      phone_number = coalesce(private.jid_phone(d ->> 'wuid'), c.phone_number),
      profile_name = coalesce(d ->> 'profileName', c.profile_name),
      profile_picture_url = coalesce(d ->> 'profilePictureUrl', c.profile_picture_url),
      last_error = case when state = 'refused' then 'connection refused: too many QR codes without pairing'
                        when state = 'close' then coalesce('closed (status ' || (d ->> 'statusReason') || ')', c.last_error)
                        when state = 'open' then null else c.last_error end
    where c.id = ch.id;

  elsif ev in ('contacts.upsert', 'contacts.update', 'contacts.set') then
    for item in select private.as_array(d) loop
      target_id := coalesce(item ->> 'remoteJid', item ->> 'id');
      if target_id like '%@s.whatsapp.net' then
        perform private.resolve_contact(ch, target_id, private.jid_phone(target_id), item ->> 'pushName', null);
        update public.contact_identities i
           set profile_picture_url = coalesce(item ->> 'profilePicUrl', item ->> 'profilePictureUrl', i.profile_picture_url)
         where i.channel_id = ch.id and i.external_id = target_id;
        touched := touched + 1;
      end if;
    end loop;

  elsif ev in ('groups.upsert', 'groups.update') then
    for item in select private.as_array(d) loop
      perform private.resolve_group(ch, item ->> 'id', item ->> 'subject');
      update public.whatsapp_groups g set
        name = coalesce(item ->> 'subject', g.name),
        description = coalesce(item ->> 'desc', g.description),
        picture_url = coalesce(item ->> 'pictureUrl', g.picture_url),
        owner_jid = coalesce(item ->> 'owner', g.owner_jid),
        is_announcement = coalesce((item ->> 'announce')::boolean, g.is_announcement),
        is_restricted = coalesce((item ->> 'restrict')::boolean, g.is_restricted),
        group_created_at = coalesce(private.provider_ts(item -> 'creation'), g.group_created_at),
        participants = coalesce((select jsonb_agg(jsonb_build_object('jid', p ->> 'id', 'role', coalesce(p ->> 'admin', 'member')))
                                   from jsonb_array_elements(item -> 'participants') p), g.participants),
        participants_count = coalesce(jsonb_array_length(item -> 'participants'), (item ->> 'size')::integer, g.participants_count)
      where g.channel_id = ch.id and g.group_jid = item ->> 'id';
      touched := touched + 1;
    end loop;

  elsif ev = 'group-participants.update' or ev = 'group.participants.update' then
    perform private.resolve_group(ch, d ->> 'id', null);
    update public.whatsapp_groups g set participants = (
      case d ->> 'action'
        when 'add' then g.participants || (select coalesce(jsonb_agg(jsonb_build_object('jid', p, 'role', 'member')), '[]'::jsonb)
                                             from jsonb_array_elements_text(d -> 'participants') p
                                            where not exists (select 1 from jsonb_array_elements(g.participants) e where e ->> 'jid' = p))
        when 'remove' then (select coalesce(jsonb_agg(e), '[]'::jsonb) from jsonb_array_elements(g.participants) e
                             where not (e ->> 'jid' in (select jsonb_array_elements_text(d -> 'participants'))))
        when 'promote' then (select coalesce(jsonb_agg(case when e ->> 'jid' in (select jsonb_array_elements_text(d -> 'participants'))
                                                            then e || '{"role": "admin"}' else e end), '[]'::jsonb)
                               from jsonb_array_elements(g.participants) e)
        when 'demote' then (select coalesce(jsonb_agg(case when e ->> 'jid' in (select jsonb_array_elements_text(d -> 'participants'))
                                                           then e || '{"role": "member"}' else e end), '[]'::jsonb)
                              from jsonb_array_elements(g.participants) e)
        else g.participants end)
    where g.channel_id = ch.id and g.group_jid = d ->> 'id';
    update public.whatsapp_groups g set participants_count = jsonb_array_length(g.participants)
     where g.channel_id = ch.id and g.group_jid = d ->> 'id';
    touched := 1;
  end if;
  return jsonb_build_object('messages', n_messages, 'duplicates', n_duplicates, 'event', ev, 'statuses', statuses,
                            'updated', touched);
end
$$;

-- whatsmeow bridges (WhatsHooked-style: {event, device_id, payload}) ------------

create function private.whatsmeow_message(p jsonb)
returns jsonb
language sql immutable set search_path = ''
as $$
  select jsonb_strip_nulls(jsonb_build_object(
    'provider_message_id', p ->> 'id',
    'chat_type', case when coalesce((p ->> 'is_group')::boolean, p ->> 'chat' like '%@g.us') then 'group' else 'individual' end,
    'chat_id', p ->> 'chat',
    'participant', case when coalesce((p ->> 'is_group')::boolean, p ->> 'chat' like '%@g.us') then p ->> 'sender' end,
    'push_name', p ->> 'push_name',
    'from_me', coalesce((p ->> 'is_from_me')::boolean, false),
    'type', coalesce(p ->> 'type', 'text'),
    'provider_type', p ->> 'type',
    'timestamp', p -> 'timestamp',
    'content', coalesce(p ->> 'text', p ->> 'caption', p #>> '{reaction,emoji}', p #>> '{location,name}'),
    'media', p -> 'media',
    'location', p -> 'location',
    'reaction', p -> 'reaction',
    'quoted_id', p ->> 'quoted_id',
    'mentions', p -> 'mentions',
    'forwarded', p -> 'is_forwarded',
    'payload', p))
$$;

create function private.process_whatsmeow(ch public.channels, payload jsonb)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  ev text := lower(payload ->> 'event');
  p jsonb := coalesce(payload -> 'payload', '{}'::jsonb);
  stored jsonb;
  n_messages integer := 0;
  n_duplicates integer := 0;
  statuses integer := 0;
  mid text;
  st public.message_status;
begin
  if ev is null then
    raise exception 'bridge payload without event' using errcode = '22023';
  end if;
  if ev = 'message' then
    stored := private.store_message(ch, private.whatsmeow_message(p));
      if (stored ->> 'duplicate')::boolean then n_duplicates := n_duplicates + 1; else n_messages := n_messages + 1; end if;
  elsif ev = 'receipt' then
    st := case lower(p ->> 'type') when 'delivered' then 'delivered' when 'read' then 'read'
                                   when 'played' then 'played' when 'sent' then 'sent' end::public.message_status;
    if st is not null then
      for mid in select jsonb_array_elements_text(coalesce(p -> 'message_ids', '[]'::jsonb)) loop
        perform private.apply_message_status(ch.id, mid, st, private.provider_ts(p -> 'timestamp'), null);
        statuses := statuses + 1;
      end loop;
    end if;
  elsif ev = 'connected' then
    update public.channels c set status = 'connected', last_connected_at = now(), connection_retries = 0,
           qr_code = null, qr_expires_at = null, last_error = null,
           phone_number = coalesce(private.jid_phone(p ->> 'jid'), c.phone_number),
           profile_name = coalesce(p ->> 'push_name', c.profile_name)
     where c.id = ch.id;
  elsif ev = 'disconnected' or ev = 'logged_out' then
    update public.channels c set status = 'disconnected', disconnected_at = now(),
           last_error = coalesce(p ->> 'reason', ev)
     where c.id = ch.id;
  elsif ev in ('pairing', 'qr') then
    update public.channels c set status = 'pairing', qr_code = coalesce(p ->> 'qr_code', p ->> 'code'),
           qr_expires_at = coalesce(private.provider_ts(p -> 'expires_at'), now() + interval '60 seconds'),
           connection_retries = c.connection_retries + 1
     where c.id = ch.id;
  end if;
  return jsonb_build_object('messages', n_messages, 'duplicates', n_duplicates, 'event', ev, 'statuses', statuses);
end
$$;

-- Entry points -----------------------------------------------------------------
-- Every statement below is a lookup by key. The entry points pin
-- enable_seqscan = off (inherited by everything they call) because PL/pgSQL
-- caches plans per session: a plan made while a table was still empty (a
-- fresh deploy) would keep scanning it sequentially as it grows, until
-- autovacuum re-analyzes it.

-- The provider's processor for a payload: the one place that knows them all.
create function private.process_payload(ch public.channels, provider public.channel_provider, payload jsonb)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
begin
  return case provider
    when 'cloud_api' then private.process_cloud_api(ch, payload)
    when 'evolution' then private.process_evolution(ch, payload)
    else private.process_whatsmeow(ch, payload) end;
end
$$;

-- Processes a stored event again (the tick's retries).
create function private.process_webhook_event(p_event bigint)
returns jsonb
language plpgsql security definer set search_path = '' set enable_seqscan = off
as $$
declare
  ev public.webhook_events;
  ch public.channels;
  result jsonb;
  msg text;
begin
  select * into ev from public.webhook_events w where w.id = p_event for update;
  select * into ch from public.channels c where c.id = ev.channel_id;
  begin
    result := private.process_payload(ch, ev.provider, ev.payload);
    update public.webhook_events w set processed = true, processed_at = now(), error = null where w.id = p_event;
    return jsonb_build_object('status', 'processed', 'event_id', p_event) || result;
  exception when others then
    -- Everything derived is rolled back; the raw event stays for a retry.
    get stacked diagnostics msg = message_text;
    update public.webhook_events w set error = msg where w.id = p_event;
    return jsonb_build_object('status', 'failed', 'event_id', p_event, 'error', msg);
  end;
end
$$;

-- One call per verified webhook. The event is processed, then written once
-- with its outcome (a failure keeps it raw for the tick to retry). A
-- redelivery of an event already processed is acknowledged and skipped.
create function private.ingest_webhook(p_provider public.channel_provider, p_channel uuid, p_payload jsonb)
returns jsonb
language plpgsql security definer set search_path = '' set enable_seqscan = off
as $$
declare
  ch public.channels;
  -- Evolution puts the instance API key in every body: never store it.
  clean jsonb := case when p_provider = 'evolution' then p_payload - 'apikey' else p_payload end;
  digest bytea := sha256(convert_to(clean::text, 'UTF8'));
  result jsonb;
  failure text;
  ev bigint;
begin
  select * into ch from public.channels c where c.id = p_channel;
  if not found then
    raise exception 'unknown channel %', p_channel using errcode = 'P0002';
  elsif ch.provider is distinct from p_provider then
    raise exception 'channel % is a % channel, not %', p_channel, ch.provider, p_provider using errcode = '22023';
  end if;
  if exists (select 1 from public.webhook_events w
              where w.channel_id = ch.id and w.workspace_id = ch.workspace_id and w.body_sha256 = digest and w.processed) then
    return jsonb_build_object('status', 'duplicate');
  end if;

  begin
    result := private.process_payload(ch, p_provider, clean);
  exception when others then
    get stacked diagnostics failure = message_text;  -- derived rows rolled back
  end;

  insert into public.webhook_events as w (workspace_id, channel_id, provider, event_type, payload, body_sha256,
                                          processed, processed_at, error)
  values (ch.workspace_id, ch.id, p_provider,
          case p_provider
            when 'cloud_api' then coalesce(clean #>> '{entry,0,changes,0,field}', 'unknown')
            else coalesce(clean ->> 'event', 'unknown') end,
          clean, digest, failure is null, case when failure is null then now() end, failure)
  on conflict (channel_id, workspace_id, body_sha256) do update
    set processed = w.processed or excluded.processed,
        processed_at = coalesce(w.processed_at, excluded.processed_at),
        error = case when w.processed or excluded.processed then null else excluded.error end,
        retry_count = w.retry_count + 1
  returning id into ev;

  if failure is not null then
    return jsonb_build_object('status', 'failed', 'event_id', ev, 'error', failure);
  end if;
  return jsonb_build_object('status', 'processed', 'event_id', ev) || result;
end
$$;

-- Many verified webhooks in one transaction (the webhook function's group
-- commit). Each keeps its own outcome: an error in one is reported for that
-- one only. batch: [{"provider": ..., "channel": ..., "payload": {...}}].
create function private.ingest_webhooks(batch jsonb)
returns jsonb
language plpgsql security definer set search_path = '' set enable_seqscan = off
as $$
declare
  item jsonb;
  out jsonb := '[]'::jsonb;
  r jsonb;
  code text;
  msg text;
begin
  for item in select x from jsonb_array_elements(batch) x loop
    begin
      r := private.ingest_webhook((item ->> 'provider')::public.channel_provider, (item ->> 'channel')::uuid,
                                  item -> 'payload');
    exception when others then
      get stacked diagnostics code = returned_sqlstate, msg = message_text;
      r := jsonb_build_object('status', 'error', 'code', code, 'error', msg);
    end;
    out := out || jsonb_build_array(r);
  end loop;
  return out;
end
$$;

-- A signed request whose body is not the JSON we expect: kept raw for replay.
create function private.record_webhook_failure(p_provider public.channel_provider, p_channel uuid, p_raw text, p_error text)
returns bigint
language plpgsql security definer set search_path = ''
as $$
declare
  ch public.channels;
  ev bigint;
begin
  select * into ch from public.channels c where c.id = p_channel;
  if not found then
    raise exception 'unknown channel %', p_channel using errcode = 'P0002';
  end if;
  insert into public.webhook_events as w (workspace_id, channel_id, provider, event_type, raw_body, body_sha256, error)
  values (ch.workspace_id, ch.id, p_provider, 'unparseable', p_raw, sha256(convert_to(coalesce(p_raw, ''), 'UTF8')), p_error)
  on conflict (channel_id, workspace_id, body_sha256) do update set retry_count = w.retry_count + 1
  returning id into ev;
  return ev;
end
$$;

-- For the minute tick: events that failed (for example, a status for a
-- channel whose number was not set yet) are tried again, a few times.
create function private.retry_webhook_events(max_events integer default 100, max_retries integer default 5)
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  ev bigint;
  n integer := 0;
begin
  for ev in select w.id from public.webhook_events w
             where not w.processed and w.payload is not null and w.retry_count < max_retries
             order by w.created_at limit max_events
             for update skip locked
  loop
    update public.webhook_events w set retry_count = w.retry_count + 1 where w.id = ev;
    perform private.process_webhook_event(ev);
    n := n + 1;
  end loop;
  return n;
end
$$;

-- What the webhook function needs to verify a request for a channel.
create function private.webhook_channel(p_channel uuid)
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object('id', c.id, 'workspace_id', c.workspace_id, 'provider', c.provider,
                            'is_active', c.is_active, 'credentials', private.channel_credentials(c.id))
    from public.channels c where c.id = p_channel
$$;

revoke all on function private.jid_phone(text), private.provider_ts(jsonb),
  private.resolve_contact(public.channels, text, text, text, timestamptz), private.resolve_group(public.channels, text, text),
  private.resolve_conversation(public.channels, text, public.conversation_type, uuid, uuid, jsonb),
  private.store_message(public.channels, jsonb),
  private.cloud_api_message(jsonb, jsonb), private.process_cloud_api(public.channels, jsonb),
  private.evolution_status(jsonb), private.evolution_message(jsonb), private.as_array(jsonb),
  private.process_evolution(public.channels, jsonb), private.whatsmeow_message(jsonb),
  private.process_whatsmeow(public.channels, jsonb),
  private.process_payload(public.channels, public.channel_provider, jsonb), private.process_webhook_event(bigint),
  private.ingest_webhook(public.channel_provider, uuid, jsonb), private.ingest_webhooks(jsonb),
  private.record_webhook_failure(public.channel_provider, uuid, text, text),
  private.retry_webhook_events(integer, integer), private.webhook_channel(uuid) from public;
grant execute on function private.ingest_webhook(public.channel_provider, uuid, jsonb), private.ingest_webhooks(jsonb),
  private.record_webhook_failure(public.channel_provider, uuid, text, text),
  private.webhook_channel(uuid) to service_role;
