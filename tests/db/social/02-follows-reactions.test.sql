-- Follows, likes, comments (nested, edited, soft-deleted), comment likes
-- and shares: who reads and writes each, reactions only on posts one may
-- see, counters exact at commit and folded by the tick, notices to the
-- author (comments one by one, likes batched).
begin;
select plan(40);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
select tests.create_supabase_user('x_customer', null, null, '{"account_type":"customer"}'::jsonb) as customer \gset
select tests.create_supabase_user('x_follower') as follower \gset
-- The customer has a public face (as after a comment): strangers may follow
-- only people who have one (05-attacks).
update visitor.profile_cards set listed = true where id = :'customer';
insert into storage.objects (bucket_id, name) values ('media', :'ws' || '/uploads/dress.jpg');
select tests.run_as('acme_member', format($$
  insert into public.feeds (id, workspace_id, feed_type, caption, media_paths, visibility, status) values
    ('f0000000-0000-0000-0000-000000000001', %1$L, 'image', 'public', array[%2$L], 'public', 'published'),
    ('f0000000-0000-0000-0000-000000000002', %1$L, 'image', 'followers', array[%2$L], 'followers', 'published'),
    ('f0000000-0000-0000-0000-000000000004', %1$L, 'image', 'draft', array[%2$L], 'public', 'draft') $$,
  :'ws', :'ws' || '/uploads/dress.jpg'));

\set who 'select who, tests.try_as(who, %L) from unnest(array[''anon'', ''x_customer'', ''x_follower'', ''acme_outsider'', ''beta_owner'', ''acme_viewer'', ''acme_member'', ''acme_admin'', ''acme_owner'']) who'

