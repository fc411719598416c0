-- A hostile client against the marketplace (anon, a customer, another
-- workspace's owner, the seller's own members): counters and ownership it
-- may not write, drafts it may not learn of, and views it may not inflate
-- by the thousand in one request.
begin;
select plan(14);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
select tests.create_supabase_user('acme_customer', null, null, '{"account_type":"customer"}'::jsonb);
insert into public.marketplace_products (id, workspace_id, title, category, price, status) values
  ('9e000000-0000-0000-0000-000000000001', :'ws', 'Ankara dress', 'dresses', 100, 'published'),
  ('9e000000-0000-0000-0000-000000000002', :'ws', 'Wax print top', 'tops', 60, 'published'),
  ('9e000000-0000-0000-0000-000000000003', :'ws', 'Unreleased', 'dresses', 100, 'draft');
\set views 'insert into public.product_views (product_id) select %L::uuid from generate_series(1, %s)'

-- Views: one request, one view of each product it showed.
select is(tests.error_as('anon', format(:'views', '9e000000-0000-0000-0000-000000000001', 5000)),
  '22023 product_views: at most 100 rows a statement, not 5000', 'anon does not add 5,000 views in one request');
select is(tests.error_as('acme_customer', format(:'views', '9e000000-0000-0000-0000-000000000001', 2)),
  '22023 product_views: a statement counts each product_id once (2 rows for 9e000000-0000-0000-0000-000000000001)',
  'nor a customer two');
select is(tests.try_as('anon', $$ insert into public.product_views (product_id) values
                                   ('9e000000-0000-0000-0000-000000000001'), ('9e000000-0000-0000-0000-000000000002') $$),
  'ok:2', 'a page of products counts one view each');
select is(tests.error_as('anon', format($$ insert into public.product_views (product_id)
                                           select p.id from public.marketplace_products p cross join generate_series(1, 51)
                                            where p.workspace_id = %L and p.status = 'published' $$, :'ws')),
  '22023 product_views: at most 100 rows a statement, not 102', 'a page is at most 100 products, as browse_products gives');
select is(tests.try_as('anon', $$ insert into public.product_views (product_id) values ('9e000000-0000-0000-0000-000000000003') $$),
  '42501', 'a draft is not viewed');

-- Counters and ownership are the database's.
select is(tests.error_as('acme_owner', $$ update public.marketplace_products set sales_count = 999 $$),
  '42501 permission denied for table marketplace_products', 'not even the owner sets sales_count');
select is(tests.error_as('acme_owner', $$ update public.marketplace_products set seller_id = null $$),
  '42501 permission denied for table marketplace_products', 'nor the seller');
select is(tests.error_as('acme_owner', format($$ update public.marketplace_products set workspace_id = %L $$, gen_random_uuid())),
  '42501 permission denied for table marketplace_products', 'nor moves a product to another workspace');
select tests.run_as('acme_customer', $$ insert into public.product_reviews (product_id, rating) values ('9e000000-0000-0000-0000-000000000001', 5) $$);
select is(tests.error_as('acme_customer', $$ update public.product_reviews set rating = 6 $$),
  '23514 new row for relation "product_reviews" violates check constraint "product_reviews_rating_check"', 'an edit keeps 1 to 5 stars');
select is(tests.error_as('acme_customer', $$ update public.product_reviews set verified_purchase = true $$),
  '42501 permission denied for table product_reviews', 'and does not make the review a verified purchase');

-- A viewer of one workspace reviewing another's product does not publish
-- the files of the workspace it only reads.
insert into public.marketplace_products (id, workspace_id, title, category, price, status) values
  ('9e000000-0000-0000-0000-0000000000b1', :'beta', 'Beta bag', 'bags', 40, 'published');
insert into storage.objects (bucket_id, name) values ('media', :'ws' || '/invoices/INV-0001.pdf'), ('media', :'ws' || '/uploads/bag.jpg');
\set photo_review 'insert into public.product_reviews (product_id, rating, images) values (''9e000000-0000-0000-0000-0000000000b1'', 4, array[%L])'
select matches(tests.error_as('acme_viewer', format(:'photo_review', :'ws' || '/invoices/INV-0001.pdf')),
  format('^22023 images: %s/invoices/INV-0001\.pdf is not a file in ', :'ws'),
  'a viewer''s review does not make its workspace''s files public');
select is(tests.try_as('acme_member', format(:'photo_review', :'ws' || '/uploads/bag.jpg')), 'ok:1',
  '(a member''s review carries their workspace''s photo)');

-- Drafts stay unknown, whatever path is tried.
select is(tests.error_as('acme_customer', $$ insert into public.product_likes (product_id) values ('9e000000-0000-0000-0000-000000000003') $$),
  tests.error_as('acme_customer', format('insert into public.product_likes (product_id) values (%L)', gen_random_uuid())),
  'liking a draft answers as for an unknown product');
select is(tests.try_as('anon', $$ select 1 from public.browse_products(search => 'Unreleased') $$),
  'ok:0', 'browsing does not find a draft');

select * from finish();
rollback;
