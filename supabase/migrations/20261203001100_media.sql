-- Module: media
--
-- Every photo, voice note, video, sticker and document kept in Supabase
-- Storage, and contacts' profile pictures with them.
--
-- Buckets. `media` and `avatars` are private; objects live at
-- `<workspace id>/...`, and the policies on storage.objects let a workspace's
-- members read its objects and nobody else. Members upload their own files
-- under `<workspace id>/uploads/`; what the media function fetches from
-- providers lives under `<workspace id>/sha256/<hex>.<ext>`, named by its
-- content, so a file received twice in a workspace is stored once.
--
-- Inbound. Ingestion (messaging module) writes a media_files row per media
-- message with status `pending`; the insert pokes the `media` Edge Function
-- through pg_net (once per transaction) and the minute tick sweeps what is
-- due. The function claims rows (private.claim_media), downloads the file
-- from the provider, checks it and stores it, then reports
-- (private.media_fetched / private.media_fetch_failed):
--   pending -> stored
--   pending | failed -> failed   (with the reason; retried with backoff
--                                 while next_attempt_at is set)
--   pending | failed -> expired  (the provider no longer has it)
--   stored -> removed            (retention, or nothing uses it any more)
--
-- Outbound. A message may name a stored object in media_path; the
-- dispatcher hands the provider a short-lived signed URL, or uploads the
-- file to Meta and sends it by id.
--
-- Deleting. Storage's own API deletes objects (a row deleted by SQL would
-- leave its bytes behind), so the database queues the objects nothing uses
-- any more in private.storage_removals and the media function removes them.

-- ==========================================================================
-- Types
-- ==========================================================================

create type public.media_status as enum ('pending', 'stored', 'failed', 'expired', 'removed');

-- ==========================================================================
-- Tables
-- ==========================================================================

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
  sha256 text check (sha256 ~ '^[0-9a-f]{64}$'),
  provider_sha256 text,
  duration_seconds integer,
  status public.media_status not null default 'pending',
  error text,
  came_inline boolean not null default false,
  attempts integer not null default 0,
  next_attempt_at timestamptz default now(),
  locked_until timestamptz,
  claimed_at timestamptz,
  stored_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (status <> 'stored' or storage_path is not null)
);
comment on table public.media_files is 'Media of messages: the provider''s media id until fetched, then the object in Storage (bucket media).';
comment on column public.media_files.storage_path is 'The object''s name in the media bucket: <workspace id>/sha256/<hex>.<ext> for fetched files, <workspace id>/uploads/... for members'' uploads.';
comment on column public.media_files.storage_url is 'The object''s Storage URL (…/storage/v1/object/authenticated/media/<path>): a GET with a member''s JWT downloads it; createSignedUrl(storage_path) makes a link.';
comment on column public.media_files.sha256 is 'Hex SHA-256 of the stored bytes.';
comment on column public.media_files.provider_sha256 is 'The hash the provider announced (Meta: base64 in webhooks, hex from the media endpoint; Evolution: fileSha256), checked against the bytes.';
comment on column public.media_files.came_inline is 'The provider sent the bytes inside the webhook (Evolution webhookBase64); the webhook function stored them and the tables only keep a marker with their size and sha256.';
comment on column public.media_files.claimed_at is 'When the media function last took the file (its latest attempt began).';
comment on column public.media_files.next_attempt_at is 'When the media function tries (again) to fetch a pending or failed file; null: no further attempt.';

create table private.storage_removals (
  id bigint generated always as identity primary key,
  bucket_id text not null,
  name text not null,
  reason text not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  unique (bucket_id, name)
);
comment on table private.storage_removals is 'Objects nothing uses any more, waiting for the media function to delete them through Storage''s API.';

create table private.avatar_jobs (
  contact_id uuid primary key references public.contacts (id) on delete cascade,
  workspace_id uuid not null,
  channel_id uuid not null references public.channels (id) on delete cascade,
  external_id text not null,
  picture_url text,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  locked_until timestamptz
);
comment on table private.avatar_jobs is 'Contacts whose profile picture is to be (re)fetched from an Evolution or GOWA channel.';

