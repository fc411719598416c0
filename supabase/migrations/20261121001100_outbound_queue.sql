-- Sending: a member inserts an outbound message (or calls send_message);
-- the database checks it (role, channel, opt-out, block, the 24-hour window,
-- template parameters) and queues it in private.outbox in the same
-- transaction, then pokes the dispatch function through pg_net, whose
-- request leaves only if the transaction commits.

alter table public.messages
  add column template_id uuid references public.message_templates (id) on delete set null,
  add column template_params jsonb,
  add column idempotency_key text check (char_length(idempotency_key) between 1 and 200);
create index messages_template_id_idx on public.messages (template_id) where template_id is not null;
create unique index messages_idempotency_key on public.messages (workspace_id, idempotency_key)
  where idempotency_key is not null;
comment on column public.messages.template_id is 'The template an outbound template message uses.';
comment on column public.messages.template_params is 'Template parameters, validated and normalized: {"header", "body", "buttons"}.';
comment on column public.messages.idempotency_key is 'A sender''s key for this message: the same key twice in a workspace is one message.';

-- Send rates are the channel's to set, within what providers allow.
alter table public.channels add constraint channels_send_settings check (
  (not settings ? 'rate_limit_per_second'
   or (jsonb_typeof(settings -> 'rate_limit_per_second') = 'number'
       and (settings ->> 'rate_limit_per_second')::numeric between 1 and 1000))
  and (not settings ? 'recipient_interval_ms'
   or (jsonb_typeof(settings -> 'recipient_interval_ms') = 'number'
       and (settings ->> 'recipient_interval_ms')::numeric between 0 and 86400000)));

-- Messages per second a channel sends at: its setting, else the provider's
-- default (Meta's 80/s for a Cloud API number; Baileys and whatsmeow
-- accounts get banned when they blast, hence a gentle 20/s).
create function private.channel_rate(ch public.channels)
returns numeric
language sql immutable set search_path = ''
as $$
  select coalesce((ch.settings ->> 'rate_limit_per_second')::numeric,
                  case ch.provider when 'cloud_api' then 80 else 20 end)
$$;

-- Queue ---------------------------------------------------------------------------

create table private.outbox (
  id bigint generated always as identity primary key,
  message_id uuid not null unique references public.messages (id) on delete cascade,
  workspace_id uuid not null,
  channel_id uuid not null references public.channels (id) on delete cascade,
  conversation_id uuid not null,
  recipient text not null,
  priority smallint not null default 0,
  attempts integer not null default 0,
  max_attempts integer not null default 5 check (max_attempts between 1 and 20),
  throttled_count integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  claimed_by text,
  claimed_until timestamptz,
  send_at timestamptz,
  last_error jsonb,
  created_at timestamptz not null default now()
);
-- Claims walk a channel's queue in priority then arrival order.
create index outbox_channel_idx on private.outbox (channel_id, priority desc, id);
-- Per-conversation order: nothing is claimed while an earlier one waits.
create index outbox_conversation_idx on private.outbox (conversation_id, id);
comment on table private.outbox is 'Outbound messages waiting to be sent: claimed by dispatchers with FOR UPDATE SKIP LOCKED under a lease, retried with backoff, dead-lettered (message failed) after max_attempts.';
comment on column private.outbox.claimed_until is 'Lease: a claim not finished by then (dispatcher killed) is claimable again.';
comment on column private.outbox.send_at is 'The send slot the channel''s rate limiter gave this claim.';
comment on column private.outbox.throttled_count is 'Rate-limit answers (429, 130429, 131056): retried without spending an attempt, up to a bound.';

-- The channel's pace, shared by every dispatcher: the next free send slot
-- (a virtual clock advancing 1/rate per message), pushed into the future
-- when the provider says we are too fast.
create table private.channel_send_state (
  channel_id uuid primary key references public.channels (id) on delete cascade,
  next_slot timestamptz not null default now(),
  throttle_count integer not null default 0,
  throttled_until timestamptz
);
comment on table private.channel_send_state is 'Per-channel send pacing: the next free slot at the channel''s rate, and throttling after rate-limit answers.';

-- Only for channels with recipient_interval_ms: when a recipient may next
-- receive a message.
create table private.recipient_pacing (
  channel_id uuid not null references public.channels (id) on delete cascade,
  recipient text not null,
  next_allowed_at timestamptz not null,
  primary key (channel_id, recipient)
);
comment on table private.recipient_pacing is 'Earliest next send per recipient on channels that space repeated sends (settings.recipient_interval_ms).';

