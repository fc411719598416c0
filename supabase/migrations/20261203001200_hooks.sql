-- Module: hooks
--
-- Outgoing hooks: customers' servers receive the events they subscribe to,
-- signed per the Standard Webhooks specification, and failed deliveries
-- wait as dead letters (message_cache) until an admin replays them.
--
-- Events. Triggers on messages, conversations, contacts, channels,
-- campaigns and automations write an event in the same transaction as the
-- change (private.emit_hook_events), and one job per subscribed active hook.
-- A workspace without hooks pays one index probe per statement or row.
-- Nothing here calls the network: the insert pokes the `hooks` Edge
-- Function (once per transaction) and the minute tick sweeps what is due.
--
-- Delivery. The function claims jobs (private.claim_hook_jobs), posts each
-- event and reports (private.record_hook_results):
--   delivered                  the job is done
--   retry                      again after backoff with jitter (or the
--                              receiver's Retry-After), up to retry_count
--                              attempts in all
--   permanent, or attempts out the event becomes a dead letter
-- Every attempt is a hook_deliveries row. A hook failing
-- disable_after_failures attempts in a row is switched off, its pending
-- events dead-lettered and its workspace's admins notified. Jobs of a
-- paused hook (active = false) wait; events that happen while it is paused
-- are not queued for it. Per-hook ordering is not promised.
--
-- Secrets. The signing secret (whsec_ + 32 random bytes, base64) and the
-- values of secret headers live in Vault as hook:<id>:secret,
-- hook:<id>:previous and hook:<id>:header:<name>; rotation keeps the
-- previous secret signing until previous_secret_expires_at.

-- ==========================================================================
-- Types
-- ==========================================================================

create type private.new_hook_event as (workspace_id uuid, channel_id uuid, type text, data jsonb);

-- ==========================================================================
-- Tables
-- ==========================================================================

create table public.hooks (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  name text not null check (char_length(name) between 1 and 100),
  url text not null check (char_length(url) <= 2048),
  method text not null default 'POST' check (method in ('POST', 'PUT', 'PATCH')),
  headers jsonb not null default '{}'::jsonb check (jsonb_typeof(headers) = 'object'),
  secret_header_names text[] not null default '{}',
  events text[] not null default array['*'] check (cardinality(events) between 1 and 50),
  channel_ids uuid[] check (cardinality(channel_ids) between 1 and 100),
  active boolean not null default true,
  allow_insecure boolean not null default false,
  description text check (char_length(description) <= 1000),
  retry_count integer not null default 3 check (retry_count between 1 and 20),
  timeout_seconds integer not null default 30 check (timeout_seconds between 1 and 30),
  disable_after_failures integer not null default 50 check (disable_after_failures between 1 and 10000),
  secret_prefix text not null,
  secret_rotated_at timestamptz,
  previous_secret_expires_at timestamptz,
  consecutive_failures integer not null default 0,
  last_success_at timestamptz,
  last_failure_at timestamptz,
  disabled_at timestamptz,
  disabled_reason text,
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.hooks is 'Outgoing hooks (seed 002 hook): where a workspace''s events are posted, signed per Standard Webhooks. Created by create_hook; secrets live in Vault.';
comment on column public.hooks.headers is 'Extra request headers sent as they are, {"name": "value"}. Values that must stay secret go through set_hook_secret_headers.';
comment on column public.hooks.secret_header_names is 'Headers whose values are kept in Vault (set_hook_secret_headers); the values are never readable.';
comment on column public.hooks.events is 'Event types this hook receives, or {*} for every type (see private.hook_event_types()).';
comment on column public.hooks.channel_ids is 'Only events of these channels; null for every channel (events of no channel always go).';
comment on column public.hooks.allow_insecure is 'Seed 002 "skip TLS verification": here it permits a plain http:// URL. Certificates of https URLs are always verified.';
comment on column public.hooks.retry_count is 'Attempts in all before an event becomes a dead letter in message_cache.';
comment on column public.hooks.disable_after_failures is 'Failed attempts in a row after which the hook is switched off and admins notified.';
comment on column public.hooks.secret_prefix is 'The first characters of the signing secret, to recognise it.';
comment on column public.hooks.previous_secret_expires_at is 'After a rotation, the old secret signs too until then.';

create table private.hook_events (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  channel_id uuid,
  type text not null,
  body jsonb not null,
  created_at timestamptz not null default now()
);
comment on table private.hook_events is 'The event outbox: one envelope per event that at least one hook subscribed to. Pruned once no job needs it.';

create table private.hook_jobs (
  id bigint generated always as identity primary key,
  hook_id uuid not null references public.hooks (id) on delete cascade,
  event_id uuid not null references private.hook_events (id) on delete cascade,
  workspace_id uuid not null,
  webhook_id text not null default 'msg_' || replace(gen_random_uuid()::text, '-', ''),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  claimed_by text,
  claimed_until timestamptz,
  replays integer not null default 0,
  created_at timestamptz not null default now()
);
comment on table private.hook_jobs is 'One delivery of one event to one hook, until delivered or dead-lettered. webhook_id stays the same across retries and replays.';

create table public.hook_deliveries (
  id bigint generated always as identity primary key,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  hook_id uuid not null references public.hooks (id) on delete cascade,
  webhook_id text not null,
  event_id uuid not null,
  event_type text not null,
  attempt integer not null,
  status_code integer,
  latency_ms integer,
  response_body text check (char_length(response_body) <= 2048),
  error text,
  outcome text not null check (outcome in ('delivered', 'retrying', 'dead_lettered')),
  created_at timestamptz not null default now()
);
comment on table public.hook_deliveries is 'Every delivery attempt: status code, latency, the start of the response body, the error. Admins read them; pruned after 30 days.';

create table public.message_cache (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  hook_id uuid not null references public.hooks (id) on delete cascade,
  webhook_id text not null,
  event_id uuid not null,
  account_id uuid,
  event_type text not null,
  event_data jsonb not null,
  message_id text not null default '',
  from_number text not null default '',
  to_number text not null default '',
  reason text not null default '',
  attempts integer not null default 0,
  "timestamp" timestamptz not null default now(),
  last_attempt timestamptz,
  replay_count integer not null default 0,
  created_at timestamptz not null default now()
);
comment on table public.message_cache is 'Dead letters (seed 002 message_cache): events a hook could not take, with the reason. Admins list, replay (replay_dead_letters) or delete them; kept 30 days.';
comment on column public.message_cache.account_id is 'The channel the event came from (seed: WhatsApp account), if any.';
comment on column public.message_cache.event_data is 'The event envelope exactly as it was posted; a replay posts it again with the same webhook-id.';
comment on column public.message_cache."timestamp" is 'When the event happened.';
comment on column public.message_cache.replay_count is 'How many times this event was replayed before it came back here.';

alter table public.messages add constraint messages_hook_id_fkey
  foreign key (hook_id) references public.hooks (id) on delete set null;

-- ==========================================================================
-- Indexes
-- ==========================================================================

create index hooks_workspace_idx on public.hooks (workspace_id, created_at);
create index hooks_active_idx on public.hooks (workspace_id) where active;
create index hooks_created_by_idx on public.hooks (created_by) where created_by is not null;
create index hook_events_workspace_idx on private.hook_events (workspace_id);
create index hook_events_created_idx on private.hook_events (created_at);
create index hook_jobs_due_idx on private.hook_jobs (next_attempt_at);
create index hook_jobs_hook_idx on private.hook_jobs (hook_id);
create index hook_jobs_claimed_idx on private.hook_jobs (hook_id) where claimed_until is not null;
create index hook_jobs_event_idx on private.hook_jobs (event_id);
create index hook_deliveries_hook_idx on public.hook_deliveries (hook_id, created_at desc);
create index hook_deliveries_workspace_idx on public.hook_deliveries (workspace_id, created_at desc);
create index hook_deliveries_created_idx on public.hook_deliveries (created_at);
create index message_cache_workspace_idx on public.message_cache (workspace_id, "timestamp" desc);
create index message_cache_hook_idx on public.message_cache (hook_id, "timestamp" desc);
create index message_cache_event_type_idx on public.message_cache (event_type);
create index message_cache_created_idx on public.message_cache (created_at);
create index messages_hook_id_idx on public.messages (hook_id) where hook_id is not null;

-- ==========================================================================
-- Functions
-- ==========================================================================

-- Event types a hook may subscribe to; a module that emits a new type adds
-- it here. hook.test goes only to the hook it is sent to.
create function private.hook_event_types()
returns text[]
language sql immutable set search_path = ''
as $$
  select array['message.received', 'message.sent', 'message.delivered', 'message.read', 'message.failed',
               'message.deleted', 'message.reaction', 'conversation.created', 'conversation.assigned',
               'conversation.closed', 'contact.created', 'contact.updated', 'contact.opted_out', 'channel.status',
               'campaign.completed', 'automation.disabled', 'inventory.low_stock', 'order.created',
               'order.status_changed', 'order.payment', 'invoice.status_changed', 'invoice.payment']
$$;

create function public.hook_event_types()
returns text[]
language sql immutable security invoker set search_path = ''
as $$ select private.hook_event_types() $$;
comment on function public.hook_event_types() is 'The event types a hook may subscribe to.';

create function private.hook_secret_name(p_hook uuid, kind text)
returns text
language sql immutable set search_path = ''
as $$ select 'hook:' || p_hook || ':' || kind $$;

create function private.new_hook_secret()
returns text
language sql volatile set search_path = ''
as $$ select 'whsec_' || encode(extensions.gen_random_bytes(32), 'base64') $$;

create function private.put_hook_secret(p_hook uuid, kind text, v text)
returns void
language sql security definer set search_path = ''
as $$ select private.put_secret(private.hook_secret_name(p_hook, kind), v, format('%s of hook %s', kind, p_hook)) $$;

-- Why a hook URL is refused, or null. The host's resolved addresses are
-- checked again by the hooks function before each delivery.
create function private.hook_url_refusal(p_url text, p_allow_insecure boolean)
returns text
language plpgsql stable set search_path = ''
as $$
declare
  refusal text;
begin
  if p_url is null or p_url !~* '^https?://[^/?#]' then
    return 'url must be an http(s) URL';
  elsif p_url ~ '\s' then
    return 'url cannot contain spaces';
  elsif p_url ~* '^https?://[^/?#]*@' then
    return 'url cannot carry credentials; put them in a (secret) header';
  elsif p_url ~* '^http://' and not coalesce(p_allow_insecure, false) then
    return 'url must use https (set allow_insecure to permit plain http)';
  end if;
  if not coalesce((select p.allow_private from private.provider_url_policy p), false) then
    refusal := private.provider_url_refusal(p_url, 'url');
    if refusal is not null then
      return refusal;
    end if;
  end if;
  return null;
end
$$;

-- Plain headers: names are HTTP tokens, values single-line strings, and
-- none of the headers that carry the signature or frame the body.
create function private.check_hook_headers(h jsonb, what text)
returns void
language plpgsql immutable set search_path = ''
as $$
declare
  k text;
  v jsonb;
begin
  if h is null or jsonb_typeof(h) <> 'object' then
    raise exception '% must be a JSON object of header names and values', what using errcode = '22023';
  end if;
  if (select count(*) from jsonb_object_keys(h)) > 20 then
    raise exception '% may name at most 20 headers', what using errcode = '22023';
  end if;
  for k, v in select e.key, e.value from jsonb_each(h) e loop
    if k !~ '^[A-Za-z0-9!#$%&''*+.^_`|~-]{1,100}$' then
      raise exception '% has an invalid header name: %', what, left(k, 100) using errcode = '22023';
    end if;
    if lower(k) in ('content-type', 'content-length', 'host', 'webhook-id', 'webhook-timestamp', 'webhook-signature',
                    'transfer-encoding', 'connection', 'upgrade', 'te', 'trailer', 'keep-alive', 'expect') then
      raise exception '% cannot set the % header', what, k using errcode = '22023';
    end if;
    if jsonb_typeof(v) <> 'string' and not (what = 'secret_headers' and jsonb_typeof(v) = 'null') then
      raise exception '% value of % must be a string', what, k using errcode = '22023';
    end if;
    if v #>> '{}' ~ '[\r\n\x00]' or char_length(v #>> '{}') > 4096 then
      raise exception '% value of % must be one line of at most 4096 characters', what, k using errcode = '22023';
    end if;
  end loop;
end
$$;

-- Checks a hook as it is written, by create_hook or by an admin's update.
create function private.check_hook()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  refusal text;
  bad text[];
begin
  if tg_op = 'UPDATE' and new.workspace_id <> old.workspace_id then
    raise exception 'a hook stays in its workspace' using errcode = '22023';
  end if;
  refusal := private.hook_url_refusal(new.url, new.allow_insecure);
  if refusal is not null then
    raise exception '%', refusal using errcode = '22023';
  end if;
  perform private.check_hook_headers(new.headers, 'headers');
  if exists (select 1 from jsonb_object_keys(new.headers) k where lower(k) = any (array(select lower(x) from unnest(new.secret_header_names) x))) then
    raise exception 'a header is either plain or secret, not both' using errcode = '22023';
  end if;
  select array_agg(e) into bad from unnest(new.events) e where e <> '*' and e <> all (private.hook_event_types());
  if bad is not null then
    raise exception 'unknown event types: % (see hook_event_types())', array_to_string(bad, ', ') using errcode = '22023';
  end if;
  if '*' = any (new.events) and cardinality(new.events) > 1 then
    new.events := array['*'];
  end if;
  new.events := array(select distinct e from unnest(new.events) e order by e);
  if new.channel_ids is not null and exists (
       select 1 from unnest(new.channel_ids) c
        where not exists (select 1 from public.channels ch where ch.id = c and ch.workspace_id = new.workspace_id)) then
    raise exception 'channel_ids names a channel that is not in this workspace' using errcode = '22023';
  end if;
  if tg_op = 'UPDATE' and new.active and not old.active then
    new.consecutive_failures := 0;
    new.disabled_at := null;
    new.disabled_reason := null;
  end if;
  return new;
end
$$;

create function private.create_hook(p_workspace uuid, p_name text, p_url text, p_events text[], p_channel_ids uuid[],
                                    p_method text, p_headers jsonb, p_secret_headers jsonb, p_allow_insecure boolean,
                                    p_description text, p_retry_count integer, p_timeout_seconds integer)
returns table (id uuid, secret text)
language plpgsql security definer set search_path = ''
as $$
declare
  s text := private.new_hook_secret();
  h public.hooks;
  k text;
  v text;
begin
  perform private.require_user();
  perform private.require_role(p_workspace, 'admin');
  perform private.check_hook_headers(coalesce(p_secret_headers, '{}'), 'secret_headers');
  -- Every event fans out to every hook: a bounded number keeps a
  -- workspace's events from costing without limit.
  perform pg_advisory_xact_lock(hashtextextended('hooks:' || p_workspace, 0));
  if (select count(*) from public.hooks x where x.workspace_id = p_workspace) >= 25 then
    raise exception 'a workspace has at most 25 hooks; delete one first' using errcode = '54000';
  end if;
  insert into public.hooks (workspace_id, name, url, method, headers, secret_header_names, events, channel_ids,
                            allow_insecure, description, retry_count, timeout_seconds, secret_prefix, created_by)
  values (p_workspace, trim(p_name), trim(p_url), upper(coalesce(p_method, 'POST')), coalesce(p_headers, '{}'),
          array(select x.key from jsonb_each(coalesce(p_secret_headers, '{}')) x where jsonb_typeof(x.value) = 'string' order by 1),
          coalesce(p_events, array['*']), p_channel_ids, coalesce(p_allow_insecure, false), p_description,
          coalesce(p_retry_count, 3), coalesce(p_timeout_seconds, 30), left(s, 10), (select auth.uid()))
  returning * into h;
  perform private.put_hook_secret(h.id, 'secret', s);
  for k, v in select x.key, x.value #>> '{}' from jsonb_each(coalesce(p_secret_headers, '{}')) x where jsonb_typeof(x.value) = 'string' loop
    perform private.put_hook_secret(h.id, 'header:' || k, v);
  end loop;
  return query select h.id, s;
end
$$;

create function public.create_hook(workspace_id uuid, name text, url text, events text[] default array['*'],
                                   channel_ids uuid[] default null, method text default 'POST',
                                   headers jsonb default '{}', secret_headers jsonb default '{}',
                                   allow_insecure boolean default false, description text default null,
                                   retry_count integer default 3, timeout_seconds integer default 30)
returns table (id uuid, secret text)
language sql security invoker set search_path = ''
as $$
  select * from private.create_hook(workspace_id, name, url, events, channel_ids, method, headers, secret_headers,
                                    allow_insecure, description, retry_count, timeout_seconds)
$$;
comment on function public.create_hook(uuid, text, text, text[], uuid[], text, jsonb, jsonb, boolean, text, integer, integer) is
  'Admins register a hook. Returns its id and signing secret (whsec_...), shown this once. events: types from hook_event_types() or {*}; secret_headers: {"name": "value"} kept in Vault.';

-- Who may act is settled before the hook is locked, and an outsider hears
-- the same as for a hook that does not exist.
create function private.hook_for_admin(p_hook uuid)
returns public.hooks
language plpgsql security definer set search_path = ''
as $$
declare
  h public.hooks;
begin
  perform private.require_user();
  if not private.has_workspace_role((select x.workspace_id from public.hooks x where x.id = p_hook), 'admin') then
    raise exception 'hook not found' using errcode = 'P0002';
  end if;
  select * into h from public.hooks x where x.id = p_hook for no key update;
  return h;
end
$$;

create function private.rotate_hook_secret(p_hook uuid, p_overlap interval)
returns text
language plpgsql security definer set search_path = ''
as $$
declare
  h public.hooks := private.hook_for_admin(p_hook);
  s text := private.new_hook_secret();
  cur text;
begin
  if p_overlap is null or p_overlap < interval '0' or p_overlap > interval '7 days' then
    raise exception 'overlap must be between 0 and 7 days' using errcode = '22023';
  end if;
  select d.decrypted_secret into cur from vault.decrypted_secrets d where d.name = private.hook_secret_name(h.id, 'secret');
  if p_overlap > interval '0' and cur is not null then
    perform private.put_hook_secret(h.id, 'previous', cur);
  else
    delete from vault.secrets v where v.name = private.hook_secret_name(h.id, 'previous');
  end if;
  perform private.put_hook_secret(h.id, 'secret', s);
  update public.hooks x set secret_prefix = left(s, 10), secret_rotated_at = now(),
         previous_secret_expires_at = case when p_overlap > interval '0' then now() + p_overlap end
   where x.id = h.id;
  insert into public.activity_log (workspace_id, actor_id, category, action, entity_type, entity_id, data)
  values (h.workspace_id, (select auth.uid()), 'hook', 'hook.secret_rotated', 'hooks', h.id::text,
          jsonb_build_object('overlap_seconds', extract(epoch from p_overlap)));
  return s;
end
$$;

create function public.rotate_hook_secret(hook_id uuid, overlap interval default '24 hours')
returns text
language sql security invoker set search_path = ''
as $$ select private.rotate_hook_secret(hook_id, overlap) $$;
comment on function public.rotate_hook_secret(uuid, interval) is
  'Admins replace a hook''s signing secret; the new one is returned this once. The old one keeps signing (a second v1 signature) for the overlap.';

create function private.set_hook_secret_headers(p_hook uuid, p_headers jsonb)
returns text[]
language plpgsql security definer set search_path = ''
as $$
declare
  h public.hooks := private.hook_for_admin(p_hook);
  k text;
  v jsonb;
  names text[] := h.secret_header_names;
begin
  perform private.check_hook_headers(p_headers, 'secret_headers');
  for k, v in select e.key, e.value from jsonb_each(p_headers) e loop
    if exists (select 1 from jsonb_object_keys(h.headers) x where lower(x) = lower(k)) then
      raise exception 'header % is a plain header of this hook; remove it from headers first', k using errcode = '22023';
    end if;
    delete from vault.secrets s where s.name in (select private.hook_secret_name(h.id, 'header:' || n)
                                                    from unnest(names) n where lower(n) = lower(k));
    names := array(select n from unnest(names) n where lower(n) <> lower(k));
    if jsonb_typeof(v) = 'string' then
      perform private.put_hook_secret(h.id, 'header:' || k, v #>> '{}');
      names := names || k;
    end if;
  end loop;
  update public.hooks x set secret_header_names = array(select n from unnest(names) n order by n) where x.id = h.id
  returning secret_header_names into names;
  return names;
end
$$;

create function public.set_hook_secret_headers(hook_id uuid, headers jsonb)
returns text[]
language sql security invoker set search_path = ''
as $$ select private.set_hook_secret_headers(hook_id, headers) $$;
comment on function public.set_hook_secret_headers(uuid, jsonb) is
  'Admins set headers whose values are kept in Vault, {"X-Token": "value"}; a null value removes one. Returns the secret header names.';

create function private.drop_hook_secrets()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  delete from vault.secrets s where s.name like 'hook:' || old.id || ':%';
  return old;
end
$$;

-- Emission ---------------------------------------------------------------------

-- Writes the events some active hook subscribes to, and their jobs. Called
-- by the triggers below with everything one statement or row caused.
create function private.emit_hook_events(p_events private.new_hook_event[])
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  n integer;
begin
  with ev as (
    select e.workspace_id, e.channel_id, e.type, e.data, private.uuid7() as id
      from unnest(p_events) e
     where exists (select 1 from public.hooks h
                    where h.workspace_id = e.workspace_id and h.active
                      and (h.events = array['*'] or e.type = any (h.events))
                      and (h.channel_ids is null or e.channel_id is null or e.channel_id = any (h.channel_ids)))
  ), ins as (
    insert into private.hook_events (id, workspace_id, channel_id, type, body)
    select ev.id, ev.workspace_id, ev.channel_id, ev.type,
           jsonb_build_object('id', ev.id, 'type', ev.type, 'version', 1, 'created_at', now(),
                              'workspace_id', ev.workspace_id, 'channel_id', ev.channel_id, 'data', ev.data)
      from ev
    returning hook_events.id, hook_events.workspace_id, hook_events.channel_id, hook_events.type
  )
  insert into private.hook_jobs (hook_id, event_id, workspace_id)
  select h.id, ins.id, ins.workspace_id
    from ins join public.hooks h
      on h.workspace_id = ins.workspace_id and h.active
     and (h.events = array['*'] or ins.type = any (h.events))
     and (h.channel_ids is null or ins.channel_id is null or ins.channel_id = any (h.channel_ids));
  get diagnostics n = row_count;
  if n > 0 then
    perform private.poke_function('hooks');
  end if;
  return n;
end
$$;

-- Row triggers ask this first: a workspace without an active hook pays one
-- index probe per changed row, not the building of a payload.
create function private.workspace_has_hooks(ws uuid)
returns boolean
language sql stable security definer set search_path = ''
as $$ select exists (select 1 from public.hooks h where h.workspace_id = ws and h.active) $$;

create function private.hook_message_data(m public.messages)
returns jsonb
language sql stable set search_path = ''
as $$
  select jsonb_build_object('message', jsonb_strip_nulls(jsonb_build_object(
    'id', m.id, 'conversation_id', m.conversation_id, 'contact_id', m.contact_id, 'channel_id', m.channel_id,
    'direction', m.direction, 'type', m.type, 'content', m.content, 'status', m.status,
    'provider_message_id', m.provider_message_id, 'from', m.sender_identifier, 'to', m.recipient_identifier,
    'push_name', m.push_name, 'participant', m.participant_jid,
    'media', case when m.media_url is not null or m.media_path is not null or m.media_mime_type is not null then
      jsonb_strip_nulls(jsonb_build_object('url', m.media_url, 'path', m.media_path, 'mime_type', m.media_mime_type,
                                           'filename', m.media_filename, 'size', m.media_size)) end,
    'location', case when m.location_latitude is not null then
      jsonb_strip_nulls(jsonb_build_object('latitude', m.location_latitude, 'longitude', m.location_longitude,
                                           'name', m.location_name, 'address', m.location_address)) end,
    'interactive', case when m.type = 'interactive' then m.payload end,
    'reply_to', m.quoted_message_id, 'reaction_emoji', m.reaction_emoji, 'reaction_target_id', m.reaction_target_id,
    'template_id', m.template_id, 'template_params', m.template_params,
    'campaign_id', m.campaign_id, 'automation_id', m.automation_id, 'hook_id', m.hook_id,
    'idempotency_key', m.idempotency_key,
    'error', case when m.status = 'failed' then
      jsonb_strip_nulls(jsonb_build_object('code', m.error_code, 'title', m.error_title, 'message', m.error_message)) end,
    'created_at', m.created_at, 'sent_at', m.sent_at, 'delivered_at', m.delivered_at, 'read_at', m.read_at,
    'failed_at', m.failed_at, 'deleted_at', m.deleted_at)))
$$;

create function private.hook_contact_data(c public.contacts)
returns jsonb
language sql stable set search_path = ''
as $$
  select jsonb_strip_nulls(jsonb_build_object(
    'id', c.id, 'name', c.name, 'phone', c.phone, 'email', c.email, 'company', c.company, 'status', c.status,
    'tags', c.tags, 'labels', c.labels, 'custom_fields', c.custom_fields, 'opted_in', c.opted_in,
    'opted_out_at', c.opted_out_at, 'opt_out_reason', c.opt_out_reason, 'source', c.source,
    'created_at', c.created_at, 'updated_at', c.updated_at))
$$;

create function private.hook_conversation_data(c public.conversations)
returns jsonb
language sql stable set search_path = ''
as $$
  select jsonb_strip_nulls(jsonb_build_object(
    'id', c.id, 'display_id', c.display_id, 'channel_id', c.channel_id, 'type', c.type, 'chat_id', c.chat_id,
    'contact_id', c.contact_id, 'group_id', c.group_id, 'title', c.title, 'status', c.status,
    'assignee_id', c.assignee_id, 'created_at', c.created_at, 'closed_at', c.closed_at))
$$;

-- New messages: customers' messages are message.received (with who sent
-- them); our own that arrive already sent (from the phone) message.sent.
create function private.emit_message_inserts()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if not exists (select 1 from inserted i join public.hooks h on h.workspace_id = i.workspace_id and h.active) then
    return null;
  end if;
  perform private.emit_hook_events(array(
    select row(i.workspace_id, i.channel_id,
               case when i.direction = 'inbound' then 'message.received' else 'message.sent' end,
               private.hook_message_data(i::public.messages)
                 || case when i.direction = 'inbound' then jsonb_build_object('contact',
                      (select private.hook_contact_data(c) from public.contacts c where c.id = i.contact_id)) else '{}' end
              )::private.new_hook_event
      from inserted i
     where i.direction = 'inbound' and i.type <> 'system'
        or i.direction = 'outbound' and i.status in ('sent', 'delivered', 'read')));
  return null;
end
$$;

create function private.emit_message_status()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if not private.workspace_has_hooks(new.workspace_id) then
    return null;
  end if;
  perform private.emit_hook_events(array[row(new.workspace_id, new.channel_id, 'message.' || new.status::text,
                                             private.hook_message_data(new)
                                               || jsonb_build_object('previous_status', old.status))::private.new_hook_event]);
  return null;
end
$$;

create function private.emit_message_deleted()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if not private.workspace_has_hooks(new.workspace_id) then
    return null;
  end if;
  perform private.emit_hook_events(array[row(new.workspace_id, new.channel_id, 'message.deleted',
                                             private.hook_message_data(new))::private.new_hook_event]);
  return null;
end
$$;

-- A reaction changes messages.reactions ({reactor: emoji}); the event says
-- who reacted with what, an empty emoji meaning a reaction removed.
create function private.emit_message_reaction()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if not private.workspace_has_hooks(new.workspace_id) then
    return null;
  end if;
  perform private.emit_hook_events(array(
    select row(new.workspace_id, new.channel_id, 'message.reaction',
               private.hook_message_data(new) || jsonb_build_object('reaction', jsonb_build_object(
                 'reactor', k, 'emoji', coalesce(new.reactions ->> k, ''))))::private.new_hook_event
      from (select jsonb_object_keys(new.reactions) k union select jsonb_object_keys(old.reactions)) r
     where (new.reactions -> k) is distinct from (old.reactions -> k)));
  return null;
end
$$;

create function private.emit_conversation_inserts()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if not exists (select 1 from inserted i join public.hooks h on h.workspace_id = i.workspace_id and h.active) then
    return null;
  end if;
  perform private.emit_hook_events(array(
    select row(i.workspace_id, i.channel_id, 'conversation.created',
               jsonb_build_object('conversation', private.hook_conversation_data(i::public.conversations)))::private.new_hook_event
      from inserted i));
  return null;
end
$$;

create function private.emit_conversation_changes()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if not private.workspace_has_hooks(new.workspace_id) then
    return null;
  end if;
  perform private.emit_hook_events(array(
    select row(new.workspace_id, new.channel_id, t,
               jsonb_build_object('conversation', private.hook_conversation_data(new),
                                  'previous_assignee_id', old.assignee_id, 'previous_status', old.status))::private.new_hook_event
      from unnest(array[case when new.assignee_id is distinct from old.assignee_id then 'conversation.assigned' end,
                        case when new.status = 'closed' and old.status <> 'closed' then 'conversation.closed' end]) t
     where t is not null));
  return null;
end
$$;

create function private.emit_contact_inserts()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if not exists (select 1 from inserted i join public.hooks h on h.workspace_id = i.workspace_id and h.active) then
    return null;
  end if;
  perform private.emit_hook_events(array(
    select row(i.workspace_id, null, 'contact.created',
               jsonb_build_object('contact', private.hook_contact_data(i::public.contacts)))::private.new_hook_event
      from inserted i));
  return null;
end
$$;

-- What a person would call an edit of the contact (the columns the
-- trigger's WHEN compares); bookkeeping columns (last_message_at, avatar
-- refreshes, order totals) are not, and never get here.
create function private.emit_contact_changes()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  watched text[] := array['name', 'phone', 'email', 'company', 'job_title', 'website', 'address', 'location', 'birthday',
                          'notes', 'interests', 'social_media', 'tags', 'labels', 'custom_fields', 'status', 'priority',
                          'is_favorite', 'opted_in', 'opted_out_at', 'opt_out_reason'];
  n jsonb;
  o jsonb;
  changed text[];
begin
  if not private.workspace_has_hooks(new.workspace_id) then
    return null;
  end if;
  n := to_jsonb(new);
  o := to_jsonb(old);
  select array_agg(k order by k) into changed from unnest(watched) k where n -> k is distinct from o -> k;
  perform private.emit_hook_events(array(
    select row(new.workspace_id, null, t, jsonb_build_object('contact', private.hook_contact_data(new),
                                                             'changed', to_jsonb(changed)))::private.new_hook_event
      from unnest(array['contact.updated',
                        case when not new.opted_in and new.opted_out_at is not null
                                  and new.opted_out_at is distinct from old.opted_out_at then 'contact.opted_out' end]) t
     where t is not null));
  return null;
end
$$;

create function private.emit_channel_status()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if not private.workspace_has_hooks(new.workspace_id) then
    return null;
  end if;
  perform private.emit_hook_events(array[row(new.workspace_id, new.id, 'channel.status', jsonb_build_object('channel',
    jsonb_strip_nulls(jsonb_build_object('id', new.id, 'name', new.name, 'provider', new.provider, 'status', new.status,
                                         'previous_status', old.status, 'phone_number', new.phone_number,
                                         'qr_code', new.qr_code, 'qr_expires_at', new.qr_expires_at))))::private.new_hook_event]);
  return null;
end
$$;

create function private.emit_campaign_completed()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.emit_hook_events(array[row(new.workspace_id, new.channel_id, 'campaign.completed', jsonb_build_object('campaign',
    jsonb_strip_nulls(jsonb_build_object('id', new.id, 'name', new.name, 'status', new.status,
      'total_recipients', new.total_recipients, 'sent_count', new.sent_count, 'delivered_count', new.delivered_count,
      'read_count', new.read_count, 'failed_count', new.failed_count, 'skipped_count', new.skipped_count,
      'started_at', new.started_at, 'completed_at', new.completed_at))))::private.new_hook_event]);
  return null;
end
$$;

create function private.emit_automation_disabled()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.emit_hook_events(array[row(new.workspace_id, new.channel_id, 'automation.disabled', jsonb_build_object('automation',
    jsonb_strip_nulls(jsonb_build_object('id', new.id, 'name', new.name, 'type', new.type,
      'reason', case when new.error_count >= 5 then 'failures' else 'switched_off' end,
      'error_count', new.error_count, 'last_error', new.last_error))))::private.new_hook_event]);
  return null;
end
$$;

-- A hook.test event for one hook, whatever it subscribes to.
create function private.send_test_event(p_hook uuid)
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  h public.hooks := private.hook_for_admin(p_hook);
  ev uuid := private.uuid7();
begin
  insert into private.hook_events (id, workspace_id, channel_id, type, body)
  values (ev, h.workspace_id, null, 'hook.test',
          jsonb_build_object('id', ev, 'type', 'hook.test', 'version', 1, 'created_at', now(), 'workspace_id', h.workspace_id,
                             'channel_id', null, 'data', jsonb_build_object('hook', jsonb_build_object('id', h.id, 'name', h.name),
                                                                          'message', 'A test event from Threadline.')));
  insert into private.hook_jobs (hook_id, event_id, workspace_id) values (h.id, ev, h.workspace_id);
  perform private.poke_function('hooks');
  return ev;
end
$$;

create function public.send_test_event(hook_id uuid)
returns uuid
language sql security invoker set search_path = ''
as $$ select private.send_test_event(hook_id) $$;
comment on function public.send_test_event(uuid) is 'Admins send a hook.test event to one hook (even a paused one, once it is active again). Returns the event id.';

-- Delivery -----------------------------------------------------------------------

-- Due jobs, leased to p_worker, at most p_per_hook of one hook in flight
-- at a time: a slow or timing-out receiver cannot take every delivery slot
-- from the other hooks. A hook at its cap is passed over, so its backlog
-- does not hide the others' jobs either.
create function private.claim_hook_jobs(p_worker text, p_limit integer default 200, p_lease_seconds integer default 60,
                                        p_per_hook integer default 50)
returns table (job_id bigint, hook_id uuid, webhook_id text, event_type text, body text, url text, method text,
               headers jsonb, secrets text[], timeout_ms integer, allow_insecure boolean, attempt integer,
               max_attempts integer)
language plpgsql security definer set search_path = ''
as $$
begin
  return query
  with busy as (
    select c.hook_id, count(*) as n
      from private.hook_jobs c
     where c.claimed_until > now()
     group by c.hook_id
  ), candidates as (
    select j.id, j.hook_id, j.next_attempt_at
      from private.hook_jobs j
      join public.hooks h on h.id = j.hook_id and h.active
     where j.next_attempt_at <= now() and (j.claimed_until is null or j.claimed_until < now())
       and not exists (select 1 from busy b where b.hook_id = j.hook_id and b.n >= p_per_hook)
     order by j.next_attempt_at
     limit greatest(p_limit, 1)
       for update of j skip locked
  ), due as (
    select c.id
      from (select c.*, row_number() over (partition by c.hook_id order by c.next_attempt_at) as k from candidates c) c
      left join busy b on b.hook_id = c.hook_id
     where c.k <= p_per_hook - coalesce(b.n, 0)
  ), claimed as (
    update private.hook_jobs j
       set claimed_by = p_worker, claimed_until = now() + make_interval(secs => greatest(p_lease_seconds, 35)),
           attempts = j.attempts + 1
      from due where j.id = due.id
    returning j.*
  )
  select c.id, c.hook_id, c.webhook_id, e.type, e.body::text, h.url, h.method,
         h.headers || coalesce((select jsonb_object_agg(substr(d.name, length('hook:' || h.id || ':header:') + 1), d.decrypted_secret)
                                  from vault.decrypted_secrets d where d.name like 'hook:' || h.id || ':header:%'), '{}'),
         array(select d.decrypted_secret from vault.decrypted_secrets d
                where d.name = private.hook_secret_name(h.id, 'secret')
                   or d.name = private.hook_secret_name(h.id, 'previous') and h.previous_secret_expires_at > now()
                order by d.name = private.hook_secret_name(h.id, 'previous')),
         h.timeout_seconds * 1000, h.allow_insecure, c.attempts, h.retry_count
    from claimed c
    join private.hook_events e on e.id = c.event_id
    join public.hooks h on h.id = c.hook_id;
end
$$;

create function private.hooks_next_due()
returns timestamptz
language sql stable security definer set search_path = ''
as $$
  select min(j.next_attempt_at) from private.hook_jobs j join public.hooks h on h.id = j.hook_id and h.active
$$;

-- A hook's answer to message.received: {"text": ...} or {"template_name",
-- "template_language"?, "template_params"?}, sent in that conversation
-- through the normal send path (prepare_outbound applies every rule). The
-- webhook-id makes it one message however often the event is delivered.
create function private.hook_reply(h public.hooks, p_webhook_id text, p_event jsonb, p_reply jsonb)
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  conv uuid := (p_event #>> '{data,message,conversation_id}')::uuid;
  key text := 'hook:' || p_webhook_id;
  tpl uuid;
  mid uuid;
begin
  if jsonb_typeof(p_reply) <> 'object' then
    raise exception 'reply must be an object: {"text": ...} or {"template_name": ...}' using errcode = '22023';
  end if;
  if exists (select 1 from jsonb_object_keys(p_reply) k
              where k not in ('text', 'template_name', 'template_language', 'template_params')) then
    raise exception 'reply takes text, or template_name with template_language and template_params' using errcode = '22023';
  end if;
  select m.id into mid from public.messages m where m.workspace_id = h.workspace_id and m.idempotency_key = key;
  if found then
    return mid;
  end if;
  if p_reply ? 'template_name' then
    if p_reply ? 'text' then
      raise exception 'reply is either text or a template' using errcode = '22023';
    end if;
    select t.id into tpl
      from public.message_templates t join public.conversations c on c.channel_id = t.channel_id
     where c.id = conv and t.name = p_reply ->> 'template_name'
       and (p_reply ->> 'template_language' is null or t.language = p_reply ->> 'template_language')
     order by (t.status = 'APPROVED') desc, t.language limit 1;
    if tpl is null then
      raise exception 'no template "%" on this conversation''s channel', p_reply ->> 'template_name' using errcode = 'P0002';
    end if;
    insert into public.messages (conversation_id, direction, type, template_id, template_params, hook_id, idempotency_key)
    values (conv, 'outbound', 'template', tpl, p_reply -> 'template_params', h.id, key)
    returning id into mid;
  else
    if jsonb_typeof(p_reply -> 'text') is distinct from 'string' then
      raise exception 'reply.text must be a string' using errcode = '22023';
    end if;
    insert into public.messages (conversation_id, direction, type, content, hook_id, idempotency_key)
    values (conv, 'outbound', 'text', p_reply ->> 'text', h.id, key)
    returning id into mid;
  end if;
  return mid;
end
$$;

-- Jobs become dead letters, each with its reason (the arrays pair up).
create function private.dead_letter(p_jobs bigint[], p_reasons text[])
returns void
language sql security definer set search_path = ''
as $$
  insert into public.message_cache (workspace_id, hook_id, webhook_id, event_id, account_id, event_type, event_data,
                                    message_id, from_number, to_number, reason, attempts, "timestamp", last_attempt, replay_count)
  select j.workspace_id, j.hook_id, j.webhook_id, e.id, e.channel_id, e.type, e.body,
         coalesce(e.body #>> '{data,message,id}', ''), coalesce(e.body #>> '{data,message,from}', ''),
         coalesce(e.body #>> '{data,message,to}', ''), left(coalesce(d.reason, ''), 2000), j.attempts, e.created_at, now(),
         j.replays
    from unnest(p_jobs, p_reasons) as d(job_id, reason)
    join private.hook_jobs j on j.id = d.job_id
    join private.hook_events e on e.id = j.event_id;
  delete from private.hook_jobs x where x.id = any (p_jobs);
$$;

-- Switches a hook off when it has failed too often in a row: what it still
-- had queued becomes dead letters, and the workspace's admins hear of it.
create function private.disable_failing_hook(p_hook uuid)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  h public.hooks;
  jobs bigint[];
begin
  update public.hooks x set active = false, disabled_at = now(),
         disabled_reason = format('switched off after %s failed deliveries in a row', x.consecutive_failures)
   where x.id = p_hook and x.active and x.consecutive_failures >= x.disable_after_failures
  returning * into h;
  if not found then
    return;
  end if;
  jobs := array(select x.id from private.hook_jobs x where x.hook_id = h.id order by x.id for update);
  perform private.dead_letter(jobs, array_fill('hook switched off: ' || h.disabled_reason, array[cardinality(jobs)]));
  insert into public.notifications (user_id, workspace_id, type, title, body, action_url, reference_type, reference_id)
  select m.user_id, h.workspace_id, 'hook_disabled', 'Hook switched off: ' || left(h.name, 80),
         format('%s failed %s deliveries in a row and was switched off; its pending events are dead letters you can replay once it works again.',
                h.url, h.consecutive_failures),
         '/hooks/' || h.id, 'hook', h.id
    from public.workspace_members m
   where m.workspace_id = h.workspace_id and m.status = 'active' and m.role >= 'admin';
end
$$;

-- Records the hooks function's results: [{job_id, outcome: delivered |
-- retry | permanent, status_code?, latency_ms?, response_body?, error?,
-- retry_after_seconds?, reply?}]. A result for a job no longer claimed by
-- this worker is ignored: its lease lapsed and another worker has it.
-- Set-wise, with one update per hook: a busy hook's row is written once a
-- batch, not once a delivery. Its failures in a row are those after the
-- batch's last success (results in the order given).
create function private.record_hook_results(p_worker text, p_results jsonb)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  rec record;
  reply_errors jsonb := '{}';
  replies integer := 0;
  counts jsonb;
  hook_ids uuid[];
  dead_jobs bigint[];
  dead_reasons text[];
begin
  if jsonb_typeof(p_results) is distinct from 'array' then
    raise exception 'results must be a JSON array' using errcode = '22023';
  end if;
  select array_agg(distinct j.hook_id order by j.hook_id) into hook_ids
    from jsonb_to_recordset(p_results) as r(job_id bigint)
    join private.hook_jobs j on j.id = r.job_id and j.claimed_by = p_worker;
  -- In id order, so two workers recording for the same hooks never deadlock.
  -- No key update: an ingest transaction that queued jobs for these hooks
  -- holds key-share locks on their rows (the jobs' foreign key) and may
  -- wait for a conversation a reply below writes; a full row lock here
  -- would wait for it in turn.
  perform 1 from public.hooks h where h.id = any (hook_ids) order by h.id for no key update;

  -- Replies first, each on its own: a refused one is recorded, not fatal.
  for rec in
    select r.job_id, r.reply, j.webhook_id, e.body, h
      from jsonb_to_recordset(p_results) as r(job_id bigint, outcome text, reply jsonb)
      join private.hook_jobs j on j.id = r.job_id and j.claimed_by = p_worker
      join private.hook_events e on e.id = j.event_id and e.type = 'message.received'
      join public.hooks h on h.id = j.hook_id
     where r.outcome = 'delivered' and r.reply is not null and jsonb_typeof(r.reply) <> 'null'
  loop
    begin
      perform private.hook_reply(rec.h, rec.webhook_id, rec.body, rec.reply);
      replies := replies + 1;
    exception when others then
      reply_errors := reply_errors || jsonb_build_object(rec.job_id::text, 'reply not sent: ' || sqlerrm);
    end;
  end loop;

  with r as (
    select * from rows from (jsonb_to_recordset(p_results) as (
      job_id bigint, outcome text, status_code integer, latency_ms integer, response_body text, error text,
      retry_after_seconds numeric)) with ordinality as x(job_id, outcome, status_code, latency_ms, response_body, error,
      retry_after_seconds, ord)
  ), mine as (
    select r.*, j.hook_id, j.event_id, j.workspace_id, j.webhook_id, j.attempts, e.type as event_type,
           case when r.outcome = 'delivered' then 'delivered'
                when r.outcome = 'permanent' or j.attempts >= h.retry_count then 'dead_lettered'
                else 'retrying' end as result
      from r
      join private.hook_jobs j on j.id = r.job_id and j.claimed_by = p_worker
      join public.hooks h on h.id = j.hook_id
      join private.hook_events e on e.id = j.event_id
     where r.outcome in ('delivered', 'retry', 'permanent')
  ), done as (
    delete from private.hook_jobs j using mine m where j.id = m.job_id and m.result = 'delivered'
  ), later as (
    update private.hook_jobs j
       set next_attempt_at = now() + greatest(private.backoff(m.attempts, 10, 3600),
                                              make_interval(secs => least(greatest(coalesce(m.retry_after_seconds, 0), 0), 86400))),
           claimed_by = null, claimed_until = null
      from mine m where j.id = m.job_id and m.result = 'retrying'
  ), logged as (
    insert into public.hook_deliveries (workspace_id, hook_id, webhook_id, event_id, event_type, attempt, status_code,
                                        latency_ms, response_body, error, outcome)
    select m.workspace_id, m.hook_id, m.webhook_id, m.event_id, m.event_type, m.attempts, m.status_code, m.latency_ms,
           left(m.response_body, 2048), coalesce(reply_errors ->> m.job_id::text, left(m.error, 2000)), m.result
      from mine m order by m.ord
  ), per_hook as (
    select s.hook_id, bool_or(s.result = 'delivered') as any_ok, bool_or(s.result <> 'delivered') as any_failed,
           count(*) filter (where s.result <> 'delivered' and s.ord > coalesce(s.last_ok, 0)) as fails_after
      from (select m.hook_id, m.result, m.ord,
                   max(m.ord) filter (where m.result = 'delivered') over (partition by m.hook_id) as last_ok
              from mine m) s
     group by s.hook_id
  ), hooked as (
    update public.hooks h
       set consecutive_failures = case when p.any_ok then p.fails_after else h.consecutive_failures + p.fails_after end,
           last_success_at = case when p.any_ok then now() else h.last_success_at end,
           last_failure_at = case when p.any_failed then now() else h.last_failure_at end
      from per_hook p where h.id = p.hook_id
  )
  select jsonb_build_object('delivered', count(*) filter (where m.result = 'delivered'),
                            'retrying', count(*) filter (where m.result = 'retrying'),
                            'dead_lettered', count(*) filter (where m.result = 'dead_lettered'),
                            'replies', replies,
                            'ignored', jsonb_array_length(p_results) - count(*)),
         array_agg(m.job_id) filter (where m.result = 'dead_lettered'),
         array_agg(coalesce(m.error, 'HTTP ' || m.status_code, 'no answer')
                   || case when m.outcome = 'retry' then format(' (after %s attempts)', m.attempts) else '' end)
           filter (where m.result = 'dead_lettered')
    into counts, dead_jobs, dead_reasons
    from mine m;
  if dead_jobs is not null then
    perform private.dead_letter(dead_jobs, dead_reasons);
  end if;

  for rec in select h.id from public.hooks h
              where h.id = any (hook_ids) and h.active and h.consecutive_failures >= h.disable_after_failures loop
    perform private.disable_failing_hook(rec.id);
  end loop;
  return counts;
end
$$;

-- Dead letters -------------------------------------------------------------------

-- Posts dead letters again as they were first posted (same body, same
-- webhook-id), as new jobs of their hook.
create function private.replay_dead_letters(p_workspace uuid, p_ids uuid[], p_hook uuid, p_event_type text)
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  n integer;
begin
  perform private.require_user();
  perform private.require_role(p_workspace, 'admin');
  if p_hook is not null and not exists (select 1 from public.hooks h where h.id = p_hook and h.workspace_id = p_workspace) then
    raise exception 'hook not found' using errcode = 'P0002';
  end if;
  with picked as (
    delete from public.message_cache d
     where d.workspace_id = p_workspace
       and (p_ids is null or d.id = any (p_ids))
       and (p_hook is null or d.hook_id = p_hook)
       and (p_event_type is null or d.event_type = p_event_type)
    returning d.*
  ), events as (
    insert into private.hook_events (id, workspace_id, channel_id, type, body, created_at)
    select distinct on (p.event_id) p.event_id, p.workspace_id, p.account_id, p.event_type, p.event_data, p."timestamp"
      from picked p
    on conflict (id) do nothing
  )
  insert into private.hook_jobs (hook_id, event_id, workspace_id, webhook_id, replays)
  select p.hook_id, p.event_id, p.workspace_id, p.webhook_id, p.replay_count + 1 from picked p;
  get diagnostics n = row_count;
  if n > 0 then
    insert into public.activity_log (workspace_id, actor_id, category, action, entity_type, data)
    values (p_workspace, (select auth.uid()), 'hook', 'hook.dead_letters_replayed', 'message_cache',
            jsonb_build_object('count', n, 'hook_id', p_hook, 'event_type', p_event_type));
    perform private.poke_function('hooks');
  end if;
  return n;
end
$$;

create function public.replay_dead_letters(workspace_id uuid, ids uuid[] default null, hook_id uuid default null,
                                           event_type text default null)
returns integer
language sql security invoker set search_path = ''
as $$ select private.replay_dead_letters(workspace_id, ids, hook_id, event_type) $$;
comment on function public.replay_dead_letters(uuid, uuid[], uuid, text) is
  'Admins post dead letters again: some by id, or every one matching hook_id and event_type. Each goes with its original body and webhook-id. Returns how many were queued.';

-- Tick steps -------------------------------------------------------------------------

create function private.sweep_hooks()
returns integer
language plpgsql security definer set search_path = ''
as $$
begin
  if exists (select 1 from private.hook_jobs j join public.hooks h on h.id = j.hook_id and h.active
              where j.next_attempt_at <= now() and (j.claimed_until is null or j.claimed_until < now())) then
    perform private.poke_function('hooks');
    return 1;
  end if;
  return 0;
end
$$;

-- Attempts and dead letters older than 30 days, events no job needs any
-- more, and previous secrets past their overlap; in bounded batches.
create function private.prune_hooks(p_batch integer default 5000)
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  n integer := 0;
  k integer;
begin
  delete from public.hook_deliveries d
   where d.id in (select x.id from public.hook_deliveries x where x.created_at < now() - interval '30 days' limit p_batch);
  get diagnostics k = row_count;
  n := n + k;
  delete from public.message_cache d
   where d.id in (select x.id from public.message_cache x where x.created_at < now() - interval '30 days' limit p_batch);
  get diagnostics k = row_count;
  n := n + k;
  delete from private.hook_events e
   where e.id in (select x.id from private.hook_events x
                   where x.created_at < now() - interval '1 hour'
                     and not exists (select 1 from private.hook_jobs j where j.event_id = x.id)
                   limit p_batch);
  get diagnostics k = row_count;
  n := n + k;
  delete from vault.secrets s
   using public.hooks h
   where s.name = private.hook_secret_name(h.id, 'previous') and h.previous_secret_expires_at <= now();
  update public.hooks h set previous_secret_expires_at = null where h.previous_secret_expires_at <= now();
  return n;
end
$$;

-- Last: the steps before may have written events.
insert into private.tick_steps (name, fn, position) values
  ('hooks_pruned', 'private.prune_hooks', 120),
  ('hooks_swept', 'private.sweep_hooks', 121);

-- ==========================================================================
-- Triggers
-- ==========================================================================

create trigger set_updated_at before update on public.hooks
  for each row execute function private.set_updated_at();
create trigger check_hook before insert or update on public.hooks
  for each row execute function private.check_hook();
create trigger drop_hook_secrets after delete on public.hooks
  for each row execute function private.drop_hook_secrets();
create trigger audit after insert or update of name, url, method, headers, events, channel_ids, active, allow_insecure,
  retry_count, timeout_seconds or delete on public.hooks for each row execute function private.audit_change('hook');

create trigger emit_hook_events after insert on public.messages
  referencing new table as inserted for each statement execute function private.emit_message_inserts();
create trigger emit_hook_status after update of status on public.messages
  for each row when (new.status is distinct from old.status and new.status in ('sent', 'delivered', 'read', 'failed'))
  execute function private.emit_message_status();
create trigger emit_hook_deleted after update of deleted_at on public.messages
  for each row when (old.deleted_at is null and new.deleted_at is not null)
  execute function private.emit_message_deleted();
create trigger emit_hook_reaction after update of reactions on public.messages
  for each row when (new.reactions is distinct from old.reactions)
  execute function private.emit_message_reaction();
create trigger emit_hook_events after insert on public.conversations
  referencing new table as inserted for each statement execute function private.emit_conversation_inserts();
create trigger emit_hook_changes after update of assignee_id, status on public.conversations
  for each row when (new.assignee_id is distinct from old.assignee_id
                     or new.status = 'closed' and old.status <> 'closed')
  execute function private.emit_conversation_changes();
create trigger emit_hook_events after insert on public.contacts
  referencing new table as inserted for each statement execute function private.emit_contact_inserts();
create trigger emit_hook_changes after update on public.contacts
  for each row when ((new.name, new.phone, new.email, new.company, new.job_title, new.website, new.address, new.location,
                      new.birthday, new.notes, new.interests, new.social_media, new.tags, new.labels, new.custom_fields,
                      new.status, new.priority, new.is_favorite, new.opted_in, new.opted_out_at, new.opt_out_reason)
                     is distinct from
                     (old.name, old.phone, old.email, old.company, old.job_title, old.website, old.address, old.location,
                      old.birthday, old.notes, old.interests, old.social_media, old.tags, old.labels, old.custom_fields,
                      old.status, old.priority, old.is_favorite, old.opted_in, old.opted_out_at, old.opt_out_reason))
  execute function private.emit_contact_changes();
create trigger emit_hook_status after update of status, qr_code on public.channels
  for each row when ((new.status, new.qr_code) is distinct from (old.status, old.qr_code))
  execute function private.emit_channel_status();
create trigger emit_hook_completed after update of status on public.campaigns
  for each row when (new.status = 'completed' and old.status <> 'completed')
  execute function private.emit_campaign_completed();
create trigger emit_hook_disabled after update of is_active on public.automations
  for each row when (old.is_active and not new.is_active)
  execute function private.emit_automation_disabled();

-- ==========================================================================
-- Row level security and grants
-- ==========================================================================

alter table public.hooks enable row level security;
alter table public.hook_deliveries enable row level security;
alter table public.message_cache enable row level security;
alter table public.hooks alter column workspace_id set (n_distinct = 500);
alter table public.hook_deliveries alter column workspace_id set (n_distinct = 500);
alter table public.message_cache alter column workspace_id set (n_distinct = 500);

revoke all on public.hooks, public.hook_deliveries, public.message_cache from anon, authenticated;
grant select, delete on public.hooks to authenticated;
grant update (name, url, method, headers, events, channel_ids, active, allow_insecure, description, retry_count,
              timeout_seconds, disable_after_failures) on public.hooks to authenticated;
grant select on public.hook_deliveries to authenticated;
grant select, delete on public.message_cache to authenticated;

-- Members see which hooks exist (no secret is in a row); admins change them.
create policy hooks_select on public.hooks for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy hooks_update on public.hooks for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));
create policy hooks_delete on public.hooks for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

create policy hook_deliveries_select on public.hook_deliveries for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

create policy message_cache_select on public.message_cache for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));
create policy message_cache_delete on public.message_cache for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

