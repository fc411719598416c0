-- ==========================================================================
-- Cross-posting: Instagram and TikTok accounts connected by a person or a
-- workspace (seed 004 social_media_connections), and posts published to
-- them (seed 004 feed_cross_posts).
--
-- Tokens live in Vault only, named like channel credentials
-- ('social:<connection id>:access_token' / ':refresh_token'); the private
-- table private.social_connection_tokens keeps the secret ids. No column,
-- view, RPC result or error message a client can reach carries a token.
--
-- The network side is the `social` Edge Function (functions/social): the
-- minute tick pokes it when a token is due for refresh, a cross-post is due
-- or a posted one's metrics are stale; it claims rows with a lease (so two
-- overlapping drains never post the same row twice), calls the platform and
-- records the outcome here.
-- ==========================================================================

create type public.social_platform as enum ('instagram', 'tiktok');
comment on type public.social_platform is 'The platforms a post can be cross-posted to.';

-- pending: waiting for its time (or the tick); scheduled: handed to the
-- platform (an Instagram container or a TikTok publish is being processed);
-- posted: live on the platform; failed: given up, with the platform's error.
create type public.cross_post_status as enum ('pending', 'scheduled', 'posted', 'failed');
comment on type public.cross_post_status is 'pending -> scheduled -> posted, or failed with the platform''s error.';

-- ==========================================================================
-- Tables
-- ==========================================================================

create table public.social_media_connections (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  workspace_id uuid references public.workspaces (id) on delete cascade,
  platform public.social_platform not null,
  platform_user_id text not null check (char_length(platform_user_id) between 1 and 200),
  username text check (char_length(username) <= 200),
  account_type text check (account_type in ('personal', 'business', 'creator')),
  permissions text[] not null default '{}',
  is_active boolean not null default true,
  inactive_reason text,
  token_expires_at timestamptz,
  refresh_token_expires_at timestamptz,
  token_refreshed_at timestamptz not null default now(),
  last_synced_at timestamptz,
  metadata jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object'),
  connected_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint social_media_connections_inactive_reason check (is_active or inactive_reason is not null)
);
comment on table public.social_media_connections is
  'Instagram and TikTok accounts connected by a person (workspace_id null) or for a workspace (seed 004). Tokens are in Vault, never in this table; connect with connect_social_account.';
comment on column public.social_media_connections.id is 'Connection id.';
comment on column public.social_media_connections.user_id is 'Who connected it; for a personal connection, the only person who reads and uses it.';
comment on column public.social_media_connections.workspace_id is 'The workspace it posts for (null: a personal connection). Members use it, admins manage it.';
comment on column public.social_media_connections.platform is 'instagram or tiktok.';
comment on column public.social_media_connections.platform_user_id is 'The account''s id on the platform: the Instagram professional account id, or TikTok''s open_id.';
comment on column public.social_media_connections.username is 'The account''s handle on the platform.';
comment on column public.social_media_connections.account_type is 'personal, business or creator, as the platform reports it.';
comment on column public.social_media_connections.permissions is 'Scopes granted, e.g. instagram_business_content_publish or video.publish.';
comment on column public.social_media_connections.is_active is 'False once the platform refused its token (refresh failed or token invalid); reconnect to use it again.';
comment on column public.social_media_connections.inactive_reason is 'Why it stopped working, in the platform''s words (no token in it).';
comment on column public.social_media_connections.token_expires_at is 'When the access token expires (Instagram long-lived: ~60 days; TikTok: 24 hours). The tick refreshes it before.';
comment on column public.social_media_connections.refresh_token_expires_at is 'When TikTok''s refresh token expires (365 days); null for Instagram, whose token refreshes itself.';
comment on column public.social_media_connections.token_refreshed_at is 'When the stored access token was issued (Instagram refuses to refresh a token younger than 24 hours).';
comment on column public.social_media_connections.last_synced_at is 'When metrics were last read with this connection.';
comment on column public.social_media_connections.metadata is 'What the platform said of the account (display name, avatar...); never tokens.';
comment on column public.social_media_connections.connected_at is 'When it was (last) connected.';
comment on column public.social_media_connections.updated_at is 'Last change.';

create unique index social_media_connections_account on public.social_media_connections
  (coalesce(workspace_id, '00000000-0000-0000-0000-000000000000'::uuid), user_id, platform, platform_user_id)
  where workspace_id is null;
create unique index social_media_connections_workspace_account on public.social_media_connections
  (workspace_id, platform, platform_user_id) where workspace_id is not null;
