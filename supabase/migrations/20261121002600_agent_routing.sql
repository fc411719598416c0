-- Agents and the messaging pipeline (seed 003 whatsapp_configuration
-- semantics). Messages on a channel bound to an agent are written as usual
-- (contact, conversation, message, statuses, automations) and mirrored into
-- the agent's tables: a customer on the first message from a number, then
-- every message with its direction, media type and caption. An outbound row
-- an agent inserts into agt_<id>_messages becomes a message in its
-- conversation and is queued in private.outbox like any other.
--
-- The setting threadline.agent_sync marks rows the database writes itself,
-- so neither direction echoes back into the other.

create function private.agent_kind(t public.message_type)
returns public.media_type
language sql immutable set search_path = ''
as $$
  select case when t::text in ('image', 'video', 'audio', 'document', 'sticker') then t::text::public.media_type
              else 'none'::public.media_type end
$$;

-- Canonical messages -> one agent's tables, in the order given.
create function private.agent_receive(p_agent bigint, p_messages uuid[])
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  customers text := private.agent_table_name(p_agent, 'customers');
begin
  perform set_config('threadline.agent_sync', 'on', true);
  execute format($q$
    insert into public.%I (name, phone, profile_image_url)
    select distinct on (ct.phone)
           coalesce(nullif(btrim(ct.name), ''), nullif(btrim(m.push_name), ''), '+' || ct.phone), '+' || ct.phone,
           coalesce(ct.avatar_url, i.profile_picture_url)
      from public.messages m
      join public.contacts ct on ct.id = m.contact_id
      left join public.contact_identities i on i.channel_id = m.channel_id and i.workspace_id = m.workspace_id
                                           and i.external_id = m.remote_jid
     where m.id = any ($1) and ct.phone is not null
     order by ct.phone, m.direction desc
    on conflict (phone) do nothing$q$, customers) using p_messages;
  execute format($q$
    insert into public.%I (customer_id, message, direction, "timestamp", is_read, media_type, media_url, caption)
    select cu.id, coalesce(m.content, '[' || m.type::text || ']'), m.direction::text,
           coalesce(m.provider_timestamp, m.created_at)::timestamp, m.direction = 'outbound',
           private.agent_kind(m.type), m.media_url,
           case when m.type in ('image', 'video', 'document') then m.content end
      from unnest($1) with ordinality u(id, n)
      join public.messages m on m.id = u.id
      join public.contacts ct on ct.id = m.contact_id
      join public.%I cu on cu.phone = '+' || ct.phone
     order by u.n$q$, private.agent_table_name(p_agent, 'messages'), customers) using p_messages;
  perform set_config('threadline.agent_sync', '', true);
end
$$;

-- After each insert statement on messages: the individual chats' messages
-- (not reactions or system notices) on agent-bound channels. A failure here
-- never costs the message itself: it is logged and ingestion goes on.
create function private.mirror_agent_messages()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  r record;
begin
  if current_setting('threadline.agent_sync', true) = 'on' then
    return null;
  end if;
  for r in
    select b.agent_id, b.workspace_id, array_agg(i.id order by coalesce(i.provider_timestamp, i.created_at), i.id) as ids
      from inserted i
      join public.agent_channels b on b.channel_id = i.channel_id and b.is_active
      join public.conversations v on v.id = i.conversation_id and v.type = 'individual'
     where i.type not in ('reaction', 'system') and i.contact_id is not null
     group by b.agent_id, b.workspace_id
  loop
    begin
      perform private.agent_receive(r.agent_id, r.ids);
    exception when others then
      insert into public.activity_log (workspace_id, level, category, action, message, entity_type, entity_id,
                                       data, success, error)
      values (r.workspace_id, 'error', 'agent', 'agent.mirror_failed',
              'Messages could not be copied into the agent''s tables', 'agent', r.agent_id::text,
              jsonb_build_object('message_ids', to_jsonb(r.ids)), false, sqlerrm);
    end;
  end loop;
  return null;
end
$$;
create trigger mirror_agent_messages after insert on public.messages
  referencing new table as inserted
  for each statement execute function private.mirror_agent_messages();

-- An agent's outbound row -> a message in the customer's conversation on
-- the agent's channel (contact and conversation made if new), checked and
-- queued by the usual outbound triggers as the inserting user. Errors (no
-- channel, window closed, opted out, viewer) refuse the row.
create function private.agent_send(p_agent bigint, p_customer integer, p_message text, p_media public.media_type,
                                   p_media_url text, p_caption text)
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  ch public.channels;
  cust_phone text;
  cname text;
  digits text;
  chat text;
  contact uuid;
  conv uuid;
  mid uuid;
  kind public.message_type := case when coalesce(p_media, 'none') = 'none' then 'text' else p_media::text end::public.message_type;
begin
  select c.* into ch from public.agent_channels b join public.channels c on c.id = b.channel_id
   where b.agent_id = p_agent and b.is_active;
  if not found then
    raise exception 'agent % has no active WhatsApp channel: bind one in agent_channels', p_agent using errcode = '55000';
  end if;
  execute format('select c.phone, c.name from public.%I c where c.id = $1', private.agent_table_name(p_agent, 'customers'))
    into cust_phone, cname using p_customer;
  digits := ltrim(cust_phone, '+');
  chat := digits || case when ch.provider = 'cloud_api' then '' else '@s.whatsapp.net' end;

  insert into public.contacts (workspace_id, name, phone, source, added_by)
  values (ch.workspace_id, cname, digits, 'agent', (select auth.uid()))
  on conflict (workspace_id, phone) where phone is not null do nothing;
  contact := private.resolve_contact(ch, chat, digits, null, now());
  insert into public.conversations (workspace_id, channel_id, chat_id, contact_id, type)
  values (ch.workspace_id, ch.id, chat, contact, 'individual')
  on conflict (channel_id, workspace_id, chat_id) do nothing;
  select v.id into conv from public.conversations v
   where v.channel_id = ch.id and v.workspace_id = ch.workspace_id and v.chat_id = chat;

  perform set_config('threadline.agent_sync', 'on', true);
  insert into public.messages (conversation_id, type, content, media_url)
  values (conv, kind,
          case when kind = 'text' then p_message
               when kind in ('image', 'video', 'document') then coalesce(p_caption, nullif(btrim(p_message), '')) end,
          case when kind <> 'text' then p_media_url end)
  returning id into mid;
  perform set_config('threadline.agent_sync', '', true);
  return mid;
end
$$;

create function private.agent_send_trigger()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.agent_send(tg_argv[0]::bigint, new.customer_id, new.message, new.media_type, new.media_url, new.caption);
  return null;
end
$$;

revoke all on function private.agent_kind(public.message_type), private.agent_receive(bigint, uuid[]),
  private.mirror_agent_messages(), private.agent_send(bigint, integer, text, public.media_type, text, text),
  private.agent_send_trigger() from public;
