-- Reviews, helpful votes and likes: who reads and writes them (anon and a
-- customer included), sellers refused, one per person, counters exact at
-- commit through marketplace_listings and after the tick on the row.
begin;
select plan(29);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_supabase_user('acme_customer', null, null, '{"account_type":"customer"}'::jsonb);
select tests.create_supabase_user('acme_fan', null, null, '{"account_type":"customer"}'::jsonb);
insert into public.marketplace_products (id, workspace_id, title, category, price, status) values
  ('9c000000-0000-0000-0000-000000000001', :'ws', 'Ankara dress', 'dresses', 100, 'published'),
  ('9c000000-0000-0000-0000-000000000002', :'ws', 'Draft dress', 'dresses', 100, 'draft');
create function pg_temp.m(q text) returns table (who text, result text) language sql as $$
  select * from tests.matrix('acme', q) union all select 'customer', tests.try_as('acme_customer', q)
$$;
\set everyone '$$ values (''anon'', ''ok:1''), (''outsider'', ''ok:1''), (''viewer'', ''ok:1''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1''), (''customer'', ''ok:1'') $$'
\set review 'insert into public.product_reviews (product_id, rating, review_text) values (%L, %s, %L)'

-- Reviews -----------------------------------------------------------------------------------
select results_eq(format('select * from pg_temp.m(%L)', format(:'review', '9c000000-0000-0000-0000-000000000001', 5, 'Lovely')),
  $$ values ('anon', '42501'), ('outsider', 'ok:1'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501'), ('customer', 'ok:1') $$,
  'reviews: anyone signed in outside the selling workspace writes one, anon does not');
select is(tests.error_as('acme_member', format(:'review', '9c000000-0000-0000-0000-000000000001', 5, 'Ours is great')),
  '42501 members of the selling workspace do not review its products', 'a seller is refused, saying why');
select is(tests.error_as('acme_customer', format(:'review', '9c000000-0000-0000-0000-000000000002', 5, 'x')),
  'P0002 product not found', 'a draft is not found');
select is(tests.error_as('acme_customer', format(:'review', '9c000000-0000-0000-0000-000000000001', 6, 'x')),
  '23514 new row for relation "product_reviews" violates check constraint "product_reviews_rating_check"', 'ratings are 1 to 5');
select tests.run_as('acme_customer', format(:'review', '9c000000-0000-0000-0000-000000000001', 4, 'Good fit'));
select is(tests.error_as('acme_customer', format(:'review', '9c000000-0000-0000-0000-000000000001', 5, 'Again')),
  '23505 duplicate key value violates unique constraint "product_reviews_product_id_user_id_key"', 'one review per person per product');
select results_eq('select * from pg_temp.m(''select 1 from public.product_reviews where review_text = ''''Good fit'''''')',
  :everyone, 'a published product''s reviews are public');
select results_eq('select * from pg_temp.m(''update public.product_reviews set rating = 3 where review_text = ''''Good fit'''''')',
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:0'), ('member', 'ok:0'), ('admin', 'ok:0'), ('owner', 'ok:0'), ('customer', 'ok:1') $$,
  'only its author edits a review');
select results_eq('select * from pg_temp.m(''update public.product_reviews set helpful_count = 99 where review_text = ''''Good fit'''''')',
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', '42501'), ('owner', '42501'), ('customer', '42501') $$,
  'helpful_count is the database''s');
select results_eq('select * from pg_temp.m(''delete from public.product_reviews where review_text = ''''Good fit'''''')',
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:0'), ('member', 'ok:0'), ('admin', 'ok:0'), ('owner', 'ok:0'), ('customer', 'ok:1') $$,
  'and removes it');
select is((select verified_purchase from public.product_reviews where review_text = 'Good fit'), false, 'not a verified purchase: they did not buy it here');
select tests.run_as('acme_fan', 'select public.buy_product(''9c000000-0000-0000-0000-000000000001'')');
select tests.run_as('acme_fan', format(:'review', '9c000000-0000-0000-0000-000000000001', 2, 'Too long'));
select is((select verified_purchase from public.product_reviews where review_text = 'Too long'), true, 'a buyer''s review is a verified purchase');
select is(tests.try_as('anon', format('select 1 from public.public_profiles where id = %L', tests.get_supabase_uid('acme_fan'))), 'ok:1',
  'a reviewer''s name is public beside their review');
select is((select (rating, review_count) from public.marketplace_listings where id = '9c000000-0000-0000-0000-000000000001'),
  (3.00::numeric(3, 2), 2), 'rating and review_count are exact at once');
select tests.run_as('acme_customer', 'update public.product_reviews set rating = 5 where review_text = ''Good fit''');
select is((select (rating, review_count) from public.marketplace_listings where id = '9c000000-0000-0000-0000-000000000001'),
  (3.50::numeric(3, 2), 2), 'and follow an edited rating');

-- Helpful votes --------------------------------------------------------------------------------
select id as review from public.product_reviews where review_text = 'Good fit' \gset
\set vote 'insert into public.product_review_votes (review_id) values (%L)'
select results_eq(format('select * from pg_temp.m(%L)', format(:'vote', :'review')),
  $$ values ('anon', '42501'), ('outsider', 'ok:1'), ('viewer', 'ok:1'), ('member', 'ok:1'), ('admin', 'ok:1'), ('owner', 'ok:1'), ('customer', '42501') $$,
  'votes: anyone signed in but the review''s author');
select is(tests.error_as('acme_customer', format(:'vote', :'review')), '42501 a review is not voted helpful by its own author', 'saying why');
select tests.run_as('acme_fan', format(:'vote', :'review'));
select tests.run_as('acme_viewer', format(:'vote', :'review'));
select is(tests.error_as('acme_fan', format(:'vote', :'review')),
  '23505 duplicate key value violates unique constraint "product_review_votes_pkey"', 'one vote per person');
select is((select helpful_count from public.product_reviews where id = :'review'), 2, 'helpful_count counts the votes');
select results_eq(format('select * from pg_temp.m(%L)', format('select 1 from public.product_review_votes where review_id = %L', :'review')),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:1'), ('member', 'ok:0'), ('admin', 'ok:0'), ('owner', 'ok:0'), ('customer', 'ok:0') $$,
  'a vote is read by its voter only');
select tests.run_as('acme_fan', format('delete from public.product_review_votes where review_id = %L', :'review'));
select is((select helpful_count from public.product_reviews where id = :'review'), 1, 'a vote taken back is uncounted');

-- Likes ---------------------------------------------------------------------------------------------
\set like 'insert into public.product_likes (product_id) values (%L)'
select results_eq(format('select * from pg_temp.m(%L)', format(:'like', '9c000000-0000-0000-0000-000000000001')),
  $$ values ('anon', '42501'), ('outsider', 'ok:1'), ('viewer', 'ok:1'), ('member', 'ok:1'), ('admin', 'ok:1'), ('owner', 'ok:1'), ('customer', 'ok:1') $$,
  'likes: anyone signed in');
select is(tests.error_as('acme_customer', format(:'like', '9c000000-0000-0000-0000-000000000002')),
  'P0002 product not found', 'a draft is not liked (nor found)');
select tests.run_as('acme_customer', format(:'like', '9c000000-0000-0000-0000-000000000001'));
select tests.run_as('acme_fan', format(:'like', '9c000000-0000-0000-0000-000000000001'));
select is(tests.error_as('acme_fan', format(:'like', '9c000000-0000-0000-0000-000000000001')),
  '23505 duplicate key value violates unique constraint "product_likes_product_id_user_id_key"', 'one like per person');
select results_eq('select * from pg_temp.m(''select 1 from public.product_likes where product_id = ''''9c000000-0000-0000-0000-000000000001'''''')',
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:0'), ('member', 'ok:0'), ('admin', 'ok:0'), ('owner', 'ok:0'), ('customer', 'ok:1') $$,
  'a like is read by its own user only');
select tests.run_as('acme_fan', 'delete from public.product_likes where product_id = ''9c000000-0000-0000-0000-000000000001''');
select results_eq(format('select tests.try_as(who, %L) from unnest(array[''anon'', ''acme_outsider'']) who',
                         'select 1 from public.marketplace_listings where id = ''9c000000-0000-0000-0000-000000000001'' and likes_count = 1'),
  $$ values ('ok:1'), ('ok:1') $$, 'the exact like count is public, anon included');

-- Views and the tick --------------------------------------------------------------------------------
select results_eq(format('select tests.try_as(who, %L) from unnest(array[''anon'', ''acme_customer'', ''acme_member'']) who',
                         'insert into public.product_views (product_id) values (''9c000000-0000-0000-0000-000000000001'')'),
  $$ values ('ok:1'), ('ok:1'), ('ok:1') $$, 'anyone counts a view of a published product');
select is(tests.try_as('anon', 'insert into public.product_views (product_id) values (''9c000000-0000-0000-0000-000000000002'')'),
  '42501', 'not of a draft');
insert into public.product_views (product_id) values ('9c000000-0000-0000-0000-000000000001'), ('9c000000-0000-0000-0000-000000000001');
select is(private.fold_product_counters(), 1, 'the tick folds');
select is((select (likes_count, review_count, rating, sales_count, views_count) from public.marketplace_products where id = '9c000000-0000-0000-0000-000000000001'),
  (1, 2, 3.50::numeric(3, 2), 1, 2::bigint), 'the row then says what the listing said, and counts the views');

select * from finish();
rollback;
