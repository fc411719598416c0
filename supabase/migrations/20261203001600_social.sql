-- Module: social
--
-- The public side of Threadline: posts (feeds) by a person or a workspace,
-- the follow graph their `followers` visibility needs, reactions (likes,
-- nested comments, comment likes, shares), views, timelines and the public
-- faces of profiles and workspaces. It is the only module whose rows people
-- outside a workspace (and anonymous visitors) may read, so each policy
-- says exactly who reads what:
--
--   * a post: its author; every member of its workspace (viewers read,
--     members and up write); once published, everyone when public
--     (anon included), the followers of its workspace (or, for a personal
--     post, of its author) when followers-only; nobody else when private.
--   * follows: the follower and the followed (a followed workspace's
--     members); counts are public through public_profiles/public_workspaces.
--   * reactions: whoever may see the post reads them and may add their own.
--
-- Counters: likes, comments and shares are counted per statement by AFTER
-- triggers over transition tables into a delta table (one row per post per
-- statement, an insert that locks nothing shared), folded into the post
-- row by the minute tick; readers add the pending deltas (feed_counts), so
-- a count is exact once its statement commits and a burst of likes on one
-- post never queues on that post's row. Views are batched by the client
-- (record_feed_views with the ids it showed) into an unlogged buffer the
-- tick folds the same way.
--
-- Errors: 22023 bad value, 55000 wrong state, 42501 not allowed,
-- P0002 not found, 23505 duplicate.

-- ==========================================================================
-- Types
-- ==========================================================================

create type public.feed_type as enum ('image', 'video', 'carousel');
comment on type public.feed_type is 'What a post shows: one image, one video, or a carousel of 2 to 10 items.';
create type public.feed_visibility as enum ('public', 'followers', 'private');
comment on type public.feed_visibility is 'Who reads a published post: everyone (anonymous visitors too), followers of its workspace (or of its author for a personal post), or only its author and workspace.';
create type public.feed_status as enum ('draft', 'published', 'archived', 'deleted');
comment on type public.feed_status is 'draft -> published -> archived (-> published again); deleted (soft delete) from any state, for good.';
create type public.feed_share_target as enum ('internal', 'instagram', 'tiktok');
comment on type public.feed_share_target is 'Where a post was shared: inside Threadline, to Instagram or to TikTok.';

-- ==========================================================================
-- Tables
-- ==========================================================================

create table public.feeds (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  workspace_id uuid references public.workspaces (id) on delete cascade,
  feed_type public.feed_type not null,
  caption text check (char_length(caption) <= 2200),
  media_paths text[] not null check (cardinality(media_paths) between 1 and 10),
  thumbnail_path text,
  tags text[] not null default '{}' check (cardinality(tags) <= 30),
  location jsonb check (jsonb_typeof(location) = 'object'),
  visibility public.feed_visibility not null default 'public',
  status public.feed_status not null default 'draft',
  view_count bigint not null default 0,
  like_count integer not null default 0,
  comment_count integer not null default 0,
  share_count integer not null default 0,
  created_at timestamptz not null default now(),
  published_at timestamptz,
  updated_at timestamptz not null default now(),
  check (feed_type = 'carousel' or cardinality(media_paths) = 1),
  check (feed_type <> 'carousel' or cardinality(media_paths) >= 2),
  check ((status = 'draft') = (published_at is null))
);
comment on table public.feeds is 'Posts (seed 004 feeds): by a person (workspace_id null) or posted as a workspace by one of its members. Media are objects in the media bucket.';
comment on column public.feeds.user_id is 'The author (the signed-in user who wrote it).';
comment on column public.feeds.workspace_id is 'The workspace the post is published as (its members manage it), or null for a personal post of the author.';
comment on column public.feeds.feed_type is 'image or video (one media path) or carousel (2 to 10).';
comment on column public.feeds.caption is 'Text under the post, up to 2,200 characters (Instagram''s limit, so it cross-posts unchanged).';
comment on column public.feeds.media_paths is 'Objects in the media bucket, in display order: <workspace id>/... of the post''s workspace (a personal post: of a workspace where the author is a member). Checked to exist.';
comment on column public.feeds.thumbnail_path is 'Optional cover image (media bucket, same folder rule as media_paths), e.g. for a video.';
comment on column public.feeds.tags is 'Hashtags without #, lowercase (stored as given after trimming a leading #), at most 30.';
comment on column public.feeds.location is 'Where it was made, as a JSON object, e.g. {"name": "Sao Paulo", "lat": -23.55, "lng": -46.63}.';
comment on column public.feeds.visibility is 'public, followers or private; see feed_visibility.';
comment on column public.feeds.status is 'draft, published, archived or deleted (soft delete); transitions checked by the database.';
comment on column public.feeds.view_count is 'Views folded by the minute tick; feed_counts() adds the pending ones.';
comment on column public.feeds.like_count is 'Likes folded by the minute tick; feed_counts() (and the timeline functions) add the pending deltas, exact at commit.';
comment on column public.feeds.comment_count is 'Comments not deleted, folded by the tick; read exact through feed_counts().';
comment on column public.feeds.share_count is 'Shares, folded by the tick; read exact through feed_counts().';
comment on column public.feeds.published_at is 'Set by the database when first published; kept when archived and published again. Timelines order by it.';

