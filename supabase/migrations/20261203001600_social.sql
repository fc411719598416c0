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
-- Schema
-- ==========================================================================

-- What a visitor's query may touch outside public, kept apart from private
-- (which anon never uses): the public cards and the narrow definer
-- functions the public views and record_feed_views call. Not exposed
-- through the API.
create schema visitor;
comment on schema visitor is 'Social module: the public cards and counting functions anonymous visitors'' queries reach through public views; not exposed through the API.';
revoke all on schema visitor from public;

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

create table public.feed_likes (
  id uuid primary key default gen_random_uuid(),
  feed_id uuid not null references public.feeds (id) on delete cascade,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  created_at timestamptz not null default now(),
  unique (feed_id, user_id)
);
comment on table public.feed_likes is 'Likes on posts (seed 004 feed_likes), one per person and post; counted into feeds.like_count per statement.';
comment on column public.feed_likes.feed_id is 'The post liked (one the liker may see).';
comment on column public.feed_likes.user_id is 'Who liked it (the signed-in user).';

create table public.feed_comments (
  id uuid primary key default gen_random_uuid(),
  feed_id uuid not null references public.feeds (id) on delete cascade,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  parent_comment_id uuid,
  content text check (char_length(content) between 1 and 2200),
  like_count integer not null default 0,
  is_edited boolean not null default false,
  is_deleted boolean not null default false,
  deleted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (id, feed_id),
  -- A reply belongs to the same post as its parent.
  foreign key (parent_comment_id, feed_id) references public.feed_comments (id, feed_id) on delete cascade,
  check (is_deleted = (content is null) and is_deleted = (deleted_at is not null))
);
comment on table public.feed_comments is 'Comments and replies on posts (seed 004 feed_comments). Deleting one is a soft delete: its text goes, its replies stay, and it shows as deleted.';
comment on column public.feed_comments.feed_id is 'The post commented on (one the commenter may see, published).';
comment on column public.feed_comments.user_id is 'Who wrote it (the signed-in user).';
comment on column public.feed_comments.parent_comment_id is 'The comment this replies to (same post), or null for a top-level comment.';
comment on column public.feed_comments.content is 'The text, 1 to 2,200 characters; null once deleted.';
comment on column public.feed_comments.like_count is 'Likes folded by the minute tick; the feed_comment_threads view adds the pending ones, exact at commit.';
comment on column public.feed_comments.is_edited is 'Set by the database when the author changes the text.';
comment on column public.feed_comments.is_deleted is 'Set (true) to delete: by the author, or by whoever manages the post (its author, its workspace''s members). For good.';
comment on column public.feed_comments.deleted_at is 'When it was deleted; set by the database.';

create table public.feed_comment_likes (
  id uuid primary key default gen_random_uuid(),
  comment_id uuid not null references public.feed_comments (id) on delete cascade,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  created_at timestamptz not null default now(),
  unique (comment_id, user_id)
);
comment on table public.feed_comment_likes is 'Likes on comments (no seed table; the seed''s feed_comments.like_count had nothing behind it), one per person and comment.';
comment on column public.feed_comment_likes.comment_id is 'The comment liked (not deleted, on a post the liker may see).';
comment on column public.feed_comment_likes.user_id is 'Who liked it (the signed-in user).';

create table public.feed_shares (
  id uuid primary key default gen_random_uuid(),
  feed_id uuid not null references public.feeds (id) on delete cascade,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  shared_to public.feed_share_target not null default 'internal',
  created_at timestamptz not null default now()
);
comment on table public.feed_shares is 'Shares of posts (seed 004 feed_shares): each one a row, counted into feeds.share_count.';
comment on column public.feed_shares.feed_id is 'The post shared (published, one the sharer may see).';
comment on column public.feed_shares.user_id is 'Who shared it (the signed-in user).';
comment on column public.feed_shares.shared_to is 'internal, instagram or tiktok.';

-- Counter deltas, one row per post per statement (never updated, so
-- concurrent reactions on one post never wait for each other); the tick
-- folds them into the post. Logged: a count must survive a crash.
create table private.feed_counter_deltas (
  id bigint generated always as identity primary key,
  feed_id uuid not null,
  likes integer not null default 0,
  comments integer not null default 0,
  shares integer not null default 0
);
comment on table private.feed_counter_deltas is 'Pending changes to feeds.like_count/comment_count/share_count, one row per post per statement; folded by the tick.';

create table private.comment_like_deltas (
  id bigint generated always as identity primary key,
  comment_id uuid not null,
  likes integer not null
);
comment on table private.comment_like_deltas is 'Pending changes to feed_comments.like_count, one row per comment per statement; folded by the tick.';

-- Views as batched by clients. Unlogged: a crash forgets at most a
-- minute of views, and the buffer costs no WAL.
create unlogged table private.feed_view_buffer (
  feed_id uuid not null,
  views integer not null
);
comment on table private.feed_view_buffer is 'Views not yet folded into feeds.view_count (one row per post per record_feed_views call).';

