-- Posts: who reads and writes them (anon, customer, follower, non-follower,
-- outsider, viewer, member, admin, owner), media paths checked against
-- Storage, the status machine and published_at set by the database.
begin;
select plan(24);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
select tests.create_supabase_user('x_customer', null, null, '{"account_type":"customer"}'::jsonb) as customer \gset
select tests.create_supabase_user('x_follower') as follower \gset
select tests.personal_workspace('x_follower') as follower_ws \gset
insert into storage.objects (bucket_id, name) values
  ('media', :'ws' || '/uploads/dress.jpg'), ('media', :'ws' || '/uploads/back.jpg'),
  ('media', :'follower_ws' || '/uploads/me.jpg');
insert into public.follows (follower_id, followed_workspace_id) values (:'follower', :'ws');

-- One post per visibility, published, and a draft.
select tests.run_as('acme_member', format($$
  insert into public.feeds (id, workspace_id, feed_type, caption, media_paths, visibility, status) values
    ('f0000000-0000-0000-0000-000000000001', %1$L, 'image', 'public', array[%2$L], 'public', 'published'),
    ('f0000000-0000-0000-0000-000000000002', %1$L, 'image', 'followers', array[%2$L], 'followers', 'published'),
    ('f0000000-0000-0000-0000-000000000003', %1$L, 'image', 'private', array[%2$L], 'private', 'published'),
    ('f0000000-0000-0000-0000-000000000004', %1$L, 'carousel', 'draft', array[%2$L, %3$L], 'public', 'draft') $$,
  :'ws', :'ws' || '/uploads/dress.jpg', :'ws' || '/uploads/back.jpg'));

