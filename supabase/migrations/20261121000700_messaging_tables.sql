-- Messaging: the CRM person (contacts), their address on a channel
-- (contact_identities), WhatsApp groups, conversations, messages, media and
-- the raw webhook events everything is derived from.

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
create type public.media_status as enum ('pending', 'stored', 'failed');

-- Time-ordered UUIDs (RFC 9562 version 7) for high-volume tables: new rows
-- land at the right edge of the primary key instead of on a random page,
-- which keeps inserts cache-friendly and full-page writes after checkpoints
-- few. (Postgres 18 has uuidv7(); 15 does not.)
create function private.uuid7()
returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
  bytes bytea := uuid_send(gen_random_uuid());
  ms bigint := floor(extract(epoch from clock_timestamp()) * 1000);
begin
  bytes := overlay(bytes placing substring(int8send(ms) from 3) from 1 for 6);
  -- version 7: the random v4 uuid has 0100 in the version nibble; make it 0111
  bytes := set_byte(bytes, 6, (get_byte(bytes, 6) & 15) | 112);
  return encode(bytes, 'hex')::uuid;
end
$$;
comment on function private.uuid7() is 'A version 7 (time-ordered) UUID.';
-- Column defaults run as the inserting role: members insert contacts.
revoke all on function private.uuid7() from public;
grant execute on function private.uuid7() to authenticated, service_role;

create table public.contacts (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  name text check (char_length(name) <= 200),
  phone text check (phone ~ '^[1-9][0-9]{6,14}$'),
  email text,
  avatar_url text,
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
  source text not null default 'manual',
  total_orders integer not null default 0,
  total_revenue numeric(12, 2) not null default 0,
  last_order_at timestamptz,
  last_message_at timestamptz,
  added_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index contacts_workspace_phone_key on public.contacts (workspace_id, phone) where phone is not null;
create index contacts_added_by_idx on public.contacts (added_by) where added_by is not null;
comment on table public.contacts is 'The CRM person (a customer or lead), one per workspace and phone number, whatever channels they use.';
comment on column public.contacts.phone is 'E.164 digits without +; unique in the workspace.';
comment on column public.contacts.opted_in is 'Consent to receive marketing (campaigns send only to opted-in contacts).';
comment on column public.contacts.source is 'How the contact arrived: inbound (first message), manual, import, api.';
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
  unique (channel_id, workspace_id, external_id),
  foreign key (channel_id, workspace_id) references public.channels (id, workspace_id) on delete cascade
);
create index contact_identities_contact_id_idx on public.contact_identities (contact_id);
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
  unique (channel_id, workspace_id, group_jid),
  foreign key (channel_id, workspace_id) references public.channels (id, workspace_id) on delete cascade
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
  -- Messages reference all three, so a message always sits in its
  -- conversation's channel and workspace.
  unique (id, workspace_id, channel_id),
  check ((type = 'group') = (group_id is not null)),
  foreign key (channel_id, workspace_id) references public.channels (id, workspace_id) on delete cascade
);
create index conversations_contact_id_idx on public.conversations (contact_id) where contact_id is not null;
create index conversations_group_id_idx on public.conversations (group_id) where group_id is not null;
create index conversations_assignee_id_idx on public.conversations (assignee_id) where assignee_id is not null;
-- The two workspace-led indexes are partial on purpose: a lookup by channel
-- and chat (every inbound message) cannot use them, so a plan cached while
-- statistics still said "empty" cannot pick them and scan a whole workspace.
-- Inbox queries filter last_message_at is not null; lookups by number use
-- display_id = n, which implies its predicate.
create unique index conversations_display_id_key on public.conversations (workspace_id, display_id)
  where display_id is not null;
create index conversations_inbox_idx on public.conversations (workspace_id, last_message_at desc)
  where last_message_at is not null;
comment on table public.conversations is 'A thread with one contact or group on one channel: the inbox row.';
comment on column public.conversations.display_id is 'Per-workspace human number (#1, #2, ...), assigned by the database.';
comment on column public.conversations.chat_id is 'The provider''s chat identifier (wa_id or JID).';
comment on column public.conversations.window_expires_at is 'End of the 24-hour customer service window: 24 h after the last inbound message.';
comment on column public.conversations.unread_count is 'Inbound messages since an agent last read the conversation (set it to 0 to mark read).';

create table public.messages (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null,
  channel_id uuid not null,
  conversation_id uuid not null,
  contact_id uuid references public.contacts (id) on delete set null,
  direction public.message_direction not null,
  type public.message_type not null default 'text',
  provider_type text,
  provider_message_id text,
  content text,
  payload jsonb,
  media_id text,
  media_url text,
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
  foreign key (conversation_id, workspace_id, channel_id)
    references public.conversations (id, workspace_id, channel_id) on delete cascade
);
create unique index messages_provider_id_key on public.messages (channel_id, provider_message_id)
  where provider_message_id is not null;
create index messages_conversation_idx on public.messages (conversation_id, workspace_id, channel_id, created_at desc);
create index messages_contact_id_idx on public.messages (contact_id) where contact_id is not null;
create index messages_quoted_message_id_idx on public.messages (quoted_message_id) where quoted_message_id is not null;
create index messages_created_by_idx on public.messages (created_by) where created_by is not null;
comment on table public.messages is 'Every message in and out, with the provider''s full payload, media, location, replies, reactions, group sender and delivery status.';
comment on column public.messages.provider_message_id is 'wamid (Cloud API) or message key id (Baileys/whatsmeow); unique per channel, which makes ingestion idempotent.';
comment on column public.messages.provider_type is 'The provider''s own type name (e.g. extendedTextMessage, interactive.button_reply).';
comment on column public.messages.payload is 'The provider''s message object as received.';
comment on column public.messages.reactions is 'Reactions to this message: {reactor external id: emoji}.';
comment on column public.messages.participant_jid is 'Sender inside a group.';
comment on column public.messages.status is 'Delivery status; never moves backwards (a late "delivered" does not undo "read").';

