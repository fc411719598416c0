-- Module: channels
--
-- A workspace's WhatsApp numbers (Meta Cloud API, Evolution/Baileys
-- instances, whatsmeow bridges) and, for later, other channel types.
-- Credentials never sit in a column: they go to Vault through an admin-only
-- RPC, and only the service reads them back.

-- ==========================================================================
-- Types
-- ==========================================================================

create type public.channel_type as enum ('whatsapp', 'telegram', 'sms', 'email');
create type public.channel_provider as enum ('cloud_api', 'evolution', 'whatsmeow');
create type public.channel_status as enum ('connected', 'disconnected', 'connecting', 'error', 'qr_pending', 'pairing');

-- ==========================================================================
-- Tables
-- ==========================================================================

create table public.channels (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  type public.channel_type not null default 'whatsapp',
  provider public.channel_provider,
  name text not null check (char_length(name) between 1 and 100),
  status public.channel_status not null default 'disconnected',
  is_active boolean not null default true,
  phone_number text check (phone_number ~ '^[1-9][0-9]{6,14}$'),
  display_name text,
  profile_name text,
  profile_picture_url text,
  phone_number_id text,
  phone_number_verified_at timestamptz,
  phone_number_error text,
  business_account_id text,
  instance_name text,
  device_id text,
  api_base_url text check (api_base_url ~ '^https?://'),
  email_address text,
  webhook_events text[] not null default '{}',
  settings jsonb not null default '{}'::jsonb check (jsonb_typeof(settings) = 'object'),
  credentials_set text[] not null default '{}',
  qr_code text,
  qr_expires_at timestamptz,
  pairing_code text,
  last_connected_at timestamptz,
  disconnected_at timestamptz,
  connection_retries integer not null default 0,
  last_error text,
  last_synced_at timestamptz,
  connected_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((type = 'whatsapp') = (provider is not null)),
  check (provider is distinct from 'cloud_api' or phone_number_id is not null),
  check (provider is distinct from 'evolution' or instance_name is not null),
  -- Send rates are the channel's to set, within what providers allow.
  constraint channels_send_settings check (
    (not settings ? 'rate_limit_per_second'
     or (jsonb_typeof(settings -> 'rate_limit_per_second') = 'number'
         and (settings ->> 'rate_limit_per_second')::numeric between 1 and 1000))
    and (not settings ? 'recipient_interval_ms'
     or (jsonb_typeof(settings -> 'recipient_interval_ms') = 'number'
         and (settings ->> 'recipient_interval_ms')::numeric between 0 and 86400000))),
  -- Children reference (id, workspace_id): their workspace must be the channel's.
  unique (id, workspace_id)
);
comment on table public.channels is 'A workspace''s messaging channels: WhatsApp numbers through Meta Cloud API, Evolution API instances or whatsmeow bridges. Credentials live in Vault (see set_channel_credentials).';
comment on column public.channels.provider is 'How a WhatsApp channel is reached; null for other channel types.';
comment on column public.channels.phone_number is 'The channel''s number in E.164 digits, without +.';
comment on column public.channels.phone_number_id is 'Meta Cloud API phone number id (routes webhooks and sends). Claimed for good only once verified (phone_number_verified_at).';
comment on column public.channels.phone_number_verified_at is 'When Meta''s Graph API last answered for phone_number_id with this channel''s access token; null until then, and again when the id changes. Set by the service only.';
comment on column public.channels.phone_number_error is 'Why the last verification of phone_number_id failed (Graph''s error, or the id being verified by another channel); null once verified.';
comment on column public.channels.business_account_id is 'Meta WhatsApp Business Account (WABA) id.';
comment on column public.channels.instance_name is 'Evolution API instance name.';
comment on column public.channels.device_id is 'whatsmeow bridge (GOWA) device: the id it is registered under, sent as X-Device-Id.';
comment on column public.channels.api_base_url is 'Provider API base URL (Evolution server, bridge); Cloud API uses Graph.';
comment on column public.channels.webhook_events is 'Events the provider is subscribed to send (Evolution/bridge configuration).';
comment on column public.channels.settings is 'Channel settings, e.g. {"rate_limit_per_second": 80}.';
comment on column public.channels.credentials_set is 'Which credentials are stored in Vault (names only, never values).';
comment on column public.channels.qr_code is 'Latest pairing QR (Evolution/whatsmeow) while status is qr_pending.';