-- While a media function drains, ingestion need not poke it: it claims
-- again before it stops (see private.claim_media).
create table private.media_heartbeat (
  id boolean primary key default true check (id),
  busy_until timestamptz not null
);
comment on table private.media_heartbeat is 'Until when a draining media function is sure to claim again; pokes are skipped before then.';
insert into private.media_heartbeat (busy_until) values ('-infinity');

-- ==========================================================================
-- Indexes
-- ==========================================================================

create index media_files_workspace_id_idx on public.media_files (workspace_id);
create index media_files_channel_id_idx on public.media_files (channel_id) where channel_id is not null;
create index media_files_message_id_idx on public.media_files (message_id) where message_id is not null;
-- The claim's order. A burst arrives before statistics know of it; the claim
-- is pinned to this index (see claim_media) so it never sorts the backlog.
create index media_files_due_idx on public.media_files (next_attempt_at) where status in ('pending', 'failed');
create index media_files_content_idx on public.media_files (workspace_id, sha256) where status = 'stored';
create index media_files_path_idx on public.media_files (storage_path) where storage_path is not null;
create index media_files_retention_idx on public.media_files (workspace_id, stored_at) where status = 'stored';
create index storage_removals_due_idx on private.storage_removals (next_attempt_at);
create index avatar_jobs_due_idx on private.avatar_jobs (next_attempt_at);
create index avatar_jobs_channel_id_idx on private.avatar_jobs (channel_id);

-- ==========================================================================
-- Buckets
-- ==========================================================================

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('media', 'media', false, 104857600, null),
       ('avatars', 'avatars', false, 5242880, array['image/jpeg', 'image/png', 'image/webp'])
on conflict (id) do nothing;

-- ==========================================================================
-- Functions
-- ==========================================================================

-- The function drains every media queue.
create function private.poke_media()
returns boolean
language sql security definer set search_path = ''
as $$
  select private.poke_function('media')
$$;

-- A burst of media messages would otherwise send the function one request
-- per transaction while it is already draining them.
create function private.poke_media_on_insert()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if exists (select 1 from new_rows n where n.next_attempt_at is not null)
     and not exists (select 1 from private.media_heartbeat h where h.busy_until > clock_timestamp()) then
    perform private.poke_media();
  end if;
  return null;
end
$$;