create table public.media_files (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  channel_id uuid references public.channels (id) on delete set null,
  message_id uuid references public.messages (id) on delete cascade,
  provider_media_id text,
  storage_path text,
  storage_url text,
  source_url text,
  mime_type text,
  file_name text,
  size_bytes bigint,
  sha256 text,
  duration_seconds integer,
  status public.media_status not null default 'pending',
  error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index media_files_workspace_id_idx on public.media_files (workspace_id);
create index media_files_channel_id_idx on public.media_files (channel_id) where channel_id is not null;
create index media_files_message_id_idx on public.media_files (message_id) where message_id is not null;
comment on table public.media_files is 'Media attached to messages: the provider''s media id until fetched, then the Storage path.';

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
  created_at timestamptz not null default now(),
  foreign key (channel_id, workspace_id) references public.channels (id, workspace_id) on delete cascade
);
-- Deduplication and the channel foreign key share one index.
create unique index webhook_events_dedupe_key on public.webhook_events (channel_id, workspace_id, body_sha256);
create index webhook_events_created_idx on public.webhook_events (created_at desc);
create index webhook_events_unprocessed_idx on public.webhook_events (created_at) where not processed;
comment on table public.webhook_events is 'Every verified webhook as received (secrets redacted), before and after processing. A byte-identical retry is recognised by body_sha256.';
comment on column public.webhook_events.raw_body is 'The body as text when it could not be parsed as JSON; kept for replay.';
comment on column public.webhook_events.error is 'Why processing failed; retried by the minute tick.';

create trigger set_updated_at before update on public.contacts for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.contact_identities for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.whatsapp_groups for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.conversations for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.messages for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.media_files for each row execute function private.set_updated_at();

-- Access: everyone in the workspace reads; members work with contacts and
-- conversations; admins delete; providers (through the service) write the rest.
alter table public.contacts enable row level security;
alter table public.contact_identities enable row level security;
alter table public.whatsapp_groups enable row level security;
alter table public.conversations enable row level security;
alter table public.messages enable row level security;
alter table public.media_files enable row level security;
alter table public.webhook_events enable row level security;

revoke all on public.contacts, public.contact_identities, public.whatsapp_groups, public.conversations,
  public.messages, public.media_files, public.webhook_events from anon, authenticated;

grant select, insert, delete on public.contacts to authenticated;
grant update (name, phone, email, avatar_url, company, job_title, website, address, location, birthday, notes,
  interests, social_media, tags, labels, custom_fields, status, priority, is_favorite, opted_in, opted_in_at,
  opted_out_at) on public.contacts to authenticated;
grant select on public.contact_identities, public.whatsapp_groups, public.media_files, public.webhook_events
  to authenticated;
grant update (is_blocked, blocked_at) on public.contact_identities to authenticated;
grant update (is_muted, mute_until) on public.whatsapp_groups to authenticated;
grant select, delete on public.conversations to authenticated;
grant update (title, status, assignee_id, unread_count, is_pinned, is_archived, is_muted, mute_until,
  custom_wallpaper, notification_settings) on public.conversations to authenticated;
grant select on public.messages to authenticated;
grant update (is_starred) on public.messages to authenticated;

create policy contacts_select on public.contacts for select to authenticated
  using (workspace_id in (select private.workspaces_with_role('viewer')));
create policy contacts_insert on public.contacts for insert to authenticated
  with check (workspace_id in (select private.workspaces_with_role('member')));
create policy contacts_update on public.contacts for update to authenticated
  using (workspace_id in (select private.workspaces_with_role('member')))
  with check (workspace_id in (select private.workspaces_with_role('member')));
create policy contacts_delete on public.contacts for delete to authenticated
  using (workspace_id in (select private.workspaces_with_role('admin')));

create policy contact_identities_select on public.contact_identities for select to authenticated
  using (workspace_id in (select private.workspaces_with_role('viewer')));
create policy contact_identities_update on public.contact_identities for update to authenticated
  using (workspace_id in (select private.workspaces_with_role('member')))
  with check (workspace_id in (select private.workspaces_with_role('member')));

create policy whatsapp_groups_select on public.whatsapp_groups for select to authenticated
  using (workspace_id in (select private.workspaces_with_role('viewer')));
create policy whatsapp_groups_update on public.whatsapp_groups for update to authenticated
  using (workspace_id in (select private.workspaces_with_role('member')))
  with check (workspace_id in (select private.workspaces_with_role('member')));

create policy conversations_select on public.conversations for select to authenticated
  using (workspace_id in (select private.workspaces_with_role('viewer')));
create policy conversations_update on public.conversations for update to authenticated
  using (workspace_id in (select private.workspaces_with_role('member')))
  with check (workspace_id in (select private.workspaces_with_role('member')));
create policy conversations_delete on public.conversations for delete to authenticated
  using (workspace_id in (select private.workspaces_with_role('admin')));

create policy messages_select on public.messages for select to authenticated
  using (workspace_id in (select private.workspaces_with_role('viewer')));
create policy messages_update on public.messages for update to authenticated
  using (workspace_id in (select private.workspaces_with_role('member')))
  with check (workspace_id in (select private.workspaces_with_role('member')));

create policy media_files_select on public.media_files for select to authenticated
  using (workspace_id in (select private.workspaces_with_role('viewer')));

create policy webhook_events_select on public.webhook_events for select to authenticated
  using (workspace_id in (select private.workspaces_with_role('admin')));

-- Inboxes update live.
alter publication supabase_realtime add table public.messages, public.conversations;
