-- Timelines (home, profile, discovery) paginated by keyset and filtered by
-- RLS, views counted in batches, the public faces of people and workspaces
-- (nothing else of a profile or workspace readable from outside), post
-- media readable as the post is, and tenant isolation with public posts.
begin;
select plan(30);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
select tests.create_supabase_user('x_customer', null, null, '{"account_type":"customer"}'::jsonb) as customer \gset
select tests.create_supabase_user('x_follower') as follower \gset
select tests.personal_workspace('x_follower') as follower_ws \gset
update public.profiles set full_name = 'Fiona Follower' where id = :'follower';
update public.workspaces set description = 'Bespoke suits', logo_url = 'https://example.com/acme.png' where id = :'ws';
insert into storage.objects (bucket_id, name) values
  ('media', :'ws' || '/uploads/a.jpg'), ('media', :'ws' || '/uploads/private.jpg'), ('media', :'ws' || '/uploads/other.jpg'),
  ('media', :'follower_ws' || '/uploads/me.jpg');
insert into public.follows (follower_id, followed_workspace_id) values (:'follower', :'ws');
-- Five public posts a minute apart, then a followers-only and a private one.
insert into public.feeds (id, user_id, workspace_id, feed_type, caption, media_paths, tags, visibility, status)
select ('f0000000-0000-0000-0000-00000000000' || i)::uuid, tests.get_supabase_uid('acme_member'), :'ws', 'image', 'post ' || i,
       array[:'ws' || '/uploads/a.jpg'], array['linen'], 'public', 'published'
  from generate_series(1, 5) i;
