-- Social connections and cross-posts: who reads and manages them (anon, a
-- customer account, outsiders, viewer, member, admin, owner), tokens out of
-- every client's reach, cross_post's checks, and which tokens are due for
-- refresh.
begin;
select plan(30);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
select tests.create_supabase_user('x_customer', null, null, '{"account_type":"customer"}'::jsonb) as customer \gset
insert into storage.objects (bucket_id, name) values ('media', :'ws' || '/uploads/dress.jpg');
select tests.run_as('acme_member', format($$
  insert into public.feeds (id, workspace_id, feed_type, caption, media_paths, visibility, status) values
    ('f1000000-0000-0000-0000-000000000001', %1$L, 'image', 'live', array[%2$L], 'public', 'published'),
    ('f1000000-0000-0000-0000-000000000002', %1$L, 'image', 'draft', array[%2$L], 'public', 'draft') $$,
  :'ws', :'ws' || '/uploads/dress.jpg'));
select tests.run_as('acme_admin', format($$
  select public.connect_social_account('instagram', 'ig-acme', 'IGQV-secret-access-token', workspace_id => %L,
                                       username => 'acme.atelier', account_type => 'business') $$, :'ws'));
select tests.run_as('acme_member', $$
  select public.connect_social_account('tiktok', 'tt-member', 'act.secret-member-token', 'rft.secret-member-refresh') $$);
select id as conn from public.social_media_connections where platform_user_id = 'ig-acme' \gset
select id as mine from public.social_media_connections where platform_user_id = 'tt-member' \gset

\set everyone 'select who, tests.try_as(who, %L) from unnest(array[''anon'', ''x_customer'', ''acme_outsider'', ''beta_owner'', ''acme_viewer'', ''acme_member'', ''acme_admin'', ''acme_owner'']) who'

