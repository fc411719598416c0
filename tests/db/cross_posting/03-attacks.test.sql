-- A hostile client against cross-posting: another's post to one's own
-- account, one's post to another's account, and a post withdrawn from
-- Threadline (deleted, archived) after it was queued, which must not go
-- out to Instagram or TikTok afterwards.
begin;
select plan(8);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
select tests.create_supabase_user('x_customer', null, null, '{"account_type":"customer"}'::jsonb) as customer \gset
insert into storage.objects (bucket_id, name) values ('media', :'ws' || '/uploads/dress.jpg');
select tests.run_as('acme_member', format($$
  insert into public.feeds (id, workspace_id, feed_type, caption, media_paths, visibility, status) values
    ('f3000000-0000-0000-0000-000000000001', %1$L, 'image', 'to be deleted', array[%2$L], 'public', 'published'),
    ('f3000000-0000-0000-0000-000000000002', %1$L, 'image', 'to be archived', array[%2$L], 'public', 'published'),
    ('f3000000-0000-0000-0000-000000000003', %1$L, 'image', 'stays', array[%2$L], 'public', 'published') $$,
  :'ws', :'ws' || '/uploads/dress.jpg'));
select tests.run_as('acme_admin', format($$
  select public.connect_social_account('instagram', 'ig-acme', 'IGQV-secret-access-token', workspace_id => %L) $$, :'ws'));
select tests.run_as('beta_owner', format($$
  select public.connect_social_account('instagram', 'ig-beta', 'IGQV-beta-access-token', workspace_id => %L) $$, :'beta'));
select tests.run_as('x_customer', $$ select public.connect_social_account('instagram', 'ig-customer', 'IGQV-customer-token') $$);
select id as conn from public.social_media_connections where platform_user_id = 'ig-acme' \gset
select id as beta_conn from public.social_media_connections where platform_user_id = 'ig-beta' \gset
select id as customer_conn from public.social_media_connections where platform_user_id = 'ig-customer' \gset

-- What held: posts and accounts one does not own are not found.
select is(tests.error_as('x_customer', format('select public.cross_post(''f3000000-0000-0000-0000-000000000003'', %L)', :'customer_conn')),
  'P0002 post not found', 'a customer does not send a workspace''s post to their own account');
select is(tests.error_as('beta_owner', format('select public.cross_post(''f3000000-0000-0000-0000-000000000003'', %L)', :'beta_conn')),
  'P0002 post not found', 'another workspace does not send it to its account');
select is(tests.error_as('x_customer', format('select public.cross_post(''f3000000-0000-0000-0000-000000000003'', %L)', :'conn')),
  'P0002 connection not found', 'nor does anyone outside use the workspace''s account');
select is(tests.error_as('anon', format('select public.cross_post(''f3000000-0000-0000-0000-000000000003'', %L)', :'conn')),
  '42501 permission denied for function cross_post', 'anon does not cross-post');

-- Queued, then withdrawn from Threadline: it never goes out.
select tests.run_as('acme_member', format('select public.cross_post(%L, %L)', f, :'conn'))
  from unnest(array['f3000000-0000-0000-0000-000000000001', 'f3000000-0000-0000-0000-000000000002',
                    'f3000000-0000-0000-0000-000000000003']) f;
select tests.run_as('acme_member', $$ update public.feeds set status = 'deleted' where id = 'f3000000-0000-0000-0000-000000000001' $$);
select tests.run_as('acme_member', $$ update public.feeds set status = 'archived' where id = 'f3000000-0000-0000-0000-000000000002' $$);
select set_eq($$ select p.feed_id from private.claim_cross_posts('pgtap-attack', 10, 60) c join public.feed_cross_posts p on p.id = c.id $$,
  $$ values ('f3000000-0000-0000-0000-000000000003'::uuid) $$,
  'the social function is handed only the post still published');
select results_eq($$ select status::text, error_message from public.feed_cross_posts
                     where feed_id in ('f3000000-0000-0000-0000-000000000001', 'f3000000-0000-0000-0000-000000000002') order by feed_id $$,
  $$ values ('failed', 'the post was deleted before it went out'), ('failed', 'the post was archived before it went out') $$,
  'the withdrawn ones fail, saying why');
select tests.run_as('acme_member', $$ update public.feeds set status = 'published' where id = 'f3000000-0000-0000-0000-000000000002' $$);
select is((select status::text from public.feed_cross_posts where feed_id = 'f3000000-0000-0000-0000-000000000002'),
  'failed', 'published again, its failed cross-post stays failed');
select is(tests.try_as('acme_member', format('select public.cross_post(''f3000000-0000-0000-0000-000000000002'', %L)', :'conn')),
  'ok:1', 'which is allowed, a failed one not counting');

select * from finish();
rollback;