-- A SHA-256 as providers announce it (hex, or base64 as in Meta's webhooks
-- and Baileys' fileSha256) in lowercase hex; null when it is neither.
create function private.sha256_hex(p text)
returns text
language sql immutable set search_path = ''
as $$
  select case when p ~ '^[0-9a-fA-F]{64}$' then lower(p)
              when p ~ '^[A-Za-z0-9+/]{43}=$' then encode(decode(p, 'base64'), 'hex') end
$$;

-- Due files in their order, locked for the caller's transaction. Pinned to
-- media_files_due_idx: a burst is queued before statistics know of it, and
-- a plan made from the old numbers would sort the whole backlog per claim.
create function private.due_media(p_limit integer)
returns uuid[]
language sql volatile security definer set search_path = '' set enable_bitmapscan = off set enable_sort = off
as $$
  select coalesce(array_agg(d.id), '{}') from (
    select f.id from public.media_files f
     where f.next_attempt_at <= now() and f.status in ('pending', 'failed')
       and (f.locked_until is null or f.locked_until < now())
     order by f.next_attempt_at
     limit p_limit
     for update skip locked) d
$$;

-- Up to p_limit due files, leased to a worker: what to fetch, from where,
-- within which size, and the object a file of the same announced content
-- already is (so it is not fetched again).
-- p_busy_ms: the worker promises to claim again within that time (it
-- keeps polling that long after the queue runs dry), so inserts meanwhile
-- skip the poke; 0 promises nothing.
create function private.claim_media(p_worker text, p_limit integer default 20, p_lease_seconds integer default 120,
                                    p_busy_ms integer default 0)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  out jsonb;
  ids uuid[] := private.due_media(p_limit);
begin
  if p_busy_ms > 0 then
    update private.media_heartbeat h
       set busy_until = greatest(h.busy_until, clock_timestamp() + make_interval(secs => p_busy_ms / 1000.0));
  end if;
  with claimed as (
    update public.media_files f
       set locked_until = now() + make_interval(secs => p_lease_seconds), attempts = f.attempts + 1,
           claimed_at = clock_timestamp()
     where f.id = any (ids)
    returning f.*, private.sha256_hex(f.provider_sha256) as announced_hex
  )
  select coalesce(jsonb_agg(jsonb_build_object(
           'id', c.id, 'workspace_id', c.workspace_id, 'channel_id', c.channel_id,
           'provider_media_id', c.provider_media_id, 'source_url', c.source_url, 'mime_type', c.mime_type,
           'file_name', c.file_name, 'size_bytes', c.size_bytes, 'provider_sha256', c.provider_sha256,
           'came_inline', c.came_inline, 'attempts', c.attempts, 'max_bytes', w.media_max_bytes,
           'message_provider_id', m.provider_message_id, 'chat_id', cv.chat_id,
           'from_me', m.direction = 'outbound',
           -- the announced content is already stored in the workspace
           'existing', (select jsonb_build_object('path', e.storage_path, 'size', e.size_bytes, 'sha256', e.sha256)
                          from public.media_files e
                         -- computed once per file, so this is an index probe on (workspace_id, sha256)
                         where e.workspace_id = c.workspace_id and e.sha256 = c.announced_hex and e.status = 'stored'
                         limit 1))), '[]'::jsonb)
    into out
    from claimed c
    join public.workspaces w on w.id = c.workspace_id
    left join public.messages m on m.id = c.message_id
    left join public.conversations cv on cv.id = m.conversation_id;
  return out;
end
$$;
comment on function private.claim_media(text, integer, integer, integer) is
  'For the media function: leases up to p_limit due media files with what fetching them needs (the channel''s credentials come from private.dispatch_channel, once per channel).';

create function private.media_fetched(p_id uuid, p_path text, p_url text, p_sha256 text, p_size bigint, p_mime text)
returns boolean
language plpgsql security definer set search_path = ''
as $$
begin
  update public.media_files f
     set status = 'stored', storage_path = p_path, storage_url = p_url, sha256 = lower(p_sha256),
         size_bytes = p_size, mime_type = coalesce(f.mime_type, p_mime), error = null, stored_at = now(),
         next_attempt_at = null, locked_until = null
   where f.id = p_id and f.status in ('pending', 'failed');
  return found;
end
$$;

-- p_kind: retry (transient: backoff, at most 8 attempts), final (the file is
-- refused: too big, wrong hash, not media), expired (the provider has it no more).
create function private.media_fetch_failed(p_id uuid, p_reason text, p_kind text)
returns boolean
language plpgsql security definer set search_path = ''
as $$
begin
  if p_kind not in ('retry', 'final', 'expired') then
    raise exception 'p_kind is retry, final or expired' using errcode = '22023';
  end if;
  update public.media_files f
     set status = case when p_kind = 'expired' then 'expired' else 'failed' end::public.media_status,
         error = left(p_reason, 1000), locked_until = null,
         next_attempt_at = case when p_kind = 'retry' and f.attempts < 8
                                then now() + private.backoff(f.attempts, 30, 21600) end
   where f.id = p_id and f.status in ('pending', 'failed');
  return found;
end
$$;

-- The media function's outcomes in one transaction: [{id, kind: stored,
-- path, url, sha256, size, mime} | {id, kind: retry | final | expired,
-- reason}]. Returns how many files moved.
create function private.media_results(p jsonb)
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  r jsonb;
  n integer := 0;
