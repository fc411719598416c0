-- Browsing: filters (text, category, region, price, tags, workspace),
-- newest first, keyset pages, published products only, for anon too.
begin;
select plan(14);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
delete from public.marketplace_products;  -- the demo's, rolled back with the rest
insert into public.marketplace_products (workspace_id, title, description, category, price, tags, available_regions, status) values
  (:'ws', 'Ankara wrap dress', 'Bold print, made in Lagos', 'dresses', 120, '{ankara,print}', '{NG}', 'published'),
  (:'ws', 'Linen shirt', 'Breathable linen for hot days', 'shirts', 80, '{linen}', '{}', 'published'),
  (:'ws', 'Silk scarf', 'Hand-rolled silk, São Paulo', 'accessories', 45, '{silk,gift}', '{BR-SP}', 'published'),
  (:'beta', 'Ankara bag', 'Matches the wrap dress', 'bags', 60, '{ankara,gift}', '{NG,GH}', 'published'),
  (:'beta', 'Secret dress', 'Not released', 'dresses', 99, '{}', '{}', 'draft');
-- Distinct publication times, newest last inserted.
update public.marketplace_products p set published_at = now() - (x.n || ' minutes')::interval
  from (select id, row_number() over (order by title desc) as n from public.marketplace_products) x
 where x.id = p.id and p.status = 'published';

\set titles 'select array_agg(title) from public.browse_products(%s)'
select tests.authenticate_as_anon();
select is((select array_agg(title) from public.browse_products()),
  (select array_agg(title order by published_at desc, id desc) from public.marketplace_products), 'everything published, newest first, for anon');
select is((select count(*)::integer from public.browse_products() where title = 'Secret dress'), 0, 'never a draft');
select is((select array_agg(title order by title) from public.browse_products(search => 'ankara')), '{"Ankara bag","Ankara wrap dress"}'::text[],
  'text search over titles');
select is((select array_agg(title) from public.browse_products(search => 'lagos')), '{"Ankara wrap dress"}'::text[], 'and descriptions');
select is((select array_agg(title) from public.browse_products(search => 'sao paulo')), '{"Silk scarf"}'::text[], 'accents ignored');
select is((select array_agg(title) from public.browse_products(category => 'Shirts')), '{"Linen shirt"}'::text[], 'by category');
select is((select array_agg(title order by title) from public.browse_products(region => 'ng')), '{"Ankara bag","Ankara wrap dress","Linen shirt"}'::text[],
  'by region: sold there, or everywhere');
select is((select array_agg(title order by title) from public.browse_products(region => 'BR-SP')), '{"Linen shirt","Silk scarf"}'::text[],
  'a subdivision');
select is((select array_agg(title order by title) from public.browse_products(min_price => 50, max_price => 100)), '{"Ankara bag","Linen shirt"}'::text[],
  'by price range');
select is((select array_agg(title order by title) from public.browse_products(tags => '{Gift}')), '{"Ankara bag","Silk scarf"}'::text[], 'by tags');
select is((select array_agg(title order by title) from public.browse_products(workspace_id => :'beta')), '{"Ankara bag"}'::text[], 'one shop');

-- Keyset pages
select published_at as last_at, id as last_id from public.browse_products(max_rows => 2) offset 1 limit 1 \gset
select is((select array_agg(title) from public.browse_products(max_rows => 2))
          || (select array_agg(title) from public.browse_products(after_published_at => :'last_at', after_id => :'last_id', max_rows => 2)),
  (select array_agg(title) from public.browse_products()), 'pages follow each other without gaps or repeats');
select throws_ok($$select * from public.browse_products(max_rows => 500)$$, '22023', 'max_rows: 1 to 100', 'pages are 1 to 100 rows');
select tests.clear_authentication();

-- The plan: a category page walks its index in order, no sort.
set local enable_seqscan = off;
select tests.authenticate_as_anon();
select doesnt_match(tests.plan_of($$select p.id from public.marketplace_products p where p.status = 'published' and p.category = 'dresses'
                                    order by p.published_at desc, p.id desc limit 20$$), 'Sort', 'a category page comes in index order');
select tests.clear_authentication();

select * from finish();
rollback;