create table public.follows (
  id uuid primary key default gen_random_uuid(),
  follower_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  followed_user_id uuid references public.profiles (id) on delete cascade,
  followed_workspace_id uuid references public.workspaces (id) on delete cascade,
  created_at timestamptz not null default now(),
  check (num_nonnulls(followed_user_id, followed_workspace_id) = 1),
  check (followed_user_id <> follower_id),
  unique (follower_id, followed_user_id),
  unique (follower_id, followed_workspace_id)
);
comment on table public.follows is 'The follow graph (no seed table): a person follows a person or a workspace. Followers read followers-only posts and see them in their home timeline.';
comment on column public.follows.follower_id is 'Who follows (the signed-in user).';
comment on column public.follows.followed_user_id is 'The person followed (exactly one of the two targets is set; never oneself).';
comment on column public.follows.followed_workspace_id is 'The workspace followed.';

-- ==========================================================================
-- Indexes
-- ==========================================================================

-- Timelines: newest published first, keyset on (published_at, id).
create index feeds_published_idx on public.feeds (published_at desc, id desc) where status = 'published';
create index feeds_workspace_published_idx on public.feeds (workspace_id, published_at desc, id desc) where status = 'published';
create index feeds_user_published_idx on public.feeds (user_id, published_at desc, id desc) where status = 'published';
create index feeds_workspace_id_idx on public.feeds (workspace_id, created_at desc);
create index feeds_user_id_idx on public.feeds (user_id, created_at desc);
-- Storage's read policy asks whether an object belongs to a visible post.
create index feeds_media_paths_idx on public.feeds using gin (media_paths);
create index feeds_tags_idx on public.feeds using gin (tags) where status = 'published';

create index follows_followed_user_idx on public.follows (followed_user_id) where followed_user_id is not null;
create index follows_followed_workspace_idx on public.follows (followed_workspace_id) where followed_workspace_id is not null;

-- ==========================================================================
-- Functions
-- ==========================================================================

-- Whom the caller follows. Security definer and PL/pgSQL for the reason
-- workspaces_with_role is: policies call them once per statement.
create function private.followed_user_ids()
returns setof uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query select f.followed_user_id from public.follows f
                where f.follower_id = (select auth.uid()) and f.followed_user_id is not null;
end
$$;
comment on function private.followed_user_ids() is 'People the caller follows (for followers-only posts and the home timeline).';

create function private.followed_workspace_ids()
returns setof uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query select f.followed_workspace_id from public.follows f
                where f.follower_id = (select auth.uid()) and f.followed_workspace_id is not null;
end
$$;
comment on function private.followed_workspace_ids() is 'Workspaces the caller follows (for followers-only posts and the home timeline).';