revoke all on function private.hook_event_types(), private.hook_secret_name(uuid, text), private.new_hook_secret(),
  private.put_hook_secret(uuid, text, text), private.hook_url_refusal(text, boolean), private.check_hook_headers(jsonb, text),
  private.check_hook(), private.create_hook(uuid, text, text, text[], uuid[], text, jsonb, jsonb, boolean, text, integer, integer),
  private.hook_for_admin(uuid), private.rotate_hook_secret(uuid, interval), private.set_hook_secret_headers(uuid, jsonb),
  private.drop_hook_secrets(), private.emit_hook_events(private.new_hook_event[]), private.hook_message_data(public.messages),
  private.workspace_has_hooks(uuid), private.hook_contact_data(public.contacts), private.hook_conversation_data(public.conversations),
  private.emit_message_inserts(), private.emit_message_status(), private.emit_message_deleted(),
  private.emit_message_reaction(), private.emit_conversation_inserts(), private.emit_conversation_changes(),
  private.emit_contact_inserts(), private.emit_contact_changes(), private.emit_channel_status(),
  private.emit_campaign_completed(), private.emit_automation_disabled(), private.send_test_event(uuid),
  private.claim_hook_jobs(text, integer, integer, integer), private.hooks_next_due(),
  private.hook_reply(public.hooks, text, jsonb, jsonb), private.dead_letter(bigint[], text[]),
  private.disable_failing_hook(uuid), private.record_hook_results(text, jsonb),
  private.replay_dead_letters(uuid, uuid[], uuid, text), private.sweep_hooks(), private.prune_hooks(integer) from public;
grant execute on function private.hook_event_types(), private.create_hook(uuid, text, text, text[], uuid[], text, jsonb, jsonb, boolean, text, integer, integer),
  private.rotate_hook_secret(uuid, interval), private.set_hook_secret_headers(uuid, jsonb), private.send_test_event(uuid),
  private.replay_dead_letters(uuid, uuid[], uuid, text) to authenticated, service_role;
revoke all on function public.create_hook(uuid, text, text, text[], uuid[], text, jsonb, jsonb, boolean, text, integer, integer),
  public.rotate_hook_secret(uuid, interval), public.set_hook_secret_headers(uuid, jsonb), public.send_test_event(uuid),
  public.replay_dead_letters(uuid, uuid[], uuid, text), public.hook_event_types() from public, anon;
grant execute on function public.create_hook(uuid, text, text, text[], uuid[], text, jsonb, jsonb, boolean, text, integer, integer),
  public.rotate_hook_secret(uuid, interval), public.set_hook_secret_headers(uuid, jsonb), public.send_test_event(uuid),
  public.replay_dead_letters(uuid, uuid[], uuid, text), public.hook_event_types() to authenticated, service_role;