-- Whether provider URLs may point at private and loopback addresses: no on a
-- real deployment (an admin could aim the dispatcher, and a channel's
-- instance key, at the project's own network or a cloud metadata service);
-- yes on the local stack, whose fake provider listens on loopback
-- (private.configure_provider_urls; the dispatcher reads
-- THREADLINE_ALLOW_PRIVATE_PROVIDER_URLS).
create table private.provider_url_policy (
  id boolean primary key default true check (id),
  allow_private boolean not null default false
);
comment on table private.provider_url_policy is 'One row: may channels'' api_base_url point at private or loopback addresses (local stacks only).';
insert into private.provider_url_policy default values;

-- ==========================================================================
-- Indexes
-- ==========================================================================

create index channels_workspace_id_idx on public.channels (workspace_id);
create index channels_connected_by_idx on public.channels (connected_by) where connected_by is not null;

-- Meta's phone number ids are global, but typing one proves nothing: it is
-- unique among the channels whose access token Meta answered for it, so a
-- tenant who types another business's id first holds nothing, and the
-- business's own verified channel takes it. An Evolution instance or a
-- bridge device is unique on its server, which the workspace owns.
create unique index channels_phone_number_id_key on public.channels (phone_number_id)
  where phone_number_id is not null and phone_number_verified_at is not null;
create index channels_phone_number_id_idx on public.channels (phone_number_id) where phone_number_id is not null;

create unique index channels_instance_key on public.channels (workspace_id, instance_name) where instance_name is not null;
create unique index channels_device_key on public.channels (workspace_id, device_id) where device_id is not null;

-- ==========================================================================
-- Functions
-- ==========================================================================

-- The plan's channel limit holds on every path.
create function private.enforce_channel_limit()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  lim integer;
  used integer;
begin
  -- Outsiders are refused before the workspace is looked at or locked.
  perform private.require_writer(new.workspace_id, 'admin', 'channels');
  -- A client never brings its own proof of a phone number id.
  if private.is_client() then
    new.phone_number_verified_at := null;
    new.phone_number_error := null;
  end if;
  select w.max_channels into lim from public.workspaces w where w.id = new.workspace_id for update;
  select count(*) into used from public.channels c where c.workspace_id = new.workspace_id;
  if used >= lim then
    raise exception 'the workspace''s plan allows % channels', lim using errcode = '54000';
  end if;
  return new;
end
$$;

-- Provider URLs ------------------------------------------------------------------

-- Why a provider URL may not be used, or null: a host that is loopback,
-- private (RFC 1918, unique local fc00::/7, CGNAT), link-local (169.254/16,
-- where cloud metadata lives; fe80::/10), unspecified (0.0.0.0, ::) or
-- "localhost", or a numeric host in a form other than a dotted quad
-- (fetch reads http://2130706433/ as 127.0.0.1). Hostnames are resolved
-- and checked again by the dispatcher before each send.
create function private.provider_url_refusal(p_url text, what text default 'api_base_url')
returns text
language plpgsql immutable set search_path = ''
as $$
declare
  host text := lower((regexp_match(p_url, '^https?://(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)', 'i'))[1]);
  addr inet;
begin
  if host is null or host = '' then
    return what || ' needs a host';
  end if;
  host := rtrim(host, '.');
  if host = 'localhost' or host like '%.localhost' then
    return what || ' cannot point at localhost';
  end if;
  if host like '[%]' then
    begin
      addr := btrim(host, '[]')::inet;
    exception when others then
      return what || ' has an invalid IPv6 address';
    end;
    -- IPv4 inside IPv6 (mapped, compatible, NAT64): no provider needs it.
    if addr <<= any (array['::ffff:0:0/96', '::/96', '64:ff9b::/96']::inet[]) and addr not in ('::'::inet, '::1'::inet) then
      return what || ' cannot use an IPv4 address written as IPv6';
    end if;
  elsif split_part(host, '.', -1) ~ '^(0x[0-9a-f]*|[0-9]+)$' then
    if host !~ '^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$' then
      return what || ' has a numeric host that is not a dotted IPv4 address';
    end if;
    addr := host::inet;
  else
    return null;
  end if;
  if addr <<= any (array['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
                         '192.0.0.0/24', '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/3',
                         '::/128', '::1/128', 'fc00::/7', 'fe80::/10', 'ff00::/8']::inet[]) then
    return format('%s cannot point at a private, loopback or link-local address (%s)', what, host(addr));
  end if;
  return null;
end
$$;

-- Where a channel's instance key goes is part of the key: a new
-- api_base_url is refused if it points inside (unless the deployment allows
-- it), and on Evolution and whatsmeow channels it clears the credentials
-- that are sent there, which an admin then sets again. Credentials that
-- only verify what the provider sends us stay.
create function private.check_api_base_url()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  refusal text;
  outbound_kinds text[] := array['api_key', 'access_token'];
begin
  if new.api_base_url is not null
     and not coalesce((select p.allow_private from private.provider_url_policy p), false) then
    refusal := private.provider_url_refusal(new.api_base_url);
    if refusal is not null then
      raise exception '%', refusal using errcode = '22023';
    end if;
  end if;
  if tg_op = 'UPDATE' and new.api_base_url is distinct from old.api_base_url
     and new.provider in ('evolution', 'whatsmeow') and new.credentials_set && outbound_kinds then
    delete from vault.secrets s
     where s.name in (select private.channel_secret_name(new.id, k) from unnest(outbound_kinds) k);
    new.credentials_set := array(select x from unnest(new.credentials_set) x where not x = any (outbound_kinds) order by x);
    new.last_error := 'api_base_url changed: set the channel''s api_key again (set_channel_credentials)';
  end if;
  return new;
end
$$;

-- Deployment setting, for the stack's operator (not an API).
create function private.configure_provider_urls(p_allow_private boolean)
returns void
language sql security definer set search_path = ''
as $$
  update private.provider_url_policy p set allow_private = coalesce(p_allow_private, false)
$$;
comment on function private.configure_provider_urls(boolean) is
  'Allows (true) or refuses (false, the default) channel api_base_url values at private or loopback addresses. Local stacks allow them.';

-- Credentials ------------------------------------------------------------------

-- Which credentials each provider takes.
create function private.channel_credential_kinds(p public.channel_provider)
returns text[]
language sql immutable set search_path = ''
as $$
  select case p
    when 'cloud_api' then array['access_token', 'app_secret', 'verify_token']
    when 'evolution' then array['api_key']
    when 'whatsmeow' then array['api_key', 'webhook_secret']
  end
$$;

create function private.channel_secret_name(channel uuid, kind text)
returns text
language sql immutable set search_path = ''
as $$ select 'channel:' || channel || ':' || kind $$;

create function private.set_channel_credentials(p_channel uuid, p_credentials jsonb)
returns text[]
language plpgsql security definer set search_path = ''
as $$
declare
  ch public.channels;
  k text;
  v text;
  allowed text[];
begin
  perform private.require_user();
  -- Who may act is settled before the channel is locked.
  if not private.has_workspace_role((select c.workspace_id from public.channels c where c.id = p_channel), 'admin') then
    raise exception 'channel not found' using errcode = 'P0002';
  end if;
  select * into ch from public.channels c where c.id = p_channel for update;
  if ch.provider is null then
    raise exception 'this channel type takes no credentials yet' using errcode = '22023';
  end if;
  if p_credentials is null or jsonb_typeof(p_credentials) <> 'object' or p_credentials = '{}'::jsonb then
    raise exception 'credentials must be a non-empty JSON object' using errcode = '22023';
  end if;
  allowed := private.channel_credential_kinds(ch.provider);
  for k, v in select e.key, e.value #>> '{}' from jsonb_each(p_credentials) e loop
    if not k = any (allowed) then
      raise exception '% channels take %, not %', ch.provider, array_to_string(allowed, ', '), k using errcode = '22023';
    end if;
    if v is null or char_length(v) < 8 then
      raise exception 'credential % must be a string of at least 8 characters', k using errcode = '22023';
    end if;
    perform private.put_secret(private.channel_secret_name(p_channel, k), v, format('%s of channel %s', k, p_channel));
  end loop;
  update public.channels c
     set credentials_set = (select array_agg(distinct x order by x)
                              from unnest(c.credentials_set || array(select jsonb_object_keys(p_credentials))) x)
   where c.id = p_channel
  returning credentials_set into allowed;
  insert into public.activity_log (workspace_id, actor_id, category, action, entity_type, entity_id, data)
  values (ch.workspace_id, (select auth.uid()), 'channel', 'channel.credentials_set', 'channels', p_channel::text,
          jsonb_build_object('kinds', (select jsonb_agg(x) from jsonb_object_keys(p_credentials) x)));
  return allowed;
end
$$;

create function public.set_channel_credentials(channel_id uuid, credentials jsonb)
returns text[]
language sql security invoker set search_path = ''
as $$ select private.set_channel_credentials(channel_id, credentials) $$;
comment on function public.set_channel_credentials(uuid, jsonb) is
  'Admins store a channel''s credentials in Vault, e.g. {"access_token": ..., "app_secret": ..., "verify_token": ...} for Cloud API, {"api_key": ...} for Evolution, {"api_key": "user:password", "webhook_secret": ...} for GOWA. Returns the names set; values are never readable again by clients.';

-- Service only: a channel's credentials, for the webhook and dispatch functions.
create function private.channel_credentials(p_channel uuid)
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select coalesce(jsonb_object_agg(split_part(d.name, ':', 3), d.decrypted_secret), '{}'::jsonb)
    from vault.decrypted_secrets d
   where d.name like 'channel:' || p_channel || ':%'
$$;

-- Phone number ids -------------------------------------------------------------

-- A new phone_number_id has proved nothing yet.
create function private.reset_phone_number_verification()
returns trigger
language plpgsql set search_path = ''
as $$
begin
  new.phone_number_verified_at := null;
  new.phone_number_error := null;
  return new;
end
$$;

-- Service only: what Graph answered when asked for p_phone_number_id with
-- the channel's access token. Ignored when the channel has since moved to
-- another id. A verified claim holds the id: another channel's verified
-- claim to it fails here, while unverified claims never stood in the way.
create function private.record_phone_number_verification(p_channel uuid, p_phone_number_id text, p_ok boolean,
                                                         p_error text default null)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  ch public.channels;
begin
  select * into ch from public.channels c where c.id = p_channel for update;
  if not found then
    raise exception 'channel not found' using errcode = 'P0002';
  end if;
  if ch.phone_number_id is distinct from p_phone_number_id then
    return jsonb_build_object('verified', false, 'stale', true);
  end if;
  if not p_ok then
    update public.channels c
       set phone_number_verified_at = null,
           phone_number_error = left(coalesce(nullif(btrim(p_error), ''), 'Graph did not confirm the phone number id'), 500)
     where c.id = p_channel;
    return jsonb_build_object('verified', false, 'error', p_error);
  end if;
  begin
    update public.channels c set phone_number_verified_at = now(), phone_number_error = null where c.id = p_channel;
  exception when unique_violation then
    update public.channels c
       set phone_number_verified_at = null,
           phone_number_error = 'this phone number id is already verified by another channel'
     where c.id = p_channel;
    return jsonb_build_object('verified', false, 'error', 'taken');
  end;
  return jsonb_build_object('verified', true);
end
$$;
comment on function private.record_phone_number_verification(uuid, text, boolean, text) is
  'Service only: records whether Graph confirmed a channel''s phone_number_id with its access token.';

-- A deleted channel takes its secrets with it.
create function private.drop_channel_secrets()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  delete from vault.secrets s where s.name like 'channel:' || old.id || ':%';
  return old;
end
$$;

-- Tick step: invitations past their date, and pairing QR codes past theirs.
create function private.expire_invitations_and_codes()
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  a integer;
  b integer;
begin
  update public.workspace_invitations i set status = 'expired'
   where i.status = 'pending' and i.expires_at < now();
  get diagnostics a = row_count;
  update public.channels c set qr_code = null, qr_expires_at = null
   where c.qr_code is not null and c.qr_expires_at < now();
  get diagnostics b = row_count;
  return a + b;
end
$$;

-- ==========================================================================
-- Access
-- ==========================================================================

alter table public.channels enable row level security;
revoke all on public.channels from anon, authenticated;
grant select, insert, delete on public.channels to authenticated;

grant update (name, is_active, phone_number, display_name, phone_number_id, business_account_id, instance_name,
  device_id, api_base_url, email_address, webhook_events, settings) on public.channels to authenticated;

-- A caller's workspaces are a small part of a shared table (see identity).
alter table public.channels alter column workspace_id set (n_distinct = 500);

create policy channels_select on public.channels for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));