-- The public faces of people and workspaces, copied by trigger from the
-- rows they show (which stay closed): views over a copy need no security
-- definer view, and a visitor reads an indexed table.
create table visitor.profile_cards (
  id uuid primary key references public.profiles (id) on delete cascade,
  full_name text,
  username text,
  avatar_url text,
  business_type public.business_type,
  account_type public.account_type not null,
  listed boolean not null default false
);
comment on table visitor.profile_cards is 'Public fields of active profiles, kept by trigger; read through public.public_profiles.';
comment on column visitor.profile_cards.listed is 'Shown to everyone once the person put something in public (a published public post, a comment; on the marketplace a published product or a review); until then the card is theirs alone, so nobody can list who uses Threadline.';

create table visitor.workspace_cards (
  id uuid primary key references public.workspaces (id) on delete cascade,
  name text not null,
  slug text not null,
  business_type public.business_type,
  logo_url text,
  description text,
  listed boolean not null default false
);
comment on table visitor.workspace_cards is 'Public fields of workspaces, kept by trigger; read through public.public_workspaces.';
comment on column visitor.workspace_cards.listed is 'Shown to everyone once the workspace put something in public (a published public post; on the marketplace a published product); until then nobody outside can list it.';
create index workspace_cards_slug_idx on visitor.workspace_cards (slug);

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
create index feed_likes_user_id_idx on public.feed_likes (user_id, created_at desc);
create index feed_comments_feed_idx on public.feed_comments (feed_id, created_at);
create index feed_comments_parent_idx on public.feed_comments (parent_comment_id, feed_id) where parent_comment_id is not null;
create index feed_comments_user_id_idx on public.feed_comments (user_id);
create index feed_comment_likes_user_id_idx on public.feed_comment_likes (user_id);
create index feed_shares_feed_id_idx on public.feed_shares (feed_id, created_at desc);
create index feed_shares_user_id_idx on public.feed_shares (user_id);
create index feed_counter_deltas_feed_idx on private.feed_counter_deltas (feed_id);
create index comment_like_deltas_comment_idx on private.comment_like_deltas (comment_id);
create index feed_view_buffer_feed_idx on private.feed_view_buffer (feed_id);

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
-- where the author is a member or above: one who may publish as the
-- workspace anyway. A viewer reads the workspace's files but does not
-- publish them (a public post makes them anon's). Said as for outbound
-- media.
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
                                            and m.status = 'active' and m.role >= 'member') then
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

-- A follow names someone the follower may know of: a person or workspace
-- with a public face (a listed card), or one they see already (a
-- co-member, their own workspace, themselves). Anything else is "not
-- found" exactly as an id that does not exist, so following is no oracle
-- of who uses Threadline (the foreign keys, which run ahead of nothing
-- else here, told the two apart). Security invoker: the look goes through
-- the caller's RLS on the cards, profiles and workspaces, so it cannot
-- say more than those do. Runs ahead of the insert policy, hence its own
-- follower check first, worded as RLS words it.
create function private.check_follow_target()
returns trigger
language plpgsql set search_path = ''
as $$
declare
  uid uuid := (select auth.uid());
begin
  if uid is null then
    return new;  -- the service and the database's own jobs
  end if;
  if new.follower_id is distinct from uid then
    raise exception 'new row violates row-level security policy for table "follows"' using errcode = '42501';
  end if;
  if new.followed_user_id is not null
     and not exists (select 1 from visitor.profile_cards c where c.id = new.followed_user_id)
     and not exists (select 1 from public.profiles p where p.id = new.followed_user_id) then
    raise exception 'person not found' using errcode = 'P0002';
  end if;
  if new.followed_workspace_id is not null
     and not exists (select 1 from visitor.workspace_cards c where c.id = new.followed_workspace_id)
     and not exists (select 1 from public.workspaces w where w.id = new.followed_workspace_id) then
    raise exception 'workspace not found' using errcode = 'P0002';
  end if;
  return new;
end
$$;
comment on function private.check_follow_target() is
  'BEFORE INSERT on follows (clients): the target is one the follower may see (a public face, a co-member, their own workspace); anything else is not found, as an unknown id.';

-- Reactions -----------------------------------------------------------------

-- AFTER ... FOR EACH STATEMENT over the transition table `changed_rows`:
-- one delta row per post (or comment) the statement touched, in the
-- counter named by the trigger's argument (likes, comments, shares, or
-- comment_likes). Inserts count +1, deletes -1; rows going with their post
-- (or comment) leave nothing behind, and a comment deleted earlier (soft)
-- has left its count already.
create function private.count_reactions()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  sign integer := case tg_op when 'INSERT' then 1 else -1 end;
  kind text := tg_argv[0];
begin
  if kind = 'comment_likes' then
    insert into private.comment_like_deltas (comment_id, likes)
    select r.comment_id, sign * count(*) from changed_rows r
     where tg_op = 'INSERT' or exists (select 1 from public.feed_comments c where c.id = r.comment_id)
     group by r.comment_id;
    return null;
  end if;
  insert into private.feed_counter_deltas (feed_id, likes, comments, shares)
  select d.feed_id, case kind when 'likes' then d.n else 0 end, case kind when 'comments' then d.n else 0 end,
         case kind when 'shares' then d.n else 0 end
    from (select r.feed_id, sign * count(*) as n from changed_rows r
           where tg_op = 'INSERT'
              or (exists (select 1 from public.feeds f where f.id = r.feed_id)
                  and not coalesce((to_jsonb(r) ->> 'is_deleted')::boolean, false))
           group by r.feed_id) d;
  return null;
