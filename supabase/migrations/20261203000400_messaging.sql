-- Module: messaging
--
-- The CRM person (contacts), their address on a channel
-- (contact_identities), WhatsApp groups, conversations, messages, media and
-- the raw webhook events everything is derived from.
--
-- Rules that keep messaging consistent whoever writes: human numbers for
-- conversations, assignees who belong to the workspace, delivery statuses
-- that only move forward (even when they arrive before their message), and
-- conversation/contact state that follows every new message.
--
-- Inbound pipeline. The webhook function verifies a provider's request and
-- hands the payload to private.ingest_webhook() (or a batch of them to
-- private.ingest_webhooks()), which in one transaction stores the raw event
-- (deduplicated on its content hash), then turns it into contacts,
-- identities, groups, conversations, messages and statuses. Each provider's
-- shape is normalized by its own function into one message record that
-- private.store_message() writes; storing is idempotent on the provider's
-- message id, so retries and duplicates are harmless. Ordinary Cloud API
-- traffic takes a set-based path (private.ingest_cloud_api_batch) that
-- writes a whole batch with one statement per table.
--
-- Ingestion runs once per message at webhook rate, so its helpers are
-- written for small fixed costs: no exception block where a check will do
-- (each one starts a subtransaction), simple expressions that take
-- plpgsql's fast path, lookups by key that no statistics can turn into
-- scans, and statement triggers over transition tables instead of row
-- triggers.

-- ==========================================================================
-- Types
-- ==========================================================================

create type public.contact_status as enum ('active', 'prospect', 'inactive');
create type public.priority_level as enum ('low', 'medium', 'high', 'urgent');
create type public.group_role as enum ('member', 'admin', 'super_admin');
create type public.conversation_type as enum ('individual', 'group');
create type public.conversation_status as enum ('open', 'pending', 'closed', 'expired');
create type public.message_direction as enum ('inbound', 'outbound');

create type public.message_type as enum (
  'text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contacts', 'reaction',
  'interactive', 'button', 'order', 'poll', 'list', 'template', 'system', 'unsupported');

create type public.message_status as enum ('pending', 'sent', 'delivered', 'read', 'played', 'failed', 'deleted');

create type private.batch_event as (
  item integer,             -- position in the batch, 1-based
  channel_id uuid,
  workspace_id uuid,
  channel_phone text,
  payload jsonb,
  digest bytea,
  repeated boolean          -- already processed, or an earlier copy in this batch
);

create type private.batch_message as (
  item integer,
  pos bigint,               -- order of arrival across the batch
  channel_id uuid,
  workspace_id uuid,
  channel_phone text,
  id uuid,                  -- the id the message gets if it is new
  chat text,
  phone text,
  push_name text,
  ts timestamptz,
  kind public.message_type,
  m jsonb,                  -- the normalized record private.store_message() takes
  contact_id uuid,
  conversation_id uuid
);

-- ==========================================================================
-- Tables
-- ==========================================================================

create table public.contacts (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  name text check (char_length(name) <= 200),
  phone text check (phone ~ '^[1-9][0-9]{6,14}$'),
  email text,
  avatar_url text,
  avatar_path text,
  avatar_fetched_at timestamptz,
  company text,
  job_title text,
  website text,
  address text,
  location text,
  birthday date,
  notes text,
  interests text,
  social_media jsonb not null default '{}'::jsonb,
  tags text[] not null default '{}',
  labels text[] not null default '{}',
  custom_fields jsonb not null default '{}'::jsonb,
  status public.contact_status not null default 'prospect',
  priority public.priority_level,
  is_favorite boolean not null default false,
  opted_in boolean not null default false,
  opted_in_at timestamptz,
  opted_out_at timestamptz,
  opt_out_reason text check (char_length(opt_out_reason) <= 200),
  opt_out_message_id uuid,
  source text not null default 'manual',
  total_orders integer not null default 0,
  total_revenue numeric(12, 2) not null default 0,
  last_order_at timestamptz,
  last_message_at timestamptz,
  added_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
)
-- Room on each page for the frequent updates of unindexed columns (order
-- figures, last_message_at) to stay HOT, skipping the text search indexes.
with (fillfactor = 85);
comment on table public.contacts is 'The CRM person (a customer or lead), one per workspace and phone number, whatever channels they use.';
comment on column public.contacts.phone is 'E.164 digits without +; unique in the workspace.';
comment on column public.contacts.opted_in is 'Consent to receive marketing (campaigns send only to opted-in contacts).';
comment on column public.contacts.opted_out_at is 'When the contact last opted out of marketing (a keyword, an opt-out button, or a member unticking opted_in); opted out = not opted_in and opted_out_at set.';
comment on column public.contacts.opt_out_reason is 'Why the last opt-out happened, e.g. keyword "STOP", button "Stop promotions", set by hand.';
comment on column public.contacts.opt_out_message_id is 'The customer''s message that opted them out, when a message did.';
comment on column public.contacts.source is 'How the contact arrived: inbound (first message), manual, import, api.';
comment on column public.contacts.avatar_path is 'The stored profile picture: its name in the avatars bucket (<workspace id>/contacts/<contact id>); avatar_url is then its Storage URL.';
comment on column public.contacts.avatar_fetched_at is 'When the profile picture was last asked of the provider (at most daily).';
comment on column public.contacts.total_orders is 'Kept by the commerce module.';

create table public.contact_identities (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null,
  contact_id uuid not null references public.contacts (id) on delete cascade,
  channel_id uuid not null,
  external_id text not null,
  phone text,
  push_name text,
  profile_picture_url text,
  is_business boolean not null default false,
  business_profile jsonb,
  last_seen_at timestamptz,
  is_blocked boolean not null default false,
  blocked_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Serves lookups by address and the channel foreign key alike.
  unique (workspace_id, channel_id, external_id),
  foreign key (workspace_id, channel_id) references public.channels (workspace_id, id) on delete cascade
);
comment on table public.contact_identities is 'A contact''s address on one channel: wa_id (Cloud API) or JID (Baileys, whatsmeow), with what the provider tells about it.';
comment on column public.contact_identities.external_id is 'wa_id for Cloud API, JID (…@s.whatsapp.net) for Evolution and whatsmeow.';
comment on column public.contact_identities.is_blocked is 'We refuse to message this address (and ignore nothing inbound: it is still recorded).';

create table public.whatsapp_groups (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  channel_id uuid not null,
  group_jid text not null,
  name text,
  description text,
  picture_url text,
  owner_jid text,
  participants jsonb not null default '[]'::jsonb,
  participants_count integer not null default 0,
  my_role public.group_role not null default 'member',
  is_announcement boolean not null default false,
  is_restricted boolean not null default false,
  is_muted boolean not null default false,
  mute_until timestamptz,
  group_created_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (workspace_id, channel_id, group_jid),
  foreign key (workspace_id, channel_id) references public.channels (workspace_id, id) on delete cascade
);
comment on table public.whatsapp_groups is 'WhatsApp groups a channel takes part in (Baileys/whatsmeow).';
comment on column public.whatsapp_groups.participants is 'JSON array of {jid, role} as the provider last reported.';

create table public.conversations (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null,
  channel_id uuid not null,
  display_id bigint not null,
  type public.conversation_type not null default 'individual',
  chat_id text not null,
  contact_id uuid references public.contacts (id) on delete set null,
  group_id uuid references public.whatsapp_groups (id) on delete set null,
  title text,
  status public.conversation_status not null default 'open',
  assignee_id uuid references public.profiles (id) on delete set null,
  window_expires_at timestamptz,
  last_inbound_at timestamptz,
  last_message_id uuid,
  last_message_at timestamptz,
  last_message_preview text,
  last_message_direction public.message_direction,
  unread_count integer not null default 0 check (unread_count >= 0),
  is_pinned boolean not null default false,
  is_archived boolean not null default false,
  is_muted boolean not null default false,
  mute_until timestamptz,
  custom_wallpaper text,
  notification_settings jsonb,
  closed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (channel_id, workspace_id, chat_id),
  check ((type = 'group') = (group_id is not null)),
  foreign key (channel_id, workspace_id) references public.channels (id, workspace_id) on delete cascade
);
comment on table public.conversations is 'A thread with one contact or group on one channel: the inbox row.';
comment on column public.conversations.display_id is 'Per-workspace human number (#1, #2, ...), assigned by the database.';
comment on column public.conversations.chat_id is 'The provider''s chat identifier (wa_id or JID).';
comment on column public.conversations.window_expires_at is 'End of the 24-hour customer service window: 24 h after the last inbound message.';
comment on column public.conversations.unread_count is 'Inbound messages since an agent last read the conversation (set it to 0 to mark read); deleted ones do not count.';
comment on column public.conversations.last_message_preview is 'The last message''s text (140 characters) or [type]; [deleted] once that message is deleted.';

create table public.messages (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null,
  channel_id uuid not null,
  -- A message sits in its conversation's workspace and channel: checked per
  -- statement (check_message_placement) and never moved. A three-column
  -- foreign key would need a unique (id, workspace_id, channel_id) on
  -- conversations, one more index every message's conversation update
  -- writes, and an index led by all three here, which cannot also give a
  -- thread in time order.
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  contact_id uuid references public.contacts (id) on delete set null,
  direction public.message_direction not null,
  type public.message_type not null default 'text',
  provider_type text,
  provider_message_id text,
  content text,
  payload jsonb,
  media_id text,
  media_url text,
  media_path text,
  media_mime_type text,
  media_filename text,
  media_size bigint,
  media_sha256 text,
  media_duration integer,
  location_latitude numeric(9, 6),
  location_longitude numeric(9, 6),
  location_name text,
  location_address text,
  quoted_provider_message_id text,
  quoted_message_id uuid references public.messages (id) on delete set null,
  quoted_content text,
  is_forwarded boolean not null default false,
  forward_score integer not null default 0,
  is_starred boolean not null default false,
  mentions text[] not null default '{}',
  reactions jsonb not null default '{}'::jsonb,
  reaction_emoji text,
  reaction_target_id text,
  participant_jid text,
  remote_jid text,
  push_name text,
  sender_identifier text,
  recipient_identifier text,
  status public.message_status not null default 'pending',
  sent_at timestamptz,
  delivered_at timestamptz,
  read_at timestamptz,
  failed_at timestamptz,
  error_code integer,
  error_title text,
  error_message text,
  errors jsonb,
  provider_timestamp timestamptz,
  edited_at timestamptz,
  deleted_at timestamptz,
  created_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- What sent an outbound message. Their foreign keys are added by the
  -- modules that define the tables they point at (outbound, campaigns,
  -- automations, hooks, commerce, calendar).
  template_id uuid,
  template_params jsonb,
  idempotency_key text check (char_length(idempotency_key) between 1 and 200),
  campaign_id uuid,
  automation_id uuid,
  hook_id uuid,
  order_id uuid,
  invoice_id uuid,
  event_id uuid
);
comment on table public.messages is 'Every message in and out, with the provider''s full payload, media, location, replies, reactions, group sender and delivery status.';
comment on column public.messages.provider_message_id is 'wamid (Cloud API) or message key id (Baileys/whatsmeow); unique per channel, which makes ingestion idempotent.';
comment on column public.messages.provider_type is 'The provider''s own type name (e.g. extendedTextMessage, interactive.button_reply).';
comment on column public.messages.payload is 'The provider''s message object as received.';
comment on column public.messages.reactions is 'Reactions to this message: {reactor external id: emoji}.';
comment on column public.messages.participant_jid is 'Sender inside a group.';
comment on column public.messages.status is 'Delivery status; never moves backwards (a late "delivered" does not undo "read").';
comment on column public.messages.media_path is 'Outbound media from Storage: the object''s name in the media bucket (<workspace id>/...), sent as a short-lived signed URL or uploaded to Meta, as the provider requires.';
comment on column public.messages.template_id is 'The template an outbound template message uses.';
comment on column public.messages.template_params is 'Template parameters, validated and normalized: {"header", "body", "buttons"}.';
comment on column public.messages.idempotency_key is 'A sender''s key for this message: the same key twice in a workspace is one message.';
comment on column public.messages.campaign_id is 'The campaign this message was sent for.';
comment on column public.messages.automation_id is 'The automation that sent this message.';
comment on column public.messages.hook_id is 'The outgoing hook whose answer to message.received sent this message.';
comment on column public.messages.order_id is 'The order whose status change sent this message (an order status template).';
comment on column public.messages.invoice_id is 'The invoice this message sent or reminded of (an invoice template).';
comment on column public.messages.event_id is 'The calendar event this message is about: the WhatsApp reminder or cancellation notice sent for it, or the client''s reply to one.';
alter table public.contacts add constraint contacts_opt_out_message_id_fkey
  foreign key (opt_out_message_id) references public.messages (id) on delete set null;

create table public.webhook_events (
  id bigint generated always as identity primary key,
  workspace_id uuid not null,
  channel_id uuid not null,
  provider public.channel_provider not null,
  event_type text not null,
  payload jsonb,
  raw_body text,
  body_sha256 bytea not null,
  processed boolean not null default false,
  processed_at timestamptz,
  error text,
  retry_count integer not null default 0,
  last_attempt_at timestamptz,
  created_at timestamptz not null default now(),
  foreign key (channel_id, workspace_id) references public.channels (id, workspace_id) on delete cascade
);
comment on table public.webhook_events is 'Every verified webhook (secrets redacted, inline media replaced by a marker), before and after processing. A byte-identical retry is recognised by body_sha256. The exact bytes received are in private.webhook_bodies.';
comment on column public.webhook_events.event_type is 'The provider''s event, or unparseable (not JSON Postgres can hold) / invalid (not the provider''s schema): those wait for a replay, the tick does not retry them.';
comment on column public.webhook_events.raw_body is 'When the body was not JSON: a redacted, truncated text preview of it (valid UTF-8, no NUL). The bytes are kept privately for replay.';
comment on column public.webhook_events.error is 'Why the last attempt failed (truncated); retried by the minute tick or replayed by an admin.';
comment on column public.webhook_events.retry_count is 'Attempts after the first: redeliveries, tick retries and replays.';
comment on column public.webhook_events.last_attempt_at is 'When the event was last processed again (tick retry or replay).';