-- A media path a post may name: an object of the media bucket in the
-- folder of the post's workspace, or for a personal post of a workspace
-- where the author is a member (a member may read it already, so posting
-- it tells nobody anything new). Said as for outbound media.
create function private.check_feed_media_path(p_path text, p_workspace uuid, p_author uuid, p_column text)
returns void
language plpgsql stable security definer set search_path = ''
as $$
declare
  folder uuid;
begin
  if p_path is null or p_path !~ '^[0-9a-f-]{36}/[^/]' or p_path ~ '(^|/)\.\.?(/|$)' then
    raise exception '% must name files in a workspace''s folder of the media bucket (<workspace id>/...), not "%"',
      p_column, p_path using errcode = '22023';
  end if;
  folder := split_part(p_path, '/', 1)::uuid;
  if p_workspace is not null and folder <> p_workspace then
    raise exception '% of a workspace post must be in that workspace''s folder (%/...)', p_column, p_workspace
      using errcode = '22023';
  end if;
  if p_workspace is null and not exists (select 1 from public.workspace_members m
                                          where m.workspace_id = folder and m.user_id = p_author
                                            and m.status = 'active') then
    raise exception '% of a personal post must be in the folder of one of your workspaces', p_column
      using errcode = '22023';
  end if;
  if not exists (select 1 from storage.objects o where o.bucket_id = 'media' and o.name = p_path) then
    raise exception 'no file % in the media bucket', p_path using errcode = 'P0002';
  end if;
end
$$;
comment on function private.check_feed_media_path(text, uuid, uuid, text) is
  'Refuses a post media path outside the post''s workspace folder (or the author''s workspaces for a personal post) or naming no stored object.';

-- Writes to a post, whatever the path: the writer's role first (before
-- anything about the row is looked at), then the media, the tags and the
-- status machine; published_at is the database's.
create function private.guard_feed()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  p text;
begin
  if tg_op = 'INSERT' then
    if new.workspace_id is not null then
      perform private.require_writer(new.workspace_id, 'member', 'feeds');
    elsif private.is_client() and new.user_id is distinct from (select auth.uid()) then
      raise exception 'new row violates row-level security policy for table "feeds"' using errcode = '42501';
    end if;
    if new.status not in ('draft', 'published') then
      raise exception 'a new post is a draft or published, not %', new.status using errcode = '55000';
    end if;
  else
    if new.user_id <> old.user_id or new.workspace_id is distinct from old.workspace_id then
      raise exception 'a post cannot change author or workspace' using errcode = '22023';
    end if;
    if old.status = 'deleted' then
      raise exception 'post % is deleted', old.id using errcode = '55000';
    end if;
    if new.status <> old.status and not (
         (old.status = 'draft' and new.status = 'published')
      or (old.status = 'published' and new.status = 'archived')
      or (old.status = 'archived' and new.status = 'published')
      or new.status = 'deleted') then
      raise exception 'a post cannot go from % to %', old.status, new.status using errcode = '55000',
        hint = 'draft -> published -> archived -> published; deleted from any state';
    end if;
  end if;
  if tg_op = 'INSERT' or new.media_paths is distinct from old.media_paths
     or new.thumbnail_path is distinct from old.thumbnail_path then
    foreach p in array new.media_paths loop
      perform private.check_feed_media_path(p, new.workspace_id, new.user_id, 'media_paths');
    end loop;
    if new.thumbnail_path is not null then
      perform private.check_feed_media_path(new.thumbnail_path, new.workspace_id, new.user_id, 'thumbnail_path');
    end if;
  end if;
  if tg_op = 'INSERT' or new.tags is distinct from old.tags then
    new.tags := array(select distinct lower(regexp_replace(btrim(t), '^#', '')) from unnest(new.tags) t
                       where btrim(t) <> '');
    if exists (select 1 from unnest(new.tags) t where t !~ '^[[:alnum:]_]{1,50}$') then
      raise exception 'tags are words of letters, digits and _ (up to 50 characters)' using errcode = '22023';
    end if;
  end if;
  if new.status = 'published' and (tg_op = 'INSERT' or old.published_at is null) then
    new.published_at := now();
  elsif tg_op = 'INSERT' then
    new.published_at := null;
  else
    new.published_at := old.published_at;
  end if;
  if tg_op = 'INSERT' then
    new.view_count := 0;
    new.like_count := 0;
    new.comment_count := 0;
    new.share_count := 0;
  end if;
  return new;
