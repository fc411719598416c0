-- Module: outbound
--
-- Message templates: what may be sent outside the 24-hour window on Cloud
-- API channels (approved by Meta, synced from the WABA's template list), and
-- canned messages on Evolution/whatsmeow channels, where no approval exists.
-- The database knows each template's placeholders, so bad parameters are
-- refused when a message is queued, not when Meta rejects it later.
--
-- Sending: a member inserts an outbound message (or calls send_message);
-- the database checks it (role, channel, opt-out, block, the 24-hour window,
-- template parameters) and queues it in private.outbox in the same
-- transaction, then pokes the dispatch function through pg_net, whose
-- request leaves only if the transaction commits.
--
-- The dispatcher's side of the queue: claiming due messages under each
-- channel's rate, and recording what the provider answered. Dispatchers
-- (Edge Function instances) may run side by side: claims skip each other's
-- locked rows, leases let a killed dispatcher's claims come back, and the
-- send slots come from one clock per channel, so two dispatchers together
-- still keep to the channel's rate.

-- ==========================================================================
-- Types
-- ==========================================================================

create type public.template_category as enum ('MARKETING', 'UTILITY', 'AUTHENTICATION');
create type public.template_status as enum ('APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED');

-- ==========================================================================
-- Tables
-- ==========================================================================

create table public.message_templates (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  channel_id uuid not null,
  name text not null check ((name ~ '^[a-z0-9_]+$' and char_length(name) <= 512)),
  language text not null check (language ~ '^[a-z]{2,3}(_[A-Z]{2,4})?$'),
  category public.template_category not null,
  status public.template_status not null default 'PENDING',
  components jsonb not null default '[]'::jsonb check (jsonb_typeof(components) = 'array'),
  parameter_format text check (parameter_format in ('POSITIONAL', 'NAMED')),
  provider_template_id text,
  rejected_reason text,
  last_synced_at timestamptz,
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (workspace_id, channel_id, name, language),
  foreign key (workspace_id, channel_id) references public.channels (workspace_id, id) on delete cascade
);
comment on table public.message_templates is 'WhatsApp message templates per channel: Meta-approved templates (Cloud API, synced) or canned messages (Evolution, whatsmeow).';
comment on column public.message_templates.components is 'Meta''s component list: HEADER (format TEXT/IMAGE/VIDEO/DOCUMENT), BODY (text with {{1}} or {{name}} placeholders), FOOTER, BUTTONS.';
comment on column public.message_templates.status is 'Only APPROVED templates send. Cloud API statuses come from Meta through template sync.';
comment on column public.message_templates.provider_template_id is 'Meta''s template id (Cloud API).';

alter table public.messages add constraint messages_template_id_fkey
  foreign key (template_id) references public.message_templates (id) on delete set null;

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

-- ==========================================================================
-- Indexes
-- ==========================================================================

create index message_templates_created_by_idx on public.message_templates (created_by) where created_by is not null;
create index messages_template_id_idx on public.messages (template_id) where template_id is not null;

create unique index messages_idempotency_key on public.messages (workspace_id, idempotency_key)
  where idempotency_key is not null;

-- Claims walk a channel's queue in priority then arrival order.
create index outbox_channel_idx on private.outbox (channel_id, priority desc, id);

-- Per-conversation order: nothing is claimed while an earlier one waits.
create index outbox_conversation_idx on private.outbox (conversation_id, id);

-- ==========================================================================
-- Functions
-- ==========================================================================

-- Placeholders --------------------------------------------------------------------

-- Distinct placeholder names in a template text ({{1}}, {{ first_name }}).
create function private.template_placeholders(t text)
returns text[]
language sql immutable set search_path = ''
as $$
  select coalesce(array_agg(distinct m[1]), '{}')
    from regexp_matches(coalesce(t, ''), '\{\{\s*([A-Za-z0-9_]+)\s*\}\}', 'g') m
$$;

create function private.template_component(components jsonb, kind text)
returns jsonb
language sql immutable set search_path = ''
as $$
  select c from jsonb_array_elements(components) c where upper(c ->> 'type') = kind limit 1
$$;

-- Checks one component's parameters against its placeholders: positional
-- ({{1}}..{{n}}) take an array of n values, named take an object with
-- exactly those keys. Returns the values normalized to text.
create function private.check_placeholder_values(what text, names text[], vals jsonb, strict_text boolean)
returns jsonb
language plpgsql immutable set search_path = ''
as $$
declare
  positional boolean := (select coalesce(bool_and(n ~ '^[0-9]+$'), true) from unnest(names) n);
  expected integer;
  given text[];
  v text;
  out jsonb;
begin
  if cardinality(names) = 0 then
    if vals is not null and vals <> '[]'::jsonb and vals <> '{}'::jsonb then
      raise exception 'the template''s % takes no parameters', what using errcode = '22023';
    end if;
    return null;
  end if;
  if positional then
    expected := (select max(n::integer) from unnest(names) n);
    if vals is null or jsonb_typeof(vals) <> 'array' or jsonb_array_length(vals) <> expected then
      raise exception 'the template''s % takes % parameter(s) as an array, in order', what, expected
        using errcode = '22023';
    end if;
    out := '[]'::jsonb;
    for v in select x #>> '{}' from jsonb_array_elements(vals) x loop
      out := out || jsonb_build_array(private.check_parameter_text(what, v, strict_text));
    end loop;
  else
    if vals is null or jsonb_typeof(vals) <> 'object' then
      raise exception 'the template''s % takes named parameters: %', what, array_to_string(names, ', ')
        using errcode = '22023';
    end if;
    given := array(select jsonb_object_keys(vals));
    if not (given @> names and names @> given) then
      raise exception 'the template''s % takes exactly these parameters: % (got %)', what,
        array_to_string(names, ', '), array_to_string(given, ', ') using errcode = '22023';
    end if;
    select jsonb_object_agg(e.key, private.check_parameter_text(what, e.value #>> '{}', strict_text))
      into out from jsonb_each(vals) e;
  end if;
  return out;
end
$$;

-- Meta refuses empty parameters and, in the body, new lines, tabs and more
-- than four consecutive spaces (error 132018); better to say so now.
create function private.check_parameter_text(what text, v text, strict_text boolean)
returns text
language plpgsql immutable set search_path = ''
as $$
begin
  if v is null or btrim(v) = '' then
    raise exception 'template % parameters must be non-empty text', what using errcode = '22023';
  end if;
  if char_length(v) > 1024 then
    raise exception 'template % parameters are at most 1024 characters', what using errcode = '22023';
  end if;
  if strict_text and (v ~ '[\n\t]' or v ~ ' {5,}') then
    raise exception 'template % parameters cannot hold new lines, tabs or more than four spaces in a row', what
      using errcode = '22023';
  end if;
  return v;
end
$$;

-- Validates a sender's parameters against a template and returns them
-- normalized: {"header": [...] | {"type", "link"}, "body": [...] | {...},
-- "buttons": {"<index>": "..."}}. A bare array is the body's parameters.
-- stored_header: the message names a stored file (media_path) as the
-- template's image, video or document header, so the header has no link:
-- the dispatcher hands the provider the file itself.
create function private.check_template_params(components jsonb, params jsonb, stored_header boolean default false)
returns jsonb
language plpgsql immutable set search_path = ''
as $$
declare
  p jsonb := case when params is null or params = 'null'::jsonb then '{}'::jsonb
                  when jsonb_typeof(params) = 'array' then jsonb_build_object('body', params)
                  else params end;
  header jsonb := private.template_component(components, 'HEADER');
  body jsonb := private.template_component(components, 'BODY');
  buttons jsonb := private.template_component(components, 'BUTTONS');
  fmt text := upper(coalesce(header ->> 'format', 'TEXT'));
  out jsonb := '{}'::jsonb;
  b record;
  given_buttons text[] := '{}';
  wanted_buttons text[] := '{}';
  v jsonb;
begin
  if jsonb_typeof(p) <> 'object' then
    raise exception 'template parameters must be a JSON object or an array of body values' using errcode = '22023';
  end if;
  if exists (select 1 from jsonb_object_keys(p) k where k not in ('header', 'body', 'buttons')) then
    raise exception 'template parameters take only header, body and buttons' using errcode = '22023';
  end if;

  if stored_header and (header is null or fmt not in ('IMAGE', 'VIDEO', 'DOCUMENT')) then
    raise exception 'media_path goes with a template whose header is an image, video or document' using errcode = '22023';
  end if;
  if stored_header then
    if p ? 'header' and (jsonb_typeof(p -> 'header') <> 'object' or p -> 'header' ? 'link') then
      raise exception 'the template''s % header is the stored file (media_path): give no header link', lower(fmt)
        using errcode = '22023';
    end if;
    out := out || jsonb_build_object('header', jsonb_strip_nulls(jsonb_build_object(
      'type', lower(fmt), 'filename', p #>> '{header,filename}')));
  elsif header is not null and fmt in ('IMAGE', 'VIDEO', 'DOCUMENT') then
    if jsonb_typeof(p -> 'header') is distinct from 'object' or coalesce(p #>> '{header,link}', '') !~ '^https?://' then
      raise exception 'the template''s % header needs {"header": {"link": "https://..."}}', lower(fmt)
        using errcode = '22023';
    end if;
    out := out || jsonb_build_object('header', jsonb_strip_nulls(jsonb_build_object(
      'type', lower(fmt), 'link', p #>> '{header,link}', 'filename', p #>> '{header,filename}')));
  else
    v := private.check_placeholder_values('header', private.template_placeholders(header ->> 'text'), p -> 'header', false);
    if v is not null then
      out := out || jsonb_build_object('header', v);
    end if;
  end if;

  v := private.check_placeholder_values('body', private.template_placeholders(body ->> 'text'), p -> 'body', true);
  if v is not null then
    out := out || jsonb_build_object('body', v);
  end if;

  -- URL buttons with a placeholder take their dynamic suffix by index.
  if p ? 'buttons' and jsonb_typeof(p -> 'buttons') <> 'object' then
    raise exception 'template button parameters are an object: {"<button index>": "value"}' using errcode = '22023';
  end if;
  for b in select (x.ord - 1)::text as idx, x.btn
             from jsonb_array_elements(coalesce(buttons -> 'buttons', '[]'::jsonb)) with ordinality x(btn, ord)
  loop
    if upper(b.btn ->> 'type') = 'URL' and cardinality(private.template_placeholders(b.btn ->> 'url')) > 0 then
      wanted_buttons := wanted_buttons || b.idx;
    end if;
  end loop;
  given_buttons := array(select jsonb_object_keys(coalesce(p -> 'buttons', '{}'::jsonb)));
  if not (given_buttons @> wanted_buttons and wanted_buttons @> given_buttons) then
    raise exception 'the template''s buttons take parameters for index(es) [%] (got [%])',
      array_to_string(wanted_buttons, ', '), array_to_string(given_buttons, ', ') using errcode = '22023';
  end if;
  if cardinality(wanted_buttons) > 0 then
    select jsonb_object_agg(e.key, private.check_parameter_text('button', e.value #>> '{}', false))
      into v from jsonb_each(p -> 'buttons') e;
    out := out || jsonb_build_object('buttons', v);
  end if;
  return out;
end
$$;

-- The body as the customer reads it, for the inbox preview and for
-- providers without templates.
create function private.render_template(components jsonb, params jsonb)
returns text
language plpgsql immutable set search_path = ''
as $$
declare
  t text := private.template_component(components, 'BODY') ->> 'text';
  vals jsonb := params -> 'body';
  k text;
  v text;
begin
  if t is null or vals is null then
    return t;
  end if;
  if jsonb_typeof(vals) = 'array' then
    for k, v in select (x.ord)::text, x.val #>> '{}' from jsonb_array_elements(vals) with ordinality x(val, ord) loop
      t := regexp_replace(t, '\{\{\s*' || k || '\s*\}\}', replace(v, '\', '\\'), 'g');
    end loop;
  else
    for k, v in select e.key, e.value #>> '{}' from jsonb_each(vals) e loop
      t := regexp_replace(t, '\{\{\s*' || k || '\s*\}\}', replace(v, '\', '\\'), 'g');
    end loop;
  end if;
  return t;
end
$$;

-- Rules -----------------------------------------------------------------------------

-- A template has one BODY with text. Cloud API templates made or edited by a
-- client wait for Meta (PENDING until synced); elsewhere there is no
-- approval, so a canned message is usable at once.
create function private.check_template()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  prov public.channel_provider;
begin
  if tg_op = 'INSERT' then
    perform private.require_writer(new.workspace_id, 'admin', 'message_templates');
  end if;
  if (select count(*) from jsonb_array_elements(new.components) c where upper(c ->> 'type') = 'BODY') <> 1
     or coalesce(private.template_component(new.components, 'BODY') ->> 'text', '') = '' then
    raise exception 'a template needs exactly one BODY component with text' using errcode = '22023';
  end if;
  if (select auth.uid()) is not null then
    select c.provider into prov from public.channels c where c.id = new.channel_id;
    if tg_op = 'INSERT' or new.components is distinct from old.components or new.name <> old.name
       or new.language <> old.language or new.category <> old.category then
      new.status := case when prov = 'cloud_api' then 'PENDING' else 'APPROVED' end::public.template_status;
    end if;
  end if;
  return new;
end
$$;

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

-- Where the dispatch function lives and the key to call it: in Vault, set
-- once per project (scripts/start.sh does it locally).
create function private.configure_functions(p_url text, p_service_key text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  k text;
  v text;
begin
  if p_url !~ '^https?://' or coalesce(p_service_key, '') = '' then
    raise exception 'give the functions base URL (http...) and the service role key' using errcode = '22023';
  end if;
  for k, v in values ('threadline:functions_url', rtrim(p_url, '/')), ('threadline:service_role_key', p_service_key) loop
    perform private.put_secret(k, v, 'Threadline: how the database calls its Edge Functions');
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

-- Wakes a function that drains a queue: one poke per transaction is
-- enough, since the function drains all that is due.
create function private.poke_function(p_name text)
returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  tx text := txid_current()::text;
  flag text := 'threadline.' || p_name || '_poked';
begin
  if current_setting(flag, true) = tx then
    return true;
  end if;
  perform set_config(flag, tx, true);
  return private.call_function(p_name, '{}'::jsonb);
end
$$;

create function private.poke_dispatcher()
returns boolean
language sql security definer set search_path = ''
as $$
  select private.poke_function('dispatch')
$$;

-- Queueing rules ------------------------------------------------------------------

-- Why a message may not leave now, or null. One rule book for a new send, a
-- retry and the dispatcher's claim (which passes what it found set-wise):
-- nothing on an inactive channel or to a blocked contact, and no marketing
-- (campaigns, MARKETING templates) to a contact who opted out of it.
-- Service messages still reach an opted-out contact (Meta's opt-out is
-- from marketing), within the window's rules.
create function private.send_refusal(channel_active boolean, blocked boolean, opted_out boolean, marketing boolean)
returns text
language sql immutable set search_path = ''
as $$
  select case
    when not channel_active then 'the channel is inactive'
    when blocked then 'the contact is blocked on this channel'
    when opted_out and marketing then 'the contact opted out of marketing messages'
  end
$$;

-- A contact who said stop (a keyword, a button, a member unticking consent).
create function private.contact_opted_out(p_contact uuid)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce((select not c.opted_in and c.opted_out_at is not null from public.contacts c where c.id = p_contact), false)
$$;

create function private.chat_blocked(p_channel uuid, p_workspace uuid, p_chat text)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.contact_identities i
                  where i.channel_id = p_channel and i.workspace_id = p_workspace and i.external_id = p_chat
                    and i.is_blocked)
$$;

-- The send-time rules of a message in conversation conv on channel ch,
-- raised with a stable SQLSTATE: what a new message (prepare_outbound) and
-- a retry (retry_message) both pass. Returns the template, if any.
create function private.check_send_rules(conv public.conversations, ch public.channels, p_type public.message_type,
                                         p_template uuid, p_campaign uuid)
returns public.message_templates
language plpgsql stable security definer set search_path = '' set enable_seqscan = off
as $$
declare
  tpl public.message_templates;
  refusal text;
begin
  if ch.provider is null then
    raise exception 'this channel cannot send WhatsApp messages' using errcode = '55000';
  end if;
  if not ch.is_active then
    raise exception 'the channel "%" is inactive', ch.name using errcode = '55000';
  end if;
  if conv.type = 'group' and ch.provider = 'cloud_api' then
    raise exception 'Cloud API channels cannot send to groups' using errcode = '55000';
  end if;
  if p_type = 'template' then
    select * into tpl from public.message_templates t where t.id = p_template;
    if not found or tpl.channel_id <> ch.id then
      raise exception 'template not found on this channel' using errcode = 'P0002';
    end if;
    if tpl.status <> 'APPROVED' then
      raise exception 'template "%" (%) is %, only approved templates can be sent', tpl.name, tpl.language,
        tpl.status using errcode = '55000';
    end if;
  end if;
  refusal := private.send_refusal(true, private.chat_blocked(ch.id, ch.workspace_id, conv.chat_id),
                                  private.contact_opted_out(conv.contact_id),
                                  p_campaign is not null or tpl.category is not distinct from 'MARKETING');
  if refusal is not null then
    raise exception '%', refusal using errcode = '55000';
  end if;
  -- Meta's rule: outside the 24 hours after the customer's last message,
  -- only templates (Baileys and whatsmeow have no such rule).
  if ch.provider = 'cloud_api' and p_type <> 'template'
     and (conv.window_expires_at is null or conv.window_expires_at <= now()) then
    raise exception 'outside the 24-hour customer service window: only an approved template can be sent until the customer writes again'
      using errcode = '55000', hint = 'send a template message (type template, template_id, template_params)';
  end if;
  return tpl;
end
$$;

-- Lookups by key only, pinned to indexes (enable_seqscan = off, inherited
-- by what it calls) like ingestion's entry points: its plans are cached for
-- the session, and one made while contacts and conversations looked empty
-- (after a bulk delete, or early in the same bulk insert) scanned both
-- tables once per message: 20,000 queued messages took 30 s.
create function private.prepare_outbound()
returns trigger
language plpgsql security definer set search_path = '' set enable_seqscan = off
as $$
declare
  uid uuid := (select auth.uid());
  conv public.conversations;
  ch public.channels;
  tpl public.message_templates;
  quoted public.messages;
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
  tpl := private.check_send_rules(conv, ch, new.type, new.template_id, new.campaign_id);

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
      if new.media_path is not null then
        -- A stored object: checked, and its type and name filled in, by the media module.
        new := private.attach_stored_media(new, conv.workspace_id);
      elsif coalesce(new.media_url, '') !~ '^https?://' and new.media_id is null then
        raise exception 'a % message needs media_url (http or https), media_path (a stored file) or media_id', new.type
          using errcode = '22023';
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
      if new.media_path is not null then
        new := private.attach_stored_media(new, conv.workspace_id);
      end if;
      new.template_params := private.check_template_params(tpl.components, new.template_params, new.media_path is not null);
      if new.template_params #>> '{header,type}' = 'document' and new.media_path is not null then
        new.template_params := jsonb_set(new.template_params, '{header,filename}',
                                         to_jsonb(coalesce(new.template_params #>> '{header,filename}', new.media_filename)));
      end if;
      new.content := private.render_template(tpl.components, new.template_params);
    else
      raise exception 'messages of type % cannot be sent', new.type using errcode = '22023';
  end case;
  if new.type <> 'template' and (new.template_id is not null or new.template_params is not null) then
    raise exception 'template_id and template_params go with type template' using errcode = '22023';
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

-- Queued set-wise, so a campaign's thousands of rows cost one statement.
-- Campaign messages queue behind people's replies (they are bulk). Inbound
-- traffic has nothing to queue, and an insert that selects nothing still
-- opens the outbox and its indexes, so it looks first.
create function private.enqueue_outbound()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if not exists (select 1 from inserted n
                  where n.direction = 'outbound' and n.status = 'pending' and n.provider_message_id is null) then
    return null;
  end if;
  insert into private.outbox (message_id, workspace_id, channel_id, conversation_id, recipient, priority)
  select n.id, n.workspace_id, n.channel_id, n.conversation_id, n.recipient_identifier,
         case when n.created_by is not null and n.campaign_id is null then 10 else 0 end
    from inserted n
   where n.direction = 'outbound' and n.status = 'pending' and n.provider_message_id is null;
  if found then
    perform private.poke_dispatcher();
  end if;
  return null;
end
$$;

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
  idempotency_key text default null,
  media_path text default null
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
  elsif media_path is not null then
    -- Read under the caller's own Storage policies: a file they cannot see has no type here.
    select case split_part(o.metadata ->> 'mimetype', '/', 1)
             when 'image' then 'image' when 'video' then 'video' when 'audio' then 'audio' else 'document' end
      into kind
      from storage.objects o where o.bucket_id = 'media' and o.name = send_message.media_path;
    kind := coalesce(media_type, kind, 'document');
  else
    kind := coalesce(media_type, 'text');
  end if;
  insert into public.messages (conversation_id, type, content, media_url, media_path, template_id, template_params,
                               quoted_message_id, idempotency_key)
  values (send_message.conversation_id, kind, send_message.content, send_message.media_url, send_message.media_path,
          tpl_id, send_message.template_params, reply_to, send_message.idempotency_key)
  returning * into msg;
  return msg;
end
$$;
comment on function public.send_message(uuid, text, text, text, jsonb, text, public.message_type, uuid, text, text) is
  'Sends a message in a conversation: text (content), a template by name (template_params: array of body values or {"header","body","buttons"}; with media_path, the stored file is the template''s image, video or document header), or media (media_url, or media_path: a file in the media bucket; media_type, content as caption). Queued at once; the dispatcher sends it.';

-- A failed outbound message, queued again on a member's request, if it
-- passes the rules a new send passes (the contact may have opted out or been
-- blocked since, the window closed, the channel gone inactive).
create function private.retry_message(p_message uuid)
returns public.messages
language plpgsql security definer set search_path = ''
as $$
declare
  msg public.messages;
  conv public.conversations;
  ch public.channels;
begin
  perform private.require_user();
  -- Who may act is settled before the row is locked: an outsider must not
  -- wait for, or hold, a lock on another workspace's message.
  select * into msg from public.messages m where m.id = p_message;
  if not found or not private.has_workspace_role(msg.workspace_id, 'viewer') then
    raise exception 'message not found' using errcode = 'P0002';
  end if;
  perform private.require_role(msg.workspace_id, 'member');
  select * into msg from public.messages m where m.id = p_message for update;
  if msg.direction <> 'outbound' or msg.status <> 'failed' or msg.provider_message_id is not null then
    raise exception 'only a failed outbound message that never reached WhatsApp can be retried' using errcode = '55000';
  end if;
  select * into conv from public.conversations c where c.id = msg.conversation_id;
  select * into ch from public.channels c where c.id = msg.channel_id;
  perform private.check_send_rules(conv, ch, msg.type, msg.template_id, msg.campaign_id);
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

-- Claims -----------------------------------------------------------------------

-- Queued messages that may no longer be sent (the channel went inactive, the
-- contact was blocked or opted out of marketing since they were queued)
-- leave the queue as failed, with the reason, and are not retried.
create function private.refuse_outbox(p_ids bigint[], p_reason text)
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  mids uuid[];
begin
  if coalesce(cardinality(p_ids), 0) = 0 then
    return 0;
  end if;
  -- The ids as index conditions: nothing here depends on the statistics.
  with gone as (
    delete from private.outbox o where o.id = any (p_ids) returning o.message_id
  )
  select array_agg(g.message_id) into mids from gone g;
  update public.messages m set
    status = case when private.status_rank(m.status) < private.status_rank('failed') then 'failed' else m.status end,
    failed_at = coalesce(m.failed_at, now()),
    error_code = null,
    error_title = 'not sent',
    error_message = p_reason,
    errors = coalesce(m.errors, '[]'::jsonb) || jsonb_build_array(jsonb_build_object('message', p_reason, 'refused_at', now()))
   where m.id = any (mids);
  return coalesce(cardinality(mids), 0);
end
$$;

-- Claims up to p_limit due messages whose send slot falls within the next
-- p_horizon_ms, oldest first within priority, one at a time per
-- conversation (a message waits for the ones before it). Returns the
-- messages with everything a provider client needs, each with its send_at.
-- The send rules are applied again to what is claimed (send_refusal):
-- refused messages fail at once (refuse_outbox), a deactivated channel's
-- due messages all do.
--
-- Nothing here may depend on the statistics, which lie after a bulk
-- delete or an analyze that ran during a bulk insert ("the table is empty"
-- while it holds 20,000 rows): bench:dispatch right after bench:ingest ran
-- at a third of its rate. The candidates come from a cursor (planned for
-- its first rows, so it walks outbox_channel_idx in order and stops at the
-- allowance; as a query it could sort the channel's whole queue, 15,000
-- rows and their earlier-message probes, for every claim), and every later
-- statement is driven by the claimed ids (index conditions, LIMIT 1
-- laterals: joined, the messages read for the answer became a full scan of
-- messages per claimed row, 10 million rows filtered per claim).
-- The earlier-message check is a subplan, one index probe per candidate:
-- as an anti-join the planner could scan the whole queue per candidate when
-- statistics said the queue was tiny (5 s for 1,000 rows of a 4,500-row
-- queue during a campaign on a young database).
create function private.claim_outbox(p_worker text, p_limit integer default 500, p_lease_seconds integer default 60,
                                     p_horizon_ms integer default 1000)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  t0 timestamptz := clock_timestamp();
  ch public.channels;
  st private.channel_send_state;
  rate numeric;
  gap interval;
  start_at timestamptz;
  allowance integer;
  remaining integer := least(greatest(coalesce(p_limit, 0), 0), 5000);
  lease interval := make_interval(secs => greatest(coalesce(p_lease_seconds, 60), 1) + coalesce(p_horizon_ms, 1000) / 1000.0);
  claimed jsonb := '[]'::jsonb;
  got jsonb;
  n integer;
  ids bigint[];
  mids uuid[];
  recipients text[];
  ok bigint[];
  r record;
  candidates cursor (c_channel uuid, c_gap interval) for
    select o.id, o.message_id, o.recipient
      from private.outbox o
     where o.channel_id = c_channel and o.next_attempt_at <= t0
       and (o.claimed_until is null or o.claimed_until < t0)
       -- the conversation's oldest queued message (a subplan: one index
       -- probe per candidate, however the statistics read)
       and o.id = (select min(e.id) from private.outbox e where e.conversation_id = o.conversation_id)
       and (c_gap = interval '0' or not exists (
             select 1 from private.recipient_pacing p
              where p.channel_id = c_channel and p.recipient = o.recipient and p.next_allowed_at > t0))
     order by o.priority desc, o.id
     for update of o skip locked;
begin
  if coalesce(p_worker, '') = '' then
    raise exception 'a dispatcher claims under a worker name' using errcode = '22023';
  end if;
  -- The channels with something queued, one index probe each (a skip scan
  -- of outbox_channel_idx), that have something due.
  for ch in
    with recursive queued as (
      (select o.channel_id from private.outbox o order by o.channel_id limit 1)
      union all
      select (select o.channel_id from private.outbox o where o.channel_id > q.channel_id order by o.channel_id limit 1)
        from queued q where q.channel_id is not null
    )
    select c.*
      from queued q
      cross join lateral (select c.* from public.channels c where c.id = q.channel_id limit 1) c
     where (select true from private.outbox o
             where o.channel_id = q.channel_id and o.next_attempt_at <= t0
               and (o.claimed_until is null or o.claimed_until < t0)
             limit 1)
  loop
    exit when remaining <= 0;
    if not ch.is_active then
      -- A deactivated channel sends nothing more: its due messages fail now.
      perform private.refuse_outbox(array(
        select o.id from private.outbox o
         where o.channel_id = ch.id and o.next_attempt_at <= t0 and (o.claimed_until is null or o.claimed_until < t0)
         order by o.id limit 5000 for update skip locked), 'the channel is inactive');
      continue;
    end if;
    insert into private.channel_send_state (channel_id) values (ch.id) on conflict do nothing;
    -- Another dispatcher claiming on this channel right now has its slots
    -- in hand: move on rather than wait (and never wait in a cycle).
    select * into st from private.channel_send_state s where s.channel_id = ch.id for update skip locked;
    continue when not found or st.throttled_until > t0;
    rate := private.channel_rate(ch);
    start_at := greatest(st.next_slot, t0);
    allowance := least(remaining,
      floor(extract(epoch from (t0 + make_interval(secs => p_horizon_ms / 1000.0) - start_at)) * rate)::integer);
    continue when allowance < 1;
    gap := make_interval(secs => coalesce((ch.settings ->> 'recipient_interval_ms')::numeric, 0) / 1000.0);

    ids := '{}';
    mids := '{}';
    recipients := '{}';
    for c in candidates(ch.id, gap) loop
      ids := ids || c.id;
      mids := mids || c.message_id;
      recipients := recipients || c.recipient;
      exit when cardinality(ids) >= allowance;
    end loop;
    continue when cardinality(ids) = 0;

    -- The rules again, for what was queued before a block or an opt-out.
    ok := '{}';
    for r in
      select x.reason, array_agg(x.id order by x.ord) as ids
        from (select u.id, u.ord,
                     private.send_refusal(true, private.chat_blocked(ch.id, ch.workspace_id, u.recipient),
                                          k.marketing and private.contact_opted_out(k.contact_id), k.marketing) as reason
                from unnest(ids, mids, recipients) with ordinality u(id, message_id, recipient, ord)
                cross join lateral (
                  select m.contact_id,
                         m.campaign_id is not null
                           or (select t.category from public.message_templates t where t.id = m.template_id) = 'MARKETING'
                           as marketing
                    from public.messages m where m.id = u.message_id limit 1) k) x
       group by x.reason
    loop
      if r.reason is null then
        ok := r.ids;
      else
        perform private.refuse_outbox(r.ids, r.reason);
      end if;
    end loop;
    continue when cardinality(ok) = 0;

    with upd as (
      update private.outbox o
         set claimed_by = p_worker, claimed_until = t0 + lease, attempts = o.attempts + 1,
             send_at = start_at + make_interval(secs => (u.ord - 1) / rate)
        from unnest(ok) with ordinality u(id, ord)
       where o.id = u.id and o.id = any (ok)
      returning o.*
    ), pace as (
      insert into private.recipient_pacing (channel_id, recipient, next_allowed_at)
      select ch.id, u.recipient, u.send_at + gap from upd u where gap > interval '0'
      on conflict (channel_id, recipient) do update set next_allowed_at = excluded.next_allowed_at
    )
    select coalesce(jsonb_agg(jsonb_build_object(
             'outbox_id', u.id, 'message_id', u.message_id, 'channel_id', u.channel_id, 'recipient', u.recipient,
             'send_at', u.send_at, 'attempts', u.attempts,
             'type', m.type, 'content', m.content, 'media_url', m.media_url, 'media_id', m.media_id,
             'media_path', m.media_path, 'media_mime_type', m.media_mime_type, 'media_filename', m.media_filename,
             'location', case when m.type = 'location' then jsonb_build_object(
                'latitude', m.location_latitude, 'longitude', m.location_longitude,
                'name', m.location_name, 'address', m.location_address) end,
             'quoted_provider_message_id', m.quoted_provider_message_id,
             'reaction_emoji', m.reaction_emoji, 'reaction_target_id', m.reaction_target_id,
             'interactive', case when m.type = 'interactive' then m.payload end,
             'template', case when m.type = 'template' then jsonb_build_object(
                'name', t.name, 'language', t.language, 'components', t.components,
                'params', coalesce(m.template_params, '{}'::jsonb)) end
           ) order by u.send_at), '[]'::jsonb), count(*)
      into got, n
      from upd u
      -- one probe per claimed message, whatever the statistics say
      cross join lateral (select m.* from public.messages m where m.id = u.message_id limit 1) m
      left join lateral (select t.name, t.language, t.components from public.message_templates t
                          where t.id = m.template_id limit 1) t on true;

    if n > 0 then
      update private.channel_send_state s set next_slot = start_at + make_interval(secs => n / rate)
       where s.channel_id = ch.id;
      claimed := claimed || got;
      remaining := remaining - n;
    end if;
  end loop;
  return claimed;
end
$$;

-- When the queue next has something to do: null when empty.
create function private.outbox_next_due()
returns timestamptz
language sql stable security definer set search_path = ''
as $$
  select min(greatest(o.next_attempt_at, coalesce(o.claimed_until, '-infinity'))) from private.outbox o
$$;

-- What a channel needs for sending, credentials from Vault included.
create function private.dispatch_channel(p_channel uuid)
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object('id', c.id, 'provider', c.provider, 'phone_number_id', c.phone_number_id,
                            'business_account_id', c.business_account_id, 'instance_name', c.instance_name,
                            'device_id', c.device_id, 'api_base_url', c.api_base_url,
                            'credentials', private.channel_credentials(c.id))
    from public.channels c where c.id = p_channel
$$;

-- Results -------------------------------------------------------------------------

-- A failed send: the message carries the provider's error.
create function private.fail_message(p_message uuid, p_error jsonb)
returns void
language plpgsql security definer set search_path = ''
as $$
begin
  update public.messages m set
    status = case when private.status_rank(m.status) < private.status_rank('failed') then 'failed' else m.status end,
    failed_at = coalesce(m.failed_at, now()),
    error_code = case when p_error ->> 'code' ~ '^-?[0-9]{1,9}$' then (p_error ->> 'code')::integer end,
    error_title = p_error ->> 'title',
    error_message = coalesce(p_error ->> 'message', 'sending failed'),
    errors = coalesce(m.errors, '[]'::jsonb) || jsonb_build_array(p_error)
  where m.id = p_message;
end
$$;

-- A successful send: the provider's id, status sent and its time in one
-- write of the message (two writes, and the triggers the second fired, were
-- a tenth of the work at a campaign's 1,000 sends a second). A provider may
-- report our own send back (Evolution's send.message) before we record it,
-- as a row of its own: that row is merged into ours.
create function private.record_sent(p_message uuid, p_channel uuid, p_provider_id text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  echo public.messages;
begin
  -- Already recorded: a second send of the same message (a lapsed lease).
  if not exists (select 1 from public.messages m where m.id = p_message and m.provider_message_id is null) then
    return;
  end if;
  -- A provider may report our own send back (Evolution's send.message)
  -- before we record it, as a row of its own: that row merges into ours.
  delete from public.messages m
   where m.channel_id = p_channel and m.provider_message_id = p_provider_id and m.id <> p_message
     and m.direction = 'outbound'
  returning * into echo;
  update public.messages m
     set provider_message_id = p_provider_id,
         status = case when private.status_rank(m.status) < private.status_rank('sent') then 'sent' else m.status end,
         sent_at = coalesce(m.sent_at, now())
   where m.id = p_message and m.provider_message_id is null;
  if echo.id is not null and echo.status not in ('pending', 'sent') then
    perform private.apply_message_status(p_channel, p_provider_id, echo.status,
      coalesce(echo.read_at, echo.delivered_at, echo.failed_at, now()), null);
  end if;
end
$$;

-- Exponential backoff with jitter: about base * 2^(n-1), between half and
-- all of it, capped.
create function private.backoff(n integer, base_seconds numeric, cap_seconds numeric)
returns interval
language sql volatile set search_path = ''
as $$
  select make_interval(secs => least(cap_seconds, base_seconds * power(2, greatest(n, 1) - 1)) * (0.5 + random() / 2))
$$;

-- Records a dispatcher's results: [{outbox_id, kind, provider_message_id?,
-- error?, scope?, retry_after_ms?}] with kind sent | retry | throttled |
-- failed | release. A result for a claim that has since passed to another
-- dispatcher only counts if it is a send (which did happen).
-- Lookups by key only, pinned to indexes for the same reason as
-- prepare_outbound: the dispatcher's connections live long and keep their
-- plans.
create function private.record_send_results(p_worker text, p_results jsonb)
returns jsonb
language plpgsql security definer set search_path = '' set enable_seqscan = off
as $$
declare
  r jsonb;
  o private.outbox;
  kind text;
  err jsonb;
  delay interval;
  retry_after interval;
  counts jsonb := '{"sent":0,"retry":0,"throttled":0,"failed":0,"release":0,"stale":0}'::jsonb;
begin
  for r in select x from jsonb_array_elements(p_results) x loop
    kind := r ->> 'kind';
    err := r -> 'error';
    retry_after := case when (r ->> 'retry_after_ms') ~ '^[0-9]+$'
                        then make_interval(secs => least((r ->> 'retry_after_ms')::numeric, 3600000) / 1000.0) end;
    if kind not in ('sent', 'retry', 'throttled', 'failed', 'release') then
      raise exception 'unknown result kind %', kind using errcode = '22023';
    end if;
    select * into o from private.outbox x where x.id = (r ->> 'outbox_id')::bigint for update;
    if not found or o.claimed_by is distinct from p_worker then
      if kind = 'sent' then
        perform private.record_sent((r ->> 'message_id')::uuid, (r ->> 'channel_id')::uuid, r ->> 'provider_message_id');
        -- It went out: nobody should send it again.
        delete from private.outbox x where x.id = o.id;
      end if;
      counts := jsonb_set(counts, '{stale}', to_jsonb((counts ->> 'stale')::integer + 1));
      continue;
    end if;

    if kind = 'retry' and o.attempts >= o.max_attempts then
      kind := 'failed';
    elsif kind = 'throttled' and o.throttled_count >= 50 then
      kind := 'failed';
      err := coalesce(err, '{}'::jsonb) || jsonb_build_object('message',
        'still rate limited after 50 tries: ' || coalesce(err ->> 'message', ''));
    end if;

    case kind
      when 'sent' then
        delete from private.outbox x where x.id = o.id;
        perform private.record_sent(o.message_id, o.channel_id, r ->> 'provider_message_id');
        update private.channel_send_state s set throttle_count = 0
         where s.channel_id = o.channel_id and s.throttle_count > 0;
      when 'failed' then
        delete from private.outbox x where x.id = o.id;
        perform private.fail_message(o.message_id, coalesce(err, '{"message": "sending failed"}'::jsonb));
      when 'retry' then
        update private.outbox x
           set next_attempt_at = now() + coalesce(retry_after, private.backoff(o.attempts, 2, 300)),
               claimed_by = null, claimed_until = null, send_at = null, last_error = err
         where x.id = o.id;
      when 'release' then
        update private.outbox x
           set attempts = greatest(x.attempts - 1, 0), next_attempt_at = now() + coalesce(retry_after, interval '0'),
               claimed_by = null, claimed_until = null, send_at = null
         where x.id = o.id;
      when 'throttled' then
        if r ->> 'scope' = 'recipient' then
          -- Meta's pair limit (131056): this recipient, not the channel.
          delay := coalesce(retry_after, private.backoff(o.throttled_count + 1, 6, 300));
        else
          -- One episode of throttling counts once however many sends in
          -- flight hit it.
          update private.channel_send_state s
             set throttle_count = s.throttle_count + 1,
                 throttled_until = now() + coalesce(retry_after, private.backoff(s.throttle_count + 1, 1, 60))
           where s.channel_id = o.channel_id and (s.throttled_until is null or s.throttled_until <= now());
          select s.throttled_until - now() into delay from private.channel_send_state s where s.channel_id = o.channel_id;
          update private.channel_send_state s set next_slot = greatest(s.next_slot, s.throttled_until)
           where s.channel_id = o.channel_id;
          delay := greatest(coalesce(delay, interval '1 second'), interval '0');
        end if;
        update private.outbox x
           set attempts = greatest(x.attempts - 1, 0), throttled_count = x.throttled_count + 1,
               next_attempt_at = now() + delay, claimed_by = null, claimed_until = null, send_at = null,
               last_error = err
         where x.id = o.id;
    end case;
    counts := jsonb_set(counts, array[kind], to_jsonb((counts ->> kind)::integer + 1));
  end loop;
  return counts;
end
$$;

-- Templates -----------------------------------------------------------------------

-- Stores a channel's templates as the provider lists them. Templates that
-- came from the provider and are gone from its list are disabled, not
-- deleted: messages still point at them.
create function private.sync_templates(p_channel uuid, p_templates jsonb)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  ch public.channels;
  n integer;
  gone integer;
begin
  select * into ch from public.channels c where c.id = p_channel;
  if not found then
    raise exception 'channel not found' using errcode = 'P0002';
  end if;
  with incoming as (
    select distinct on (t ->> 'name', t ->> 'language') t
      from jsonb_array_elements(p_templates) t
     where t ->> 'name' ~ '^[a-z0-9_]+$' and char_length(t ->> 'name') <= 512 and t ->> 'language' ~ '^[a-z]{2,3}(_[A-Z]{2,4})?$'
  ), up as (
    insert into public.message_templates as m (workspace_id, channel_id, name, language, category, status, components,
                                               parameter_format, provider_template_id, rejected_reason, last_synced_at,
                                               created_by)
    select ch.workspace_id, ch.id, t ->> 'name', t ->> 'language',
           case upper(t ->> 'category') when 'MARKETING' then 'MARKETING' when 'AUTHENTICATION' then 'AUTHENTICATION'
                when 'OTP' then 'AUTHENTICATION' else 'UTILITY' end::public.template_category,
           case upper(t ->> 'status') when 'APPROVED' then 'APPROVED' when 'REJECTED' then 'REJECTED'
                when 'PAUSED' then 'PAUSED' when 'PENDING' then 'PENDING' when 'IN_APPEAL' then 'PENDING'
                else 'DISABLED' end::public.template_status,
           coalesce(t -> 'components', '[]'::jsonb),
           case when upper(t ->> 'parameter_format') in ('POSITIONAL', 'NAMED') then upper(t ->> 'parameter_format') end,
           t ->> 'provider_template_id', nullif(t ->> 'rejected_reason', 'NONE'), now(), null
      from incoming
    on conflict (channel_id, workspace_id, name, language) do update
      set category = excluded.category, status = excluded.status, components = excluded.components,
          parameter_format = excluded.parameter_format, provider_template_id = excluded.provider_template_id,
          rejected_reason = excluded.rejected_reason, last_synced_at = excluded.last_synced_at
    returning m.id
  )
  select count(*) into n from up;
  update public.message_templates m set status = 'DISABLED', rejected_reason = 'no longer listed by the provider',
         last_synced_at = now()
   where m.channel_id = ch.id and m.provider_template_id is not null and m.status <> 'DISABLED'
     and not exists (select 1 from jsonb_array_elements(p_templates) t
                      where t ->> 'name' = m.name and t ->> 'language' = m.language);
  get diagnostics gone = row_count;
  update public.channels c set last_synced_at = now() where c.id = ch.id;
  return jsonb_build_object('synced', n, 'disabled', gone);
end
$$;

create function private.request_template_sync(p_channel uuid)
returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  ch public.channels;
begin
  perform private.require_user();
  select * into ch from public.channels c where c.id = p_channel;
  if not found or not private.has_workspace_role(ch.workspace_id, 'viewer') then
    raise exception 'channel not found' using errcode = 'P0002';
  end if;
  perform private.require_role(ch.workspace_id, 'admin');
  if ch.provider is distinct from 'cloud_api' or ch.business_account_id is null then
    raise exception 'templates sync from Cloud API channels with a business_account_id' using errcode = '55000';
  end if;
  if not private.call_function('dispatch', jsonb_build_object('action', 'sync_templates', 'channel_id', ch.id)) then
    raise exception 'the dispatch function is not configured (private.configure_functions)' using errcode = '55000';
  end if;
  return true;
end
$$;

create function public.sync_templates(channel_id uuid)
returns boolean
language sql security invoker set search_path = ''
as $$ select private.request_template_sync(channel_id) $$;
comment on function public.sync_templates(uuid) is
  'Admins ask for a Cloud API channel''s templates to be fetched from Meta (asynchronously, through the dispatch function).';

-- Phone number ids ------------------------------------------------------------------

-- A Cloud API channel proves its phone_number_id by Graph answering for it
-- with the channel's access token; the dispatch function asks, after
-- commit, whenever a client changes the id or the credentials. The
-- service, writing channels itself, records what it knows itself.
create function private.request_phone_number_verification()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if private.is_client() and new.provider = 'cloud_api' and new.phone_number_id is not null
     and 'access_token' = any (new.credentials_set) then
    perform private.call_function('dispatch', jsonb_build_object('action', 'verify_phone_number', 'channel_id', new.id));
  end if;
  return null;
end
$$;

-- Admins ask again (after fixing the token at Meta, say).
create function private.verify_phone_number(p_channel uuid)
returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  ch public.channels;
begin
  perform private.require_user();
  if not private.has_workspace_role((select c.workspace_id from public.channels c where c.id = p_channel), 'admin') then
    raise exception 'channel not found' using errcode = 'P0002';
  end if;
  select * into ch from public.channels c where c.id = p_channel;
  if ch.provider is distinct from 'cloud_api' or ch.phone_number_id is null or not 'access_token' = any (ch.credentials_set) then
    raise exception 'only a Cloud API channel with a phone_number_id and an access_token can be verified' using errcode = '55000';
  end if;
  if not private.call_function('dispatch', jsonb_build_object('action', 'verify_phone_number', 'channel_id', ch.id)) then
    raise exception 'the dispatch function is not configured (private.configure_functions)' using errcode = '55000';
  end if;
  return true;
end
$$;

create function public.verify_phone_number(channel_id uuid)
returns boolean
language sql security invoker set search_path = ''
as $$ select private.verify_phone_number(channel_id) $$;
comment on function public.verify_phone_number(uuid) is
  'Admins ask for a Cloud API channel''s phone_number_id to be verified with its access token (asynchronously); the result lands in phone_number_verified_at or phone_number_error.';

-- Tick step: claims whose dispatcher died are claimable again (claims
-- check the lease themselves; this keeps the queue's state honest for
-- whoever looks).
create function private.release_expired_claims()
returns integer
language sql security definer set search_path = ''
as $$
  with released as (
    update private.outbox o
       set claimed_by = null, claimed_until = null, send_at = null,
           last_error = coalesce(o.last_error, jsonb_build_object('message', 'claim expired: the dispatcher did not finish'))
     where o.claimed_until < now()
    returning 1
  )
  select count(*)::integer from released
$$;

-- ==========================================================================
-- Access
-- ==========================================================================

alter table public.message_templates enable row level security;
revoke all on public.message_templates from anon, authenticated;
grant select, delete on public.message_templates to authenticated;

grant insert (workspace_id, channel_id, name, language, category, components, parameter_format)
  on public.message_templates to authenticated;

grant update (name, language, category, components, parameter_format) on public.message_templates to authenticated;

-- A caller's workspaces are a small part of a shared table (see identity).
alter table public.message_templates alter column workspace_id set (n_distinct = 500);

create policy message_templates_select on public.message_templates for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));

create policy message_templates_insert on public.message_templates for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));

create policy message_templates_update on public.message_templates for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));

create policy message_templates_delete on public.message_templates for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

grant insert (conversation_id, type, content, payload, media_id, media_url, media_path, media_mime_type, media_filename,
  location_latitude, location_longitude, location_name, location_address, quoted_message_id, reaction_emoji,
  template_id, template_params, idempotency_key) on public.messages to authenticated;

create policy messages_insert on public.messages for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));

-- ==========================================================================
-- Triggers
-- ==========================================================================

create trigger set_updated_at before update on public.message_templates
  for each row execute function private.set_updated_at();

create trigger check_template before insert or update on public.message_templates
  for each row execute function private.check_template();

create trigger audit after insert or update or delete on public.message_templates
  for each row execute function private.audit_change('template');

-- An outbound message without a provider id is one to send; outbound rows
-- that arrive with an id are our own sends reported back by a provider.
-- Campaign messages are checked set-wise when fed, not one by one.
create trigger prepare_outbound before insert on public.messages
  for each row when ((new.direction is null or (new.direction = 'outbound' and new.provider_message_id is null))
                     and new.campaign_id is null)
  execute function private.prepare_outbound();

create trigger request_phone_number_verification after insert or update of phone_number_id, credentials_set
  on public.channels for each row execute function private.request_phone_number_verification();

create trigger enqueue_outbound after insert on public.messages
  referencing new table as inserted
  for each statement execute function private.enqueue_outbound();

-- ==========================================================================
-- Grants
-- ==========================================================================

revoke all on function private.template_placeholders(text), private.template_component(jsonb, text),
  private.check_placeholder_values(text, text[], jsonb, boolean), private.check_parameter_text(text, text, boolean),
  private.check_template_params(jsonb, jsonb, boolean), private.render_template(jsonb, jsonb), private.check_template()
  from public;

revoke all on function private.send_refusal(boolean, boolean, boolean, boolean), private.contact_opted_out(uuid),
  private.chat_blocked(uuid, uuid, text),
  private.check_send_rules(public.conversations, public.channels, public.message_type, uuid, uuid) from public;

revoke all on function private.channel_rate(public.channels), private.configure_functions(text, text),
  private.call_function(text, jsonb), private.poke_function(text), private.poke_dispatcher(), private.prepare_outbound(),
  private.enqueue_outbound(), private.retry_message(uuid) from public;

revoke all on function public.send_message(uuid, text, text, text, jsonb, text, public.message_type, uuid, text, text),
  public.retry_message(uuid) from public, anon;

grant execute on function public.send_message(uuid, text, text, text, jsonb, text, public.message_type, uuid, text, text),
  public.retry_message(uuid) to authenticated, service_role;

grant execute on function private.retry_message(uuid) to authenticated, service_role;

revoke all on function private.claim_outbox(text, integer, integer, integer), private.outbox_next_due(),
  private.refuse_outbox(bigint[], text),
  private.dispatch_channel(uuid), private.fail_message(uuid, jsonb), private.record_sent(uuid, uuid, text),
  private.backoff(integer, numeric, numeric), private.record_send_results(text, jsonb),
  private.sync_templates(uuid, jsonb), private.request_template_sync(uuid),
  private.release_expired_claims() from public;

revoke all on function public.sync_templates(uuid) from public, anon;

grant execute on function private.claim_outbox(text, integer, integer, integer), private.outbox_next_due(),
  private.dispatch_channel(uuid), private.record_send_results(text, jsonb), private.sync_templates(uuid, jsonb)
  to service_role;

grant execute on function public.sync_templates(uuid), private.request_template_sync(uuid) to authenticated, service_role;

revoke all on function private.request_phone_number_verification(), private.verify_phone_number(uuid) from public;
revoke all on function public.verify_phone_number(uuid) from public, anon;
grant execute on function public.verify_phone_number(uuid), private.verify_phone_number(uuid) to authenticated, service_role;

-- ==========================================================================
-- Tick steps
-- ==========================================================================

insert into private.tick_steps (name, fn, position) values
  ('released_claims', 'private.release_expired_claims', 10);