-- The verified bytes of each event exactly as received (only an Evolution
-- body's instance key replaced: Evolution authenticates with that key, not
-- with a signature over the bytes), whatever they hold: NUL, invalid UTF-8,
-- binary. What a replay parses. Private: they can hold secrets and media.
create table private.webhook_bodies (
  event_id bigint primary key references public.webhook_events (id) on delete cascade,
  body bytea not null,
  received_at timestamptz not null default now()
);
comment on table private.webhook_bodies is 'The raw bytes of every stored webhook event, for replay; never readable by clients.';

-- Statuses for a message we have not recorded yet (the provider's answer to
-- a send can arrive after its first status; Meta delivers out of order).
create table private.pending_message_statuses (
  channel_id uuid not null references public.channels (id) on delete cascade,
  provider_message_id text not null,
  status public.message_status not null,
  status_at timestamptz not null,
  error jsonb,
  received_at timestamptz not null default now(),
  primary key (channel_id, provider_message_id, status)
);
comment on table private.pending_message_statuses is 'Statuses that arrived before their message; applied when it is recorded.';

-- Reactions to a message we have not recorded yet: a customer reacts to a
-- message whose webhook is still on its way (or to our send before its
-- provider id is known). The latest reaction of each reactor is kept, as
-- WhatsApp keeps one per person; an empty emoji is a removal.
create table private.pending_reactions (
  channel_id uuid not null references public.channels (id) on delete cascade,
  provider_message_id text not null,
  reactor text not null,
  emoji text not null,
  reacted_at timestamptz not null,
  received_at timestamptz not null default now(),
  primary key (channel_id, provider_message_id, reactor)
);
comment on table private.pending_reactions is 'Reactions that arrived before the message they react to; applied when it is recorded.';

-- ==========================================================================
-- Indexes
-- ==========================================================================