create policy channels_insert on public.channels for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));

create policy channels_update on public.channels for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));

create policy channels_delete on public.channels for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

-- ==========================================================================
-- Triggers
-- ==========================================================================

create trigger set_updated_at before update on public.channels
  for each row execute function private.set_updated_at();

create trigger enforce_channel_limit before insert on public.channels
  for each row execute function private.enforce_channel_limit();

create trigger reset_phone_number_verification before update of phone_number_id on public.channels
  for each row when (new.phone_number_id is distinct from old.phone_number_id)
  execute function private.reset_phone_number_verification();

create trigger check_api_base_url before insert or update of api_base_url on public.channels
  for each row execute function private.check_api_base_url();

create trigger drop_channel_secrets after delete on public.channels
  for each row execute function private.drop_channel_secrets();

create trigger audit after insert or update or delete on public.channels
  for each row execute function private.audit_change('channel');

-- ==========================================================================
-- Grants
-- ==========================================================================

revoke all on function private.enforce_channel_limit(), private.channel_credential_kinds(public.channel_provider),
  private.channel_secret_name(uuid, text), private.set_channel_credentials(uuid, jsonb),
  private.channel_credentials(uuid), private.drop_channel_secrets(),
  private.expire_invitations_and_codes(), private.reset_phone_number_verification(),
  private.record_phone_number_verification(uuid, text, boolean, text),
  private.provider_url_refusal(text, text), private.check_api_base_url(),
  private.configure_provider_urls(boolean) from public;

revoke all on function public.set_channel_credentials(uuid, jsonb) from public, anon;
grant execute on function public.set_channel_credentials(uuid, jsonb) to authenticated, service_role;
grant execute on function private.set_channel_credentials(uuid, jsonb) to authenticated, service_role;
grant execute on function private.channel_credentials(uuid), private.record_phone_number_verification(uuid, text, boolean, text)
  to service_role;

-- ==========================================================================
-- Tick steps
-- ==========================================================================

insert into private.tick_steps (name, fn, position) values
  ('expired_invitations_and_codes', 'private.expire_invitations_and_codes', 30);