end
$$;
comment on function private.count_reactions() is
  'Statement-level AFTER INSERT/DELETE trigger of the reaction tables: one counter delta per post (comment) per statement, in the counter its argument names.';

-- A client's statement adds a counted row (a share, a view) once per
-- target: AFTER INSERT ... FOR EACH STATEMENT over `new_rows`, the target
-- column and the most rows a statement may hold as arguments. One request
-- then cannot add thousands to a counter (bulk inserts are a single
-- PostgREST call). The service and the database's own jobs are not held.
create function private.limit_counted_batch()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  col text := tg_argv[0];
  at_most integer := tg_argv[1]::integer;
  n bigint;
  dup record;
begin
  if not private.is_client() then
    return null;
  end if;
  select count(*) into n from new_rows;
  if n > at_most then
    raise exception '%: at most % rows a statement, not %', tg_table_name, at_most, n using errcode = '22023';
  end if;
  select to_jsonb(r) ->> col as target, count(*) as n into dup from new_rows r group by 1 having count(*) > 1 limit 1;
  if found then
    raise exception '%: a statement counts each % once (% rows for %)', tg_table_name, col, dup.n, dup.target
      using errcode = '22023';
  end if;
  return null;
end
$$;
comment on function private.limit_counted_batch() is
  'Statement-level AFTER INSERT trigger: a client statement names each target (argument 1) once and holds at most argument 2 rows.';

-- A soft delete takes the comment out of its post's count.
create function private.count_comment_deletions()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into private.feed_counter_deltas (feed_id, comments)
  select n.feed_id, -count(*)
    from new_rows n join old_rows o on o.id = n.id
   where n.is_deleted and not o.is_deleted
   group by n.feed_id;
  return null;
end
$$;
comment on function private.count_comment_deletions() is 'Statement-level AFTER UPDATE trigger of feed_comments: deleted comments leave the count.';