create index social_media_connections_user on public.social_media_connections (user_id);
create index social_media_connections_workspace on public.social_media_connections (workspace_id);
create index social_media_connections_refresh on public.social_media_connections (token_expires_at) where is_active;
alter table public.social_media_connections alter column workspace_id set (n_distinct = 500);

-- Vault secret ids of a connection's tokens; no API role reaches it.
create table private.social_connection_tokens (
  connection_id uuid primary key references public.social_media_connections (id) on delete cascade,
  access_token_secret uuid not null,
  refresh_token_secret uuid,
  refresh_claimed_until timestamptz
);
comment on table private.social_connection_tokens is 'Which Vault secrets hold a connection''s access and refresh tokens.';
comment on column private.social_connection_tokens.connection_id is 'The connection.';
comment on column private.social_connection_tokens.access_token_secret is 'vault.secrets id of the access token.';
comment on column private.social_connection_tokens.refresh_token_secret is 'vault.secrets id of the refresh token (TikTok), if any.';
comment on column private.social_connection_tokens.refresh_claimed_until is 'Lease of the social function refreshing the token (or, after a transient failure, when to try again), so two drains never refresh it twice.';

create table public.feed_cross_posts (
  id uuid primary key default gen_random_uuid(),
  feed_id uuid not null references public.feeds (id) on delete cascade,
  platform public.social_platform not null,
  social_connection_id uuid not null references public.social_media_connections (id) on delete cascade,
  workspace_id uuid references public.workspaces (id) on delete cascade,
  requested_by uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  platform_post_id text,
  platform_url text,
  platform_container_id text,
  status public.cross_post_status not null default 'pending',
  scheduled_for timestamptz not null default now(),
  posted_at timestamptz,
  error_message text,
  error_code text,
  platform_metrics jsonb not null default '{}' check (jsonb_typeof(platform_metrics) = 'object'),
  last_synced_at timestamptz,
  attempts integer not null default 0 check (attempts >= 0),
  next_attempt_at timestamptz not null default now(),
  claimed_until timestamptz,
  claimed_by text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint feed_cross_posts_posted check ((status = 'posted') = (posted_at is not null and platform_post_id is not null))
);
comment on table public.feed_cross_posts is
  'A post published (or to be published) to a connected Instagram or TikTok account (seed 004). Created by cross_post; the tick and the social function move it pending -> scheduled -> posted, or failed.';
comment on column public.feed_cross_posts.id is 'Cross-post id.';
comment on column public.feed_cross_posts.feed_id is 'The post.';
comment on column public.feed_cross_posts.platform is 'The connection''s platform.';
comment on column public.feed_cross_posts.social_connection_id is 'The account it goes to.';
comment on column public.feed_cross_posts.workspace_id is 'The connection''s workspace (null: a personal connection); who reads the row follows from it.';
comment on column public.feed_cross_posts.requested_by is 'Who asked for it.';
comment on column public.feed_cross_posts.platform_post_id is 'The post''s id on the platform (Instagram media id, TikTok post id) once posted.';
comment on column public.feed_cross_posts.platform_url is 'Where the post is seen on the platform.';
comment on column public.feed_cross_posts.platform_container_id is 'Instagram media container id or TikTok publish_id while the platform processes it; a retry continues it rather than uploading again.';
comment on column public.feed_cross_posts.status is 'pending (waiting for its time), scheduled (handed to the platform), posted, failed.';
comment on column public.feed_cross_posts.scheduled_for is 'When it is to be published (now by default).';
comment on column public.feed_cross_posts.posted_at is 'When the platform published it.';
comment on column public.feed_cross_posts.error_message is 'The platform''s error for the last failed attempt (for failed: why it was given up).';
comment on column public.feed_cross_posts.error_code is 'The platform''s error code (Instagram code/subcode, TikTok error.code).';
comment on column public.feed_cross_posts.platform_metrics is 'Likes, comments, views (and what else the platform reports) as last synced.';
comment on column public.feed_cross_posts.last_synced_at is 'When platform_metrics were read.';
comment on column public.feed_cross_posts.attempts is 'Attempts that met a transient error; at the limit it fails.';
comment on column public.feed_cross_posts.next_attempt_at is 'When the social function next works on it (backoff after a transient error, or a later look at a container being processed).';
comment on column public.feed_cross_posts.claimed_until is 'Lease of the social function working on it; no other drain touches it meanwhile.';
comment on column public.feed_cross_posts.claimed_by is 'Which function instance holds the lease.';
comment on column public.feed_cross_posts.created_at is 'When it was asked for.';
comment on column public.feed_cross_posts.updated_at is 'Last change.';