-- A day ahead, so that whatever else the database holds (the demo's posts)
-- comes after them.
update public.feeds set published_at = now() + interval '1 day' - (10 - right(id::text, 1)::int) * interval '1 minute' where workspace_id = :'ws';
insert into public.feeds (id, user_id, workspace_id, feed_type, caption, media_paths, visibility, status) values
  ('f0000000-0000-0000-0000-000000000006', tests.get_supabase_uid('acme_member'), :'ws', 'image', 'for followers', array[:'ws' || '/uploads/a.jpg'], 'followers', 'published'),
  ('f0000000-0000-0000-0000-000000000007', tests.get_supabase_uid('acme_member'), :'ws', 'image', 'private', array[:'ws' || '/uploads/private.jpg'], 'private', 'published');
insert into public.feeds (user_id, feed_type, caption, media_paths, visibility, status)
values (:'follower', 'image', 'my own', array[:'follower_ws' || '/uploads/me.jpg'], 'private', 'published');

update public.feeds set published_at = now() + interval '1 day' - interval '3 minutes' where caption = 'for followers';
update public.feeds set published_at = now() + interval '1 day' - interval '2 minutes' where caption = 'private';
update public.feeds set published_at = now() + interval '1 day' - interval '1 minute' where caption = 'my own';

-- Home timeline: newest first, what the caller may read
select tests.authenticate_as('x_follower');
select is(array(select caption from public.home_timeline(max_rows => 3)),
  array['my own', 'for followers', 'post 5']::text[], 'a follower''s home: their own, the followed workspace''s followers-only post, public ones; not the private one');
select published_at as last_at, id as last_id from public.home_timeline(max_rows => 3) offset 2 \gset
select is(array(select caption from public.home_timeline(before_published_at => :'last_at', before_id => :'last_id', max_rows => 3)),
  array['post 4', 'post 3', 'post 2']::text[], 'the next page starts after the last row');
select tests.clear_authentication();
select tests.authenticate_as('x_customer');
select is(array(select caption from public.home_timeline(max_rows => 3)),
  array['post 5', 'post 4', 'post 3']::text[], 'a non-follower''s home: public posts only');
select is((select count(*)::int from public.home_timeline(following_only => true)), 0, 'and following nothing, nothing followed');
select tests.clear_authentication();
select tests.authenticate_as('acme_viewer');
select is(array(select caption from public.home_timeline(max_rows => 3)),
  array['private', 'for followers', 'post 5']::text[], 'a viewer''s home has the workspace''s private posts');
select tests.clear_authentication();
select tests.authenticate_as('x_follower');
select is(array(select caption from public.home_timeline(following_only => true, max_rows => 3)),
  array['my own', 'for followers', 'post 5']::text[], 'following_only: own and followed sources');
select tests.clear_authentication();

-- Profile feed and discovery, anonymous visitors included
select tests.authenticate_as_anon();
select is(array(select caption from public.profile_feed(workspace_id => :'ws', max_rows => 2)),
  array['post 5', 'post 4']::text[], 'a visitor reads a workspace''s public posts');
select is(array(select caption from public.discover_feed(tag => '#Linen', max_rows => 2)),
  array['post 5', 'post 4']::text[], 'and discovers public posts by tag');
select is(tests.error_as('anon', 'select * from public.home_timeline()'), '42501 permission denied for function home_timeline',
  'a visitor has no home timeline');
select is((select count(*)::int from public.profile_feed(user_id => :'follower')), 0, 'nor sees a private personal post');
select tests.clear_authentication();
select tests.authenticate_as('x_follower');
select is(array(select caption from public.profile_feed(workspace_id => :'ws', max_rows => 2)),
  array['for followers', 'post 5']::text[], 'a follower''s view of the profile has the followers-only post');
select is(array(select caption from public.discover_feed(max_rows => 2)),
  array['post 5', 'post 4']::text[], 'discovery shows public posts only, to a follower too');
select is(tests.error_as('x_follower', 'select * from public.profile_feed()'), '22023 name a workspace_id or a user_id', 'a profile is named');
select tests.clear_authentication();

-- Views: batched, only posts one may see, exact before the fold
select is(tests.error_as('anon', $$select public.record_feed_views(array['f0000000-0000-0000-0000-000000000005', 'f0000000-0000-0000-0000-000000000005', 'f0000000-0000-0000-0000-000000000007']::uuid[])$$),
  'ok:1', 'a visitor''s views count');
select tests.run_as('x_customer', $$select public.record_feed_views(array['f0000000-0000-0000-0000-000000000005', 'f0000000-0000-0000-0000-000000000007']::uuid[])$$);
select tests.run_as('anon', $$select public.record_feed_views(array['f0000000-0000-0000-0000-000000000005']::uuid[])$$);
select is((select (view_count, like_count) from public.feed_posts where id = 'f0000000-0000-0000-0000-000000000005'), (2::bigint, 0::bigint),
  'two views of the public post (one per post per call); none of the private one');
select is((select view_count from public.feed_posts where id = 'f0000000-0000-0000-0000-000000000007'), 0::bigint, 'a post one may not see takes no views');
select is(tests.error_as('x_customer', format('select public.record_feed_views(array(select gen_random_uuid() from generate_series(1, 101)))')),
  '22023 at most 100 posts a call, not 101', 'a batch is bounded');

-- Public faces
select results_eq(format('select who, tests.try_as(who, %L) from unnest(array[''anon'', ''x_customer'', ''beta_owner'', ''x_follower'']) who',
    format('select 1 from public.public_profiles where id = %L', :'follower')),
  $$ values ('anon', 'ok:0'), ('x_customer', 'ok:0'), ('beta_owner', 'ok:0'), ('x_follower', 'ok:1') $$,
  'a person who put nothing in public has no card for others (nobody lists who uses Threadline), only for themselves');
select results_eq(format('select who, tests.try_as(who, %L) from unnest(array[''anon'', ''beta_owner'']) who',
    format('select 1 from public.public_workspaces where id = %L', :'follower_ws')),
  $$ values ('anon', 'ok:0'), ('beta_owner', 'ok:0') $$, 'nor a workspace with only a private post');
select tests.run_as('x_follower', $$insert into public.feed_comments (feed_id, content) values ('f0000000-0000-0000-0000-000000000005', 'Lovely')$$);
select results_eq(format('select who, tests.try_as(who, %L) from unnest(array[''anon'', ''x_customer'', ''beta_owner'']) who',
    format('select 1 from public.public_profiles where id = %L and full_name = ''Fiona Follower'' and follower_count = 0', :'follower')),
  $$ values ('anon', 'ok:1'), ('x_customer', 'ok:1'), ('beta_owner', 'ok:1') $$, 'once they comment, anyone reads their public card');
select results_eq(format('select who, tests.try_as(who, %L) from unnest(array[''anon'', ''x_customer'', ''beta_owner'']) who',
    format('select 1 from public.public_workspaces where id = %L and description = ''Bespoke suits'' and follower_count = 1', :'ws')),
  $$ values ('anon', 'ok:1'), ('x_customer', 'ok:1'), ('beta_owner', 'ok:1') $$, 'and a workspace''s, with its follower count');
select is(array(select column_name::text from information_schema.columns where table_schema = 'public' and table_name = 'public_profiles' order by ordinal_position),
  array['id', 'full_name', 'username', 'avatar_url', 'business_type', 'account_type', 'follower_count', 'following_count'], 'public fields only');
select results_eq(format('select who, tests.try_as(who, %L) from unnest(array[''anon'', ''x_customer'', ''beta_owner'']) who',
    format('select 1 from public.profiles where id = %L', :'follower')),
  $$ values ('anon', '42501'), ('x_customer', 'ok:0'), ('beta_owner', 'ok:0') $$, 'profiles themselves stay closed');
select results_eq(format('select who, tests.try_as(who, %L) from unnest(array[''anon'', ''x_customer'', ''beta_owner'']) who',
    format('select 1 from public.workspaces where id = %L', :'ws')),
  $$ values ('anon', '42501'), ('x_customer', 'ok:0'), ('beta_owner', 'ok:0') $$, 'and so do workspaces');
update public.profiles set status = 'suspended' where id = :'follower';
select is(tests.try_as('anon', format('select 1 from public.public_profiles where id = %L', :'follower')), 'ok:0', 'a suspended person has no public card');

-- Media of a post are readable as the post is
select results_eq(format('select who, tests.try_as(who, %L) from unnest(array[''anon'', ''x_customer'', ''acme_viewer'']) who',
    format('select 1 from storage.objects where bucket_id = ''media'' and name = %L', :'ws' || '/uploads/a.jpg')),
  $$ values ('anon', 'ok:1'), ('x_customer', 'ok:1'), ('acme_viewer', 'ok:1') $$, 'a public post''s file: anyone');
select results_eq(format('select who, tests.try_as(who, %L) from unnest(array[''anon'', ''x_customer'', ''acme_viewer'']) who',
    format('select 1 from storage.objects where bucket_id = ''media'' and name = %L', :'ws' || '/uploads/private.jpg')),
  $$ values ('anon', 'ok:0'), ('x_customer', 'ok:0'), ('acme_viewer', 'ok:1') $$, 'a private post''s file: its workspace');
select is(tests.try_as('x_customer', format('select 1 from storage.objects where bucket_id = ''media'' and name = %L', :'ws' || '/uploads/other.jpg')),
  'ok:0', 'a file no post names stays the workspace''s');

-- Tenants: the public posts are readable by design, nothing else
select is(array(select * from tests.tenant_leaks('beta_owner', :'ws')), '{}'::text[], 'another workspace''s owner reaches nothing of ours beyond public posts');
select is(array(select * from tests.tenant_leaks('acme_outsider', :'ws')), '{}'::text[], 'nor does an outsider');
select * from finish();
rollback;