-- Comments: replies only to a live comment; edits are marked; a delete
-- blanks the text for good; only the author edits, while whoever manages
-- the post (its author, its workspace's members) may also delete.
create function private.guard_comment()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    if private.is_client() and new.user_id is distinct from (select auth.uid()) then
      raise exception 'new row violates row-level security policy for table "feed_comments"' using errcode = '42501';
    end if;
    new.is_edited := false;
    new.is_deleted := false;
    new.deleted_at := null;
    new.like_count := 0;
    return new;
  end if;
  if old.is_deleted then
    raise exception 'comment % is deleted', old.id using errcode = '55000';
  end if;
  if new.is_deleted then
    new.content := null;
    new.deleted_at := now();
  elsif new.content is distinct from old.content then
    if private.is_client() and old.user_id is distinct from (select auth.uid()) then
      raise exception 'only its author edits a comment' using errcode = '42501';
    end if;
    new.is_edited := true;
  end if;
  return new;
end
$$;
comment on function private.guard_comment() is 'BEFORE INSERT/UPDATE on feed_comments: author, is_edited, soft delete.';

-- A reply goes to a live comment. Security invoker, unlike the guard: it
-- runs ahead of the insert policy, so it looks at the parent through the
-- caller's RLS. A comment the caller cannot see is then unknown rather
-- than "deleted", and the insert meets RLS (or the same-post foreign key)
-- exactly as for an id that does not exist.
create function private.check_reply_parent()
returns trigger
language plpgsql set search_path = ''
as $$
begin
  if exists (select 1 from public.feed_comments c where c.id = new.parent_comment_id and c.is_deleted) then
    raise exception 'comment % is deleted; it takes no replies', new.parent_comment_id using errcode = '55000';
  end if;
  return new;
end
$$;
comment on function private.check_reply_parent() is
  'BEFORE INSERT on feed_comments (replies): the parent is not deleted, as far as the caller can see it.';

-- The post's author (not the one acting) hears of each comment; likes are
-- told in batches by the fold.
create function private.notify_comment()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.notifications (user_id, workspace_id, type, title, body, action_url, reference_type, reference_id)
  select f.user_id, f.workspace_id, 'feed_comment', 'New comment on your post',
         left(coalesce(p.full_name, 'Someone') || ': ' || n.content, 200), '/feeds/' || f.id, 'feed', f.id
    from new_rows n
    join public.feeds f on f.id = n.feed_id
    left join public.profiles p on p.id = n.user_id
   where n.user_id <> f.user_id;
  return null;
end
$$;
comment on function private.notify_comment() is 'Statement-level AFTER INSERT on feed_comments: the post''s author is notified of comments by others.';

-- Counters -------------------------------------------------------------------

-- What the tick has not folded yet for one post: added by every read path
-- so counts are exact at commit.
create function visitor.pending_feed_counts(p_feed uuid)
returns table (views bigint, likes bigint, comments bigint, shares bigint)
language plpgsql stable security definer set search_path = ''
as $$
begin
  return query
    select coalesce((select sum(b.views) from private.feed_view_buffer b where b.feed_id = p_feed), 0)::bigint,
           coalesce(sum(d.likes), 0)::bigint, coalesce(sum(d.comments), 0)::bigint, coalesce(sum(d.shares), 0)::bigint
      from private.feed_counter_deltas d where d.feed_id = p_feed;
end
$$;
comment on function visitor.pending_feed_counts(uuid) is 'Counter changes of a post not yet folded by the tick (views, likes, comments, shares).';

create function visitor.pending_comment_likes(p_comment uuid)
returns bigint
language plpgsql stable security definer set search_path = ''
as $$
begin
  return coalesce((select sum(d.likes) from private.comment_like_deltas d where d.comment_id = p_comment), 0);
end
$$;
comment on function visitor.pending_comment_likes(uuid) is 'Comment likes not yet folded by the tick.';

-- Tick step: folds every pending delta into its row, in one transaction
-- (readers see either the delta or the folded count, never both), and
-- tells each author how many new likes their post got since the last fold
-- (one notice a minute at most, however viral the post).
create function private.fold_social_counters()
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  n integer;
  c integer;
begin
  with d as (delete from private.feed_counter_deltas returning feed_id, likes, comments, shares),
       v as (delete from private.feed_view_buffer returning feed_id, views),
       s as (select x.feed_id, sum(x.likes)::integer as likes, sum(x.comments)::integer as comments,
                    sum(x.shares)::integer as shares, sum(x.views)::bigint as views
               from (select d.feed_id, d.likes, d.comments, d.shares, 0 as views from d
                     union all select v.feed_id, 0, 0, 0, v.views from v) x
              group by x.feed_id),
       u as (update public.feeds f
                set like_count = f.like_count + s.likes, comment_count = f.comment_count + s.comments,
                    share_count = f.share_count + s.shares, view_count = f.view_count + s.views
               from s where f.id = s.feed_id
             returning f.id, f.user_id, f.workspace_id, s.likes)
  insert into public.notifications (user_id, workspace_id, type, title, body, action_url, reference_type, reference_id)
  select u.user_id, u.workspace_id, 'feed_likes',
         case when u.likes = 1 then '1 new like on your post' else u.likes || ' new likes on your post' end,
         'Your post got ' || u.likes || case when u.likes = 1 then ' new like.' else ' new likes.' end,
         '/feeds/' || u.id, 'feed', u.id
    from u where u.likes > 0;
  get diagnostics n = row_count;
  with d as (delete from private.comment_like_deltas returning comment_id, likes)
  update public.feed_comments c set like_count = c.like_count + s.likes
    from (select d.comment_id, sum(d.likes)::integer as likes from d group by d.comment_id) s
   where c.id = s.comment_id;
  get diagnostics c = row_count;
  return n + c;
end
$$;
comment on function private.fold_social_counters() is
  'Tick step: folds pending likes, comments, shares and views into feeds and comment likes into feed_comments; batched like notices.';

-- Views: the client sends the ids it showed (one call a page); only posts
-- the caller may see count.
create function visitor.buffer_feed_views(p_ids uuid[])
returns integer
language plpgsql security definer set search_path = ''
as $$
begin
  insert into private.feed_view_buffer (feed_id, views) select distinct i, 1 from unnest(p_ids) i;
  return cardinality(array(select distinct unnest(p_ids)));
end
$$;
comment on function visitor.buffer_feed_views(uuid[]) is 'Adds one view to each post (ids already checked by the caller).';

create function public.record_feed_views(ids uuid[])
returns integer
language plpgsql security invoker set search_path = ''
as $$
begin
  if cardinality(ids) > 100 then
    raise exception 'at most 100 posts a call, not %', cardinality(ids) using errcode = '22023';
  end if;
  return visitor.buffer_feed_views(array(select f.id from public.feeds f
                                          where f.id = any (ids) and f.status = 'published'));
end
$$;
comment on function public.record_feed_views(uuid[]) is
  'Counts one view of each published post in ids that the caller may see (up to 100 a call); returns how many counted.';

-- Public faces ---------------------------------------------------------------

create function private.sync_profile_card()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.status in ('pending', 'active') then
    insert into visitor.profile_cards (id, full_name, username, avatar_url, business_type, account_type)
    values (new.id, new.full_name, new.username, new.avatar_url, new.business_type, new.account_type)
    on conflict (id) do update set full_name = excluded.full_name, username = excluded.username,
      avatar_url = excluded.avatar_url, business_type = excluded.business_type, account_type = excluded.account_type;
  else
    delete from visitor.profile_cards c where c.id = new.id;
  end if;
  return null;
end
$$;
comment on function private.sync_profile_card() is 'Keeps a profile''s public card (name, handle, avatar, business and account type); suspended and deleted profiles have none.';

create function private.sync_workspace_card()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into visitor.workspace_cards (id, name, slug, business_type, logo_url, description)
  values (new.id, new.name, new.slug, new.business_type, new.logo_url, new.description)
  on conflict (id) do update set name = excluded.name, slug = excluded.slug, business_type = excluded.business_type,
    logo_url = excluded.logo_url, description = excluded.description;
  return null;
end
$$;
comment on function private.sync_workspace_card() is 'Keeps a workspace''s public card (name, slug, business type, logo, description).';

-- A person or workspace gets a public face with the first thing they put in
-- public (never taken back: what was public was seen). Already listed
-- cards are not written again, so a burst of comments costs a read.
create function private.list_cards(p_users uuid[], p_workspaces uuid[])
returns void
language plpgsql security definer set search_path = ''
as $$
begin
  update visitor.profile_cards c set listed = true where c.id = any (p_users) and not c.listed;
  update visitor.workspace_cards c set listed = true where c.id = any (p_workspaces) and not c.listed;
end
$$;

create function private.list_post_authors()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.list_cards(array[new.user_id], array[new.workspace_id]);
  return null;
end
$$;

create function private.list_commenters()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.list_cards(array(select distinct n.user_id from new_rows n), null);
  return null;
end
$$;

create function visitor.follower_count(p_user uuid, p_workspace uuid)
returns bigint
language plpgsql stable security definer set search_path = ''
as $$
begin
  if p_user is not null then
    return (select count(*) from public.follows f where f.followed_user_id = p_user);
  end if;
  return (select count(*) from public.follows f where f.followed_workspace_id = p_workspace);
end
$$;
comment on function visitor.follower_count(uuid, uuid) is 'How many follow a person (or a workspace): public, while who follows is not.';

create function visitor.following_count(p_user uuid)
returns bigint
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select count(*) from public.follows f where f.follower_id = p_user);
end
$$;
comment on function visitor.following_count(uuid) is 'How many people and workspaces a person follows.';