-- Follows
select results_eq(format(:'who', format('insert into public.follows (followed_workspace_id) values (%L)', :'ws')),
  $$ values ('anon', '42501'), ('x_customer', 'ok:1'), ('x_follower', 'ok:1'), ('acme_outsider', 'ok:1'), ('beta_owner', 'ok:1'),
            ('acme_viewer', 'ok:1'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'anyone signed in follows a workspace');
select tests.run_as('x_follower', format('insert into public.follows (followed_workspace_id) values (%L)', :'ws'));
select tests.run_as('x_follower', format('insert into public.follows (followed_user_id) values (%L)', :'customer'));
select results_eq(format(:'who', 'select 1 from public.follows where followed_workspace_id is not null'),
  $$ values ('anon', '42501'), ('x_customer', 'ok:0'), ('x_follower', 'ok:1'), ('acme_outsider', 'ok:0'), ('beta_owner', 'ok:0'),
            ('acme_viewer', 'ok:1'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'a follow of a workspace: the follower and the workspace''s members see it');
select results_eq(format(:'who', 'select 1 from public.follows where followed_user_id is not null'),
  $$ values ('anon', '42501'), ('x_customer', 'ok:1'), ('x_follower', 'ok:1'), ('acme_outsider', 'ok:0'), ('beta_owner', 'ok:0'),
            ('acme_viewer', 'ok:0'), ('acme_member', 'ok:0'), ('acme_admin', 'ok:0'), ('acme_owner', 'ok:0') $$,
  'a follow of a person: the follower and the followed');
select results_eq(format(:'who', 'delete from public.follows where followed_user_id is not null'),
  $$ values ('anon', '42501'), ('x_customer', 'ok:0'), ('x_follower', 'ok:1'), ('acme_outsider', 'ok:0'), ('beta_owner', 'ok:0'),
            ('acme_viewer', 'ok:0'), ('acme_member', 'ok:0'), ('acme_admin', 'ok:0'), ('acme_owner', 'ok:0') $$,
  'only the follower unfollows');
select is(tests.error_as('x_follower', format('insert into public.follows (followed_user_id) values (%L)', :'follower')),
  '23514 new row for relation "follows" violates check constraint "follows_check1"', 'nobody follows themselves');
select is(tests.error_as('x_follower', format('insert into public.follows (followed_workspace_id) values (%L)', :'ws')),
  '23505 duplicate key value violates unique constraint "follows_follower_id_followed_workspace_id_key"', 'a follow is unique');
select is(tests.error_as('x_follower', format('insert into public.follows (followed_user_id, followed_workspace_id) values (%L, %L)', :'customer', :'ws')),
  '23514 new row for relation "follows" violates check constraint "follows_check"', 'a follow has exactly one target');
select is(tests.error_as('x_customer', format('insert into public.follows (follower_id, followed_workspace_id) values (%L, %L)', :'follower', :'beta')),
  '42501 new row violates row-level security policy for table "follows"', 'nobody follows in another''s name');

-- Likes: on posts one may see, published, as oneself
\set like 'insert into public.feed_likes (feed_id) values (''f0000000-0000-0000-0000-00000000000%s'')'
select results_eq(format(:'who', format(:'like', 1)),
  $$ values ('anon', '42501'), ('x_customer', 'ok:1'), ('x_follower', 'ok:1'), ('acme_outsider', 'ok:1'), ('beta_owner', 'ok:1'),
            ('acme_viewer', 'ok:1'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'a public post: anyone signed in likes it');
select results_eq(format(:'who', format(:'like', 2)),
  $$ values ('anon', '42501'), ('x_customer', '42501'), ('x_follower', 'ok:1'), ('acme_outsider', '42501'), ('beta_owner', '42501'),
            ('acme_viewer', 'ok:1'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'a followers-only post: its followers and workspace');
select results_eq(format(:'who', format(:'like', 4)),
  $$ values ('anon', '42501'), ('x_customer', '42501'), ('x_follower', '42501'), ('acme_outsider', '42501'), ('beta_owner', '42501'),
            ('acme_viewer', '42501'), ('acme_member', '42501'), ('acme_admin', '42501'), ('acme_owner', '42501') $$,
  'a draft: nobody');
select is(tests.error_as('x_customer', format('insert into public.feed_likes (feed_id, user_id) values (''f0000000-0000-0000-0000-000000000001'', %L)', :'follower')),
  '42501 new row violates row-level security policy for table "feed_likes"', 'nobody likes in another''s name');
select tests.run_as('x_customer', format(:'like', 1));
select tests.run_as('x_follower', format(:'like', 1));
select tests.run_as('x_follower', format(:'like', 2));
select is(tests.error_as('x_customer', format(:'like', 1)),
  '23505 duplicate key value violates unique constraint "feed_likes_feed_id_user_id_key"', 'one like per person');
select results_eq(format(:'who', 'select 1 from public.feed_likes where feed_id = ''f0000000-0000-0000-0000-000000000002'''),
  $$ values ('anon', 'ok:0'), ('x_customer', 'ok:0'), ('x_follower', 'ok:1'), ('acme_outsider', 'ok:0'), ('beta_owner', 'ok:0'),
            ('acme_viewer', 'ok:1'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'likes are read by whoever may see the post');
select results_eq(format(:'who', 'delete from public.feed_likes'),
  $$ values ('anon', '42501'), ('x_customer', 'ok:1'), ('x_follower', 'ok:2'), ('acme_outsider', 'ok:0'), ('beta_owner', 'ok:0'),
            ('acme_viewer', 'ok:0'), ('acme_member', 'ok:0'), ('acme_admin', 'ok:0'), ('acme_owner', 'ok:0') $$,
  'a like is taken back by its owner only');

-- Comments
\set comment 'insert into public.feed_comments (id, feed_id, parent_comment_id, content) values (%L, ''f0000000-0000-0000-0000-00000000000%s'', %L, %L)'
select results_eq(format(:'who', format(:'comment', gen_random_uuid(), 2, null, 'probe')),
  $$ values ('anon', '42501'), ('x_customer', '42501'), ('x_follower', 'ok:1'), ('acme_outsider', '42501'), ('beta_owner', '42501'),
            ('acme_viewer', 'ok:1'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'comments on a followers-only post: its followers and workspace');
select tests.run_as('x_customer', format(:'comment', 'c0000000-0000-0000-0000-000000000001', 1, null, 'Lovely linen!'));
select tests.run_as('acme_member', format(:'comment', 'c0000000-0000-0000-0000-000000000002', 1, 'c0000000-0000-0000-0000-000000000001', 'Thank you!'));
select tests.run_as('x_follower', format(:'comment', 'c0000000-0000-0000-0000-000000000003', 1, 'c0000000-0000-0000-0000-000000000001', 'Agreed'));
select is(tests.error_as('x_customer', format(:'comment', gen_random_uuid(), 2, 'c0000000-0000-0000-0000-000000000001', 'elsewhere')),
  '42501 new row violates row-level security policy for table "feed_comments"', 'a reply is refused on a post one cannot see');
select is(tests.error_as('acme_member', format(:'comment', gen_random_uuid(), 2, 'c0000000-0000-0000-0000-000000000001', 'elsewhere')),
  '23503 insert or update on table "feed_comments" violates foreign key constraint "feed_comments_parent_comment_id_feed_id_fkey"',
  'a reply belongs to its parent''s post');
select results_eq(format(:'who', 'select 1 from public.feed_comments where content = ''Lovely linen!'''),
  $$ values ('anon', 'ok:1'), ('x_customer', 'ok:1'), ('x_follower', 'ok:1'), ('acme_outsider', 'ok:1'), ('beta_owner', 'ok:1'),
            ('acme_viewer', 'ok:1'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'comments on a public post are public');
select results_eq(format(:'who', 'update public.feed_comments set content = ''Lovely linen!!'' where id = ''c0000000-0000-0000-0000-000000000001'''),
  $$ values ('anon', '42501'), ('x_customer', 'ok:1'), ('x_follower', 'ok:0'), ('acme_outsider', 'ok:0'), ('beta_owner', 'ok:0'),
            ('acme_viewer', 'ok:0'), ('acme_member', '42501'), ('acme_admin', '42501'), ('acme_owner', '42501') $$,
  'only its author edits a comment (the post''s managers may not)');
select results_eq(format(:'who', 'update public.feed_comments set is_deleted = true where id = ''c0000000-0000-0000-0000-000000000001'''),
  $$ values ('anon', '42501'), ('x_customer', 'ok:1'), ('x_follower', 'ok:0'), ('acme_outsider', 'ok:0'), ('beta_owner', 'ok:0'),
            ('acme_viewer', 'ok:0'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'its author and the post''s members delete a comment');
select is(tests.error_as('acme_member', 'update public.feed_comments set like_count = 9 where id = ''c0000000-0000-0000-0000-000000000001'''),
  '42501 permission denied for table feed_comments', 'like_count is the database''s');
select tests.run_as('x_customer', 'update public.feed_comments set content = ''Lovely linen, really'' where id = ''c0000000-0000-0000-0000-000000000001''');
select is((select (is_edited, content) from public.feed_comments where id = 'c0000000-0000-0000-0000-000000000001'),
  (true, 'Lovely linen, really'::text), 'an edit is marked by the database');
select tests.run_as('x_customer', 'update public.feed_comments set is_deleted = true where id = ''c0000000-0000-0000-0000-000000000001''');
select is((select (is_deleted, content, deleted_at is not null) from public.feed_comments where id = 'c0000000-0000-0000-0000-000000000001'),
  (true, null::text, true), 'a deleted comment keeps its place with no content');
select is((select count(*)::int from public.feed_comments where parent_comment_id = 'c0000000-0000-0000-0000-000000000001'), 2,
  'and its replies');
select is(tests.error_as('x_customer', 'update public.feed_comments set is_deleted = false where id = ''c0000000-0000-0000-0000-000000000001'''),
  '55000 comment c0000000-0000-0000-0000-000000000001 is deleted', 'for good');
select is(tests.error_as('x_follower', format(:'comment', gen_random_uuid(), 1, 'c0000000-0000-0000-0000-000000000001', 'late')),
  '55000 comment c0000000-0000-0000-0000-000000000001 is deleted; it takes no replies', 'and takes no new replies');

-- Comment likes
select results_eq(format(:'who', 'insert into public.feed_comment_likes (comment_id) values (''c0000000-0000-0000-0000-000000000002'')'),
  $$ values ('anon', '42501'), ('x_customer', 'ok:1'), ('x_follower', 'ok:1'), ('acme_outsider', 'ok:1'), ('beta_owner', 'ok:1'),
            ('acme_viewer', 'ok:1'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'a comment one may see is liked by anyone signed in');
select is(tests.error_as('x_follower', 'insert into public.feed_comment_likes (comment_id) values (''c0000000-0000-0000-0000-000000000001'')'),
  '42501 new row violates row-level security policy for table "feed_comment_likes"', 'not a deleted one');
select tests.run_as('x_follower', 'insert into public.feed_comment_likes (comment_id) values (''c0000000-0000-0000-0000-000000000002'')');
select tests.run_as('x_customer', 'insert into public.feed_comment_likes (comment_id) values (''c0000000-0000-0000-0000-000000000002'')');

-- Shares
select results_eq(format(:'who', 'insert into public.feed_shares (feed_id, shared_to) values (''f0000000-0000-0000-0000-000000000001'', ''instagram'')'),
  $$ values ('anon', '42501'), ('x_customer', 'ok:1'), ('x_follower', 'ok:1'), ('acme_outsider', 'ok:1'), ('beta_owner', 'ok:1'),
            ('acme_viewer', 'ok:1'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'a public post is shared by anyone signed in');
select tests.run_as('x_customer', 'insert into public.feed_shares (feed_id) values (''f0000000-0000-0000-0000-000000000001'')');
select results_eq(format(:'who', 'select 1 from public.feed_shares'),
  $$ values ('anon', '42501'), ('x_customer', 'ok:1'), ('x_follower', 'ok:0'), ('acme_outsider', 'ok:0'), ('beta_owner', 'ok:0'),
            ('acme_viewer', 'ok:1'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'shares: the sharer and the post''s workspace');

-- Counters: exact before the fold, the same after it
select tests.run_as('acme_viewer', format(:'like', 1));
select tests.run_as('acme_viewer', format('delete from public.feed_likes where feed_id = %L', 'f0000000-0000-0000-0000-000000000001'));
select is((select (like_count, comment_count, share_count) from public.feed_posts where id = 'f0000000-0000-0000-0000-000000000001'),
  (2::bigint, 2::bigint, 1::bigint), 'counts are exact before the tick: 2 likes, 2 live comments, 1 share');
select is((select (like_count, comment_count) from public.feeds where id = 'f0000000-0000-0000-0000-000000000001'),
  (0, 0), 'the post row itself is not written by a reaction');
select is((select like_count from public.feed_comment_threads where id = 'c0000000-0000-0000-0000-000000000002'), 2::bigint,
  'comment likes too');
select ok(private.fold_social_counters() >= 2, 'the tick folds');
select is((select (like_count, comment_count, share_count) from public.feeds where id = 'f0000000-0000-0000-0000-000000000001'),
  (2, 2, 1), 'into the post row');
select is((select (like_count, comment_count, share_count) from public.feed_posts where id = 'f0000000-0000-0000-0000-000000000001'),
  (2::bigint, 2::bigint, 1::bigint), 'and the counts read the same');
select is((select count(*)::int from private.feed_counter_deltas), 0, 'nothing left pending');
delete from public.feed_comments where id = 'c0000000-0000-0000-0000-000000000001';
select is((select comment_count from public.feed_posts where id = 'f0000000-0000-0000-0000-000000000001'), 0::bigint,
  'removing a deleted comment with its two replies takes the two live ones off the count, not three');

-- Notices to the author
select is((select array_agg(title order by title) from public.notifications where user_id = tests.get_supabase_uid('acme_member') and reference_id = 'f0000000-0000-0000-0000-000000000001'),
  array['2 new likes on your post', 'New comment on your post', 'New comment on your post'],
  'the author hears of each comment by others and of likes in one notice');
select * from finish();
rollback;