create index feed_cross_posts_feed on public.feed_cross_posts (feed_id);
create index feed_cross_posts_connection on public.feed_cross_posts (social_connection_id);
create index feed_cross_posts_workspace on public.feed_cross_posts (workspace_id);
create index feed_cross_posts_requested_by on public.feed_cross_posts (requested_by);
-- status leads: the claim's filter, and the withdraw policy's
create index feed_cross_posts_due on public.feed_cross_posts (status, next_attempt_at);
create index feed_cross_posts_sync on public.feed_cross_posts (last_synced_at nulls first) where status = 'posted';
alter table public.feed_cross_posts alter column workspace_id set (n_distinct = 500);

-- Retry policy; the operator (and tests) may shorten it.
create table private.cross_post_settings (
  id boolean primary key default true check (id),
  max_attempts integer not null default 5 check (max_attempts between 1 and 20),
  retry_base_seconds integer not null default 30 check (retry_base_seconds between 0 and 3600),
  processing_poll_seconds integer not null default 20 check (processing_poll_seconds between 0 and 3600),
  metrics_every interval not null default '1 hour'
);
insert into private.cross_post_settings default values;
comment on table private.cross_post_settings is 'One row: retries of transient errors (attempts, exponential backoff base), how often a container being processed is looked at, how often metrics are synced.';
comment on column private.cross_post_settings.id is 'Always true: one row.';
comment on column private.cross_post_settings.max_attempts is 'Transient errors tolerated before a cross-post fails.';
comment on column private.cross_post_settings.retry_base_seconds is 'Backoff: base * 2^(attempts-1) seconds.';
comment on column private.cross_post_settings.processing_poll_seconds is 'When to look again at a container the platform is still processing.';
comment on column private.cross_post_settings.metrics_every is 'How old platform_metrics may get before a sync.';

-- ==========================================================================
-- Tokens
-- ==========================================================================

create function private.social_secret_name(p_connection uuid, p_kind text)
returns text
language sql immutable set search_path = ''
as $$ select 'social:' || p_connection || ':' || p_kind $$;