-- ==========================================================================
-- Views and timelines
-- ==========================================================================

-- Posts with their exact counts (folded + pending). Security invoker: the
-- caller's RLS on feeds decides which rows exist.
create view public.feed_posts with (security_invoker = true) as
  select f.id, f.user_id, f.workspace_id, f.feed_type, f.caption, f.media_paths, f.thumbnail_path, f.tags,
         f.location, f.visibility, f.status,
         f.view_count + p.views as view_count, f.like_count + p.likes as like_count,
         f.comment_count + p.comments as comment_count, f.share_count + p.shares as share_count,
         f.created_at, f.published_at, f.updated_at
    from public.feeds f
    cross join lateral visitor.pending_feed_counts(f.id) p;
comment on view public.feed_posts is 'Posts the caller may see with exact counters (folded by the tick plus pending deltas). Read posts here; write them in feeds.';

create view public.feed_comment_threads with (security_invoker = true) as
  select c.id, c.feed_id, c.user_id, c.parent_comment_id, c.content,
         c.like_count + visitor.pending_comment_likes(c.id) as like_count,
         c.is_edited, c.is_deleted, c.deleted_at, c.created_at, c.updated_at
    from public.feed_comments c;
comment on view public.feed_comment_threads is 'Comments the caller may see with exact like counts; a deleted one keeps its place (and replies) with no content.';

create view public.public_profiles with (security_invoker = true) as
  select c.id, c.full_name, c.username, c.avatar_url, c.business_type, c.account_type,
         visitor.follower_count(c.id, null) as follower_count, visitor.following_count(c.id) as following_count
    from visitor.profile_cards c;
comment on view public.public_profiles is 'What anyone (anonymous visitors too) sees of a person: name, handle, avatar, business and account type, follower counts. Nothing else of a profile is readable from outside.';

create view public.public_workspaces with (security_invoker = true) as
  select c.id, c.name, c.slug, c.business_type, c.logo_url, c.description,
         visitor.follower_count(null, c.id) as follower_count
    from visitor.workspace_cards c;
comment on view public.public_workspaces is 'What anyone sees of a workspace: name, slug, business type, logo, description, follower count. Nothing else of a workspace is readable from outside.';

-- Timelines are security invoker: RLS on feeds is the one statement of who
-- sees what, so they cannot drift from it. Keyset pagination on
-- (published_at, id), newest first; pass the last row's pair to go on.
-- The keyset is spelt as column comparisons, not a row comparison: RLS
-- lets only leakproof operators run ahead of its policy, and the row
-- comparison is not one, so it would filter every newer row instead of
-- starting the index scan at the page. The bounds are computed once, in
-- a subquery (a coalesce over the arguments would count as leaky too).
create function public.home_timeline(before_published_at timestamptz default null, before_id uuid default null,
                                     max_rows integer default 20, following_only boolean default false)
returns setof public.feed_posts
language sql stable security invoker set search_path = ''
as $$
  select p.*
    from public.feed_posts p
   where p.status = 'published'
     and p.published_at <= (select coalesce(before_published_at, 'infinity'))
     and (p.published_at < (select coalesce(before_published_at, 'infinity'))
          or p.id < (select coalesce(before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)))
     and (not following_only
          or p.user_id = (select auth.uid())
          or p.workspace_id = any (array(select private.workspaces_with_role('viewer')))
          or p.workspace_id = any (array(select private.followed_workspace_ids()))
          or (p.workspace_id is null and p.user_id = any (array(select private.followed_user_ids()))))
   order by p.published_at desc, p.id desc
   limit least(greatest(coalesce(max_rows, 20), 1), 100)
