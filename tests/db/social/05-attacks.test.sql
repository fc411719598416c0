-- A hostile client against the social tables (anon, a customer, another
-- workspace): what its errors may not tell it about posts it cannot see,
-- and what it may not write. The holes closed here each have a test that
-- failed before the fix.
begin;
select plan(22);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
select tests.create_supabase_user('x_customer', null, null, '{"account_type":"customer"}'::jsonb) as customer \gset
insert into storage.objects (bucket_id, name) values ('media', :'ws' || '/uploads/dress.jpg');
select tests.run_as('acme_member', format($$
  insert into public.feeds (id, workspace_id, feed_type, caption, media_paths, visibility, status) values
    ('f5000000-0000-0000-0000-000000000001', %1$L, 'image', 'public', array[%2$L], 'public', 'published'),
    ('f5000000-0000-0000-0000-000000000002', %1$L, 'image', 'private', array[%2$L], 'private', 'published') $$,
  :'ws', :'ws' || '/uploads/dress.jpg'));
-- A comment on the private post, deleted, and a live one: ids an attacker
-- may have got hold of, of rows it cannot see.
select tests.run_as('acme_member', $$
  insert into public.feed_comments (id, feed_id, content) values
    ('c5000000-0000-0000-0000-000000000001', 'f5000000-0000-0000-0000-000000000002', 'internal note'),
    ('c5000000-0000-0000-0000-000000000002', 'f5000000-0000-0000-0000-000000000002', 'still here') $$);
select tests.run_as('acme_member', $$
  update public.feed_comments set is_deleted = true where id = 'c5000000-0000-0000-0000-000000000001' $$);
\set reply 'insert into public.feed_comments (feed_id, parent_comment_id, content) values (%L, %L, ''hi'')'

-- Replies naming a comment one cannot see: the same answer whether it
-- exists, is deleted or is made up (the deleted-parent check ran as the
-- table owner, ahead of RLS, and said "deleted").
select is(tests.error_as('x_customer', format(:'reply', 'f5000000-0000-0000-0000-000000000001', 'c5000000-0000-0000-0000-000000000001')),
  tests.error_as('x_customer', format(:'reply', 'f5000000-0000-0000-0000-000000000001', gen_random_uuid())),
  'a reply on a public post to a deleted comment of a private post: as for an unknown comment');
select is(tests.error_as('x_customer', format(:'reply', 'f5000000-0000-0000-0000-000000000001', 'c5000000-0000-0000-0000-000000000002')),
  tests.error_as('x_customer', format(:'reply', 'f5000000-0000-0000-0000-000000000001', gen_random_uuid())),
  'to a live comment of a private post: the same');
select is(tests.error_as('x_customer', format(:'reply', 'f5000000-0000-0000-0000-000000000002', 'c5000000-0000-0000-0000-000000000001')),
  '42501 new row violates row-level security policy for table "feed_comments"',
  'a reply on the private post itself is refused as RLS refuses it, not as "deleted"');
select is(tests.error_as('acme_viewer', format(:'reply', 'f5000000-0000-0000-0000-000000000002', 'c5000000-0000-0000-0000-000000000001')),
  '55000 comment c5000000-0000-0000-0000-000000000001 is deleted; it takes no replies',
  'whoever sees the post is still told why');

-- Writes a client may not make, whoever it is.
select is(tests.error_as('x_customer', $$ update public.feed_comments set is_edited = false $$),
  '42501 permission denied for table feed_comments', 'is_edited is the database''s');
select is(tests.error_as('acme_owner', $$ update public.feeds set like_count = 1000, view_count = 1000 $$),
  '42501 permission denied for table feeds', 'counters are the database''s, even for the workspace''s owner');
select is(tests.error_as('acme_owner', $$ update public.feeds set published_at = now() - interval '1 year' $$),
  '42501 permission denied for table feeds', 'so is published_at');
select is(tests.try_as('acme_member', $$ update public.feed_comments set content = 'edited by the seller'
                                          where id = 'c5000000-0000-0000-0000-000000000002' $$),
  'ok:1', '(the author edits their comment)');
select is(tests.try_as('x_customer', $$ update public.feed_comments set is_deleted = true
                                         where id = 'c5000000-0000-0000-0000-000000000002' $$),
  'ok:0', 'a comment on a post one cannot see is not deleted by a stranger');