-- Where the dispatch function lives and the key to call it: in Vault, set
-- once per project (scripts/start.sh does it locally).
create function private.configure_functions(p_url text, p_service_key text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  k text;
  v text;
  existing uuid;
begin
  if p_url !~ '^https?://' or coalesce(p_service_key, '') = '' then
    raise exception 'give the functions base URL (http...) and the service role key' using errcode = '22023';
  end if;
  for k, v in values ('threadline:functions_url', rtrim(p_url, '/')), ('threadline:service_role_key', p_service_key) loop
    select s.id into existing from vault.secrets s where s.name = k;
    if existing is null then
      perform vault.create_secret(v, k, 'Threadline: how the database calls its Edge Functions');
    else
      perform vault.update_secret(existing, v);
    end if;
  end loop;
end
$$;
comment on function private.configure_functions(text, text) is
  'Stores the Edge Functions base URL (…/functions/v1) and the service role key in Vault for pg_net calls.';

-- Calls an Edge Function through pg_net; false when not configured. The
-- request is sent after commit, never for a rolled-back transaction.
create function private.call_function(p_name text, p_body jsonb)
returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  url text;
  key text;
begin
  select max(d.decrypted_secret) filter (where d.name = 'threadline:functions_url'),
         max(d.decrypted_secret) filter (where d.name = 'threadline:service_role_key')
    into url, key
    from vault.decrypted_secrets d
   where d.name in ('threadline:functions_url', 'threadline:service_role_key');
  if url is null or key is null then
    return false;
  end if;
  perform net.http_post(
    url := url || '/' || p_name,
    body := p_body,
    headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || key),
    timeout_milliseconds := 5000);
  return true;
end
$$;

-- One poke per transaction is enough: the dispatcher drains the queue.
create function private.poke_dispatcher()
returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  tx text := txid_current()::text;
begin
  if current_setting('threadline.dispatch_poked', true) = tx then
    return true;
  end if;
  perform set_config('threadline.dispatch_poked', tx, true);
  return private.call_function('dispatch', '{}'::jsonb);
end
$$;

-- Queueing rules ------------------------------------------------------------------

create function private.prepare_outbound()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := (select auth.uid());
  conv public.conversations;
  ch public.channels;
  tpl public.message_templates;
  quoted public.messages;
  ct record;