$$;
comment on function public.home_timeline(timestamptz, uuid, integer, boolean) is
  'The caller''s home timeline, newest first: every published post they may read (their own, their workspaces'', followed people''s and workspaces'' followers-only posts, and public ones); following_only keeps their own, their workspaces'' and followed sources''. Keyset: pass the last row''s published_at and id.';

create function public.profile_feed(workspace_id uuid default null, user_id uuid default null,
                                    before_published_at timestamptz default null, before_id uuid default null,
                                    max_rows integer default 20)
returns setof public.feed_posts
language plpgsql stable security invoker set search_path = ''
as $$
begin
  if num_nonnulls(workspace_id, user_id) <> 1 then
    raise exception 'name a workspace_id or a user_id' using errcode = '22023';
  end if;
  return query
    select p.*
      from public.feed_posts p
     where p.status = 'published'
       and (case when profile_feed.workspace_id is not null then p.workspace_id = profile_feed.workspace_id
                 else p.workspace_id is null and p.user_id = profile_feed.user_id end)
       and p.published_at <= (select coalesce(before_published_at, 'infinity'))
       and (p.published_at < (select coalesce(before_published_at, 'infinity'))
            or p.id < (select coalesce(before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)))
     order by p.published_at desc, p.id desc
     limit least(greatest(coalesce(max_rows, 20), 1), 100);
end
$$;
comment on function public.profile_feed(uuid, uuid, timestamptz, uuid, integer) is
  'A workspace''s (or a person''s personal) published posts the caller may read, newest first, keyset-paginated; anonymous visitors get the public ones.';