begin
  for r in select * from jsonb_array_elements(p) loop
    if r ->> 'kind' = 'stored' then
      n := n + private.media_fetched((r ->> 'id')::uuid, r ->> 'path', r ->> 'url', r ->> 'sha256',
                                     (r ->> 'size')::bigint, r ->> 'mime')::integer;
    else
      n := n + private.media_fetch_failed((r ->> 'id')::uuid, r ->> 'reason', r ->> 'kind')::integer;
    end if;
  end loop;
  return n;
end
$$;

-- Statuses only move forward, whoever writes.
create function private.check_media_transition()
returns trigger
language plpgsql set search_path = ''
as $$
begin
  if new.status is distinct from old.status and not (
       (old.status in ('pending', 'failed') and new.status in ('stored', 'failed', 'expired'))
    or (old.status = 'stored' and new.status = 'removed')) then
    raise exception 'media cannot go from % to %', old.status, new.status using errcode = '22023';
  end if;
  return new;
end
$$;

-- Objects no media_files row uses any more are queued for removal: after a
-- delete (a message, contact, conversation or channel going) or a removal
-- by retention.
create function private.queue_unused_objects()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into private.storage_removals (bucket_id, name, reason)
  select distinct 'media', o.storage_path, case when tg_op = 'DELETE' then 'no longer used' else 'retention' end
    from old_rows o
   where o.storage_path is not null and o.status = 'stored'
     -- An issued invoice's PDF (finance) lives as long as the invoice, not as its messages.
     and o.storage_path !~ '^[^/]+/invoices/'
     and not exists (select 1 from public.media_files f where f.storage_path = o.storage_path and f.status = 'stored')
  on conflict (bucket_id, name) do nothing;
  if found then
    perform private.poke_media();
  end if;
  return null;
end
$$;

create function private.queue_unused_avatars()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into private.storage_removals (bucket_id, name, reason)
  select 'avatars', o.avatar_path, 'contact deleted' from old_rows o where o.avatar_path is not null
  on conflict (bucket_id, name) do nothing;
  if found then
    perform private.poke_media();
  end if;
  return null;
end
$$;

create function private.claim_storage_removals(p_limit integer default 100)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  out jsonb;
begin
  with due as (
    select r.id from private.storage_removals r
     where r.next_attempt_at <= now() order by r.next_attempt_at limit p_limit for update skip locked
  ), leased as (
    update private.storage_removals r
       set attempts = r.attempts + 1, next_attempt_at = now() + private.backoff(r.attempts + 1, 60, 86400)
      from due where r.id = due.id
    returning r.id, r.bucket_id, r.name
  )
  select coalesce(jsonb_agg(jsonb_build_object('id', l.id, 'bucket_id', l.bucket_id, 'name', l.name)), '[]'::jsonb)
    into out from leased l;
  return out;
end
$$;

create function private.storage_removals_done(p_ids bigint[])
returns integer
language sql security definer set search_path = ''
as $$
  with gone as (delete from private.storage_removals r where r.id = any (p_ids) returning 1)
  select count(*)::integer from gone
$$;

-- Of the claimed removals, those still unused; an object used again since
-- it was queued (the same file received anew) is kept and leaves the queue.
create function private.storage_removals_still_unused(p_ids bigint[])
returns bigint[]
language plpgsql security definer set search_path = ''
as $$
declare
  used bigint[];
begin
  select coalesce(array_agg(r.id), '{}') into used
    from private.storage_removals r
   where r.id = any (p_ids)
     and ((r.bucket_id = 'media' and exists (select 1 from public.media_files f
                                               where f.storage_path = r.name and f.status = 'stored'))
       or (r.bucket_id = 'avatars' and exists (select 1 from public.contacts c where c.avatar_path = r.name)));
  delete from private.storage_removals r where r.id = any (used);
  return array(select x from unnest(p_ids) x where x <> all (used));
end
$$;

-- Outbound: the stored object a message names, checked against the
-- message's own workspace (so nothing is said about any other), with its
-- type and name filled in from the object when the sender left them out.
create function private.attach_stored_media(m public.messages, p_workspace uuid)
returns public.messages
language plpgsql security definer set search_path = ''
as $$
declare
  meta jsonb;