end
$$;
comment on function private.guard_feed() is
  'BEFORE INSERT/UPDATE on feeds: writer role, media paths, tags, status transitions; sets published_at.';

-- ==========================================================================
-- Triggers
-- ==========================================================================

create trigger feeds_guard before insert or update of user_id, workspace_id, media_paths, thumbnail_path, tags, status
  on public.feeds for each row execute function private.guard_feed();
create trigger feeds_updated_at before update of caption, media_paths, thumbnail_path, tags, location, visibility, status
  on public.feeds for each row execute function private.set_updated_at();
create trigger feeds_audit after insert or update of caption, media_paths, thumbnail_path, tags, location, visibility, status
  or delete on public.feeds for each row execute function private.audit_change('feed');

-- ==========================================================================
-- Row level security and grants
-- ==========================================================================

alter table public.feeds enable row level security;
alter table public.follows enable row level security;
alter table public.feeds alter column workspace_id set (n_distinct = 500);

grant usage on schema private to anon;
revoke all on public.feeds, public.follows from anon, authenticated;

grant select on public.feeds to anon, authenticated;
grant insert (id, user_id, workspace_id, feed_type, caption, media_paths, thumbnail_path, tags, location, visibility, status)
  on public.feeds to authenticated;
grant update (caption, media_paths, thumbnail_path, tags, location, visibility, status) on public.feeds to authenticated;

grant select, delete on public.follows to authenticated;
grant insert (id, follower_id, followed_user_id, followed_workspace_id) on public.follows to authenticated;

-- feeds: see the module header. No hard delete for clients: status
-- 'deleted' is the delete.
create policy feeds_select_anon on public.feeds for select to anon
  using (status = 'published' and visibility = 'public');
create policy feeds_select on public.feeds for select to authenticated
  using (user_id = (select auth.uid())
         or workspace_id = any (array(select private.workspaces_with_role('viewer')))
         or (status = 'published'
             and (visibility = 'public'
                  or (visibility = 'followers'
                      and (workspace_id = any (array(select private.followed_workspace_ids()))
                           or (workspace_id is null and user_id = any (array(select private.followed_user_ids()))))))));
create policy feeds_insert on public.feeds for insert to authenticated
  with check (user_id = (select auth.uid())
              and (workspace_id is null or workspace_id = any (array(select private.workspaces_with_role('member')))));
create policy feeds_update on public.feeds for update to authenticated
  using ((workspace_id is null and user_id = (select auth.uid()))
         or workspace_id = any (array(select private.workspaces_with_role('member'))))
  with check ((workspace_id is null and user_id = (select auth.uid()))
              or workspace_id = any (array(select private.workspaces_with_role('member'))));

-- follows: the follower and whoever is followed (a followed workspace's
-- members) see the edge; one follows and unfollows only oneself.
create policy follows_select on public.follows for select to authenticated
  using (follower_id = (select auth.uid())
         or followed_user_id = (select auth.uid())
         or followed_workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy follows_insert on public.follows for insert to authenticated
  with check (follower_id = (select auth.uid()));
create policy follows_delete on public.follows for delete to authenticated
  using (follower_id = (select auth.uid()));

revoke all on function private.followed_user_ids(), private.followed_workspace_ids(),
  private.check_feed_media_path(text, uuid, uuid, text), private.guard_feed() from public;
grant execute on function private.followed_user_ids(), private.followed_workspace_ids()
  to authenticated, service_role;