-- Discovery reads public posts only, which anyone may read, so the page is
-- chosen by a definer function that says so itself: under RLS the tag
-- test (@>, not leakproof) could only filter the newest posts one by one,
-- never use the tag index. The rows then come through feed_posts, under
-- the caller's RLS as everywhere else.
create function visitor.public_feed_page(p_tag text, p_before_at timestamptz, p_before_id uuid, p_max integer)
returns setof uuid
language plpgsql stable security definer set search_path = ''
as $$
declare
  at_most timestamptz := coalesce(p_before_at, 'infinity');
  below uuid := coalesce(p_before_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff');
begin
  if p_tag is null then
    return query
      select f.id from public.feeds f
       where f.status = 'published' and f.visibility = 'public'
         and f.published_at <= at_most and (f.published_at < at_most or f.id < below)
       order by f.published_at desc, f.id desc
       limit p_max;
  else
    return query
      select f.id from public.feeds f
       where f.status = 'published' and f.visibility = 'public' and f.tags @> array[p_tag]
         and f.published_at <= at_most and (f.published_at < at_most or f.id < below)
       order by f.published_at desc, f.id desc
       limit p_max;
  end if;
end
$$;
comment on function visitor.public_feed_page(text, timestamptz, uuid, integer) is
  'Ids of a page of published public posts (optionally with a tag), newest first: what discover_feed shows.';

create function public.discover_feed(tag text default null, before_published_at timestamptz default null,
                                     before_id uuid default null, max_rows integer default 20)
returns setof public.feed_posts
language sql stable security invoker set search_path = ''
as $$
  select p.*
    from public.feed_posts p
   where p.id = any (array(select visitor.public_feed_page(lower(regexp_replace(btrim(tag), '^#', '')),
                                                           before_published_at, before_id,
                                                           least(greatest(coalesce(max_rows, 20), 1), 100))))
   order by p.published_at desc, p.id desc
$$;
comment on function public.discover_feed(text, timestamptz, uuid, integer) is
  'Public published posts of everyone, newest first (optionally with a tag), keyset-paginated; for visitors and discovery.';

-- ==========================================================================
-- Triggers
-- ==========================================================================

create trigger feeds_guard before insert or update of user_id, workspace_id, media_paths, thumbnail_path, tags, status
  on public.feeds for each row execute function private.guard_feed();
create trigger feeds_updated_at before update of caption, media_paths, thumbnail_path, tags, location, visibility, status
  on public.feeds for each row execute function private.set_updated_at();
create trigger feeds_audit after insert or update of caption, media_paths, thumbnail_path, tags, location, visibility, status
  or delete on public.feeds for each row execute function private.audit_change('feed');
create trigger follows_target before insert on public.follows
  for each row execute function private.check_follow_target();
create trigger feed_comments_guard before insert or update on public.feed_comments
  for each row execute function private.guard_comment();
create trigger feed_comments_reply_parent before insert on public.feed_comments
  for each row when (new.parent_comment_id is not null) execute function private.check_reply_parent();
create trigger feed_comments_updated_at before update of content, is_deleted on public.feed_comments
  for each row execute function private.set_updated_at();

create trigger feed_likes_count_insert after insert on public.feed_likes
  referencing new table as changed_rows for each statement execute function private.count_reactions('likes');
create trigger feed_likes_count_delete after delete on public.feed_likes
  referencing old table as changed_rows for each statement execute function private.count_reactions('likes');
create trigger feed_shares_limit after insert on public.feed_shares
  referencing new table as new_rows for each statement execute function private.limit_counted_batch('feed_id', '100');
create trigger feed_shares_count_insert after insert on public.feed_shares
  referencing new table as changed_rows for each statement execute function private.count_reactions('shares');
create trigger feed_shares_count_delete after delete on public.feed_shares
  referencing old table as changed_rows for each statement execute function private.count_reactions('shares');
create trigger feed_comments_count_insert after insert on public.feed_comments
  referencing new table as changed_rows for each statement execute function private.count_reactions('comments');
create trigger feed_comments_count_delete after delete on public.feed_comments
  referencing old table as changed_rows for each statement execute function private.count_reactions('comments');
create trigger feed_comments_count_update after update on public.feed_comments
  referencing old table as old_rows new table as new_rows for each statement execute function private.count_comment_deletions();
create trigger feed_comment_likes_count_insert after insert on public.feed_comment_likes
  referencing new table as changed_rows for each statement execute function private.count_reactions('comment_likes');
create trigger feed_comment_likes_count_delete after delete on public.feed_comment_likes
  referencing old table as changed_rows for each statement execute function private.count_reactions('comment_likes');
create trigger feed_comments_notify after insert on public.feed_comments
  referencing new table as new_rows for each statement execute function private.notify_comment();

create trigger feeds_list_authors after insert or update of status, visibility on public.feeds
  for each row when (new.status = 'published' and new.visibility = 'public') execute function private.list_post_authors();
create trigger feed_comments_list_commenters after insert on public.feed_comments
  referencing new table as new_rows for each statement execute function private.list_commenters();
create trigger profiles_public_card after insert or update of full_name, username, avatar_url, business_type, account_type, status
  on public.profiles for each row execute function private.sync_profile_card();
create trigger workspaces_public_card after insert or update of name, slug, business_type, logo_url, description
  on public.workspaces for each row execute function private.sync_workspace_card();

-- ==========================================================================
-- Row level security and grants
-- ==========================================================================

alter table public.feeds enable row level security;
alter table public.follows enable row level security;
alter table public.feed_likes enable row level security;
alter table public.feed_comments enable row level security;
alter table public.feed_comment_likes enable row level security;
alter table public.feed_shares enable row level security;
alter table private.feed_counter_deltas enable row level security;
alter table private.comment_like_deltas enable row level security;
alter table private.feed_view_buffer enable row level security;
alter table visitor.profile_cards enable row level security;
alter table visitor.workspace_cards enable row level security;
alter table public.feeds alter column workspace_id set (n_distinct = 500);

-- Anonymous visitors read public posts and public faces, nothing else:
-- in public the social tables and views granted below, outside it only
-- the schema visitor (never private).
grant usage on schema visitor to anon, authenticated, service_role;
revoke all on public.feeds, public.follows, public.feed_likes, public.feed_comments, public.feed_comment_likes,
  public.feed_shares, public.feed_posts, public.feed_comment_threads, public.public_profiles, public.public_workspaces
  from anon, authenticated;
revoke all on private.feed_counter_deltas, private.comment_like_deltas, private.feed_view_buffer,
  visitor.profile_cards, visitor.workspace_cards from anon, authenticated;

grant select on public.feeds, public.feed_posts, public.feed_comments, public.feed_comment_threads, public.feed_likes,
  public.public_profiles, public.public_workspaces to anon, authenticated;
grant select on visitor.profile_cards, visitor.workspace_cards to anon, authenticated;
grant insert (id, user_id, workspace_id, feed_type, caption, media_paths, thumbnail_path, tags, location, visibility, status)
  on public.feeds to authenticated;
grant update (caption, media_paths, thumbnail_path, tags, location, visibility, status) on public.feeds to authenticated;
grant select, delete on public.follows to authenticated;
grant insert (id, follower_id, followed_user_id, followed_workspace_id) on public.follows to authenticated;
grant insert (id, feed_id, user_id), delete on public.feed_likes to authenticated;
grant insert (id, feed_id, user_id, parent_comment_id, content) on public.feed_comments to authenticated;
grant update (content, is_deleted) on public.feed_comments to authenticated;
grant select, delete on public.feed_comment_likes to authenticated;
grant insert (id, comment_id, user_id) on public.feed_comment_likes to authenticated;
grant select on public.feed_shares to authenticated;
grant insert (id, feed_id, user_id, shared_to) on public.feed_shares to authenticated;

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

-- Reactions: read by whoever may see the post (the subquery on feeds runs
-- under the caller's RLS); added on published posts one may see, as
-- oneself; likes taken back by their owner.
create policy feed_likes_select on public.feed_likes for select to anon, authenticated
  using (exists (select 1 from public.feeds f where f.id = feed_id));
create policy feed_likes_insert on public.feed_likes for insert to authenticated
  with check (user_id = (select auth.uid())
              and exists (select 1 from public.feeds f where f.id = feed_id and f.status = 'published'));
create policy feed_likes_delete on public.feed_likes for delete to authenticated
  using (user_id = (select auth.uid()));

create policy feed_comments_select on public.feed_comments for select to anon, authenticated
  using (exists (select 1 from public.feeds f where f.id = feed_id));
create policy feed_comments_insert on public.feed_comments for insert to authenticated
  with check (user_id = (select auth.uid())
              and exists (select 1 from public.feeds f where f.id = feed_id and f.status = 'published'));
-- The author edits or deletes; whoever manages the post may delete (the
-- trigger keeps them from editing).
create policy feed_comments_update on public.feed_comments for update to authenticated
  using (user_id = (select auth.uid())
         or exists (select 1 from public.feeds f
                     where f.id = feed_id
                       and ((f.workspace_id is null and f.user_id = (select auth.uid()))
                            or f.workspace_id = any (array(select private.workspaces_with_role('member'))))));

create policy feed_comment_likes_select on public.feed_comment_likes for select to authenticated
  using (exists (select 1 from public.feed_comments c where c.id = comment_id));
create policy feed_comment_likes_insert on public.feed_comment_likes for insert to authenticated
  with check (user_id = (select auth.uid())
              and exists (select 1 from public.feed_comments c where c.id = comment_id and not c.is_deleted));
create policy feed_comment_likes_delete on public.feed_comment_likes for delete to authenticated
  using (user_id = (select auth.uid()));

-- Shares: the sharer, and whoever manages the post, see them.
create policy feed_shares_select on public.feed_shares for select to authenticated
  using (user_id = (select auth.uid())
         or exists (select 1 from public.feeds f
                     where f.id = feed_id
                       and (f.user_id = (select auth.uid())
                            or f.workspace_id = any (array(select private.workspaces_with_role('viewer'))))));
create policy feed_shares_insert on public.feed_shares for insert to authenticated
  with check (user_id = (select auth.uid())
              and exists (select 1 from public.feeds f where f.id = feed_id and f.status = 'published'));

-- Listed cards are public (a person sees their own always); the views over
-- them add nothing else. Unlisted ones are nobody's to enumerate.
create policy profile_cards_select on visitor.profile_cards for select to anon, authenticated
  using (listed or id = (select auth.uid()));
create policy workspace_cards_select on visitor.workspace_cards for select to anon, authenticated using (listed);

-- Storage: a file named by a post is readable by whoever may read the post
-- (anonymous visitors for public ones); the workspace's own policies
-- still govern everything else in the bucket.
create policy feed_media_read on storage.objects for select to anon, authenticated
  using (bucket_id = 'media'
         and exists (select 1 from public.feeds f
                      where f.media_paths @> array[name] or f.thumbnail_path = name));

revoke all on function private.followed_user_ids(), private.followed_workspace_ids(),
  private.check_feed_media_path(text, uuid, uuid, text), private.guard_feed(), private.count_reactions(),
  private.count_comment_deletions(), private.guard_comment(), private.check_reply_parent(), private.notify_comment(),
  private.limit_counted_batch(), private.check_follow_target(),
  visitor.pending_feed_counts(uuid), visitor.pending_comment_likes(uuid), private.fold_social_counters(),
  visitor.buffer_feed_views(uuid[]), private.sync_profile_card(), private.sync_workspace_card(),
  private.list_cards(uuid[], uuid[]), private.list_post_authors(), private.list_commenters(),
  visitor.follower_count(uuid, uuid), visitor.following_count(uuid),
  visitor.public_feed_page(text, timestamptz, uuid, integer) from public;
grant execute on function private.followed_user_ids(), private.followed_workspace_ids()
  to authenticated, service_role;
grant execute on function visitor.pending_feed_counts(uuid), visitor.pending_comment_likes(uuid),
  visitor.buffer_feed_views(uuid[]), visitor.follower_count(uuid, uuid), visitor.following_count(uuid),
  visitor.public_feed_page(text, timestamptz, uuid, integer)
  to anon, authenticated, service_role;

revoke all on function public.record_feed_views(uuid[]), public.home_timeline(timestamptz, uuid, integer, boolean),
  public.profile_feed(uuid, uuid, timestamptz, uuid, integer), public.discover_feed(text, timestamptz, uuid, integer)
  from public, anon;
grant execute on function public.record_feed_views(uuid[]), public.profile_feed(uuid, uuid, timestamptz, uuid, integer),
  public.discover_feed(text, timestamptz, uuid, integer) to anon, authenticated, service_role;
grant execute on function public.home_timeline(timestamptz, uuid, integer, boolean) to authenticated, service_role;

-- ==========================================================================
-- Realtime
-- ==========================================================================

-- A post's page updates live as comments arrive; profile pages as posts
-- are published (RLS decides who hears what).
alter publication supabase_realtime add table public.feeds, public.feed_comments;

-- ==========================================================================
-- Tick
-- ==========================================================================

insert into private.tick_steps (name, fn, position) values
  ('social_counters', 'private.fold_social_counters', 155);

-- ==========================================================================
-- Public cards of what exists already
-- ==========================================================================

insert into visitor.profile_cards (id, full_name, username, avatar_url, business_type, account_type)
select p.id, p.full_name, p.username, p.avatar_url, p.business_type, p.account_type
  from public.profiles p where p.status in ('pending', 'active');
insert into visitor.workspace_cards (id, name, slug, business_type, logo_url, description)
select w.id, w.name, w.slug, w.business_type, w.logo_url, w.description from public.workspaces w;