begin
  if m.media_path !~ ('^' || p_workspace::text || '/[^/]') or m.media_path ~ '(^|/)\.\.?(/|$)' then
    raise exception 'media_path is the name of a file in this workspace''s folder of the media bucket (%/...)',
      p_workspace using errcode = '22023';
  end if;
  select o.metadata into meta from storage.objects o where o.bucket_id = 'media' and o.name = m.media_path;
  if not found then
    raise exception 'no file % in the media bucket', m.media_path using errcode = 'P0002';
  end if;
  m.media_mime_type := coalesce(m.media_mime_type, meta ->> 'mimetype');
  m.media_filename := coalesce(m.media_filename, (select f.file_name from public.media_files f
                                                    where f.storage_path = m.media_path and f.file_name is not null
                                                    limit 1),
                               regexp_replace(m.media_path, '^.*/', ''));
  m.media_size := coalesce(m.media_size, (meta ->> 'size')::bigint);
  return m;
end
$$;

-- Each outbound message with a stored file gets its media_files row, which
-- keeps the object alive while the message exists.
create function private.record_outbound_media()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.media_files (workspace_id, channel_id, message_id, storage_path, storage_url, mime_type,
                                  file_name, size_bytes, sha256, status, stored_at, next_attempt_at)
  select n.workspace_id, n.channel_id, n.id, n.media_path,
         (select f.storage_url from public.media_files f where f.storage_path = n.media_path limit 1),
         n.media_mime_type, n.media_filename, n.media_size,
         (select f.sha256 from public.media_files f where f.storage_path = n.media_path and f.sha256 is not null limit 1),
         'stored', now(), null
    from new_rows n
   where n.media_path is not null and n.direction = 'outbound';
  return null;
end
$$;

-- Avatars -------------------------------------------------------------------------

-- A new person on an Evolution or GOWA channel, or a changed picture URL,
-- is fetched; a contact's picture is asked for at most once a day.
create function private.queue_avatars()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  changed uuid[];
begin
  if tg_op = 'UPDATE' then
    select array_agg(n.id) into changed
      from new_rows n join old_rows o on o.id = n.id
     where n.profile_picture_url is distinct from o.profile_picture_url;
    if changed is null then
      return null;
    end if;
  end if;
  insert into private.avatar_jobs as j (contact_id, workspace_id, channel_id, external_id, picture_url, next_attempt_at)
  select distinct on (n.contact_id) n.contact_id, n.workspace_id, n.channel_id, n.external_id, n.profile_picture_url,
         greatest(now(), c.avatar_fetched_at + interval '1 day')
    from new_rows n
    join public.channels ch on ch.id = n.channel_id and ch.provider in ('evolution', 'whatsmeow')
    join public.contacts c on c.id = n.contact_id
   where n.external_id !~ '@(g\.us|broadcast|newsletter)$'
     and (changed is null or n.id = any (changed))
   order by n.contact_id
  on conflict (contact_id) do update
     set picture_url = coalesce(excluded.picture_url, j.picture_url), channel_id = excluded.channel_id,
         external_id = excluded.external_id;
  if found then
    perform private.poke_media();
  end if;
  return null;
end
$$;

create function private.claim_avatars(p_worker text, p_limit integer default 20, p_lease_seconds integer default 120)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  out jsonb;
begin
  with due as (
    select j.contact_id from private.avatar_jobs j
     where j.next_attempt_at <= now() and (j.locked_until is null or j.locked_until < now())
     order by j.next_attempt_at limit p_limit for update skip locked
  ), claimed as (
    update private.avatar_jobs j
       set locked_until = now() + make_interval(secs => p_lease_seconds), attempts = j.attempts + 1
      from due where j.contact_id = due.contact_id
    returning j.*
  )
  select coalesce(jsonb_agg(jsonb_build_object(
           'contact_id', c.contact_id, 'workspace_id', c.workspace_id, 'external_id', c.external_id,
           'picture_url', c.picture_url, 'attempts', c.attempts, 'channel_id', c.channel_id)), '[]'::jsonb)
    into out from claimed c;
  return out;