select is(tests.error_as('x_customer', format($$ insert into public.feed_likes (feed_id, user_id) values (%L, %L) $$,
                                              'f5000000-0000-0000-0000-000000000001', tests.get_supabase_uid('acme_owner'))),
  '42501 new row violates row-level security policy for table "feed_likes"', 'nobody likes in another''s name');

-- Following is no oracle of who uses Threadline: a person or a workspace
-- with no public face is "not found" to a stranger, as an id that does
-- not exist (the foreign key used to tell them apart).
\set follow_user 'insert into public.follows (followed_user_id) values (%L)'
\set follow_ws 'insert into public.follows (followed_workspace_id) values (%L)'
select is(tests.error_as('x_customer', format(:'follow_user', gen_random_uuid())), 'P0002 person not found',
  'following an unknown person id: not found');
select is(tests.error_as('x_customer', format(:'follow_user', tests.get_supabase_uid('beta_viewer'))), 'P0002 person not found',
  'nor is someone with no public face told apart from it');
select is(tests.error_as('x_customer', format(:'follow_ws', :'beta')), tests.error_as('x_customer', format(:'follow_ws', gen_random_uuid())),
  'a workspace with no public face answers as an unknown one');
select is(tests.error_as('x_customer', format(:'follow_ws', :'beta')), 'P0002 workspace not found', 'which is "not found"');
select results_eq(format('select who, tests.try_as(who, %L) from unnest(array[''x_customer'', ''beta_owner'', ''beta_viewer'']) who',
                         format(:'follow_ws', :'ws')),
  $$ values ('x_customer', 'ok:1'), ('beta_owner', 'ok:1'), ('beta_viewer', 'ok:1') $$,
  'a workspace with a public post is followed by anyone signed in');
select results_eq(format('select who, tests.try_as(who, %L) from unnest(array[''beta_owner'', ''beta_member'']) who',
                         format(:'follow_user', tests.get_supabase_uid('beta_viewer'))),
  $$ values ('beta_owner', 'ok:1'), ('beta_member', 'ok:1') $$,
  'a person without a public face is followed by those who know them (co-members)');

-- A viewer reads the workspace's files but does not publish them: not as
-- the media of a personal post (public, files and all, to anon).
insert into storage.objects (bucket_id, name) values ('media', :'ws' || '/invoices/INV-0001.pdf');
select is(tests.error_as('acme_viewer', format($$ insert into public.feeds (feed_type, media_paths, visibility, status)
                                                  values ('image', array[%L], 'public', 'published') $$, :'ws' || '/invoices/INV-0001.pdf')),
  '22023 media_paths of a personal post must be in the folder of one of your workspaces',
  'a viewer does not publish the workspace''s files in a personal post');
select is(tests.try_as('acme_member', format($$ insert into public.feeds (feed_type, media_paths, visibility, status)
                                                values ('image', array[%L], 'public', 'published') $$, :'ws' || '/uploads/dress.jpg')),
  'ok:1', '(a member, who may publish as the workspace, may)');

-- Shares are counted one a row: one request does not add a thousand.
select is(tests.error_as('x_customer', $$ insert into public.feed_shares (feed_id)
                                          select 'f5000000-0000-0000-0000-000000000001'::uuid from generate_series(1, 1000) $$),
  '22023 feed_shares: at most 100 rows a statement, not 1000', 'a thousand shares in one request are refused');
select is(tests.error_as('x_customer', $$ insert into public.feed_shares (feed_id, shared_to) values
                                          ('f5000000-0000-0000-0000-000000000001', 'internal'), ('f5000000-0000-0000-0000-000000000001', 'tiktok') $$),
  '22023 feed_shares: a statement counts each feed_id once (2 rows for f5000000-0000-0000-0000-000000000001)',
  'so is sharing one post twice in one statement');

-- Reads: anon reaches no private post, not through a function either.
select is(tests.try_as('anon', $$ select 1 from public.feed_comment_threads where feed_id = 'f5000000-0000-0000-0000-000000000002' $$),
  'ok:0', 'anon reads no comment of a private post');
select is(tests.error_as('anon', $$ select public.home_timeline() $$),
  '42501 permission denied for function home_timeline', 'nor runs the home timeline');

select * from finish();
rollback;