begin
  select * into conv from public.conversations c where c.id = new.conversation_id;
  if not found or (uid is not null and not private.has_workspace_role(conv.workspace_id, 'viewer')) then
    raise exception 'conversation not found' using errcode = 'P0002';
  end if;
  if uid is not null and not private.has_workspace_role(conv.workspace_id, 'member') then
    raise exception 'viewers cannot send messages' using errcode = '42501';
  end if;
  if new.workspace_id is distinct from conv.workspace_id and new.workspace_id is not null
     or new.channel_id is distinct from conv.channel_id and new.channel_id is not null then
    raise exception 'a message is sent in its conversation''s workspace and channel' using errcode = '22023';
  end if;
  select * into ch from public.channels c where c.id = conv.channel_id;
  if ch.provider is null then
    raise exception 'this channel cannot send WhatsApp messages' using errcode = '55000';
  end if;
  if not ch.is_active then
    raise exception 'the channel "%" is inactive', ch.name using errcode = '55000';
  end if;
  if conv.type = 'group' and ch.provider = 'cloud_api' then
    raise exception 'Cloud API channels cannot send to groups' using errcode = '55000';
  end if;

  if conv.contact_id is not null then
    select c.opted_in, c.opted_out_at into ct from public.contacts c where c.id = conv.contact_id;
    if not ct.opted_in and ct.opted_out_at is not null then
      raise exception 'the contact opted out of messages' using errcode = '55000';
    end if;
  end if;
  if exists (select 1 from public.contact_identities i
              where i.channel_id = ch.id and i.workspace_id = ch.workspace_id and i.external_id = conv.chat_id
                and i.is_blocked) then
    raise exception 'the contact is blocked on this channel' using errcode = '55000';
  end if;

  if new.quoted_message_id is not null then
    select * into quoted from public.messages m where m.id = new.quoted_message_id;
    if not found or quoted.conversation_id <> conv.id then
      raise exception 'the quoted message is not in this conversation' using errcode = '22023';
    end if;
    if quoted.provider_message_id is null then
      raise exception 'the quoted message has not reached WhatsApp yet' using errcode = '55000';
    end if;
    new.quoted_provider_message_id := quoted.provider_message_id;
    new.quoted_content := left(quoted.content, 500);
  end if;

  case new.type
    when 'text' then
      if coalesce(btrim(new.content), '') = '' or char_length(new.content) > 4096 then
        raise exception 'a text message needs content of 1 to 4096 characters' using errcode = '22023';
      end if;
    when 'image', 'video', 'audio', 'document', 'sticker' then
      if coalesce(new.media_url, '') !~ '^https?://' and new.media_id is null then
        raise exception 'a % message needs media_url (http or https) or media_id', new.type using errcode = '22023';
      end if;
      if new.content is not null and (new.type in ('audio', 'sticker') or char_length(new.content) > 1024) then
        raise exception 'a caption goes only on images, videos and documents, at most 1024 characters'
          using errcode = '22023';
      end if;
    when 'location' then
      if new.location_latitude is null or new.location_longitude is null
         or abs(new.location_latitude) > 90 or abs(new.location_longitude) > 180 then
        raise exception 'a location needs location_latitude (-90..90) and location_longitude (-180..180)'
          using errcode = '22023';
      end if;
    when 'reaction' then
      if new.quoted_message_id is null then
        raise exception 'a reaction names the message it reacts to in quoted_message_id' using errcode = '22023';
      end if;
      if new.reaction_emoji is null or char_length(new.reaction_emoji) > 16 then
        raise exception 'a reaction needs reaction_emoji (empty to remove one)' using errcode = '22023';
      end if;
      new.reaction_target_id := new.quoted_provider_message_id;
      new.quoted_provider_message_id := null;
    when 'interactive' then
      if ch.provider <> 'cloud_api' then
        raise exception 'interactive messages need a Cloud API channel' using errcode = '55000';
      end if;
      if jsonb_typeof(new.payload) is distinct from 'object'
         or coalesce(new.payload ->> 'type', '') not in ('button', 'list', 'cta_url', 'product', 'product_list', 'flow', 'location_request_message')
         or coalesce(new.payload #>> '{body,text}', '') = '' and new.payload ->> 'type' <> 'product' then
        raise exception 'an interactive message needs payload {"type": "button"|"list"|..., "body": {"text": ...}, "action": ...}'
          using errcode = '22023';
      end if;
      new.content := coalesce(new.content, new.payload #>> '{body,text}');
    when 'template' then
      select * into tpl from public.message_templates t where t.id = new.template_id;
      if not found or tpl.channel_id <> ch.id then
        raise exception 'template not found on this channel' using errcode = 'P0002';
      end if;
      if tpl.status <> 'APPROVED' then
        raise exception 'template "%" (%) is %, only approved templates can be sent', tpl.name, tpl.language,
          tpl.status using errcode = '55000';
      end if;
      new.template_params := private.check_template_params(tpl.components, new.template_params);
      new.content := private.render_template(tpl.components, new.template_params);
    else
      raise exception 'messages of type % cannot be sent', new.type using errcode = '22023';
  end case;
  if new.type <> 'template' and (new.template_id is not null or new.template_params is not null) then
    raise exception 'template_id and template_params go with type template' using errcode = '22023';
  end if;

  -- Meta's rule: outside the 24 hours after the customer's last message,
  -- only templates (Baileys and whatsmeow have no such rule).
  if ch.provider = 'cloud_api' and new.type <> 'template'
     and (conv.window_expires_at is null or conv.window_expires_at <= now()) then
    raise exception 'outside the 24-hour customer service window: only an approved template can be sent until the customer writes again'
      using errcode = '55000', hint = 'send a template message (type template, template_id, template_params)';
  end if;

  new.direction := 'outbound';
  new.workspace_id := conv.workspace_id;
  new.channel_id := conv.channel_id;
  new.contact_id := conv.contact_id;
  new.status := 'pending';
  new.provider_message_id := null;
  new.created_by := coalesce(uid, new.created_by);
  new.recipient_identifier := conv.chat_id;
  new.sender_identifier := coalesce(ch.phone_number, ch.instance_name, ch.device_id);
  new.remote_jid := conv.chat_id;
  return new;
end
$$;
-- An outbound message without a provider id is one to send; outbound rows
-- that arrive with an id are our own sends reported back by a provider.
create trigger prepare_outbound before insert on public.messages
  for each row when (new.direction is null or (new.direction = 'outbound' and new.provider_message_id is null))
  execute function private.prepare_outbound();

-- Queued set-wise, so a campaign's thousands of rows cost one statement.
create function private.enqueue_outbound()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into private.outbox (message_id, workspace_id, channel_id, conversation_id, recipient, priority)
  select n.id, n.workspace_id, n.channel_id, n.conversation_id, n.recipient_identifier,
         -- a person waiting on a reply goes before bulk sends
         case when n.created_by is not null then 10 else 0 end
    from inserted n
   where n.direction = 'outbound' and n.status = 'pending' and n.provider_message_id is null;
  if found then
    perform private.poke_dispatcher();
  end if;
  return null;
end
$$;
create trigger enqueue_outbound after insert on public.messages
  referencing new table as inserted
  for each statement execute function private.enqueue_outbound();

-- Access --------------------------------------------------------------------------

grant insert (conversation_id, type, content, payload, media_id, media_url, media_mime_type, media_filename,
  location_latitude, location_longitude, location_name, location_address, quoted_message_id, reaction_emoji,
  template_id, template_params, idempotency_key) on public.messages to authenticated;
create policy messages_insert on public.messages for insert to authenticated
  with check (workspace_id in (select private.workspaces_with_role('member')));

-- RPCs ----------------------------------------------------------------------------

create function public.send_message(
  conversation_id uuid,
  content text default null,
  template_name text default null,
  template_language text default null,
  template_params jsonb default null,
  media_url text default null,
  media_type public.message_type default null,
  reply_to uuid default null,
  idempotency_key text default null
) returns public.messages
language plpgsql security invoker set search_path = ''
as $$
declare
  msg public.messages;
  tpl_id uuid;
  kind public.message_type;
begin
  if idempotency_key is not null then
    select * into msg from public.messages m
     where m.idempotency_key = send_message.idempotency_key
       and m.workspace_id = (select c.workspace_id from public.conversations c where c.id = send_message.conversation_id);
    if found then
      return msg;
    end if;
  end if;
  if template_name is not null then
    select t.id into tpl_id
      from public.message_templates t join public.conversations c on c.channel_id = t.channel_id
     where c.id = send_message.conversation_id and t.name = template_name
       and (template_language is null or t.language = template_language)
     order by (t.status = 'APPROVED') desc, t.language
     limit 1;
    if tpl_id is null then
      raise exception 'no template "%"% on this conversation''s channel', template_name,
        coalesce(' (' || template_language || ')', '') using errcode = 'P0002';
    end if;
    kind := 'template';
  elsif media_url is not null then
    kind := coalesce(media_type, 'document');
  else
    kind := coalesce(media_type, 'text');
  end if;
  insert into public.messages (conversation_id, type, content, media_url, template_id, template_params,
                               quoted_message_id, idempotency_key)
  values (send_message.conversation_id, kind, send_message.content, send_message.media_url, tpl_id,
          send_message.template_params, reply_to, send_message.idempotency_key)
  returning * into msg;
  return msg;
end
$$;
comment on function public.send_message(uuid, text, text, text, jsonb, text, public.message_type, uuid, text) is
  'Sends a message in a conversation: text (content), a template by name (template_params: array of body values or {"header","body","buttons"}), or media (media_url, media_type, content as caption). Queued at once; the dispatcher sends it.';

-- A failed outbound message, queued again on a member's request.
create function private.retry_message(p_message uuid)
returns public.messages
language plpgsql security definer set search_path = ''
as $$
declare
  msg public.messages;
begin
  perform private.require_user();
  select * into msg from public.messages m where m.id = p_message for update;
  if not found or not private.has_workspace_role(msg.workspace_id, 'viewer') then
    raise exception 'message not found' using errcode = 'P0002';
  end if;
  perform private.require_role(msg.workspace_id, 'member');
  if msg.direction <> 'outbound' or msg.status <> 'failed' or msg.provider_message_id is not null then
    raise exception 'only a failed outbound message that never reached WhatsApp can be retried' using errcode = '55000';
  end if;
  update public.messages m
     set status = 'pending', failed_at = null, error_code = null, error_title = null, error_message = null
   where m.id = p_message returning * into msg;
  insert into private.outbox (message_id, workspace_id, channel_id, conversation_id, recipient, priority)
  values (msg.id, msg.workspace_id, msg.channel_id, msg.conversation_id, msg.recipient_identifier, 10);
  perform private.poke_dispatcher();
  return msg;
end
$$;

create function public.retry_message(message_id uuid)
returns public.messages
language sql security invoker set search_path = ''
as $$ select private.retry_message(message_id) $$;
comment on function public.retry_message(uuid) is 'Queues a failed outbound message again (members).';

revoke all on function private.channel_rate(public.channels), private.configure_functions(text, text),
  private.call_function(text, jsonb), private.poke_dispatcher(), private.prepare_outbound(),
  private.enqueue_outbound(), private.retry_message(uuid) from public;
revoke all on function public.send_message(uuid, text, text, text, jsonb, text, public.message_type, uuid, text),
  public.retry_message(uuid) from public, anon;
grant execute on function public.send_message(uuid, text, text, text, jsonb, text, public.message_type, uuid, text),
  public.retry_message(uuid) to authenticated, service_role;
grant execute on function private.retry_message(uuid) to authenticated, service_role;