\set readers 'select who, tests.try_as(who, %L) from unnest(array[''anon'', ''x_customer'', ''x_follower'', ''acme_outsider'', ''beta_owner'', ''acme_viewer'', ''acme_member'', ''acme_admin'', ''acme_owner'']) who'
select results_eq(format(:'readers', 'select 1 from public.feeds where caption = ''public'''),
  $$ values ('anon', 'ok:1'), ('x_customer', 'ok:1'), ('x_follower', 'ok:1'), ('acme_outsider', 'ok:1'), ('beta_owner', 'ok:1'),
            ('acme_viewer', 'ok:1'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'a published public post: everyone, anonymous visitors too');
select results_eq(format(:'readers', 'select 1 from public.feeds where caption = ''followers'''),
  $$ values ('anon', 'ok:0'), ('x_customer', 'ok:0'), ('x_follower', 'ok:1'), ('acme_outsider', 'ok:0'), ('beta_owner', 'ok:0'),
            ('acme_viewer', 'ok:1'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'a followers-only post: followers of the workspace and its members');
select results_eq(format(:'readers', 'select 1 from public.feeds where caption = ''private'''),
  $$ values ('anon', 'ok:0'), ('x_customer', 'ok:0'), ('x_follower', 'ok:0'), ('acme_outsider', 'ok:0'), ('beta_owner', 'ok:0'),
            ('acme_viewer', 'ok:1'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'a private post: its workspace only');
select results_eq(format(:'readers', 'select 1 from public.feeds where caption = ''draft'''),
  $$ values ('anon', 'ok:0'), ('x_customer', 'ok:0'), ('x_follower', 'ok:0'), ('acme_outsider', 'ok:0'), ('beta_owner', 'ok:0'),
            ('acme_viewer', 'ok:1'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'a draft: its workspace only');
select results_eq(format(:'readers', 'update public.feeds set caption = ''edited'' where caption = ''public'''),
  $$ values ('anon', '42501'), ('x_customer', 'ok:0'), ('x_follower', 'ok:0'), ('acme_outsider', 'ok:0'), ('beta_owner', 'ok:0'),
            ('acme_viewer', 'ok:0'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'members and up edit a workspace post; viewers only read it');
select results_eq(format(:'readers', format('insert into public.feeds (workspace_id, feed_type, media_paths) values (%L, ''image'', array[%L])', :'ws', :'ws' || '/uploads/dress.jpg')),
  $$ values ('anon', '42501'), ('x_customer', '42501'), ('x_follower', '42501'), ('acme_outsider', '42501'), ('beta_owner', '42501'),
            ('acme_viewer', '42501'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'members and up post as the workspace');
select results_eq(format(:'readers', 'delete from public.feeds where caption = ''public'''),
  $$ values ('anon', '42501'), ('x_customer', '42501'), ('x_follower', '42501'), ('acme_outsider', '42501'), ('beta_owner', '42501'),
            ('acme_viewer', '42501'), ('acme_member', '42501'), ('acme_admin', '42501'), ('acme_owner', '42501') $$,
  'nobody deletes a post outright: status deleted is the delete');
select is(tests.error_as('acme_outsider', format('insert into public.feeds (workspace_id, feed_type, media_paths) values (%L, ''image'', array[%L])', :'ws', 'nowhere')),
  '42501 new row violates row-level security policy for table "feeds"', 'an outsider is refused before the media are looked at');
select is(tests.error_as('acme_member', format('insert into public.feeds (workspace_id, feed_type, media_paths) values (%L, ''image'', array[%L])', :'ws', :'ws' || '/uploads/none.jpg')),
  format('P0002 no file %s/uploads/none.jpg in the media bucket', :'ws'), 'a media path names a stored object');
select is(tests.error_as('acme_member', format('insert into public.feeds (workspace_id, feed_type, media_paths) values (%L, ''image'', array[%L])', :'ws', :'follower_ws' || '/uploads/me.jpg')),
  format('22023 media_paths of a workspace post must be in that workspace''s folder (%s/...)', :'ws'), 'and lies in the workspace''s folder');
select is(tests.error_as('acme_member', format('insert into public.feeds (workspace_id, feed_type, media_paths) values (%L, ''image'', array[%L])', :'ws', :'ws' || '/../x.jpg')),
  '22023 media_paths must name files in a workspace''s folder of the media bucket (<workspace id>/...), not "' || :'ws' || '/../x.jpg"', 'no dot segments');
select is(tests.error_as('x_follower', format('insert into public.feeds (feed_type, media_paths, status) values (''image'', array[%L], ''published'')', :'ws' || '/uploads/dress.jpg')),
  '22023 media_paths of a personal post must be in the folder of one of your workspaces', 'a personal post uses the author''s own files');
select is(tests.error_as('x_follower', format('insert into public.feeds (feed_type, media_paths, status) values (''image'', array[%L], ''published'')', :'follower_ws' || '/uploads/me.jpg')),
  'ok:1', 'a person posts in their own name');
select is(tests.error_as('x_follower', format('insert into public.feeds (user_id, feed_type, media_paths) values (%L, ''image'', array[%L])', tests.get_supabase_uid('x_customer'), :'follower_ws' || '/uploads/me.jpg')),
  '42501 new row violates row-level security policy for table "feeds"', 'but not in someone else''s');
select is(tests.error_as('acme_member', format('insert into public.feeds (workspace_id, feed_type, media_paths) values (%L, ''carousel'', array[%L])', :'ws', :'ws' || '/uploads/dress.jpg')),
  '23514 new row for relation "feeds" violates check constraint "feeds_check1"', 'a carousel has at least two items');

-- Status machine and published_at
select is((select published_at is null from public.feeds where caption = 'draft'), true, 'a draft has no published_at');
select tests.run_as('acme_member', $$ update public.feeds set status = 'published' where caption = 'draft' $$);
select is((select published_at is not null from public.feeds where caption = 'draft'), true, 'publishing sets published_at');
select is(tests.error_as('acme_member', $$ update public.feeds set status = 'draft' where caption = 'draft' $$),
  '55000 a post cannot go from published to draft', 'a published post does not go back to draft');
select tests.run_as('acme_member', $$ update public.feeds set status = 'archived' where caption = 'draft' $$);
select is((select count(*)::int from public.feeds where caption = 'draft' and status = 'archived'), 1, 'published -> archived');
select is(tests.try_as('x_customer', $$ select 1 from public.feeds where caption = 'draft' $$), 'ok:0', 'an archived post leaves the public eye');
select tests.run_as('acme_member', $$ update public.feeds set status = 'deleted' where caption = 'draft' $$);
select is(tests.error_as('acme_member', $$ update public.feeds set status = 'published' where caption = 'draft' $$),
  '55000 post f0000000-0000-0000-0000-000000000004 is deleted', 'deleted is for good');
select is(tests.error_as('acme_member', $$ update public.feeds set published_at = now() where caption = 'public' $$),
  '42501 permission denied for table feeds', 'published_at is the database''s');
select is(tests.error_as('acme_member', $$ update public.feeds set like_count = 1000 where caption = 'public' $$),
  '42501 permission denied for table feeds', 'so are the counters');
select is(tests.error_as('acme_member', format('insert into public.feeds (workspace_id, feed_type, media_paths, tags) values (%L, ''image'', array[%L], array[''#Linen'', ''linen'', ''summer''])', :'ws', :'ws' || '/uploads/dress.jpg')),
  'ok:1', 'tags');
select * from finish();
rollback;