-- Connections
select results_eq(format(:'everyone', format('select 1 from public.social_media_connections where id = %L', :'conn')),
  $$ values ('anon', '42501'), ('x_customer', 'ok:0'), ('acme_outsider', 'ok:0'), ('beta_owner', 'ok:0'),
            ('acme_viewer', 'ok:1'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'a workspace connection: its workspace reads it, viewers too');
select results_eq(format(:'everyone', format('select 1 from public.social_media_connections where id = %L', :'mine')),
  $$ values ('anon', '42501'), ('x_customer', 'ok:0'), ('acme_outsider', 'ok:0'), ('beta_owner', 'ok:0'),
            ('acme_viewer', 'ok:0'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:0'), ('acme_owner', 'ok:0') $$,
  'a personal connection: its owner alone');
select results_eq(format(:'everyone', format('delete from public.social_media_connections where id = %L', :'conn')),
  $$ values ('anon', '42501'), ('x_customer', 'ok:0'), ('acme_outsider', 'ok:0'), ('beta_owner', 'ok:0'),
            ('acme_viewer', 'ok:0'), ('acme_member', 'ok:0'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'admins and owners remove a workspace connection');
select results_eq(format(:'everyone', format('update public.social_media_connections set username = ''x'' where id = %L', :'conn')),
  $$ values ('anon', '42501'), ('x_customer', '42501'), ('acme_outsider', '42501'), ('beta_owner', '42501'),
            ('acme_viewer', '42501'), ('acme_member', '42501'), ('acme_admin', '42501'), ('acme_owner', '42501') $$,
  'nobody edits a connection row: reconnecting goes through connect_social_account');
select results_eq(format(:'everyone', format('insert into public.social_media_connections (workspace_id, platform, platform_user_id) values (%L, ''tiktok'', ''x'')', :'ws')),
  $$ values ('anon', '42501'), ('x_customer', '42501'), ('acme_outsider', '42501'), ('beta_owner', '42501'),
            ('acme_viewer', '42501'), ('acme_member', '42501'), ('acme_admin', '42501'), ('acme_owner', '42501') $$,
  'nor inserts one');
select results_eq(format(:'everyone', format('select public.connect_social_account(''instagram'', ''ig-2'', ''IGQV-another-token'', workspace_id => %L)', :'ws')),
  $$ values ('anon', '42501'), ('x_customer', 'P0002'), ('acme_outsider', 'P0002'), ('beta_owner', 'P0002'),
            ('acme_viewer', 'P0002'), ('acme_member', 'P0002'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'admins connect a workspace''s accounts; to anyone else the workspace is not found');
select is(tests.error_as('acme_member', format('select public.connect_social_account(''instagram'', ''ig-2'', ''IGQV-x'', workspace_id => %L)', :'ws')),
  'P0002 workspace not found', 'a member is told the workspace is not found');
select is(tests.error_as('acme_admin', format('select public.connect_social_account(''tiktok'', ''tt-2'', ''act.secret-short-lived'', workspace_id => %L)', :'ws')),
  '22023 a TikTok connection needs its refresh token', 'TikTok needs a refresh token');
select is(tests.error_as('x_customer', $$ select public.connect_social_account('instagram', 'ig-3', 'short') $$),
  '22023 tokens must be strings of at least 8 characters', 'a refused token is not echoed back');

-- Tokens: in Vault only
select is((select count(*)::int from information_schema.columns
            where table_schema = 'public' and table_name in ('social_media_connections', 'feed_cross_posts')
              and column_name in ('access_token', 'refresh_token')), 0, 'no token column in the public tables');
select is((select t.access_token from private.social_tokens(:'conn') t), 'IGQV-secret-access-token', 'the token is in Vault');
select is(tests.error_as('acme_owner', 'select 1 from private.social_connection_tokens'), '42501 permission denied for table social_connection_tokens',
  'the secret ids are out of reach');
select is(tests.error_as('acme_owner', format('select * from private.social_tokens(%L)', :'conn')),
  '42501 permission denied for function social_tokens', 'and so is the service''s token reader');
select is(tests.error_as('acme_owner', 'select 1 from vault.decrypted_secrets'), '42501 permission denied for schema vault', 'and Vault');
select tests.authenticate_as('acme_owner');
select is((select count(*)::int from (
    select to_jsonb(c)::text as t from public.social_media_connections c
    union all select to_jsonb(a)::text from public.activity_log a
    union all select to_jsonb(n)::text from public.notifications n) x
   where t like '%secret-access-token%' or t like '%secret-member%'), 0,
  'no row the owner reads (connections, audit, notifications) carries a token');
select tests.clear_authentication();
select is((select count(*)::int from public.activity_log where entity_type = 'social_media_connections' and entity_id = :'conn'),
  1, 'connecting is audited');

-- cross_post
select is(tests.error_as('acme_member', format('select public.cross_post(''f1000000-0000-0000-0000-000000000002'', %L)', :'conn')),
  '55000 only a published post can be cross-posted (this one is draft)', 'an unpublished post is refused');
select is(tests.error_as('beta_owner', format('select public.cross_post(''f1000000-0000-0000-0000-000000000001'', %L)', :'conn')),
  'P0002 connection not found', 'someone else''s connection is not found');
select is(tests.error_as('acme_viewer', format('select public.cross_post(''f1000000-0000-0000-0000-000000000001'', %L)', :'conn')),
  'P0002 connection not found', 'viewers do not post');
select is(tests.error_as('acme_member', format('select public.cross_post(''f1000000-0000-0000-0000-000000000001'', %L)', :'mine')),
  'P0002 post not found', 'a workspace post does not go to a personal account');
select is(tests.error_as('acme_member', format('select public.cross_post(''f1000000-0000-0000-0000-000000000001'', %L, now() + interval ''1 day'')', :'conn')),
  'ok:1', 'a member schedules a published post to the workspace account');
select tests.run_as('acme_member', format('select public.cross_post(''f1000000-0000-0000-0000-000000000001'', %L)', :'conn'));
select is(tests.error_as('acme_member', format('select public.cross_post(''f1000000-0000-0000-0000-000000000001'', %L)', :'conn')),
  '23505 this post is already cross-posted (or queued) to that account', 'once per account');
select cmp_ok(private.sweep_social(), '>=', 1, 'the tick''s step sees it due and pokes the social function');
select results_eq($$ select c.feed_type::text, c.access_token, c.container_id from private.claim_cross_posts('pgtap-drain', 10, 60) c
                      join public.feed_cross_posts p on p.id = c.id where p.feed_id = 'f1000000-0000-0000-0000-000000000001' $$,
  $$ values ('image', 'IGQV-secret-access-token', null::text) $$, 'the function claims it, with the token (service only)');
select is((select count(*)::int from private.claim_cross_posts('pgtap-other', 10, 60) c
            join public.feed_cross_posts p on p.id = c.id where p.feed_id = 'f1000000-0000-0000-0000-000000000001'),
  0, 'leased: another drain does not get it');
select results_eq(format(:'everyone', 'select 1 from public.feed_cross_posts'),
  $$ values ('anon', '42501'), ('x_customer', 'ok:0'), ('acme_outsider', 'ok:0'), ('beta_owner', 'ok:0'),
            ('acme_viewer', 'ok:1'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'a workspace''s cross-posts: its workspace reads them');
select results_eq(format(:'everyone', 'delete from public.feed_cross_posts'),
  $$ values ('anon', '42501'), ('x_customer', 'ok:0'), ('acme_outsider', 'ok:0'), ('beta_owner', 'ok:0'),
            ('acme_viewer', 'ok:0'), ('acme_member', 'ok:1'), ('acme_admin', 'ok:1'), ('acme_owner', 'ok:1') $$,
  'a pending one is withdrawn by who asked or an admin');
select private.deactivate_social_connection(:'conn', 'Error validating access token (code 190)');
select is(tests.error_as('acme_member', format('select public.cross_post(''f1000000-0000-0000-0000-000000000001'', %L, now() + interval ''2 days'')', :'conn')),
  '55000 the instagram account @acme.atelier is disconnected: Error validating access token (code 190)', 'an inactive connection is refused');
select is((select count(*)::int from public.notifications where reference_id = :'conn' and user_id = tests.get_supabase_uid('acme_admin')),
  1, 'who connected it is told once');

-- Refresh selection
update public.social_media_connections set is_active = true, inactive_reason = null,
       token_expires_at = now() + interval '3 days', token_refreshed_at = now() - interval '57 days' where id = :'conn';
update public.social_media_connections set token_expires_at = now() + interval '1 hour' where id = :'mine';
insert into public.social_media_connections (id, user_id, platform, platform_user_id, token_expires_at, token_refreshed_at)
values ('c1000000-0000-0000-0000-000000000001', :'customer', 'instagram', 'ig-young', now() + interval '3 days', now() - interval '2 hours'),
       ('c1000000-0000-0000-0000-000000000002', :'customer', 'instagram', 'ig-fresh', now() + interval '50 days', now() - interval '10 days'),
       ('c1000000-0000-0000-0000-000000000003', :'customer', 'tiktok', 'tt-fresh', now() + interval '20 hours', now() - interval '4 hours');
select private.put_social_tokens(id, 'token-of-' || platform_user_id, 'refresh-of-' || platform_user_id)
  from public.social_media_connections where id::text like 'c1000000%';
select set_eq($$ select private.social_refresh_due() $$ ,
  format('values (%L::uuid), (%L::uuid)', :'conn', :'mine'),
  'due: an Instagram token a day old near expiry and a TikTok token within two hours; not a younger, a fresh or an inactive one');
select * from finish();
rollback;