end
$$;

-- p_path null: the person shows no picture (or hides it); the contact keeps
-- what it had and is asked again in a day.
create function private.avatar_fetched(p_contact uuid, p_path text, p_url text)
returns boolean
language plpgsql security definer set search_path = ''
as $$
begin
  update public.contacts c
     set avatar_fetched_at = now(),
         avatar_path = coalesce(p_path, c.avatar_path),
         avatar_url = case when p_path is not null then p_url else c.avatar_url end
   where c.id = p_contact;
  delete from private.avatar_jobs j where j.contact_id = p_contact;
  return found;
end
$$;

create function private.avatar_failed(p_contact uuid, p_reason text)
returns boolean
language plpgsql security definer set search_path = ''
as $$
begin
  update private.avatar_jobs j
     set locked_until = null, next_attempt_at = now() + private.backoff(j.attempts, 300, 86400)
   where j.contact_id = p_contact and j.attempts < 5;
  if not found then
    -- Given up until tomorrow's refresh.
    delete from private.avatar_jobs j where j.contact_id = p_contact;
    update public.contacts c set avatar_fetched_at = now() where c.id = p_contact;
  end if;
  raise log 'avatar of contact % not fetched: %', p_contact, left(p_reason, 300);
  return true;
end
$$;

-- Minute tick ---------------------------------------------------------------------

-- Contacts who wrote in the last day and whose picture is a day old are
-- asked again (bounded per tick).
create function private.refresh_avatars(p_limit integer default 200)
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  n integer;
begin
  insert into private.avatar_jobs (contact_id, workspace_id, channel_id, external_id, picture_url)
  select distinct on (c.id) c.id, c.workspace_id, i.channel_id, i.external_id, null
    from public.contacts c
    join public.contact_identities i on i.contact_id = c.id
    join public.channels ch on ch.id = i.channel_id and ch.provider in ('evolution', 'whatsmeow') and ch.is_active
   where c.last_message_at > now() - interval '1 day'
     and (c.avatar_fetched_at is null or c.avatar_fetched_at < now() - interval '1 day')
     and i.external_id !~ '@(g\.us|broadcast|newsletter)$'
     and not exists (select 1 from private.avatar_jobs j where j.contact_id = c.id)
   order by c.id, i.last_seen_at desc nulls last
   limit p_limit
  on conflict (contact_id) do nothing;
  get diagnostics n = row_count;
  return n;
end
$$;

-- Stored files older than their workspace keeps media become `removed`, in
-- bounded batches; their objects are queued for removal by the trigger.
create function private.apply_media_retention(p_batch integer default 2000)
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  n integer;
begin
  with old as (
    select f.id from public.workspaces w
      cross join lateral (
        select f.id from public.media_files f
         where f.workspace_id = w.id and f.status = 'stored'
           and f.stored_at < now() - make_interval(days => w.media_retention_days)
         limit p_batch) f
     where w.media_retention_days is not null
     limit p_batch
  )
  update public.media_files f set status = 'removed', error = 'removed by the workspace''s media retention'
    from old where f.id = old.id;
  get diagnostics n = row_count;
  return n;
end
$$;

-- Wakes the media function when anything is due (a poke lost to a restart,
-- a retry whose time came).
create function private.sweep_media()
returns integer
language plpgsql security definer set search_path = ''
as $$
begin
  if exists (select 1 from public.media_files f where f.next_attempt_at <= now() and f.status in ('pending', 'failed')
                and (f.locked_until is null or f.locked_until < now()))
     or exists (select 1 from private.avatar_jobs j where j.next_attempt_at <= now()
                   and (j.locked_until is null or j.locked_until < now()))
     or exists (select 1 from private.storage_removals r where r.next_attempt_at <= now()) then
    perform private.poke_media();
    return 1;
  end if;
  return 0;
end
$$;

insert into private.tick_steps (name, fn, position) values
  ('media_retention', 'private.apply_media_retention', 60),
  ('avatars_refreshed', 'private.refresh_avatars', 61),
  ('media_swept', 'private.sweep_media', 62);