-- Stores a connection's tokens in Vault (a null refresh token keeps the one stored).
create function private.put_social_tokens(p_connection uuid, p_access text, p_refresh text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  a uuid;
  r uuid;
begin
  if coalesce(char_length(p_access), 0) < 8 or (p_refresh is not null and char_length(p_refresh) < 8) then
    raise exception 'tokens must be strings of at least 8 characters' using errcode = '22023';
  end if;
  perform private.put_secret(private.social_secret_name(p_connection, 'access_token'), p_access,
                             format('access token of social connection %s', p_connection));
  select s.id into a from vault.secrets s where s.name = private.social_secret_name(p_connection, 'access_token');
  if p_refresh is not null then
    perform private.put_secret(private.social_secret_name(p_connection, 'refresh_token'), p_refresh,
                               format('refresh token of social connection %s', p_connection));
  end if;
  select s.id into r from vault.secrets s where s.name = private.social_secret_name(p_connection, 'refresh_token');
  insert into private.social_connection_tokens (connection_id, access_token_secret, refresh_token_secret)
  values (p_connection, a, r)
  on conflict (connection_id) do update
    set access_token_secret = excluded.access_token_secret, refresh_token_secret = excluded.refresh_token_secret;
end
$$;

-- Service only: a connection's tokens, for the social function.
create function private.social_tokens(p_connection uuid)
returns table (access_token text, refresh_token text)
language sql stable security definer set search_path = ''
as $$
  select a.decrypted_secret, r.decrypted_secret
    from private.social_connection_tokens t
    join vault.decrypted_secrets a on a.id = t.access_token_secret
    left join vault.decrypted_secrets r on r.id = t.refresh_token_secret
   where t.connection_id = p_connection
$$;

-- A deleted connection takes its tokens with it.
create function private.drop_social_tokens()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  delete from vault.secrets s where s.name like 'social:' || old.id || ':%';
  return old;
end
$$;

-- ==========================================================================
-- Connecting
-- ==========================================================================

create function private.connect_social_account(
  p_platform public.social_platform, p_platform_user_id text, p_access_token text, p_refresh_token text,
  p_expires_in integer, p_refresh_expires_in integer, p_workspace uuid, p_username text, p_account_type text,
  p_permissions text[])
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  me uuid := private.require_user();
  conn uuid;
  expires timestamptz;
  refresh_expires timestamptz;
begin
  if p_workspace is not null and not private.has_workspace_role(p_workspace, 'admin') then
    raise exception 'workspace not found' using errcode = 'P0002',
      hint = 'Only admins of a workspace connect its accounts.';
  end if;
  if p_platform is null or coalesce(p_platform_user_id, '') = '' then
    raise exception 'give the platform and the account''s id on it' using errcode = '22023';
  end if;
  if p_expires_in is not null and p_expires_in <= 0 then
    raise exception 'expires_in must be a positive number of seconds' using errcode = '22023';
  end if;
  if p_platform = 'tiktok' and p_refresh_token is null then
    raise exception 'a TikTok connection needs its refresh token' using errcode = '22023',
      hint = 'TikTok access tokens last 24 hours; the refresh token keeps the connection alive.';
  end if;
  if p_workspace is null then
    select c.id into conn from public.social_media_connections c
     where c.workspace_id is null and c.user_id = me and c.platform = p_platform and c.platform_user_id = p_platform_user_id;
  else
    select c.id into conn from public.social_media_connections c
     where c.workspace_id = p_workspace and c.platform = p_platform and c.platform_user_id = p_platform_user_id;
  end if;
  expires := now() + make_interval(secs => coalesce(p_expires_in, case p_platform when 'instagram' then 5184000 else 86400 end));
  refresh_expires := case when p_refresh_token is not null
                          then now() + make_interval(secs => coalesce(p_refresh_expires_in, 31536000)) end;
  if conn is null then
    -- one statement, so the audit shows one connection
    insert into public.social_media_connections (user_id, workspace_id, platform, platform_user_id, username, account_type,
                                                 permissions, token_expires_at, refresh_token_expires_at)
    values (me, p_workspace, p_platform, p_platform_user_id, p_username, p_account_type, coalesce(p_permissions, '{}'),
            expires, refresh_expires)
    returning id into conn;
  else
    update public.social_media_connections c
       set username = coalesce(p_username, c.username), account_type = coalesce(p_account_type, c.account_type),
           permissions = coalesce(p_permissions, c.permissions), is_active = true, inactive_reason = null,
           token_expires_at = expires, refresh_token_expires_at = refresh_expires,
           token_refreshed_at = now(), connected_at = now(), user_id = me
     where c.id = conn;
  end if;
  perform private.put_social_tokens(conn, p_access_token, p_refresh_token);
  return conn;
end
$$;

create function public.connect_social_account(
  platform public.social_platform, platform_user_id text, access_token text, refresh_token text default null,
  expires_in integer default null, refresh_expires_in integer default null, workspace_id uuid default null,
  username text default null, account_type text default null, permissions text[] default null)
returns uuid
language sql security invoker set search_path = ''
as $$
  select private.connect_social_account(platform, platform_user_id, access_token, refresh_token, expires_in,
                                        refresh_expires_in, workspace_id, username, account_type, permissions)
$$;
comment on function public.connect_social_account(public.social_platform, text, text, text, integer, integer, uuid, text, text, text[]) is
  'Connects (or reconnects) an Instagram or TikTok account with the tokens of the platform''s OAuth code exchange: personal (workspace_id null) or for a workspace (admins). Tokens go to Vault and are never readable again. expires_in/refresh_expires_in in seconds as the platform answered them (defaults: Instagram 60 days; TikTok 24 hours and 365 days). Returns the connection id.';

-- ==========================================================================
-- Cross-posting
-- ==========================================================================

create function private.cross_post(p_feed uuid, p_connection uuid, p_scheduled_for timestamptz)
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  me uuid := private.require_user();
  c public.social_media_connections;
  f public.feeds;
  id uuid;
begin
  select * into c from public.social_media_connections x where x.id = p_connection;
  -- A connection the caller may not use is not found, whether it exists or not.
  if c.id is null
     or (c.workspace_id is null and c.user_id <> me)
     or (c.workspace_id is not null and not private.has_workspace_role(c.workspace_id, 'member')) then
    raise exception 'connection not found' using errcode = 'P0002';
  end if;
  select * into f from public.feeds x where x.id = p_feed;
  if f.id is null
     or (c.workspace_id is null and (f.workspace_id is not null or f.user_id <> me))
     or (c.workspace_id is not null and f.workspace_id is distinct from c.workspace_id) then
    raise exception 'post not found' using errcode = 'P0002',
      hint = 'A post goes to the accounts of whoever posted it: a workspace''s post to its connections, a personal post to its author''s.';
  end if;
  if f.status <> 'published' then
    raise exception 'only a published post can be cross-posted (this one is %)', f.status using errcode = '55000';
  end if;
  if not c.is_active then
    raise exception 'the % account @% is disconnected: %', c.platform, coalesce(c.username, c.platform_user_id), c.inactive_reason
      using errcode = '55000', hint = 'Connect it again (connect_social_account).';
  end if;
  if c.platform = 'instagram' and f.feed_type = 'carousel' and cardinality(f.media_paths) not between 2 and 10 then
    raise exception 'an Instagram carousel takes 2 to 10 items, this post has %', cardinality(f.media_paths) using errcode = '22023';
  end if;
  if p_scheduled_for is not null and p_scheduled_for > now() + interval '75 days' then
    raise exception 'schedule at most 75 days ahead' using errcode = '22023';
  end if;
  if exists (select 1 from public.feed_cross_posts x
              where x.feed_id = p_feed and x.social_connection_id = p_connection and x.status <> 'failed') then
    raise exception 'this post is already cross-posted (or queued) to that account' using errcode = '23505';
  end if;
  insert into public.feed_cross_posts (feed_id, platform, social_connection_id, workspace_id, requested_by,
                                       scheduled_for, next_attempt_at)
  values (p_feed, c.platform, c.id, c.workspace_id, me, coalesce(p_scheduled_for, now()),
          greatest(coalesce(p_scheduled_for, now()), now()))
  returning feed_cross_posts.id into id;
  if p_scheduled_for is null or p_scheduled_for <= now() then
    perform private.poke_function('social');
  end if;
  return id;
end
$$;

create function public.cross_post(feed_id uuid, connection_id uuid, scheduled_for timestamptz default null)
returns uuid
language sql security invoker set search_path = ''
as $$ select private.cross_post(feed_id, connection_id, scheduled_for) $$;
comment on function public.cross_post(uuid, uuid, timestamptz) is
  'Publishes a published post to a connected Instagram or TikTok account, now or at scheduled_for. The post must be the connection''s owner''s (a workspace''s post to its connections, a personal post to its author''s); members use workspace connections. Returns the feed_cross_posts id; follow its status.';

-- A post taken back from Threadline (deleted, archived, or anything but
-- published) takes back what has not gone out yet: its pending and
-- scheduled cross-posts fail, so the social function never publishes on
-- Instagram or TikTok what Threadline no longer shows. One being posted
-- at this moment (leased) may still land; publishing again does not
-- revive them (cross_post again).
create function private.withdraw_cross_posts()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.feed_cross_posts x
     set status = 'failed', error_message = format('the post was %s before it went out', new.status),
         error_code = null, claimed_until = null
   where x.feed_id = new.id and x.status in ('pending', 'scheduled');
  return null;
end
$$;

-- Service only: due cross-posts, leased to one worker; with what the
-- platform call needs (tokens included: this never reaches a client).
create function private.claim_cross_posts(p_worker text, p_limit integer, p_lease_seconds integer)
returns table (id uuid, platform public.social_platform, platform_user_id text, username text, access_token text,
               feed_type public.feed_type, visibility public.feed_visibility, caption text, media_paths text[],
               tags text[], container_id text, attempts integer)
language plpgsql security definer set search_path = ''
as $$
begin
  return query
  with due as (
    select x.id from public.feed_cross_posts x
     where x.status in ('pending', 'scheduled') and x.next_attempt_at <= now()
       and (x.claimed_until is null or x.claimed_until < now())
     order by x.next_attempt_at
     limit greatest(p_limit, 0)
       for update skip locked
  ), claimed as (
    update public.feed_cross_posts x
       set claimed_until = now() + make_interval(secs => p_lease_seconds), claimed_by = p_worker
      from due where x.id = due.id
    returning x.*
  )
  select cl.id, cl.platform, c.platform_user_id, c.username, t.access_token, f.feed_type, f.visibility, f.caption,
         f.media_paths, f.tags, cl.platform_container_id, cl.attempts
    from claimed cl
    join public.social_media_connections c on c.id = cl.social_connection_id
    join public.feeds f on f.id = cl.feed_id
    left join lateral private.social_tokens(c.id) t on true;
end
$$;

-- Service only: what became of a claimed cross-post. p_outcome.kind:
-- processing {container_id}: the platform holds it, look again later;
-- posted {post_id, url}; retry {error, code, container_id?}: transient
-- (backoff, fails at the limit); failed {error, code, invalid_token?}: permanent.
create function private.record_cross_post(p_id uuid, p_worker text, p_outcome jsonb)
returns public.cross_post_status
language plpgsql security definer set search_path = ''
as $$
declare
  s private.cross_post_settings;
  x public.feed_cross_posts;
  k text := p_outcome ->> 'kind';
  err text := left(p_outcome ->> 'error', 1000);
begin
  select * into s from private.cross_post_settings;
  select * into x from public.feed_cross_posts p where p.id = p_id and p.claimed_by = p_worker for update;
  if x.id is null or x.status in ('posted', 'failed') then
    return x.status;
  end if;
  if k = 'processing' then
    update public.feed_cross_posts p
       set status = 'scheduled', platform_container_id = coalesce(p_outcome ->> 'container_id', p.platform_container_id),
           next_attempt_at = now() + make_interval(secs => s.processing_poll_seconds), claimed_until = null
     where p.id = p_id;
    return 'scheduled';
  elsif k = 'posted' then
    update public.feed_cross_posts p
       set status = 'posted', platform_post_id = p_outcome ->> 'post_id', platform_url = p_outcome ->> 'url',
           posted_at = now(), error_message = null, error_code = null, claimed_until = null, last_synced_at = null
     where p.id = p_id;
    return 'posted';
  elsif k = 'retry' and x.attempts + 1 < s.max_attempts then
    update public.feed_cross_posts p
       set attempts = p.attempts + 1, error_message = err, error_code = p_outcome ->> 'code',
           platform_container_id = coalesce(p_outcome ->> 'container_id', p.platform_container_id),
           next_attempt_at = now() + make_interval(secs => s.retry_base_seconds * power(2, p.attempts)::integer),
           claimed_until = null
     where p.id = p_id;
    return x.status;
  end if;
  update public.feed_cross_posts p
     set status = 'failed', attempts = p.attempts + coalesce(k = 'retry', false)::integer, error_message = coalesce(err, 'failed'),
         error_code = p_outcome ->> 'code', claimed_until = null
   where p.id = p_id;
  if coalesce((p_outcome ->> 'invalid_token')::boolean, false) then
    perform private.deactivate_social_connection(x.social_connection_id, coalesce(err, 'the platform refused the token'));
  end if;
  return 'failed';
end
$$;

-- Service only: posted cross-posts whose metrics are stale, leased.
create function private.claim_cross_post_metrics(p_worker text, p_limit integer, p_lease_seconds integer)
returns table (id uuid, platform public.social_platform, platform_post_id text, access_token text)
language plpgsql security definer set search_path = ''
as $$
begin
  return query
  with due as (
    select x.id from public.feed_cross_posts x
      join public.social_media_connections c on c.id = x.social_connection_id and c.is_active
     where x.status = 'posted'
       and (x.last_synced_at is null or x.last_synced_at < now() - (select s.metrics_every from private.cross_post_settings s))
       and (x.claimed_until is null or x.claimed_until < now())
     order by x.last_synced_at nulls first
     limit greatest(p_limit, 0)
       for update of x skip locked
  ), claimed as (
    update public.feed_cross_posts x
       set claimed_until = now() + make_interval(secs => p_lease_seconds), claimed_by = p_worker
      from due where x.id = due.id
    returning x.*
  )
  select cl.id, cl.platform, cl.platform_post_id, t.access_token
    from claimed cl left join lateral private.social_tokens(cl.social_connection_id) t on true;
end
$$;

-- Service only: metrics read (null: the read failed; tried again next period).
create function private.record_cross_post_metrics(p_id uuid, p_worker text, p_metrics jsonb)
returns void
language sql security definer set search_path = ''
as $$
  update public.feed_cross_posts p
     set platform_metrics = coalesce(p_metrics, p.platform_metrics), last_synced_at = now(), claimed_until = null
   where p.id = p_id and p.claimed_by = p_worker;
  update public.social_media_connections c
     set last_synced_at = now()
    from public.feed_cross_posts p
   where p.id = p_id and c.id = p.social_connection_id and p_metrics is not null;
$$;

-- ==========================================================================
-- Token refresh
-- ==========================================================================

-- Connections whose token is to be refreshed now: Instagram's long-lived
-- token once it is a day old (Instagram refuses younger ones) and within a
-- week of expiry; TikTok's 24-hour access token within two hours of expiry
-- while its refresh token lives.
create function private.social_refresh_due()
returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select c.id from public.social_media_connections c
    join private.social_connection_tokens t on t.connection_id = c.id
   where c.is_active and c.token_expires_at < now() + interval '7 days'
     and (t.refresh_claimed_until is null or t.refresh_claimed_until < now())
     and case c.platform
           when 'instagram' then c.token_refreshed_at <= now() - interval '24 hours'
           else c.token_expires_at < now() + interval '2 hours'
         end
$$;

create function private.claim_social_refreshes(p_worker text, p_limit integer, p_lease_seconds integer)
returns table (id uuid, platform public.social_platform, access_token text, refresh_token text)
language plpgsql security definer set search_path = ''
as $$
begin
  return query
  with due as (
    select t.connection_id from private.social_connection_tokens t
     where t.connection_id in (select private.social_refresh_due())
     limit greatest(p_limit, 0)
       for update skip locked
  ), claimed as (
    update private.social_connection_tokens t
       set refresh_claimed_until = now() + make_interval(secs => p_lease_seconds)
      from due where t.connection_id = due.connection_id
    returning t.connection_id
  )
  select cl.connection_id, c.platform, k.access_token, k.refresh_token
    from claimed cl
    join public.social_media_connections c on c.id = cl.connection_id
    left join lateral private.social_tokens(cl.connection_id) k on true;
end
$$;

-- Marks a connection unusable and tells its owner once (the owner of a
-- workspace connection: who connected it).
create function private.deactivate_social_connection(p_connection uuid, p_reason text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  c public.social_media_connections;
begin
  update public.social_media_connections x
     set is_active = false, inactive_reason = left(coalesce(p_reason, 'the platform refused the token'), 500)
   where x.id = p_connection and x.is_active
  returning * into c;
  if c.id is null then
    return;
  end if;
  insert into public.notifications (user_id, workspace_id, type, title, body, action_url, reference_type, reference_id)
  values (c.user_id, c.workspace_id, 'social_connection_inactive',
          format('Reconnect %s @%s', initcap(c.platform::text), coalesce(c.username, c.platform_user_id)),
          format('Posts can no longer go to this account: %s', c.inactive_reason),
          '/settings/social/' || c.id, 'social_media_connection', c.id);
end
$$;

-- Service only: the outcome of a refresh. ok: the new tokens (a null
-- refresh token keeps the old one); else the platform's error (transient
-- errors leave the connection as it is, to be tried at the next tick).
create function private.record_social_refresh(p_connection uuid, p_result jsonb)
returns void
language plpgsql security definer set search_path = ''
as $$
begin
  if coalesce((p_result ->> 'ok')::boolean, false) then
    perform private.put_social_tokens(p_connection, p_result ->> 'access_token', p_result ->> 'refresh_token');
    update public.social_media_connections c
       set token_expires_at = now() + make_interval(secs => coalesce((p_result ->> 'expires_in')::integer, 86400)),
           refresh_token_expires_at = case when p_result ? 'refresh_expires_in'
                                           then now() + make_interval(secs => (p_result ->> 'refresh_expires_in')::integer)
                                           else c.refresh_token_expires_at end,
           token_refreshed_at = now()
     where c.id = p_connection;
    update private.social_connection_tokens t set refresh_claimed_until = null where t.connection_id = p_connection;
  elsif coalesce((p_result ->> 'transient')::boolean, false) then
    update private.social_connection_tokens t
       set refresh_claimed_until = now() + interval '5 minutes' where t.connection_id = p_connection;
  else
    perform private.deactivate_social_connection(p_connection, 'token refresh failed: ' || coalesce(p_result ->> 'error', 'unknown error'));
  end if;
end
$$;

-- Tick step: wake the social function when anything is due. Tokens past
-- expiry that cannot be refreshed any more are marked inactive here.
create function private.sweep_social()
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  c record;
  n integer := 0;
begin
  for c in select x.id from public.social_media_connections x
            where x.is_active and (x.token_expires_at <= now() or x.refresh_token_expires_at <= now())
              and (x.platform = 'instagram' or x.refresh_token_expires_at <= now()) loop
    perform private.deactivate_social_connection(c.id, 'the token expired');
    n := n + 1;
  end loop;
  if exists (select 1 from private.social_refresh_due())
     or exists (select 1 from public.feed_cross_posts x
                 where x.status in ('pending', 'scheduled') and x.next_attempt_at <= now()
                   and (x.claimed_until is null or x.claimed_until < now()))
     or exists (select 1 from public.feed_cross_posts x
                 where x.status = 'posted'
                   and (x.last_synced_at is null or x.last_synced_at < now() - (select s.metrics_every from private.cross_post_settings s))) then
    perform private.poke_function('social');
    n := n + 1;
  end if;
  return n;
end
$$;

insert into private.tick_steps (name, fn, position) values
  ('social_swept', 'private.sweep_social', 156);

-- ==========================================================================
-- Row level security and grants
-- ==========================================================================

alter table public.social_media_connections enable row level security;
alter table public.feed_cross_posts enable row level security;
alter table private.social_connection_tokens enable row level security;
alter table private.cross_post_settings enable row level security;

revoke all on public.social_media_connections, public.feed_cross_posts from anon, authenticated;
revoke all on private.social_connection_tokens, private.cross_post_settings from public, anon, authenticated;
-- No client writes either table directly: connect_social_account and
-- cross_post check what a row may say; removing one is a delete.
grant select, delete on public.social_media_connections, public.feed_cross_posts to authenticated;

-- Viewers see where the workspace's posts go; members use the accounts;
-- admins connect and remove them. A personal connection is its owner's alone.
create policy social_media_connections_select on public.social_media_connections for select to authenticated
  using ((workspace_id is null and user_id = (select auth.uid()))
         or workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy social_media_connections_delete on public.social_media_connections for delete to authenticated
  using ((workspace_id is null and user_id = (select auth.uid()))
         or workspace_id = any (array(select private.workspaces_with_role('admin'))));

-- A queued cross-post may be withdrawn by who asked for it or an admin.
create policy feed_cross_posts_select on public.feed_cross_posts for select to authenticated
  using ((workspace_id is null and requested_by = (select auth.uid()))
         or workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy feed_cross_posts_delete on public.feed_cross_posts for delete to authenticated
  using (status = 'pending'
         and ((workspace_id is null and requested_by = (select auth.uid()))
              or (workspace_id = any (array(select private.workspaces_with_role('member'))) and requested_by = (select auth.uid()))
              or workspace_id = any (array(select private.workspaces_with_role('admin')))));

revoke execute on function
  private.social_secret_name(uuid, text), private.put_social_tokens(uuid, text, text), private.social_tokens(uuid),
  private.drop_social_tokens(),
  private.connect_social_account(public.social_platform, text, text, text, integer, integer, uuid, text, text, text[]),
  private.cross_post(uuid, uuid, timestamptz), private.claim_cross_posts(text, integer, integer),
  private.record_cross_post(uuid, text, jsonb), private.claim_cross_post_metrics(text, integer, integer),
  private.record_cross_post_metrics(uuid, text, jsonb), private.social_refresh_due(),
  private.claim_social_refreshes(text, integer, integer), private.deactivate_social_connection(uuid, text),
  private.record_social_refresh(uuid, jsonb), private.sweep_social(), private.withdraw_cross_posts()
  from public;
grant execute on function
  private.connect_social_account(public.social_platform, text, text, text, integer, integer, uuid, text, text, text[]),
  private.cross_post(uuid, uuid, timestamptz)
  to authenticated, service_role;
grant execute on function
  private.social_tokens(uuid), private.claim_cross_posts(text, integer, integer), private.record_cross_post(uuid, text, jsonb),
  private.claim_cross_post_metrics(text, integer, integer), private.record_cross_post_metrics(uuid, text, jsonb),
  private.claim_social_refreshes(text, integer, integer), private.record_social_refresh(uuid, jsonb)
  to service_role;
revoke execute on function
  public.connect_social_account(public.social_platform, text, text, text, integer, integer, uuid, text, text, text[]),
  public.cross_post(uuid, uuid, timestamptz)
  from public, anon;
grant execute on function
  public.connect_social_account(public.social_platform, text, text, text, integer, integer, uuid, text, text, text[]),
  public.cross_post(uuid, uuid, timestamptz)
  to authenticated, service_role;

-- ==========================================================================
-- Triggers
-- ==========================================================================

create trigger set_updated_at before update on public.social_media_connections
  for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.feed_cross_posts
  for each row execute function private.set_updated_at();
create trigger drop_social_tokens after delete on public.social_media_connections
  for each row execute function private.drop_social_tokens();
create trigger withdraw_cross_posts after update of status on public.feeds
  for each row when (old.status = 'published' and new.status <> 'published')
  execute function private.withdraw_cross_posts();
create trigger audit after insert or update of user_id, username, account_type, permissions, is_active, inactive_reason,
  connected_at or delete on public.social_media_connections
  for each row execute function private.audit_change('social');