create unique index contacts_workspace_phone_key on public.contacts (workspace_id, phone) where phone is not null;
-- The workspace's contacts newest first, and the index policies start from.
create index contacts_workspace_created_idx on public.contacts (workspace_id, created_at desc);
create index contacts_added_by_idx on public.contacts (added_by) where added_by is not null;
create index contacts_opt_out_message_id_idx on public.contacts (opt_out_message_id) where opt_out_message_id is not null;
create index contact_identities_contact_id_idx on public.contact_identities (contact_id);
-- Contacts by tag or label (tags @> '{vip}', PostgREST's cs.{vip}).
create index contacts_tags_idx on public.contacts using gin (tags);
create index contacts_labels_idx on public.contacts using gin (labels);
create index conversations_contact_id_idx on public.conversations (contact_id) where contact_id is not null;
create index conversations_group_id_idx on public.conversations (group_id) where group_id is not null;

create unique index conversations_display_id_key on public.conversations (workspace_id, display_id)
  where display_id is not null;

-- The inbox, newest first exactly as PostgREST orders it
-- (order=last_message_at.desc is DESC NULLS FIRST, the index's own order).
create index conversations_inbox_idx on public.conversations (workspace_id, last_message_at desc);

-- "Unread" and "assigned to me" stay small whatever the workspace's size:
-- the first holds only conversations with something unread, the second
-- serves the assignee foreign key and the assignee's inbox in its order.
create index conversations_unread_idx on public.conversations (workspace_id, last_message_at desc)
  where unread_count > 0;
create index conversations_assignee_idx on public.conversations (assignee_id, last_message_at desc)
  where assignee_id is not null;

create unique index messages_provider_id_key on public.messages (channel_id, provider_message_id)
  where provider_message_id is not null;

-- A thread in time order without naming its channel and workspace (the
-- conversation implies both); also the conversation foreign key's index.
create index messages_conversation_idx on public.messages (conversation_id, created_at desc);
-- Recent activity in a workspace ("the last 7 days"), newest first.
create index messages_workspace_created_idx on public.messages (workspace_id, created_at desc);
create index messages_contact_id_idx on public.messages (contact_id) where contact_id is not null;
create index messages_quoted_message_id_idx on public.messages (quoted_message_id) where quoted_message_id is not null;
create index messages_created_by_idx on public.messages (created_by) where created_by is not null;

-- Deduplication and the channel foreign key share one index.
create unique index webhook_events_dedupe_key on public.webhook_events (channel_id, workspace_id, body_sha256);

-- An admin's list of the workspace's events (newest first: read backwards),
-- replays by time range, and pruning from the oldest.
create index webhook_events_workspace_created_idx on public.webhook_events (workspace_id, created_at);
create index webhook_events_unprocessed_idx on public.webhook_events (created_at) where not processed;

create index conversations_window_idx on public.conversations (window_expires_at)
  where status in ('open', 'pending') and window_expires_at is not null;

-- ==========================================================================
-- Functions
-- ==========================================================================

-- Per-workspace human numbers (conversation #1, #2, ...) come from one
-- sequence per workspace and counter: nextval never waits on another
-- transaction, where a counter row would serialize every ingest that opens a
-- conversation. Numbers may skip after a rollback, which a display number
-- can afford.
create function private.next_number(ws uuid, counter text)
returns bigint
language plpgsql volatile security definer set search_path = ''
as $$
declare
  seq text := counter || '_' || replace(ws::text, '-', '');
begin
  if counter !~ '^[a-z_]{1,30}$' then
    raise exception 'bad counter name %', counter using errcode = '22023';
  end if;
  if to_regclass('private.' || seq) is null then
    -- First number of this workspace: create its sequence once, even when
    -- two transactions get here together.
    perform pg_advisory_xact_lock(hashtext('private.' || seq));
    execute format('create sequence if not exists private.%I', seq);
  end if;
  return nextval(('private.' || seq)::regclass);
end
$$;
comment on function private.next_number(uuid, text) is
  'Next per-workspace number for a counter (e.g. conversation), from a sequence private.<counter>_<workspace>.';

-- A deleted workspace takes its sequences with it.
create function private.drop_workspace_sequences()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  seq text;
begin
  for seq in select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
              where n.nspname = 'private' and c.relkind = 'S'
                and c.relname like '%\_' || replace(old.id::text, '-', '')
  loop
    execute format('drop sequence if exists private.%I', seq);
  end loop;
  return old;
end
$$;

create function private.assign_conversation_number()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  new.display_id := private.next_number(new.workspace_id, 'conversation');
  return new;
end
$$;

create function private.check_assignee()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.assignee_id is not null and not exists (
       select 1 from public.workspace_members m
        where m.workspace_id = new.workspace_id and m.user_id = new.assignee_id and m.status = 'active'
          and m.role >= 'member') then
    raise exception 'the assignee must be an active member (not a viewer) of the workspace' using errcode = '22023';
  end if;
  return new;
end
$$;

-- Consent changes keep their time, and an opt-out its reason: the customer's
-- message when one did it (private.apply_opt_outs), "set by hand" otherwise.
create function private.stamp_contact()
returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.opted_in then
    new.opted_in_at := case when tg_op = 'UPDATE' and new.opted_in_at is not distinct from old.opted_in_at then now()
                            else coalesce(new.opted_in_at, now()) end;
  else
    new.opted_out_at := now();
    if new.opt_out_message_id is not distinct from old.opt_out_message_id then
      new.opt_out_reason := 'set by hand';
      new.opt_out_message_id := null;
    end if;
  end if;
  return new;
end
$$;

-- Delivery statuses ----------------------------------------------------------

-- Statuses only move forward. failed sits between sent and delivered: a
-- message reported failed that later shows delivered was delivered.
create function private.status_rank(s public.message_status)
returns integer
language sql immutable set search_path = ''
as $$
  select case s when 'pending' then 0 when 'sent' then 10 when 'failed' then 15 when 'delivered' then 20
                when 'read' then 30 when 'played' then 40 when 'deleted' then 100 end
$$;

-- A status and the answer to its send can race: the webhook looks for the
-- message by provider id while the dispatcher, not yet committed, records
-- that id. A status parked just after the dispatcher looked for parked ones
-- would wait forever. So whoever records a provider id holds a transaction
-- lock on (channel, provider id) while it looks for parked statuses. A
-- webhook that finds the message missing tries that lock without waiting
-- (waiting deadlocked under load: a webhook batch and a batch of send
-- results each held one id's lock and wanted the other's): holding it, it
-- parks knowing it will be found; not holding it, the sweep
-- (apply_stranded_statuses, run by the dispatcher between claims and by the
-- tick) applies the status once its message is there.
create function private.lock_provider_id(p_channel uuid, p_provider_message_id text)
returns void
language sql volatile set search_path = ''
as $$ select pg_advisory_xact_lock(hashtextextended(p_channel::text || '/' || p_provider_message_id, 7)) $$;

-- Applies one status to the message with that provider id. Returns false
-- (and parks the status) when the message is not known yet.
create function private.apply_message_status(
  p_channel uuid, p_provider_message_id text, p_status public.message_status, p_at timestamptz, p_error jsonb
) returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  at timestamptz := coalesce(p_at, now());
  pid text := case when char_length(p_provider_message_id) <= 256 then p_provider_message_id
                  else private.provider_id(p_provider_message_id) end;
begin
  for attempt in 1..2 loop
    update public.messages m set
      status = case when private.status_rank(p_status) > private.status_rank(m.status) then p_status else m.status end,
      sent_at = case when p_status = 'sent' then coalesce(m.sent_at, at) else m.sent_at end,
      delivered_at = case when p_status = 'delivered' then coalesce(m.delivered_at, at) else m.delivered_at end,
      read_at = case when p_status in ('read', 'played') then coalesce(m.read_at, at) else m.read_at end,
      failed_at = case when p_status = 'failed' then coalesce(m.failed_at, at) else m.failed_at end,
      error_code = case when p_status = 'failed' then coalesce(private.as_int(p_error ->> 'code'), m.error_code) else m.error_code end,
      error_title = case when p_status = 'failed' then coalesce(p_error ->> 'title', m.error_title) else m.error_title end,
      error_message = case when p_status = 'failed'
                           then coalesce(p_error ->> 'message', p_error #>> '{error_data,details}', m.error_message)
                           else m.error_message end,
      errors = case when p_error is not null then coalesce(m.errors, '[]'::jsonb) || jsonb_build_array(p_error) else m.errors end,
      deleted_at = case when p_status = 'deleted' then coalesce(m.deleted_at, at) else m.deleted_at end
    where m.channel_id = p_channel and m.provider_message_id = pid;
    if found then
      return true;
    end if;
    -- Holding the lock, nobody is between recording this id and looking for
    -- its parked statuses: what we park now will be found. Without it, the
    -- tick's sweep finds it.
    exit when attempt = 2 or not pg_try_advisory_xact_lock(hashtextextended(p_channel::text || '/' || pid, 7));
  end loop;
  insert into private.pending_message_statuses (channel_id, provider_message_id, status, status_at, error)
  values (p_channel, pid, p_status, at, p_error)
  on conflict do nothing;
  return false;
end
$$;

-- Applies one reaction ({reactor: emoji} on the target; an empty emoji
-- removes the reactor's). Returns false (and parks it) when the target is
-- not known yet, with the same lock discipline as statuses.
create function private.apply_reaction(p_channel uuid, p_target text, p_reactor text, p_emoji text, p_at timestamptz)
returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  pid text := case when char_length(p_target) <= 256 then p_target else private.provider_id(p_target) end;
begin
  for attempt in 1..2 loop
    update public.messages t
       set reactions = case when coalesce(p_emoji, '') = '' then t.reactions - p_reactor
                            else t.reactions || jsonb_build_object(p_reactor, p_emoji) end
     where t.channel_id = p_channel and t.provider_message_id = pid;
    if found then
      return true;
    end if;
    exit when attempt = 2 or not pg_try_advisory_xact_lock(hashtextextended(p_channel::text || '/' || pid, 7));
  end loop;
  insert into private.pending_reactions as r (channel_id, provider_message_id, reactor, emoji, reacted_at)
  values (p_channel, pid, p_reactor, coalesce(p_emoji, ''), coalesce(p_at, now()))
  on conflict (channel_id, provider_message_id, reactor) do update
    set emoji = excluded.emoji, reacted_at = excluded.reacted_at, received_at = excluded.received_at
    where excluded.reacted_at >= r.reacted_at;
  return false;
end
$$;

-- Applies the statuses and reactions parked for a provider message id, now
-- that the message is known. It looks before it locks: there almost never
-- are any, and locking every time was a fifth of the cost of recording a
-- send. One parked at that very moment is left to the sweep.
create function private.apply_parked_statuses(p_channel uuid, p_provider_message_id text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  p record;
begin
  if not exists (select 1 from private.pending_message_statuses s
                  where s.channel_id = p_channel and s.provider_message_id = p_provider_message_id)
     and not exists (select 1 from private.pending_reactions r
                      where r.channel_id = p_channel and r.provider_message_id = p_provider_message_id) then
    return;
  end if;
  perform private.lock_provider_id(p_channel, p_provider_message_id);
  for p in delete from private.pending_message_statuses s
            where s.channel_id = p_channel and s.provider_message_id = p_provider_message_id
           returning s.status, s.status_at, s.error
  loop
    perform private.apply_message_status(p_channel, p_provider_message_id, p.status, p.status_at, p.error);
  end loop;
  for p in with taken as (
             delete from private.pending_reactions r
              where r.channel_id = p_channel and r.provider_message_id = p_provider_message_id
             returning r.reactor, r.emoji, r.reacted_at)
           select * from taken order by reacted_at
  loop
    perform private.apply_reaction(p_channel, p_provider_message_id, p.reactor, p.emoji, p.reacted_at);
  end loop;
end
$$;

-- Parked statuses and reactions whose message has since been recorded.
create function private.apply_stranded_statuses()
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  r record;
  n integer := 0;
begin
  for r in select p.channel_id, p.provider_message_id
             from private.pending_message_statuses p
             join public.messages m on m.channel_id = p.channel_id and m.provider_message_id = p.provider_message_id
           union
           select p.channel_id, p.provider_message_id
             from private.pending_reactions p
             join public.messages m on m.channel_id = p.channel_id and m.provider_message_id = p.provider_message_id
  loop
    perform private.apply_parked_statuses(r.channel_id, r.provider_message_id);
    n := n + 1;
  end loop;
  return n;
end
$$;

-- An outbound message gets its provider id after the send: statuses and
-- reactions parked for that id apply then.
create function private.on_provider_id_recorded()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.apply_parked_statuses(new.channel_id, new.provider_message_id);
  return null;
end
$$;

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

-- Lenient reads of provider fields: null where a cast would raise (one odd
-- field must not fail the message; see private.storable_message()).
create function private.as_bool(t text)
returns boolean
language sql immutable set search_path = ''
as $$
  select case when lower(t) in ('true', 't', 'yes', 'y', 'on', '1') then true
              when lower(t) in ('false', 'f', 'no', 'n', 'off', '0') then false end
$$;

create function private.as_int(t text)
returns integer
language sql immutable set search_path = ''
as $$ select case when t ~ '^-?[0-9]{1,9}$' then t::integer end $$;

-- A provider's id as we store and look it up: ids fit an index entry (a
-- btree refuses entries over 2.7 kB), so one longer than 256 characters is
-- kept as its start and its hash, the same way wherever it is looked up.
create function private.provider_id(id text)
returns text
language sql immutable set search_path = ''
as $$
  select case when char_length(id) <= 256 then id
              else left(id, 128) || '~' || encode(sha256(convert_to(id, 'UTF8')), 'hex') end
$$;

-- A normalized message record made storable field by field, so that one
-- odd field does not fail the message (and the event, retried to the same
-- failure): a push name over 200 characters is truncated, a sender that is
-- no phone number keeps its address but no phone, ids too long for an index
-- are shortened (private.provider_id), numbers out of their column's range
-- and flags that are no booleans are dropped. The payload and the raw
-- event keep what was sent. A message without a usable chat cannot be
-- placed anywhere: it gets "skip" (the reason) and is recorded as skipped.
-- Text needs nothing here: jsonb holds no NUL and no lone surrogate (the
-- webhook function replaces those before the cast, shared/jsonb-text.ts).
create function private.storable_message(m jsonb)
returns jsonb
language plpgsql immutable set search_path = ''
as $$
declare
  fix jsonb := '{}'::jsonb;
  lat text := m #>> '{location,latitude}';
  lng text := m #>> '{location,longitude}';
begin
  -- Nearly every record needs nothing: one expression says so.
  if char_length(m ->> 'chat_id') between 1 and 256 and char_length(m ->> 'provider_message_id') <= 256
     and coalesce(char_length(m ->> 'push_name') <= 200, true) and coalesce(m ->> 'phone' ~ '^[1-9][0-9]{6,14}$', true)
     and jsonb_typeof(m -> 'from_me') = 'boolean' and coalesce(jsonb_typeof(m -> 'forwarded') = 'boolean', true)
     and coalesce(m ->> 'forward_score' ~ '^[0-9]{1,9}$', true)
     and m ->> 'quoted_id' is null and m ->> 'participant' is null and not (m ?| array['media', 'location', 'reaction']) then
    return m;
  end if;
  if coalesce(m ->> 'chat_id', '') = '' then
    return m || '{"skip": "no chat id"}'::jsonb;
  elsif char_length(m ->> 'chat_id') > 256 then
    return m || '{"skip": "chat id over 256 characters"}'::jsonb;
  end if;
  if char_length(m ->> 'provider_message_id') > 256 then
    fix := fix || jsonb_build_object('provider_message_id', private.provider_id(m ->> 'provider_message_id'));
  end if;
  if char_length(m ->> 'quoted_id') > 256 then
    fix := fix || jsonb_build_object('quoted_id', private.provider_id(m ->> 'quoted_id'));
  end if;
  if char_length(m #>> '{reaction,target_id}') > 256 then
    fix := fix || jsonb_build_object('reaction', (m -> 'reaction')
                                                 || jsonb_build_object('target_id', private.provider_id(m #>> '{reaction,target_id}')));
  end if;
  if char_length(m ->> 'participant') > 256 then
    fix := fix || '{"participant": null}'::jsonb;
  end if;
  if char_length(m ->> 'push_name') > 200 then
    fix := fix || jsonb_build_object('push_name', left(m ->> 'push_name', 200));
  end if;
  if m ->> 'phone' !~ '^[1-9][0-9]{6,14}$' then
    fix := fix || '{"phone": null}'::jsonb;
  end if;
  if jsonb_typeof(m -> 'from_me') is distinct from 'boolean' and m ? 'from_me' then
    fix := fix || jsonb_build_object('from_me', coalesce(private.as_bool(m ->> 'from_me'), false));
  end if;
  if jsonb_typeof(m -> 'forwarded') is distinct from 'boolean' and m ? 'forwarded' then
    fix := fix || jsonb_build_object('forwarded', coalesce(private.as_bool(m ->> 'forwarded'), false));
  end if;
  if m ->> 'forward_score' !~ '^[0-9]{1,9}$' then
    fix := fix || '{"forward_score": 0}'::jsonb;
  end if;
  if m #>> '{media,size}' !~ '^[0-9]{1,18}$' or m #>> '{media,duration}' !~ '^[0-9]{1,9}$' then
    fix := fix || jsonb_build_object('media', (m -> 'media')
      - case when m #>> '{media,size}' !~ '^[0-9]{1,18}$' then 'size' else '' end
      - case when m #>> '{media,duration}' !~ '^[0-9]{1,9}$' then 'duration' else '' end);
  end if;
  -- numeric(9, 6): degrees, within the globe.
  if lat !~ '^-?[0-9]{1,2}(\.[0-9]*)?$' or lng !~ '^-?[0-9]{1,3}(\.[0-9]*)?$' or abs(lng::numeric) > 180 then
    fix := fix || jsonb_build_object('location', (m -> 'location') || '{"latitude": null, "longitude": null}'::jsonb);
  end if;
  if fix = '{}'::jsonb then
    return m;
  end if;
  return m || fix;
end
$$;

-- Provider timestamps: unix seconds as number or string, protobuf Long
-- objects ({low, high}) from Baileys, or ISO 8601 text. Meta's unix seconds
-- are read without an exception block: they cannot fail, and the block
-- would start a subtransaction for every message.
create function private.provider_ts(v jsonb)
returns timestamptz
language plpgsql immutable set search_path = ''
as $$
declare
  s text := v #>> '{}';
begin
  if v is null or v = 'null'::jsonb then
    return null;
  end if;
  -- Unix seconds, as Meta sends them, cannot fail: no exception block needed.
  if s ~ '^[0-9]{1,12}$' and jsonb_typeof(v) in ('number', 'string') then
    return to_timestamp(s::numeric);
  end if;
  begin
    if jsonb_typeof(v) = 'number' then
      return to_timestamp(s::numeric);
    elsif jsonb_typeof(v) = 'object' and v ? 'low' then
      return to_timestamp(((v ->> 'high')::numeric * 4294967296) + ((v ->> 'low')::bigint & 4294967295));
    elsif s ~ '^[0-9]+$' then
      return to_timestamp(s::numeric);
    else
      return s::timestamptz;
    end if;
  exception when others then
    return null;
  end;
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
-- timestamp, status, payload. A record that cannot be stored at all (no
-- chat) is skipped, with the reason in the activity log: its neighbours in
-- the event are stored, and the raw event keeps it.
create function private.store_message(ch public.channels, record jsonb)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  m jsonb := private.storable_message(record);
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
  if m ? 'skip' then
    insert into public.activity_log (workspace_id, level, category, action, entity_type, entity_id, data, success, error)
    values (ch.workspace_id, 'warning', 'channel', 'channel.message_skipped', 'channels', ch.id::text,
            jsonb_build_object('provider_message_id', left(m ->> 'provider_message_id', 256)), false, m ->> 'skip');
    return jsonb_build_object('duplicate', false, 'skipped', m ->> 'skip');
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

  -- A reaction lands on its target too, or waits for it.
  if kind = 'reaction' and m #>> '{reaction,target_id}' is not null then
    perform private.apply_reaction(ch.id, m #>> '{reaction,target_id}', coalesce(m ->> 'participant', chat),
                                   m #>> '{reaction,emoji}', ts);
  end if;

  if m #>> '{media,id}' is not null or m #>> '{media,url}' is not null or m #>> '{media,inline}' is not null then
    insert into public.media_files (workspace_id, channel_id, message_id, provider_media_id, source_url, mime_type,
                                    file_name, size_bytes, provider_sha256, duration_seconds, came_inline)
    values (ch.workspace_id, ch.id, mid, m #>> '{media,id}', m #>> '{media,url}', m #>> '{media,mime_type}',
            m #>> '{media,filename}', (m #>> '{media,size}')::bigint, m #>> '{media,sha256}',
            (m #>> '{media,duration}')::integer, coalesce((m #>> '{media,inline}')::boolean, false));
  end if;
  return jsonb_build_object('duplicate', false, 'message_id', mid, 'conversation_id', conv);
end
$$;

-- Meta Cloud API ---------------------------------------------------------------

-- The profile names of a change's contacts, {wa_id: name}, the first entry
-- for a sender winning; a contact without a phone number (a username user)
-- is keyed by its business-scoped user id, as its messages' from_user_id. Built once per change: a body of thousands of
-- messages from as many senders carries as many contacts, and looking each
-- sender up in the array (or copying the array for every message) made one
-- large body cost the square of its size. PL/pgSQL, not SQL: a SQL
-- function that cannot be inlined is planned again in every statement that
-- calls it, which cost a batch more than the names themselves.
create function private.cloud_api_names(contacts jsonb)
returns jsonb
language plpgsql immutable set search_path = ''
as $$
begin
  if jsonb_typeof(contacts) is distinct from 'array' then
    return '{}'::jsonb;
  elsif jsonb_array_length(contacts) = 1 then
    return case when coalesce(contacts #>> '{0,wa_id}', contacts #>> '{0,user_id}') is null then '{}'::jsonb
                else jsonb_build_object(coalesce(contacts #>> '{0,wa_id}', contacts #>> '{0,user_id}'),
                                        contacts #> '{0,profile,name}') end;
  end if;
  return (select coalesce(jsonb_object_agg(coalesce(c.v ->> 'wa_id', c.v ->> 'user_id'), c.v #> '{profile,name}'
                                           order by c.ord desc), '{}'::jsonb)
            from jsonb_array_elements(contacts) with ordinality c(v, ord)
           where coalesce(c.v ->> 'wa_id', c.v ->> 'user_id') is not null);
end
$$;

-- One normalized record per Cloud API message, with its sender's profile
-- name (from private.cloud_api_names()). The sender is its phone number
-- (from) or, for a username user who shares none, its business-scoped user
-- id (from_user_id), which then names the chat and has no phone. Runs once per message of a
-- batch, so it reads the payload with simple expressions (plpgsql's fast
-- path) rather than statements holding subqueries, each of which would
-- start the executor.
create function private.cloud_api_message(msg jsonb, push_name text)
returns jsonb
language plpgsql immutable set search_path = ''
as $$
declare
  t text := msg ->> 'type';
  obj jsonb := msg -> (msg ->> 'type');
  is_group boolean := msg ? 'group_id';
  sender text := coalesce(msg ->> 'from', msg ->> 'from_user_id');
  n jsonb;
begin
  n := jsonb_build_object(
    'provider_message_id', msg ->> 'id',
    'chat_type', case when is_group then 'group' else 'individual' end,
    'chat_id', case when is_group then msg ->> 'group_id' else sender end,
    'participant', case when is_group then sender end,
    'phone', msg ->> 'from',
    'push_name', push_name,
    'from_me', false,
    'type', case when t = 'unknown' then 'unsupported' else t end,
    'provider_type', case when t = 'interactive' then 'interactive.' || (obj ->> 'type') else t end,
    'timestamp', msg -> 'timestamp',
    'quoted_id', msg #>> '{context,id}',
    'forwarded', coalesce(msg #> '{context,forwarded}' = 'true' or msg #> '{context,frequently_forwarded}' = 'true', false),
    'forward_score', case when msg #> '{context,frequently_forwarded}' = 'true' then 5 else 0 end,
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
  rec jsonb;
  n_inbound integer;
  names jsonb;
  st jsonb;
  stored jsonb;
  n_messages integer := 0;
  n_duplicates integer := 0;
  n_skipped integer := 0;
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
    -- smb_message_echoes: what the business sent from the WhatsApp Business
    -- app on a number it shares with Cloud API (coexistence), recorded as
    -- our outbound messages.
    if change ->> 'field' is distinct from 'messages' and change ->> 'field' is distinct from 'smb_message_echoes' then
      ignored := ignored + 1;  -- template/account updates, history: kept raw, handled by their modules
      continue;
    end if;
    -- One Meta app can serve several numbers: route by phone_number_id
    -- within the workspace whose secret verified the request, to a channel
    -- that proved the id (typing an id claims nothing).
    target := ch;
    if v #>> '{metadata,phone_number_id}' is distinct from ch.phone_number_id then
      select * into target from public.channels c
       where c.workspace_id = ch.workspace_id and c.phone_number_id = v #>> '{metadata,phone_number_id}'
         and c.phone_number_verified_at is not null;
      if not found then
        raise exception 'unknown phone_number_id % for this workspace', v #>> '{metadata,phone_number_id}'
          using errcode = 'P0002';
      end if;
    end if;

    -- The messages, then the echoes (a field carries one or the other).
    list := coalesce(v -> 'messages', '[]'::jsonb);
    n_inbound := jsonb_array_length(list);
    if n_inbound > 0 then
      names := private.cloud_api_names(v -> 'contacts');
    end if;
    list := list || coalesce(v -> 'message_echoes', '[]'::jsonb);
    for k in 0 .. jsonb_array_length(list) - 1 loop
      msg := list -> k;
      if k < n_inbound then
        rec := private.cloud_api_message(msg, names ->> coalesce(msg ->> 'from', msg ->> 'from_user_id'));
      else
        rec := private.cloud_api_message(msg, null) || jsonb_build_object(
          'from_me', true, 'chat_id', coalesce(msg ->> 'to', msg ->> 'to_user_id'), 'phone', msg ->> 'to',
          'participant', null, 'status', 'sent');
      end if;
      stored := private.store_message(target, rec);
      if (stored ->> 'duplicate')::boolean then n_duplicates := n_duplicates + 1;
      elsif stored ? 'skipped' then n_skipped := n_skipped + 1;
      else n_messages := n_messages + 1; end if;
    end loop;

    list := coalesce(v -> 'statuses', '[]'::jsonb);
    for k in 0 .. jsonb_array_length(list) - 1 loop
      st := list -> k;
      if st ->> 'status' in ('sent', 'delivered', 'read', 'played', 'failed', 'deleted') then
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
                                                             'ignored_changes', ignored)
         || case when n_skipped > 0 then jsonb_build_object('skipped', n_skipped) else '{}'::jsonb end;
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

-- Baileys wraps some messages in another ({ephemeralMessage: {message:
-- {...}}}): disappearing, view-once and captioned documents; Evolution's
-- messageType then names the wrapper. The content is read from inside.
-- Chats and group members addressed by LID (privacy ids, no phone) come
-- with their phone JID in key.remoteJidAlt / key.participantAlt (or
-- senderPn / participantPn) when WhatsApp shares it: that address files them
-- with the same contact and conversation as before LIDs.
create function private.evolution_message(d jsonb)
returns jsonb
language plpgsql immutable set search_path = ''
as $$
declare
  k jsonb := d -> 'key';
  outer_msg jsonb := coalesce(d -> 'message', '{}'::jsonb);  -- where Evolution adds mediaUrl and base64
  msg jsonb := outer_msg;
  mt text := coalesce(d ->> 'messageType',
                      (select x from jsonb_object_keys(msg) x where x not in ('messageContextInfo', 'mediaUrl', 'base64') limit 1));
  inner_msg jsonb;
  ctx jsonb;
  remote text := case when k ->> 'remoteJid' like '%@lid'
                       and coalesce(k ->> 'remoteJidAlt', k ->> 'senderPn') like '%@s.whatsapp.net'
                      then coalesce(k ->> 'remoteJidAlt', k ->> 'senderPn') else k ->> 'remoteJid' end;
  is_group boolean := remote like '%@g.us';
  participant text := coalesce(k ->> 'participant', d ->> 'participant');
  t text;
  n jsonb;
begin
  for depth in 1..3 loop
    exit when mt is null or mt not in ('ephemeralMessage', 'viewOnceMessage', 'viewOnceMessageV2',
                                       'viewOnceMessageV2Extension', 'documentWithCaptionMessage')
              or jsonb_typeof(msg #> array[mt, 'message']) is distinct from 'object';
    msg := msg #> array[mt, 'message'];
    mt := (select x from jsonb_object_keys(msg) x where x not in ('messageContextInfo', 'mediaUrl', 'base64') limit 1);
  end loop;
  inner_msg := msg -> mt;
  if participant like '%@lid' and coalesce(k ->> 'participantAlt', k ->> 'participantPn') like '%@s.whatsapp.net' then
    participant := coalesce(k ->> 'participantAlt', k ->> 'participantPn');
  end if;
  ctx := coalesce(inner_msg -> 'contextInfo', d -> 'contextInfo');
  t := case mt
    when 'conversation' then 'text' when 'extendedTextMessage' then 'text'
    when 'imageMessage' then 'image' when 'videoMessage' then 'video' when 'ptvMessage' then 'video' when 'audioMessage' then 'audio'
    when 'documentMessage' then 'document' when 'stickerMessage' then 'sticker'
    when 'locationMessage' then 'location' when 'liveLocationMessage' then 'location'
    when 'contactMessage' then 'contacts' when 'contactsArrayMessage' then 'contacts'
    when 'reactionMessage' then 'reaction'
    when 'pollCreationMessage' then 'poll' when 'pollCreationMessageV2' then 'poll' when 'pollCreationMessageV3' then 'poll'
    when 'listResponseMessage' then 'interactive' when 'listMessage' then 'list'
    when 'buttonsResponseMessage' then 'button' when 'templateButtonReplyMessage' then 'button'
    else 'unsupported' end;

  n := jsonb_build_object(
    'provider_message_id', k ->> 'id',
    'chat_type', case when is_group then 'group' else 'individual' end,
    'chat_id', remote,
    'participant', case when is_group then participant end,
    'push_name', d ->> 'pushName',
    'from_me', coalesce(private.as_bool(k ->> 'fromMe'), false),
    'type', t,
    'provider_type', mt,
    'timestamp', d -> 'messageTimestamp',
    'quoted_id', ctx ->> 'stanzaId',
    'quoted_content', coalesce(ctx #>> '{quotedMessage,conversation}', ctx #>> '{quotedMessage,extendedTextMessage,text}'),
    'forwarded', coalesce(private.as_bool(ctx ->> 'isForwarded'), false),
    'forward_score', coalesce(private.as_int(ctx ->> 'forwardingScore'), 0),
    'mentions', coalesce(ctx -> 'mentionedJid', '[]'::jsonb),
    'status', case when coalesce(private.as_bool(k ->> 'fromMe'), false) then 'sent' end,
    'payload', d - 'base64');

  if t in ('image', 'video', 'audio', 'document', 'sticker') then
    n := n || jsonb_build_object('content', inner_msg ->> 'caption',
      'media', jsonb_strip_nulls(jsonb_build_object(
        'url', coalesce(outer_msg ->> 'mediaUrl', inner_msg ->> 'url'), 'mime_type', inner_msg ->> 'mimetype',
        'size', inner_msg #>> '{fileLength}',
        'sha256', coalesce(inner_msg ->> 'fileSha256', outer_msg #>> '{base64,sha256}', d #>> '{base64,sha256}'),
        'filename', inner_msg ->> 'fileName', 'duration', inner_msg ->> 'seconds',
        -- webhookBase64: the bytes came in the body (replaced by a marker before storing).
        'inline', case when outer_msg ? 'base64' or d ? 'base64' then true end)));
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

-- A Baileys protocolMessage ({key, type, editedMessage, timestampMs}): a
-- revoke deletes its target for everyone, an edit replaces its text.
-- Evolution v2 sends them as messages.edited (the protocolMessage itself);
-- older versions in messages.upsert, inside the message (also wrapped in
-- editedMessage). Returns whether it was one of those two.
create function private.apply_evolution_protocol(ch public.channels, p jsonb, at timestamptz)
returns boolean
language plpgsql security definer set search_path = ''
as $$
begin
  if p ->> 'type' in ('REVOKE', '0') then
    perform private.apply_message_status(ch.id, p #>> '{key,id}', 'deleted', at, null);
    return true;
  elsif p ->> 'type' in ('MESSAGE_EDIT', '14') then
    update public.messages m
       set content = coalesce(p #>> '{editedMessage,conversation}', p #>> '{editedMessage,extendedTextMessage,text}',
                              p #>> '{editedMessage,imageMessage,caption}', p #>> '{editedMessage,videoMessage,caption}',
                              p #>> '{editedMessage,documentMessage,caption}', m.content),
           edited_at = coalesce(at, now())
     where m.channel_id = ch.id and m.provider_message_id = p #>> '{key,id}';
    return true;
  end if;
  return false;
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
  n_skipped integer := 0;
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
      if private.apply_evolution_protocol(ch, coalesce(item #> '{message,protocolMessage}',
                                                       item #> '{message,editedMessage,message,protocolMessage}'),
                                          private.provider_ts(item -> 'messageTimestamp')) then
        statuses := statuses + 1;
        continue;
      end if;
      stored := private.store_message(ch, private.evolution_message(item));
      if (stored ->> 'duplicate')::boolean then n_duplicates := n_duplicates + 1;
      elsif stored ? 'skipped' then n_skipped := n_skipped + 1;
      else n_messages := n_messages + 1; end if;
    end loop;

  elsif ev = 'messages.edited' then
    for item in select private.as_array(d) loop
      if private.apply_evolution_protocol(ch, item,
           case when item ->> 'timestampMs' ~ '^[0-9]{10,16}$' then to_timestamp((item ->> 'timestampMs')::numeric / 1000) end)
      then
        statuses := statuses + 1;
      end if;
    end loop;

  elsif ev = 'messages.update' then
    -- An update without a receipt (an edit, a poll vote) comes as status
    -- DELETED, Evolution's fallback: no deletion (those come as
    -- messages.delete or a revoke).
    for item in select private.as_array(d) loop
      st := private.evolution_status(coalesce(item -> 'status', item #> '{update,status}'));
      target_id := coalesce(item ->> 'keyId', item #>> '{key,id}', item ->> 'messageId');
      if st is not null and st <> 'deleted' and target_id is not null then
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
                            'updated', touched)
         || case when n_skipped > 0 then jsonb_build_object('skipped', n_skipped) else '{}'::jsonb end;
end
$$;

-- whatsmeow bridges: go-whatsapp-web-multidevice (GOWA) ----------------------
-- Bodies are {event, device_id, payload} as GOWA's docs/webhook-payload.md
-- documents them (builders in src/infrastructure/whatsapp/event_*.go).

-- One normalized record per GOWA `message` or `message.reaction` payload.
-- A message carries its content in the key that names its kind: body (text,
-- or a media caption), image/video/video_note/audio/document/sticker (a
-- path on the bridge when it downloads media, a string or {path, caption};
-- {url, ...} when it does not), location/live_location (whatsmeow's proto
-- fields), contact/contacts_array, list, order, interactive.
create function private.whatsmeow_message(p jsonb)
returns jsonb
language plpgsql immutable set search_path = ''
as $$
declare
  chat text := p ->> 'chat_id';
  is_group boolean := chat like '%@g.us';
  from_me boolean := coalesce((p ->> 'is_from_me')::boolean, false);
  media_key text := case when p ? 'image' then 'image' when p ? 'video' then 'video' when p ? 'video_note' then 'video_note'
                         when p ? 'audio' then 'audio' when p ? 'document' then 'document' when p ? 'sticker' then 'sticker' end;
  media jsonb := p -> media_key;
  loc jsonb := coalesce(p -> 'location', p -> 'live_location');
  kind text;
  n jsonb;
begin
  kind := case
    when p ? 'reacted_message_id' then 'reaction'
    when media_key = 'video_note' then 'video'
    when media_key is not null then media_key
    when loc is not null then 'location'
    when p ? 'contact' or p ? 'contacts_array' then 'contacts'
    when p ? 'list' then 'list'
    when p ? 'order' then 'order'
    when p ? 'interactive' then 'interactive'
    when p ? 'body' then 'text'
    else 'unsupported' end;
  n := jsonb_build_object(
    'provider_message_id', p ->> 'id',
    'chat_type', case when is_group then 'group' else 'individual' end,
    'chat_id', chat,
    'participant', case when is_group then p ->> 'from' end,
    'push_name', p ->> 'from_name',
    'from_me', from_me,
    'type', kind,
    'provider_type', coalesce(media_key, case when p ? 'live_location' then 'live_location'
                                             when p ? 'contacts_array' then 'contacts_array' end, kind),
    'timestamp', p -> 'timestamp',
    'quoted_id', p ->> 'replied_to_id',
    'quoted_content', p ->> 'quoted_body',
    'forwarded', coalesce((p ->> 'forwarded')::boolean, false),
    'status', case when from_me then 'sent' end,
    'payload', p);

  if kind = 'reaction' then
    n := n || jsonb_build_object('content', p ->> 'reaction',
      'reaction', jsonb_build_object('target_id', p ->> 'reacted_message_id', 'emoji', p ->> 'reaction'));
  elsif media_key is not null then
    -- A downloaded file is known by its path on the bridge (served under its
    -- /statics); an undownloaded one by WhatsApp's URL.
    n := n || jsonb_build_object('content', coalesce(p ->> 'body', media ->> 'caption'),
      'media', jsonb_strip_nulls(jsonb_build_object(
        'id', case when jsonb_typeof(media) = 'string' then media #>> '{}' else media ->> 'path' end,
        'url', media ->> 'url', 'filename', media ->> 'filename')));
  elsif kind = 'location' then
    n := n || jsonb_build_object('content', coalesce(p ->> 'body', loc ->> 'name', loc ->> 'address'),
      'location', jsonb_build_object('latitude', loc -> 'degreesLatitude', 'longitude', loc -> 'degreesLongitude',
                                     'name', loc ->> 'name', 'address', loc ->> 'address'));
  elsif kind = 'contacts' then
    n := n || jsonb_build_object('content', coalesce(p #>> '{contact,displayName}',
      (select string_agg(c ->> 'displayName', ', ') from jsonb_array_elements(p -> 'contacts_array') c)));
  elsif kind = 'interactive' then
    n := n || jsonb_build_object('content', coalesce(p ->> 'body', p ->> 'interactive'));
  else
    n := n || jsonb_build_object('content', p ->> 'body');
  end if;
  return n;
end
$$;

-- Every GOWA event is acknowledged and kept in webhook_events; the result
-- says what it changed, and `ignored` why an event changed nothing.
create function private.process_whatsmeow(ch public.channels, payload jsonb)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  ev text := lower(payload ->> 'event');
  p jsonb := case when jsonb_typeof(payload -> 'payload') = 'object' then payload -> 'payload' else '{}'::jsonb end;
  stored jsonb;
  n_messages integer := 0;
  n_duplicates integer := 0;
  statuses integer := 0;
  parked integer := 0;
  edited integer := 0;
  touched integer := 0;
  ignored text;
  mid text;
  st public.message_status;
  action text;
begin
  if ev is null then
    raise exception 'bridge payload without event' using errcode = '22023';
  end if;
  -- A webhook URL set for all of a GOWA server's devices (WHATSAPP_WEBHOOK)
  -- gets every device's events; session_id names the device, when known.
  if payload ->> 'session_id' <> ch.device_id then
    return jsonb_build_object('messages', 0, 'duplicates', 0, 'event', ev, 'statuses', 0, 'parked_statuses', 0,
                              'edited', 0, 'updated', 0,
                              'ignored', format('an event of GOWA device %s, not of this channel''s (%s)',
                                                payload ->> 'session_id', ch.device_id));
  end if;
  -- GOWA sends no connection events: it forwards events of a logged-in
  -- device only, so one tells that the device is connected, and device_id
  -- (its JID) gives the channel's number.
  if payload ->> 'device_id' is not null then
    update public.channels c
       set status = 'connected', last_connected_at = now(), connection_retries = 0, qr_code = null, qr_expires_at = null,
           phone_number = coalesce(c.phone_number, private.jid_phone(payload ->> 'device_id'))
     where c.id = ch.id
       and (c.status <> 'connected' or c.phone_number is null and private.jid_phone(payload ->> 'device_id') is not null);
  end if;

  if ev in ('message', 'message.reaction') then
    stored := private.store_message(ch, private.whatsmeow_message(p));
    if (stored ->> 'duplicate')::boolean then n_duplicates := n_duplicates + 1; else n_messages := n_messages + 1; end if;

  elsif ev = 'message.ack' then
    -- GOWA forwards delivered, read and read-self; read-self is our user
    -- reading a customer's message on another device, no status of ours.
    st := case lower(p ->> 'receipt_type') when 'delivered' then 'delivered' when 'read' then 'read'
                                           when 'played' then 'played' end::public.message_status;
    if st is null then
      ignored := format('receipt type %s is not a delivery status', coalesce(p ->> 'receipt_type', 'null'));
    else
      for mid in select jsonb_array_elements_text(coalesce(p -> 'ids', '[]'::jsonb)) loop
        statuses := statuses + 1;
        if not private.apply_message_status(ch.id, mid, st, private.provider_ts(payload -> 'timestamp'), null) then
          parked := parked + 1;
        end if;
      end loop;
    end if;

  elsif ev = 'message.revoked' then
    statuses := 1;
    if not private.apply_message_status(ch.id, p ->> 'revoked_message_id', 'deleted',
                                        private.provider_ts(p -> 'timestamp'), null) then
      parked := 1;
    end if;

  elsif ev = 'message.edited' then
    update public.messages m
       set content = coalesce(p ->> 'body', m.content),
           edited_at = coalesce(private.provider_ts(p -> 'timestamp'), now())
     where m.channel_id = ch.id and m.provider_message_id = p ->> 'original_message_id';
    get diagnostics edited = row_count;
    if edited = 0 then
      ignored := 'the edited message is not known';
    end if;

  elsif ev = 'message.deleted' then
    ignored := 'deleted for the bridge''s user only; the customer still has the message';

  elsif ev = 'group.joined' then
    perform private.resolve_group(ch, p ->> 'chat_id', p ->> 'group_name');
    update public.whatsapp_groups g set name = coalesce(p ->> 'group_name', g.name)
     where g.channel_id = ch.id and g.group_jid = p ->> 'chat_id';
    touched := 1;

  elsif ev = 'group.participants' then
    action := p ->> 'type';
    perform private.resolve_group(ch, p ->> 'chat_id', null);
    update public.whatsapp_groups g set participants = (
      case action
        when 'join' then g.participants || (select coalesce(jsonb_agg(jsonb_build_object('jid', j, 'role', 'member')), '[]'::jsonb)
                                              from jsonb_array_elements_text(p -> 'jids') j
                                             where not exists (select 1 from jsonb_array_elements(g.participants) e where e ->> 'jid' = j))
        when 'leave' then (select coalesce(jsonb_agg(e), '[]'::jsonb) from jsonb_array_elements(g.participants) e
                            where not (e ->> 'jid' in (select jsonb_array_elements_text(p -> 'jids'))))
        when 'promote' then (select coalesce(jsonb_agg(case when e ->> 'jid' in (select jsonb_array_elements_text(p -> 'jids'))
                                                            then e || '{"role": "admin"}' else e end), '[]'::jsonb)
                               from jsonb_array_elements(g.participants) e)
        when 'demote' then (select coalesce(jsonb_agg(case when e ->> 'jid' in (select jsonb_array_elements_text(p -> 'jids'))
                                                           then e || '{"role": "member"}' else e end), '[]'::jsonb)
                              from jsonb_array_elements(g.participants) e)
        else g.participants end)
    where g.channel_id = ch.id and g.group_jid = p ->> 'chat_id';
    update public.whatsapp_groups g set participants_count = jsonb_array_length(g.participants)
     where g.channel_id = ch.id and g.group_jid = p ->> 'chat_id';
    touched := 1;

  else
    -- chat_presence, label.*, newsletter.*, call.offer and events to come
    ignored := format('event %s is not used', ev);
  end if;
  return jsonb_build_object('messages', n_messages, 'duplicates', n_duplicates, 'event', ev, 'statuses', statuses,
                            'parked_statuses', parked, 'edited', edited, 'updated', touched, 'ignored', ignored);
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

-- Secrets and inline media out of a body before it is stored where clients
-- read (the webhook function does the same in TypeScript on its hot path;
-- this is for replays of bodies it could not parse). Keys that name a
-- secret are redacted wherever they sit; a base64 string inside message
-- content (Evolution's webhookBase64: data.message.base64, or a top-level
-- base64 next to data) becomes a marker with its size and hash.
create function private.redact_webhook_json(p jsonb, in_message boolean default true)
returns jsonb
language plpgsql immutable set search_path = ''
as $$
declare
  k text;
  v jsonb;
  out jsonb;
  bytes bytea;
begin
  if jsonb_typeof(p) = 'array' then
    select coalesce(jsonb_agg(private.redact_webhook_json(x, in_message) order by i), '[]'::jsonb) into out
      from jsonb_array_elements(p) with ordinality a(x, i);
    return out;
  elsif jsonb_typeof(p) is distinct from 'object' then
    return p;
  end if;
  out := '{}'::jsonb;
  for k, v in select * from jsonb_each(p) loop
    if lower(k) in ('apikey', 'api_key', 'access_token', 'app_secret', 'webhook_secret', 'verify_token', 'secret',
                    'password', 'authorization', 'token') and jsonb_typeof(v) = 'string' then
      v := '"[redacted]"';
    elsif k = 'base64' and in_message and jsonb_typeof(v) = 'string' then
      begin
        bytes := decode(v #>> '{}', 'base64');
        v := jsonb_build_object('stripped', 'inline media', 'bytes', length(bytes), 'sha256', encode(sha256(bytes), 'hex'));
      exception when others then
        v := jsonb_build_object('stripped', 'inline media', 'chars', length(v #>> '{}'));
      end;
    else
      -- Below the top level, only message content holds media (a QR code's
      -- base64 is data the pairing screen needs).
      v := private.redact_webhook_json(v, lower(k) like '%message' or (in_message and k = 'data'));
    end if;
    out := out || jsonb_build_object(k, v);
  end loop;
  return out;
end
$$;

-- Processes a stored event again (the tick's retries, replays), recording
-- the attempt. A body that was never parsed is parsed from its raw bytes
-- first, so a body refused by yesterday's code can be processed by today's.
create function private.process_webhook_event(p_event bigint)
returns jsonb
language plpgsql security definer set search_path = '' set enable_seqscan = off
as $$
declare
  ev public.webhook_events;
  ch public.channels;
  raw bytea;
  result jsonb;
  msg text;
begin
  select * into ev from public.webhook_events w where w.id = p_event for update;
  if not found then
    return jsonb_build_object('status', 'missing', 'event_id', p_event);
  elsif ev.processed then
    return jsonb_build_object('status', 'duplicate', 'event_id', p_event);
  end if;
  select * into ch from public.channels c where c.id = ev.channel_id;
  update public.webhook_events w set retry_count = w.retry_count + 1, last_attempt_at = now() where w.id = p_event;
  begin
    if ev.payload is null then
      select b.body into raw from private.webhook_bodies b where b.event_id = p_event;
      if raw is null then
        raise exception 'no body kept for this event' using errcode = '22000';
      end if;
      ev.payload := private.redact_webhook_json(convert_from(raw, 'UTF8')::jsonb);
      if ev.provider = 'evolution' then
        ev.payload := ev.payload - 'apikey';
      end if;
    end if;
    result := private.process_payload(ch, ev.provider, ev.payload);
    update public.webhook_events w
       set processed = true, processed_at = now(), error = null, payload = ev.payload,
           event_type = case when w.event_type in ('unparseable', 'invalid')
                             then coalesce(ev.payload #>> '{entry,0,changes,0,field}', ev.payload ->> 'event', 'unknown')
                             else w.event_type end
     where w.id = p_event;
    return jsonb_build_object('status', 'processed', 'event_id', p_event) || result;
  exception when others then
    -- Everything derived is rolled back; the raw event stays for a retry.
    get stacked diagnostics msg = message_text;
    update public.webhook_events w set error = left(msg, 2000) where w.id = p_event;
    return jsonb_build_object('status', 'failed', 'event_id', p_event, 'error', left(msg, 2000));
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
-- The set-based Cloud API path goes first; when it declines (null) or
-- fails (rolled back to its savepoint), every event goes through the
-- per-event path, which stays the reference.
create function private.ingest_webhooks(batch jsonb)
returns jsonb
language plpgsql security definer set search_path = '' set enable_seqscan = off set jit = off
as $$
declare
  item jsonb;
  out jsonb := '[]'::jsonb;
  r jsonb;
  code text;
  msg text;
begin
  if jsonb_typeof(batch) = 'array' and jsonb_array_length(batch) > 0 then
    begin
      r := private.ingest_cloud_api_batch(batch);
      if r is not null then
        return r;
      end if;
    exception when others then
      null;  -- rolled back to the savepoint: the per-event path reports what failed
    end;
  end if;
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

-- A signed request whose body we could not take as it is: not JSON (kind
-- 'unparseable': p_payload null, p_preview a safe text preview), not the
-- provider's schema or too large ('invalid': p_payload the redacted JSON),
-- or refused by the database. The exact bytes are kept for replay.
create function private.record_webhook_failure(p_provider public.channel_provider, p_channel uuid, p_body bytea,
                                               p_kind text, p_payload jsonb, p_preview text, p_error text)
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
  insert into public.webhook_events as w (workspace_id, channel_id, provider, event_type, payload, raw_body, body_sha256,
                                          error)
  values (ch.workspace_id, ch.id, p_provider, p_kind, p_payload, left(p_preview, 65536), sha256(p_body),
          left(p_error, 2000))
  on conflict (channel_id, workspace_id, body_sha256) do update set retry_count = w.retry_count + 1
  returning id into ev;
  insert into private.webhook_bodies (event_id, body) values (ev, p_body) on conflict (event_id) do nothing;
  return ev;
end
$$;

-- What the webhook function calls: a batch (as private.ingest_webhooks
-- takes it) and the exact bytes of each body, concatenated (p_lengths says
-- where each ends). Each stored event keeps its bytes, in the same
-- transaction: an event is never stored without them.
create function private.receive_webhooks(batch jsonb, p_bodies bytea, p_lengths integer[])
returns jsonb
language plpgsql security definer set search_path = '' set enable_seqscan = off
as $$
declare
  results jsonb := private.ingest_webhooks(batch);
begin
  insert into private.webhook_bodies (event_id, body)
  select (results -> (i - 1)::int ->> 'event_id')::bigint,
         substring(p_bodies from 1 + coalesce((select sum(l) from unnest(p_lengths[1:i - 1]) l), 0)::int for p_lengths[i])
    from generate_subscripts(p_lengths, 1) i
   where results -> (i - 1)::int ->> 'event_id' is not null
  on conflict (event_id) do nothing;
  return results;
end
$$;

-- For the minute tick: events that failed processing (for example, a status
-- for a channel whose number was not set yet) are tried again, a few times.
-- Bodies that were not JSON or not the provider's schema wait for a replay
-- once the code that refused them is fixed.
create function private.retry_webhook_events(max_events integer default 100, max_retries integer default 5)
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  ev bigint;
  n integer := 0;
begin
  for ev in select w.id from public.webhook_events w
             where not w.processed and w.payload is not null and w.event_type <> 'invalid'
               and w.retry_count < max_retries
             order by w.created_at limit max_events
             for update skip locked
  loop
    perform private.process_webhook_event(ev);
    n := n + 1;
  end loop;
  return n;
end
$$;

-- For the minute tick: processed raw events older than their workspace's
-- retention go, with their bodies (cascade). Failed events stay until a
-- replay processes them, then wait a full period from that processing.
-- Bounded batches by the (workspace_id, created_at) index, rows other
-- transactions hold skipped: pruning never waits on ingestion or a replay,
-- never holds more than one batch's rows, and the tick's time stays short
-- however much is due (the rest goes next minute). Batches rather than
-- time partitions: pg_partman is not in Debian's Postgres 15 packages, and
-- a per-workspace period would not match partitions by time anyway.
create function private.prune_webhook_events(batch_size integer default 2000, max_batches integer default 10,
                                             time_budget interval default interval '1 second')
returns integer
language plpgsql security definer set search_path = '' set enable_seqscan = off
as $$
declare
  w record;
  n integer;
  total integer := 0;
  batches integer := 0;
  started timestamptz := clock_timestamp();
begin
  -- One index probe per workspace finds those with anything due; in a
  -- random order, so one workspace's backlog cannot hold the others back.
  -- (The tick is one transaction: a second of it at most.)
  for w in
    select ws.id, k.cutoff
      from public.workspaces ws
     cross join lateral (select now() - make_interval(days => ws.raw_event_retention_days) as cutoff) k
     where exists (select 1 from public.webhook_events e
                    where e.workspace_id = ws.id and e.created_at < k.cutoff
                      and e.processed and coalesce(e.processed_at, e.created_at) < k.cutoff)
     order by random()
  loop
    loop
      delete from public.webhook_events e
       where e.id in (select d.id from public.webhook_events d
                       where d.workspace_id = w.id and d.created_at < w.cutoff
                         and d.processed and coalesce(d.processed_at, d.created_at) < w.cutoff
                       order by d.created_at
                       limit batch_size
                       for update skip locked);
      get diagnostics n = row_count;
      total := total + n;
      batches := batches + 1;
      if batches >= max_batches or clock_timestamp() - started > time_budget then
        return total;
      end if;
      exit when n < batch_size;
    end loop;
  end loop;
  return total;
end
$$;
comment on function private.prune_webhook_events(integer, integer, interval) is
  'Minute tick: deletes processed raw webhook events (and their bodies) older than their workspace''s raw_event_retention_days, in bounded batches; returns how many.';

-- Replays failed events of a workspace: by id, or by provider, channel,
-- time range and error text. Workspace admins (through PostgREST) and the
-- service may; anyone else gets the same refusal whatever the workspace
-- holds. Each event records the attempt (retry_count, last_attempt_at,
-- error or processed_at).
create function private.replay_webhook_events(p_workspace uuid, p_ids bigint[], p_provider public.channel_provider,
                                              p_channel uuid, p_since timestamptz, p_until timestamptz,
                                              p_error text, p_limit integer)
returns table (event_id bigint, status text, error text)
language plpgsql security definer set search_path = ''
as $$
declare
  ev bigint;
  r jsonb;
begin
  if coalesce((select auth.role()), 'service_role') <> 'service_role' then
    perform private.require_role(p_workspace, 'admin');
  elsif p_workspace is null then
    raise exception 'name the workspace whose events to replay' using errcode = '22023';
  end if;
  for ev in select w.id from public.webhook_events w
             where w.workspace_id = p_workspace and not w.processed
               and (p_ids is null or w.id = any (p_ids))
               and (p_provider is null or w.provider = p_provider)
               and (p_channel is null or w.channel_id = p_channel)
               and (p_since is null or w.created_at >= p_since)
               and (p_until is null or w.created_at < p_until)
               and (p_error is null or strpos(lower(coalesce(w.error, '')), lower(p_error)) > 0)
             order by w.created_at, w.id
             limit least(greatest(coalesce(p_limit, 100), 1), 1000)
             for update skip locked
  loop
    r := private.process_webhook_event(ev);
    event_id := ev;
    status := r ->> 'status';
    error := r ->> 'error';
    return next;
  end loop;
end
$$;

create function public.replay_webhook_events(workspace_id uuid, event_ids bigint[] default null,
                                             provider public.channel_provider default null, channel_id uuid default null,
                                             since timestamptz default null, until timestamptz default null,
                                             error_contains text default null, max_events integer default 100)
returns table (event_id bigint, status text, error text)
language sql security invoker set search_path = ''
as $$
  select * from private.replay_webhook_events(workspace_id, event_ids, provider, channel_id, since, until,
                                              error_contains, max_events)
$$;
comment on function public.replay_webhook_events(uuid, bigint[], public.channel_provider, uuid, timestamptz, timestamptz, text, integer) is
  'Processes failed webhook events of a workspace again (admins, the service): by id or filter; returns each outcome.';

-- Tick step: conversations whose customer service window has closed.
create function private.expire_conversations()
returns integer
language sql security definer set search_path = ''
as $$
  with expired as (
    update public.conversations c set status = 'expired'
     where c.status in ('open', 'pending') and c.window_expires_at < now()
    returning 1
  )
  select count(*)::integer from expired
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

-- Set-based Cloud API batches --------------------------------------------------

-- Set-based ingestion of a whole batch of Cloud API webhooks.
--
-- Stored one message at a time, each message cost about ten statements, two
-- subtransactions and both statement triggers on messages. Here a batch of
-- ordinary Cloud API traffic (inbound messages from individuals and
-- delivery statuses, routed to the channel whose secret verified them) is
-- written with one statement per table, so the statement triggers run once
-- per batch. Anything else (other providers, groups, senders known by
-- business-scoped user id only, a second number on the same app, webhook
-- errors, Business app echoes) returns null before writing anything, and any
-- error rolls the batch back: the caller then takes the per-event path, so
-- every event still gets its own outcome and a failing one is stored raw
-- for the tick to retry.
--
-- Measured from the webhook function under load, a batch cost about 4.7 ms
-- before its first message and 0.15 ms a message after it; with the 10 to
-- 25 events that concurrent webhooks form, the fixed part was most of the
-- work. Hence:
-- * force_generic_plan: the batch arrives as arrays; a custom plan sees
--   their lengths, finds itself cheaper and wins, so every statement was
--   planned again on every call (a third of a small batch's time). Every
--   lookup is by key, through scalar subqueries and LIMIT 1 laterals, so
--   the generic plan is the plan.
-- * Seeing the batch, hashing its bodies and finding the ones seen before
--   is one statement; the status loop runs only when an event has statuses.
-- * Each event's counts come from one grouping of the batch's messages.
-- * Statements with nothing to do are skipped after one probe: a channel
--   without an agent, a workspace without keyword replies, and the outbox
--   and media inserts (an insert opens its table's indexes even when it
--   selects nothing) when no row needs them.
--
-- Returns one outcome per event, like private.ingest_webhook(), or null
-- (before writing anything) when the batch needs the per-event path.
create function private.ingest_cloud_api_batch(batch jsonb)
returns jsonb
language plpgsql security definer set search_path = '' set enable_seqscan = off set jit = off
  set plan_cache_mode = force_generic_plan
as $$
declare
  events private.batch_event[];
  msgs private.batch_message[];
  st record;
  rx record;
  statuses_by_item integer[];
  parked_by_item integer[];
  n integer := jsonb_array_length(batch);
  outcome jsonb;
  renamed uuid[];
  renamed_contacts uuid[];
  new_names text[];
  quoting uuid[];
  has_statuses boolean;
begin
  -- Events: the channel, the body's hash, whether it was seen before (stored
  -- and processed, or an earlier copy in this batch), and whether any event
  -- carries statuses.
  select array_agg(row(e.item, e.channel_id, e.workspace_id, e.channel_phone, e.payload, e.digest,
                       coalesce((select w.processed from public.webhook_events w
                                  where w.channel_id = e.channel_id and w.workspace_id = e.workspace_id
                                    and w.body_sha256 = e.digest limit 1), false)
                       or e.item > e.first_copy)::private.batch_event
                   order by e.item),
         coalesce(bool_or(e.statuses), false)
    into events, has_statuses
    from (select x.ord as item, c.id as channel_id, c.workspace_id, c.phone_number as channel_phone,
                 x.v -> 'payload' as payload, x.digest,
                 min(x.ord) over (partition by c.id, x.digest) as first_copy,
                 exists (select 1
                           from jsonb_array_elements(x.v #> '{payload,entry}') en,
                                jsonb_array_elements(coalesce(en -> 'changes', '[]')) ch
                          where ch #> '{value,statuses}' is not null) as statuses
            from jsonb_array_elements(batch) with ordinality x0(v, ord)
            cross join lateral (select x0.v, x0.ord, sha256(convert_to((x0.v -> 'payload')::text, 'UTF8')) as digest) x
            cross join lateral (select c.id, c.workspace_id, c.phone_number, c.phone_number_id from public.channels c
                                 where c.id = (x.v ->> 'channel')::uuid and c.provider = 'cloud_api' limit 1) c
           where x.v ->> 'provider' = 'cloud_api'
             and x.v #>> '{payload,object}' = 'whatsapp_business_account'
             and not exists (
               select 1
                 from jsonb_array_elements(coalesce(x.v #> '{payload,entry}', '[]')) en,
                      jsonb_array_elements(coalesce(en -> 'changes', '[]')) ch
                where ch ->> 'field' is null
                   or ch ->> 'field' = 'smb_message_echoes'
                   or ch ->> 'field' = 'messages'
                      and (ch #>> '{value,metadata,phone_number_id}' is distinct from c.phone_number_id
                           or ch -> 'value' ? 'errors'
                           or exists (select 1 from jsonb_array_elements(coalesce(ch #> '{value,messages}', '[]')) msg
                                       where msg ? 'group_id' or coalesce(msg ->> 'from', '') !~ '^[1-9][0-9]{6,14}$')))) e;
  if coalesce(cardinality(events), 0) <> n then
    return null;
  end if;

  -- Messages of the new events, normalized as the per-event path does.
  select array_agg(row(x.item, x.pos, x.channel_id, x.workspace_id, x.channel_phone, private.uuid7(),
                       x.n ->> 'chat_id', x.n ->> 'phone', x.n ->> 'push_name',
                       coalesce(private.provider_ts(x.n -> 'timestamp'), now()),
                       case when x.n ->> 'type' in ('text', 'image', 'video', 'audio', 'document', 'sticker', 'location',
                                                    'contacts', 'reaction', 'interactive', 'button', 'order', 'poll',
                                                    'list', 'template', 'system')
                            then (x.n ->> 'type')::public.message_type else 'unsupported' end,
                       x.n, null, null)::private.batch_message
                   order by x.pos)
    into msgs
    from (
      -- Numbered after normalizing: the sort then carries one message each,
      -- where numbering the raw rows carried the whole change with every
      -- message (time and temporary files grew with the square of the body).
      select y.*, row_number() over (order by y.item, y.i, y.j, y.k) + y.item * 1000000 as pos
        from (
          select e.item, e.channel_id, e.workspace_id, e.channel_phone, en.i, ch.j, mg.k,
                 private.storable_message(private.cloud_api_message(mg.msg, ch.names ->> (mg.msg ->> 'from'))) as n
            from unnest(events) e
            cross join lateral jsonb_array_elements(e.payload -> 'entry') with ordinality en(entry, i)
            -- Once per change (the fence keeps it from being inlined per
            -- message): its messages, and its senders' names.
            cross join lateral (
              select c.j, c.change #> '{value,messages}' as list, private.cloud_api_names(c.change #> '{value,contacts}') as names
                from jsonb_array_elements(coalesce(en.entry -> 'changes', '[]')) with ordinality c(change, j)
               where c.change ->> 'field' = 'messages'
              offset 0) ch
            cross join lateral jsonb_array_elements(coalesce(ch.list, '[]')) with ordinality mg(msg, k)
           where not e.repeated
          offset 0) y
    ) x;

  if msgs is not null then
    -- Contacts and identities: the first message of a new sender makes them
    -- (a phone already in the workspace keeps its contact); later names
    -- update the identity, and the contact's name if it had none.
    insert into public.contacts (workspace_id, name, phone, source, last_message_at, added_by)
    select distinct on (b.workspace_id, b.phone) b.workspace_id, b.push_name, b.phone, 'inbound', b.ts, null::uuid
      from unnest(msgs) b
     where (select i.id from public.contact_identities i
             where i.channel_id = b.channel_id and i.workspace_id = b.workspace_id and i.external_id = b.chat) is null
     order by b.workspace_id, b.phone, b.pos
    on conflict (workspace_id, phone) where phone is not null do nothing;

    insert into public.contact_identities (workspace_id, contact_id, channel_id, external_id, phone, push_name, last_seen_at)
    select distinct on (b.channel_id, b.chat) b.workspace_id,
           (select c.id from public.contacts c where c.workspace_id = b.workspace_id and c.phone = b.phone and c.phone is not null),
           b.channel_id, b.chat, b.phone, b.push_name, now()
      from unnest(msgs) b
     where (select i.id from public.contact_identities i
             where i.channel_id = b.channel_id and i.workspace_id = b.workspace_id and i.external_id = b.chat) is null
     order by b.channel_id, b.chat, b.pos
    on conflict (channel_id, workspace_id, external_id) do nothing;

    select array_agg(row(b.item, b.pos, b.channel_id, b.workspace_id, b.channel_phone, b.id, b.chat, b.phone,
                         b.push_name, b.ts, b.kind, b.m,
                         (select i.contact_id from public.contact_identities i
                           where i.channel_id = b.channel_id and i.workspace_id = b.workspace_id and i.external_id = b.chat),
                         null)::private.batch_message order by b.pos)
      into msgs
      from unnest(msgs) b;
    if exists (select 1 from unnest(msgs) b where b.contact_id is null) then
      raise exception 'batch lost messages while resolving contacts' using errcode = 'XX000';
    end if;

    with latest as (
      select distinct on (b.channel_id, b.chat) b.channel_id, b.workspace_id, b.chat, b.push_name
        from unnest(msgs) b where b.push_name is not null
       order by b.channel_id, b.chat, b.pos desc
    )
    select array_agg(r.id), array_agg(r.contact_id), array_agg(l.push_name)
      into renamed, renamed_contacts, new_names
      from latest l
      cross join lateral (select i.id, i.contact_id from public.contact_identities i
                           where i.channel_id = l.channel_id and i.workspace_id = l.workspace_id and i.external_id = l.chat
                             and i.push_name is distinct from l.push_name limit 1) r;
    if renamed is not null then
      -- Each renamed identity by its key, with its name (looking the name
      -- up among the batch's messages for each one was a scan per rename).
      update public.contact_identities i
         set push_name = r.name, last_seen_at = now()
        from unnest(renamed, new_names) r(id, name)
       where i.id = r.id and i.id = any (renamed);
      update public.contacts c
         set name = r.name
        from unnest(renamed_contacts, new_names) r(id, name)
       where c.id = r.id and c.id = any (renamed_contacts) and c.name is null;
    end if;

    -- Conversations: a new one holds its first message's state, as in
    -- private.resolve_conversation().
    insert into public.conversations (workspace_id, channel_id, type, chat_id, contact_id, group_id,
                                      last_message_id, last_message_at, last_message_preview, last_message_direction,
                                      unread_count, last_inbound_at, window_expires_at)
    select distinct on (b.channel_id, b.chat) b.workspace_id, b.channel_id, 'individual', b.chat, b.contact_id, null::uuid,
           case when counts then b.id end,
           case when counts then b.ts end,
           case when counts then left(coalesce(b.m ->> 'content', '[' || b.kind || ']'), 140) end,
           case when counts then 'inbound'::public.message_direction end,
           case when counts then 1 else 0 end,
           case when b.kind <> 'system' then b.ts end,
           case when b.kind <> 'system' then b.ts + interval '24 hours' end
      from unnest(msgs) b
      cross join lateral (select b.kind not in ('reaction', 'system') as counts) k
     where (select v.id from public.conversations v
             where v.channel_id = b.channel_id and v.workspace_id = b.workspace_id and v.chat_id = b.chat) is null
     order by b.channel_id, b.chat, b.pos
    on conflict (channel_id, workspace_id, chat_id) do nothing;

    select array_agg(row(b.item, b.pos, b.channel_id, b.workspace_id, b.channel_phone, b.id, b.chat, b.phone,
                         b.push_name, b.ts, b.kind, b.m, b.contact_id,
                         (select v.id from public.conversations v
                           where v.channel_id = b.channel_id and v.workspace_id = b.workspace_id and v.chat_id = b.chat)
                         )::private.batch_message order by b.pos)
      into msgs
      from unnest(msgs) b;
    if exists (select 1 from unnest(msgs) b where b.conversation_id is null) then
      raise exception 'batch lost messages while resolving conversations' using errcode = 'XX000';
    end if;

    -- The messages, in order of arrival, so that row triggers see them as
    -- the per-event path would. A provider id seen before is a duplicate.
    insert into public.messages (
      id, workspace_id, channel_id, conversation_id, contact_id, direction, type, provider_type, provider_message_id,
      content, payload, media_id, media_url, media_mime_type, media_filename, media_size, media_sha256, media_duration,
      location_latitude, location_longitude, location_name, location_address,
      quoted_provider_message_id, quoted_message_id, quoted_content, is_forwarded, forward_score, mentions,
      reaction_emoji, reaction_target_id, participant_jid, remote_jid, push_name,
      sender_identifier, recipient_identifier, status, sent_at, delivered_at, provider_timestamp, errors)
    select b.id, b.workspace_id, b.channel_id, b.conversation_id, b.contact_id, 'inbound', b.kind,
           b.m ->> 'provider_type', b.m ->> 'provider_message_id', b.m ->> 'content', b.m -> 'payload',
           b.m #>> '{media,id}', b.m #>> '{media,url}', b.m #>> '{media,mime_type}', b.m #>> '{media,filename}',
           (b.m #>> '{media,size}')::bigint, b.m #>> '{media,sha256}', (b.m #>> '{media,duration}')::integer,
           (b.m #>> '{location,latitude}')::numeric, (b.m #>> '{location,longitude}')::numeric,
           b.m #>> '{location,name}', b.m #>> '{location,address}',
           b.m ->> 'quoted_id',
           (select q.id from public.messages q
             where q.channel_id = b.channel_id and q.provider_message_id = b.m ->> 'quoted_id'
               and q.provider_message_id is not null),
           b.m ->> 'quoted_content',
           coalesce((b.m ->> 'forwarded')::boolean, false), coalesce((b.m ->> 'forward_score')::integer, 0),
           case when jsonb_typeof(b.m -> 'mentions') = 'array'
                then array(select jsonb_array_elements_text(b.m -> 'mentions')) else '{}' end,
           b.m #>> '{reaction,emoji}', b.m #>> '{reaction,target_id}', null, b.chat, b.m ->> 'push_name',
           coalesce(b.m ->> 'participant', b.chat), coalesce(b.channel_phone, 'me'),
           coalesce((b.m ->> 'status')::public.message_status, 'delivered'), null, b.ts, b.ts, b.m -> 'errors'
      from unnest(msgs) b
     order by b.pos
    on conflict (channel_id, provider_message_id) where provider_message_id is not null do nothing;
    -- A message was recorded (not a duplicate) when its row has the id it
    -- was given: a probe by key where needed. Matching each message against
    -- the list the insert returned compared every message with every other.

    -- A reply to a message of the same batch finds it now.
    quoting := array(select b.id from unnest(msgs) b
                      where b.m ->> 'quoted_id' is not null and exists (select 1 from public.messages q where q.id = b.id));
    if cardinality(quoting) > 0 then
      update public.messages t
         set quoted_message_id = (select q.id from public.messages q
                                   where q.channel_id = t.channel_id and q.provider_message_id = t.quoted_provider_message_id
                                     and q.provider_message_id is not null)
       where t.id = any (quoting) and t.quoted_message_id is null;
    end if;

    -- Reactions land on their targets one by one, in order, or wait for
    -- them (private.apply_reaction).
    for rx in
      select b.channel_id, b.chat, b.m, b.ts from unnest(msgs) b
       where b.kind = 'reaction' and b.m #>> '{reaction,target_id}' is not null
         and exists (select 1 from public.messages q where q.id = b.id)
       order by b.pos
    loop
      perform private.apply_reaction(rx.channel_id, rx.m #>> '{reaction,target_id}', coalesce(rx.m ->> 'participant', rx.chat),
                                     rx.m #>> '{reaction,emoji}', rx.ts);
    end loop;

    if exists (select 1 from unnest(msgs) b where b.m ? 'media') then
      insert into public.media_files (workspace_id, channel_id, message_id, provider_media_id, source_url, mime_type,
                                      file_name, size_bytes, provider_sha256, duration_seconds)
      select b.workspace_id, b.channel_id, b.id, b.m #>> '{media,id}', b.m #>> '{media,url}', b.m #>> '{media,mime_type}',
             b.m #>> '{media,filename}', (b.m #>> '{media,size}')::bigint, b.m #>> '{media,sha256}',
             (b.m #>> '{media,duration}')::integer
        from unnest(msgs) b
       where (b.m #>> '{media,id}' is not null or b.m #>> '{media,url}' is not null)
         and exists (select 1 from public.messages q where q.id = b.id)
       order by b.pos;
    end if;
  end if;

  -- Delivery statuses, in order; one for a message not recorded yet is parked.
  statuses_by_item := array_fill(0, array[n]);
  parked_by_item := array_fill(0, array[n]);
  if has_statuses then
    for st in
      select e.item, e.channel_id, s.v
        from unnest(events) e,
             jsonb_array_elements(e.payload -> 'entry') with ordinality en(entry, i),
             jsonb_array_elements(coalesce(en.entry -> 'changes', '[]')) with ordinality ch(change, j),
             jsonb_array_elements(coalesce(ch.change #> '{value,statuses}', '[]')) with ordinality s(v, k)
       where not e.repeated and ch.change ->> 'field' = 'messages'
         and s.v ->> 'status' in ('sent', 'delivered', 'read', 'played', 'failed', 'deleted')
       order by e.item, en.i, ch.j, s.k
    loop
      statuses_by_item[st.item] := statuses_by_item[st.item] + 1;
      if not private.apply_message_status(st.channel_id, st.v ->> 'id', (st.v ->> 'status')::public.message_status,
                                          private.provider_ts(st.v -> 'timestamp'), st.v #> '{errors,0}') then
        parked_by_item[st.item] := parked_by_item[st.item] + 1;
      end if;
    end loop;
  end if;

  -- The raw events, stored once with their outcome, and each event's answer.
  with saved as (
    insert into public.webhook_events as w (workspace_id, channel_id, provider, event_type, payload, body_sha256,
                                            processed, processed_at, error)
    select e.workspace_id, e.channel_id, 'cloud_api', coalesce(e.payload #>> '{entry,0,changes,0,field}', 'unknown'),
           e.payload, e.digest, true, now(), null
      from unnest(events) e
     where not e.repeated
     order by e.item
    on conflict (channel_id, workspace_id, body_sha256) do update
      set processed = true, processed_at = coalesce(w.processed_at, excluded.processed_at), error = null,
          retry_count = w.retry_count + 1
    returning w.id, w.channel_id, w.body_sha256
  ), counted as (
    select r.item, count(*) filter (where r.stored) as added, count(*) filter (where not r.stored) as dupes
      from (select b.item, exists (select 1 from public.messages q where q.id = b.id) as stored from unnest(msgs) b) r
     group by r.item
  )
  select jsonb_agg(case when e.repeated then jsonb_build_object('status', 'duplicate')
                        else jsonb_build_object('status', 'processed', 'event_id', s.id, 'messages', coalesce(k.added, 0),
                                                'duplicates', coalesce(k.dupes, 0), 'statuses', statuses_by_item[e.item],
                                                'parked_statuses', parked_by_item[e.item],
                                                'ignored_changes', (select count(*)
                                                                      from jsonb_array_elements(e.payload -> 'entry') en,
                                                                           jsonb_array_elements(coalesce(en -> 'changes', '[]')) ch
                                                                     where ch ->> 'field' is distinct from 'messages'))
                   end order by e.item)
    from unnest(events) e
    left join counted k on k.item = e.item
    left join saved s on s.channel_id = e.channel_id and s.body_sha256 = e.digest
  into outcome;
  return outcome;
end
$$;

-- Conversations follow their messages ------------------------------------------

-- What messages do to their conversation and contact, as a statement
-- trigger over the inserted rows: a batch of webhooks inserts its messages
-- with one statement, and a row trigger still cost a function call and two
-- or three queries per message. Over the transition table it is one
-- statement per batch, with the result of applying the rows one at a time
-- in order. Its lookups are by key, one probe per inserted row: a join
-- planned from a young database's statistics ("conversations holds a row
-- or two") walked every conversation for each batch, and the plan stayed
-- cached for the session.
--
-- Named to sort before
-- the other statement triggers on messages (they fire in name order): as
-- when it was a row trigger, a keyword automation or the outbox sees the
-- conversation with its window already refreshed.
-- Messages arrive in batches (webhooks, campaign chunks, client inserts):
-- one probe by key per message, after the statement.
create function private.check_message_placement()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if exists (select 1 from inserted i
              where (select c.workspace_id = i.workspace_id and c.channel_id = i.channel_id
                       from public.conversations c where c.id = i.conversation_id) is not true) then
    raise exception 'a message must be in its conversation''s workspace and channel'
      using errcode = '23503';
  end if;
  return null;
end
$$;

create function private.refuse_message_move()
returns trigger
language plpgsql set search_path = ''
as $$
begin
  raise exception 'a message cannot move to another conversation, channel or workspace' using errcode = '55000';
end
$$;

create function private.advance_conversations()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  r record;
begin
  -- The first message of a new conversation and contact (most of a webhook
  -- batch under load) changes nothing: check that cheaply before grouping.
  if exists (select 1 from inserted i
              where not (i.campaign_id is not null and i.provider_message_id is null)
                and ((select c.last_message_id from public.conversations c where c.id = i.conversation_id) is distinct from i.id
                     or i.contact_id is not null and i.type not in ('reaction', 'system')
                        and coalesce((select ct.last_message_at from public.contacts ct where ct.id = i.contact_id)
                                     < coalesce(i.provider_timestamp, i.created_at), true))) then
    -- One statement: the conversation update runs even though nothing reads it.
    with m as (
      select i.id, i.conversation_id, i.contact_id, i.direction, i.type,
             left(coalesce(i.content, '[' || i.type || ']'), 140) as preview,
             coalesce(i.provider_timestamp, i.created_at) as ts,
             i.type not in ('reaction', 'system') as counts,
             row_number() over () as ord
        from inserted i
       -- Campaign chunks are recorded set-wise by the feeder itself.
       where not (i.campaign_id is not null and i.provider_message_id is null)
    ), per_conversation as (
      -- The last counted message by time, the later one on a tie, is what a
      -- message-by-message pass leaves as the conversation's last message.
      select m.conversation_id,
             max(m.ts) filter (where m.counts) as last_ts,
             (array_agg(m.id order by m.ts desc, m.ord desc) filter (where m.counts))[1] as last_id,
             (array_agg(m.preview order by m.ts desc, m.ord desc) filter (where m.counts))[1] as last_preview,
             (array_agg(m.direction order by m.ts desc, m.ord desc) filter (where m.counts))[1] as last_direction,
             count(*) filter (where m.direction = 'inbound' and m.counts) as unread,
             -- The 24-hour window opens and refreshes only on the customer's messages.
             max(m.ts) filter (where m.direction = 'inbound' and m.type <> 'system') as inbound_ts,
             bool_or(m.direction = 'inbound') as any_inbound
        from m
       -- A conversation created for its first message already holds that
       -- message's state.
       where (select c.last_message_id from public.conversations c where c.id = m.conversation_id) is distinct from m.id
       group by m.conversation_id
    ), conversations as (
      update public.conversations c set
        last_message_id = case when p.last_id is not null and (c.last_message_at is null or p.last_ts >= c.last_message_at)
                               then p.last_id else c.last_message_id end,
        last_message_preview = case when p.last_id is not null and (c.last_message_at is null or p.last_ts >= c.last_message_at)
                                    then p.last_preview else c.last_message_preview end,
        last_message_direction = case when p.last_id is not null and (c.last_message_at is null or p.last_ts >= c.last_message_at)
                                      then p.last_direction else c.last_message_direction end,
        last_message_at = case when p.last_id is not null then greatest(c.last_message_at, p.last_ts) else c.last_message_at end,
        unread_count = c.unread_count + p.unread,
        last_inbound_at = case when p.inbound_ts is not null then greatest(c.last_inbound_at, p.inbound_ts) else c.last_inbound_at end,
        window_expires_at = case when p.inbound_ts is not null
                                 then greatest(c.window_expires_at, p.inbound_ts + interval '24 hours') else c.window_expires_at end,
        status = case when p.any_inbound and c.status in ('closed', 'expired') then 'open' else c.status end,
        closed_at = case when p.any_inbound and c.status in ('closed', 'expired') then null else c.closed_at end
        from per_conversation p
       -- The ids as an index condition: the join then starts from them
       -- whatever the statistics say about the table's size.
       where c.id = p.conversation_id and c.id = any (array(select q.conversation_id from per_conversation q))
    ), per_contact as (
      select m.contact_id, max(m.ts) as ts from m where m.contact_id is not null and m.counts group by m.contact_id
    )
    update public.contacts ct set last_message_at = p.ts
      from per_contact p
     where ct.id = p.contact_id and ct.id = any (array(select q.contact_id from per_contact q))
       and (ct.last_message_at is null or ct.last_message_at < p.ts);
  end if;

  -- Statuses and reactions that were waiting for these messages, inbound
  -- ones too (a parked "deleted" or a reaction that overtook its message).
  -- One probe by key per message finds the few that have any (scalar
  -- subqueries: EXISTS was planned as a hashed scan of the parked tables,
  -- which hold strays that never find their message).
  for r in
    select i.channel_id, i.provider_message_id from inserted i
     where i.provider_message_id is not null
       and coalesce((select true from private.pending_message_statuses p
                      where p.channel_id = i.channel_id and p.provider_message_id = i.provider_message_id limit 1),
                    (select true from private.pending_reactions p
                      where p.channel_id = i.channel_id and p.provider_message_id = i.provider_message_id limit 1),
                    false)
  loop
    perform private.apply_parked_statuses(r.channel_id, r.provider_message_id);
  end loop;
  return null;
end
$$;

-- A message deleted for everyone ("deleted" status, Evolution's REVOKE)
-- leaves the inbox as WhatsApp's chat list shows it: when it was the last
-- message, the preview says [deleted] without its text (the conversation
-- keeps its place: last_message_at is when something last happened); and
-- it no longer counts as unread. The row keeps its content for the
-- workspace's records (deletions are marked, not erased).
--
-- Unread counts the latest inbound messages since the conversation was last
-- marked read, so the deleted one was unread when no more than unread_count
-- counted messages (itself included) arrived from it onwards: a bounded
-- walk down the conversation's newest messages.
create function private.on_message_deleted()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.conversations c set
    last_message_preview = case when c.last_message_id = new.id then '[deleted]' else c.last_message_preview end,
    unread_count = case
      when new.direction = 'inbound' and new.type not in ('reaction', 'system') and c.unread_count > 0
           and (select count(*) from (
                  select 1 from public.messages m
                   where m.conversation_id = new.conversation_id and m.workspace_id = new.workspace_id
                     and m.channel_id = new.channel_id and m.created_at >= new.created_at
                     and (m.created_at > new.created_at or m.id >= new.id)
                     and m.direction = 'inbound' and m.type not in ('reaction', 'system')
                     and (m.deleted_at is null or m.id = new.id)
                   limit c.unread_count + 1) x) <= c.unread_count
      then c.unread_count - 1 else c.unread_count end
  where c.id = new.conversation_id
    and (c.last_message_id = new.id or new.direction = 'inbound' and c.unread_count > 0);
  return null;
end
$$;

-- The inbox across all of the caller's workspaces, newest first. Under
-- RLS alone, order=last_message_at.desc without a workspace filter sorts
-- every conversation of the caller's workspaces to show the first 50 (12 ms
-- in a workspace of 40,000): the policy's array gives rows workspace by
-- workspace, not in time order. This walks each workspace's inbox index
-- in order, takes at most max_results from each, and merges them.
create function public.inbox(status public.conversation_status default null, assignee_id uuid default null,
                             unread_only boolean default false, before timestamptz default null,
                             max_results integer default 50)
returns setof public.conversations
language plpgsql stable security invoker set search_path = ''
as $$
begin
  if max_results is null or max_results not between 1 and 200 then
    raise exception 'max_results must be between 1 and 200' using errcode = '22023';
  end if;
  -- Only the filters asked for, so each is an index condition or none.
  return query execute format($q$
    select c.*
      from unnest(array(select private.workspaces_with_role('viewer'))) w(id)
     cross join lateral (
       select v.* from public.conversations v
        where v.workspace_id = w.id %s %s %s %s
        order by v.last_message_at desc
        limit $5) c
     order by c.last_message_at desc, c.id desc
     limit $5$q$,
    case when status is not null then 'and v.status = $1' else '' end,
    case when assignee_id is not null then 'and v.assignee_id = $2' else '' end,
    case when unread_only then 'and v.unread_count > 0' else '' end,
    case when before is not null then 'and v.last_message_at < $4' else '' end)
  using status, assignee_id, unread_only, before, max_results;
end
$$;
comment on function public.inbox(public.conversation_status, uuid, boolean, timestamptz, integer) is
  'The caller''s conversations in all their workspaces, newest first, optionally by status, assignee or unread; pass the last row''s last_message_at as before for the next page. Same rows as the conversations table under RLS, without sorting every workspace''s conversations.';

-- ==========================================================================
-- Access
-- ==========================================================================

-- Access: everyone in the workspace reads; members work with contacts and
-- conversations; admins delete; providers (through the service) write the rest.
alter table public.contacts enable row level security;

alter table public.contact_identities enable row level security;
alter table public.whatsapp_groups enable row level security;
alter table public.conversations enable row level security;
alter table public.messages enable row level security;
alter table public.webhook_events enable row level security;

revoke all on public.contacts, public.contact_identities, public.whatsapp_groups, public.conversations,
  public.messages, public.webhook_events from anon, authenticated;

grant select, insert, delete on public.contacts to authenticated;

grant update (name, phone, email, avatar_url, company, job_title, website, address, location, birthday, notes,
  interests, social_media, tags, labels, custom_fields, status, priority, is_favorite, opted_in, opted_in_at,
  opted_out_at) on public.contacts to authenticated;

grant select on public.contact_identities, public.whatsapp_groups, public.webhook_events
  to authenticated;

grant update (is_blocked, blocked_at) on public.contact_identities to authenticated;
grant update (is_muted, mute_until) on public.whatsapp_groups to authenticated;
grant select, delete on public.conversations to authenticated;

grant update (title, status, assignee_id, unread_count, is_pinned, is_archived, is_muted, mute_until,
  custom_wallpaper, notification_settings) on public.conversations to authenticated;

grant select on public.messages to authenticated;
grant update (is_starred) on public.messages to authenticated;

-- A caller's workspaces are a small part of a shared table (see identity).
alter table public.contacts alter column workspace_id set (n_distinct = 500);
alter table public.contact_identities alter column workspace_id set (n_distinct = 500);
alter table public.whatsapp_groups alter column workspace_id set (n_distinct = 500);
alter table public.conversations alter column workspace_id set (n_distinct = 500);
alter table public.messages alter column workspace_id set (n_distinct = 500);
alter table public.webhook_events alter column workspace_id set (n_distinct = 500);

create policy contacts_select on public.contacts for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));

create policy contacts_insert on public.contacts for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));

create policy contacts_update on public.contacts for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('member'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));

create policy contacts_delete on public.contacts for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

create policy contact_identities_select on public.contact_identities for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));

create policy contact_identities_update on public.contact_identities for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('member'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));

create policy whatsapp_groups_select on public.whatsapp_groups for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));

create policy whatsapp_groups_update on public.whatsapp_groups for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('member'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));

create policy conversations_select on public.conversations for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));

create policy conversations_update on public.conversations for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('member'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));

create policy conversations_delete on public.conversations for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

create policy messages_select on public.messages for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));

create policy messages_update on public.messages for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('member'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));

create policy webhook_events_select on public.webhook_events for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

-- ==========================================================================
-- Triggers
-- ==========================================================================

create trigger set_updated_at before update on public.contacts for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.contact_identities for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.whatsapp_groups for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.conversations for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.messages for each row execute function private.set_updated_at();

create trigger drop_workspace_sequences after delete on public.workspaces
  for each row execute function private.drop_workspace_sequences();

create trigger assign_number before insert on public.conversations
  for each row execute function private.assign_conversation_number();

create trigger check_assignee before insert or update of assignee_id on public.conversations
  for each row when (new.assignee_id is not null) execute function private.check_assignee();

create trigger stamp_contact_insert before insert on public.contacts
  for each row when (new.opted_in) execute function private.stamp_contact();

create trigger stamp_contact_update before update of opted_in on public.contacts
  for each row when (new.opted_in is distinct from old.opted_in) execute function private.stamp_contact();

create trigger on_provider_id_recorded after update of provider_message_id on public.messages
  for each row when (old.provider_message_id is null and new.provider_message_id is not null)
  execute function private.on_provider_id_recorded();

create trigger on_message_deleted after update of deleted_at on public.messages
  for each row when (old.deleted_at is null and new.deleted_at is not null)
  execute function private.on_message_deleted();

create trigger advance_conversations after insert on public.messages
  referencing new table as inserted
  for each statement execute function private.advance_conversations();

create trigger check_message_placement after insert on public.messages
  referencing new table as inserted
  for each statement execute function private.check_message_placement();

create trigger keep_message_placement before update of conversation_id, workspace_id, channel_id on public.messages
  for each row when ((new.conversation_id, new.workspace_id, new.channel_id)
                     is distinct from (old.conversation_id, old.workspace_id, old.channel_id))
  execute function private.refuse_message_move();

-- ==========================================================================
-- Grants
-- ==========================================================================

revoke all on function private.next_number(uuid, text), private.drop_workspace_sequences(), private.assign_conversation_number(), private.check_assignee(),
  private.stamp_contact(), private.status_rank(public.message_status),
  private.apply_message_status(uuid, text, public.message_status, timestamptz, jsonb),
  private.apply_parked_statuses(uuid, text), private.lock_provider_id(uuid, text),
  private.apply_reaction(uuid, text, text, text, timestamptz), private.on_message_deleted(),
  private.apply_stranded_statuses(), private.on_provider_id_recorded(), private.advance_conversations(),
  private.check_message_placement(), private.refuse_message_move(),
  private.expire_conversations() from public;

revoke all on function private.jid_phone(text), private.provider_ts(jsonb), private.as_bool(text), private.as_int(text),
  private.provider_id(text), private.storable_message(jsonb),
  private.resolve_contact(public.channels, text, text, text, timestamptz), private.resolve_group(public.channels, text, text),
  private.resolve_conversation(public.channels, text, public.conversation_type, uuid, uuid, jsonb),
  private.store_message(public.channels, jsonb),
  private.cloud_api_names(jsonb), private.cloud_api_message(jsonb, text), private.process_cloud_api(public.channels, jsonb),
  private.evolution_status(jsonb), private.evolution_message(jsonb), private.as_array(jsonb),
  private.apply_evolution_protocol(public.channels, jsonb, timestamptz),
  private.process_evolution(public.channels, jsonb), private.whatsmeow_message(jsonb),
  private.process_whatsmeow(public.channels, jsonb),
  private.process_payload(public.channels, public.channel_provider, jsonb), private.process_webhook_event(bigint),
  private.ingest_webhook(public.channel_provider, uuid, jsonb), private.ingest_webhooks(jsonb),
  private.record_webhook_failure(public.channel_provider, uuid, bytea, text, jsonb, text, text),
  private.receive_webhooks(jsonb, bytea, integer[]), private.redact_webhook_json(jsonb, boolean),
  private.replay_webhook_events(uuid, bigint[], public.channel_provider, uuid, timestamptz, timestamptz, text, integer),
  private.retry_webhook_events(integer, integer), private.webhook_channel(uuid),
  private.prune_webhook_events(integer, integer, interval) from public;

grant execute on function private.ingest_webhook(public.channel_provider, uuid, jsonb), private.ingest_webhooks(jsonb),
  private.record_webhook_failure(public.channel_provider, uuid, bytea, text, jsonb, text, text),
  private.receive_webhooks(jsonb, bytea, integer[]),
  private.webhook_channel(uuid) to service_role;

-- Replays: admins through PostgREST (checked inside), and the service.
grant execute on function
  private.replay_webhook_events(uuid, bigint[], public.channel_provider, uuid, timestamptz, timestamptz, text, integer)
  to authenticated, service_role;
revoke all on function
  public.replay_webhook_events(uuid, bigint[], public.channel_provider, uuid, timestamptz, timestamptz, text, integer)
  from public, anon;
grant execute on function
  public.replay_webhook_events(uuid, bigint[], public.channel_provider, uuid, timestamptz, timestamptz, text, integer)
  to authenticated, service_role;

revoke all on function public.inbox(public.conversation_status, uuid, boolean, timestamptz, integer) from public, anon;
grant execute on function public.inbox(public.conversation_status, uuid, boolean, timestamptz, integer)
  to authenticated, service_role;

-- The dispatcher sweeps too, between claims, so a stranded status waits
-- half a second rather than a minute.
grant execute on function private.apply_stranded_statuses() to service_role;

revoke all on function private.ingest_cloud_api_batch(jsonb) from public, anon, authenticated;
grant execute on function private.ingest_cloud_api_batch(jsonb) to service_role;

-- ==========================================================================
-- Realtime
-- ==========================================================================

-- Inboxes update live.
alter publication supabase_realtime add table public.messages, public.conversations;

-- ==========================================================================
-- Tick steps
-- ==========================================================================

insert into private.tick_steps (name, fn, position) values
  ('expired_conversations', 'private.expire_conversations', 20),
  ('retried_webhook_events', 'private.retry_webhook_events', 40),
  ('pruned_webhook_events', 'private.prune_webhook_events', 45),
  ('stranded_statuses', 'private.apply_stranded_statuses', 50);