-- ==========================================================================
-- Triggers
-- ==========================================================================

create trigger set_updated_at before update on public.media_files
  for each row execute function private.set_updated_at();
create trigger check_media_transition before update of status on public.media_files
  for each row execute function private.check_media_transition();
create trigger poke_media after insert on public.media_files
  referencing new table as new_rows for each statement execute function private.poke_media_on_insert();
create trigger queue_unused_objects_on_delete after delete on public.media_files
  referencing old table as old_rows for each statement execute function private.queue_unused_objects();
create trigger queue_unused_objects_on_removal after update on public.media_files
  referencing old table as old_rows for each statement execute function private.queue_unused_objects();
create trigger record_outbound_media after insert on public.messages
  referencing new table as new_rows for each statement execute function private.record_outbound_media();
create trigger queue_avatars_on_insert after insert on public.contact_identities
  referencing new table as new_rows for each statement execute function private.queue_avatars();
create trigger queue_avatars_on_update after update on public.contact_identities
  referencing old table as old_rows new table as new_rows for each statement execute function private.queue_avatars();
create trigger queue_unused_avatars after delete on public.contacts
  referencing old table as old_rows for each statement execute function private.queue_unused_avatars();

-- ==========================================================================
-- Row level security and grants
-- ==========================================================================

alter table public.media_files enable row level security;
alter table public.media_files alter column workspace_id set (n_distinct = 500);
revoke all on public.media_files from anon, authenticated;
grant select on public.media_files to authenticated;

create policy media_files_select on public.media_files for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));

-- Storage. Object names start with the workspace id; the policies compare
-- that folder as text (a name that is not a uuid simply matches nothing).
create policy media_read on storage.objects for select to authenticated
  using (bucket_id in ('media', 'avatars')
         and (storage.foldername(name))[1] = any (array(select private.workspaces_with_role('viewer')::text)));

create policy media_upload on storage.objects for insert to authenticated
  with check (bucket_id = 'media' and (storage.foldername(name))[2] = 'uploads'
              and (storage.foldername(name))[1] = any (array(select private.workspaces_with_role('member')::text)));

create policy media_replace on storage.objects for update to authenticated
  using (bucket_id = 'media' and (storage.foldername(name))[2] = 'uploads'
         and (storage.foldername(name))[1] = any (array(select private.workspaces_with_role('member')::text)))
  with check (bucket_id = 'media' and (storage.foldername(name))[2] = 'uploads'
              and (storage.foldername(name))[1] = any (array(select private.workspaces_with_role('member')::text)));

-- A member removes their own uploads; admins any upload of the workspace.
-- Received files go only when nothing uses them (queued above).
create policy media_delete on storage.objects for delete to authenticated
  using (bucket_id = 'media' and (storage.foldername(name))[2] = 'uploads'
         and ((owner_id = (select auth.uid()::text)
               and (storage.foldername(name))[1] = any (array(select private.workspaces_with_role('member')::text)))
           or (storage.foldername(name))[1] = any (array(select private.workspaces_with_role('admin')::text))));

revoke all on function private.poke_media(), private.poke_media_on_insert(), private.claim_media(text, integer, integer, integer), private.due_media(integer),
  private.sha256_hex(text), private.media_results(jsonb), private.media_fetched(uuid, text, text, text, bigint, text),
  private.media_fetch_failed(uuid, text, text), private.check_media_transition(), private.queue_unused_objects(),
  private.queue_unused_avatars(), private.claim_storage_removals(integer),
  private.storage_removals_done(bigint[]), private.storage_removals_still_unused(bigint[]),
  private.attach_stored_media(public.messages, uuid), private.record_outbound_media(), private.queue_avatars(),
  private.claim_avatars(text, integer, integer), private.avatar_fetched(uuid, text, text),
  private.avatar_failed(uuid, text), private.refresh_avatars(integer), private.apply_media_retention(integer),
  private.sweep_media() from public;
