-- Marketplace products: who reads and writes them (anon and a customer
-- included), the status workflow, counters and seller that only the
-- database writes, options, images, regions and currency checked, stock
-- mirrored from a linked inventory item, and published products being
-- public without anything else leaking.
begin;
select plan(35);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
select tests.create_supabase_user('acme_customer', null, null, '{"account_type":"customer"}'::jsonb);
update public.workspaces set currency = 'NGN' where id = :'ws';

-- The matrix with a customer (a profile of account type customer, member
-- of no business) after the owner.
create function pg_temp.m(q text) returns table (who text, result text) language sql as $$
  select * from tests.matrix('acme', q) union all select 'customer', tests.try_as('acme_customer', q)
$$;
\set public '$$ values (''anon'', ''ok:1''), (''outsider'', ''ok:1''), (''viewer'', ''ok:1''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1''), (''customer'', ''ok:1'') $$'
\set workspace '$$ values (''anon'', ''ok:0''), (''outsider'', ''ok:0''), (''viewer'', ''ok:1''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1''), (''customer'', ''ok:0'') $$'
\set members '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1''), (''customer'', ''ok:0'') $$'
\set member_inserts '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1''), (''customer'', ''42501'') $$'
\set admins '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:0''), (''admin'', ''ok:1''), (''owner'', ''ok:1''), (''customer'', ''ok:0'') $$'
\set nobody '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''42501''), (''owner'', ''42501''), (''customer'', ''42501'') $$'
\set new_product 'insert into public.marketplace_products (id, workspace_id, title, category, price, status) values (%L, %L, %L, ''dresses'', 100, %L)'

select tests.run_as('acme_member', format(:'new_product', '9a000000-0000-0000-0000-000000000001', :'ws', 'Ankara dress', 'published'));
select tests.run_as('acme_member', format(:'new_product', '9a000000-0000-0000-0000-000000000002', :'ws', 'Secret draft', 'draft'));

-- Who may do what ------------------------------------------------------------------------
select results_eq('select * from pg_temp.m(''select 1 from public.marketplace_products where id = ''''9a000000-0000-0000-0000-000000000001'''''')',
  :public, 'a published product: everyone reads it, anon included');
select results_eq('select * from pg_temp.m(''select 1 from public.marketplace_products where id = ''''9a000000-0000-0000-0000-000000000002'''''')',
  :workspace, 'a draft: only its workspace');
select results_eq(format('select * from pg_temp.m(%L)', format(:'new_product', gen_random_uuid(), :'ws', 'Another', 'draft')),
  :member_inserts, 'members list products');
select results_eq('select * from pg_temp.m(''update public.marketplace_products set price = 120 where id = ''''9a000000-0000-0000-0000-000000000001'''''')',
  :members, 'members edit them');
select results_eq('select * from pg_temp.m(''delete from public.marketplace_products where id = ''''9a000000-0000-0000-0000-000000000002'''''')',
  :admins, 'admins remove them');
select results_eq('select * from pg_temp.m(''update public.marketplace_products set likes_count = 999 where id = ''''9a000000-0000-0000-0000-000000000001'''''')',
  :nobody, 'counters are the database''s (column grants)');
select results_eq('select * from pg_temp.m(''update public.marketplace_products set seller_id = null where id = ''''9a000000-0000-0000-0000-000000000001'''''')',
  :nobody, 'so is the seller');
select is(tests.error_as('beta_owner', format(:'new_product', gen_random_uuid(), :'ws', 'Probe', 'draft')),
  '42501 new row violates row-level security policy for table "marketplace_products"', 'an outsider cannot list into our workspace');
select is(tests.error_as('service_role', 'update public.marketplace_products set rating = 5 where id = ''9a000000-0000-0000-0000-000000000001'''),
  '42501 product counters are the database''s', 'not even the service writes counters by hand');
select is(array(select * from tests.tenant_leaks('beta_owner', :'ws')), '{}'::text[],
  'another workspace''s owner reaches nothing of ours but the published product, which anon reads too');
select ok((select count(*) from tests.tenant_leaks('acme_member', :'beta')) = 0, 'and the same the other way');

-- What the database fills in --------------------------------------------------------------
select is((select (seller_id, currency, published_at is not null, status) from public.marketplace_products where id = '9a000000-0000-0000-0000-000000000001'),
  (tests.get_supabase_uid('acme_member'), 'NGN'::text, true, 'published'::public.product_status), 'seller, the workspace''s currency and published_at are set');
insert into public.marketplace_products (workspace_id, title, category, price, status, published_at)
values (:'ws', 'Imported', 'dresses', 1, 'published', '2026-01-02 03:04:05+00');
select is((select published_at from public.marketplace_products where title = 'Imported'), '2026-01-02 03:04:05+00'::timestamptz,
  'the service importing a catalogue keeps its publication dates (clients have no grant on published_at)');
select is(tests.error_as('acme_member', format('insert into public.marketplace_products (workspace_id, title, category, price, currency) values (%L, ''x'', ''dresses'', 1, ''usd'')', :'ws')),
  '23514 new row for relation "marketplace_products" violates check constraint "marketplace_products_currency_check"', 'currency is an ISO 4217 code');
select is(tests.error_as('acme_member', format('insert into public.marketplace_products (workspace_id, title, category, price, available_regions) values (%L, ''x'', ''dresses'', 1, ''{ng,Lagos}'')', :'ws')),
  '22023 available_regions: ISO 3166 codes such as BR or BR-SP, not LAGOS', 'regions are ISO 3166 codes');
select is((select tags from public.marketplace_products where id = (select id from public.marketplace_products where title = 'Tagged' union all select null limit 1)), null, 'no such product yet');
select tests.run_as('acme_member', format('insert into public.marketplace_products (workspace_id, title, category, price, tags, available_regions) values (%L, ''Tagged'', '' Dresses '', 1, ''{Silk, silk,Gift}'', ''{ng-la,NG}'')', :'ws'));
select is((select (category, tags, available_regions) from public.marketplace_products where title = 'Tagged'),
  ('dresses'::text, '{gift,silk}'::text[], '{NG,NG-LA}'::text[]), 'category, tags and regions are normalised');

-- Status workflow ---------------------------------------------------------------------------
select is(tests.error_as('acme_member', 'update public.marketplace_products set status = ''draft'' where id = ''9a000000-0000-0000-0000-000000000001'''),
  '55000 product "Ankara dress" cannot go from published to draft', 'a published product never goes back to draft');
select tests.run_as('acme_member', 'update public.marketplace_products set status = ''archived'' where id = ''9a000000-0000-0000-0000-000000000001''');
select results_eq('select * from pg_temp.m(''select 1 from public.marketplace_products where id = ''''9a000000-0000-0000-0000-000000000001'''''')',
  :workspace, 'archived: only its workspace reads it');
select tests.run_as('acme_member', 'update public.marketplace_products set status = ''published'' where id = ''9a000000-0000-0000-0000-000000000001''');
select is((select (status, archived_at) from public.marketplace_products where id = '9a000000-0000-0000-0000-000000000001'),
  ('published'::public.product_status, null::timestamptz), 'relisted');
select is(tests.try_as('anon', format('select 1 from public.public_workspaces w join public.public_profiles p on p.id = %L where w.id = %L',
    tests.get_supabase_uid('acme_member'), :'ws')), 'ok:1', 'a published product gives its workspace and its seller a public face');
select is(tests.error_as('acme_member', format(:'new_product', gen_random_uuid(), :'ws', 'x', 'archived')),
  '55000 a new product starts as draft or published, not archived', 'a new product is not archived');

-- Options -------------------------------------------------------------------------------------
\set opts 'update public.marketplace_products set customization_options = %L where id = ''9a000000-0000-0000-0000-000000000001'''
select is(tests.error_as('acme_member', format(:'opts', '{"size": "M"}')),
  '22023 customization_options: an array of options', 'options are an array');
select is(tests.error_as('acme_member', format(:'opts', '[{"name": "size", "type": "choice"}]')),
  '22023 customization_options.size.choices: 1-50 distinct texts', 'a choice needs its choices');
select is(tests.error_as('acme_member', format(:'opts', '[{"name": "Size", "type": "choice", "choices": ["S"]}]')),
  '22023 customization_options[0].name: a key of lower-case letters, digits and _ (up to 40), starting with a letter', 'names are keys');
select is(tests.error_as('acme_member', format(:'opts', '[{"name": "size", "type": "choice", "choices": ["S"]}, {"name": "size", "type": "text"}]')),
  '22023 customization_options[1].name: "size" is already an option', 'names are unique');
select is(tests.error_as('acme_member', format(:'opts', '[{"name": "length", "type": "number", "min": 10, "max": 5}]')),
  '22023 customization_options.length: min 10 is more than max 5', 'min is at most max');
select is(tests.error_as('acme_member', format(:'opts', '[{"name": "note", "type": "text", "colour": "red"}]')),
  '22023 customization_options[0]: unknown key(s) colour', 'unknown keys are refused');
select tests.run_as('acme_member', format(:'opts', '[{"name": "size", "type": "choice", "choices": ["S", "M"], "required": true}, {"name": "note", "type": "text", "max": 20}]'));
select is((select is_customizable from public.marketplace_products where id = '9a000000-0000-0000-0000-000000000001'), true, 'a product with options is customizable');

-- Images --------------------------------------------------------------------------------------
select is(tests.error_as('acme_member', format('update public.marketplace_products set images = ''{%s/uploads/a.jpg}'' where id = ''9a000000-0000-0000-0000-000000000001''', :'beta')),
  format('22023 images: %s/uploads/a.jpg is not a file in this workspace''s folder of the media bucket (%s/...)', :'beta', :'ws'), 'images are in the workspace''s own folder');
select is(tests.error_as('acme_member', format('update public.marketplace_products set images = ''{%s/uploads/missing.jpg}'' where id = ''9a000000-0000-0000-0000-000000000001''', :'ws')),
  format('P0002 images: no file %s/uploads/missing.jpg in the media bucket', :'ws'), 'and exist');
insert into storage.objects (bucket_id, name, owner_id, metadata) values ('media', :'ws' || '/uploads/dress.jpg', tests.get_supabase_uid('acme_member')::text, '{"mimetype": "image/jpeg"}'),
  ('media', :'ws' || '/uploads/private.jpg', tests.get_supabase_uid('acme_member')::text, '{"mimetype": "image/jpeg"}');
select tests.run_as('acme_member', format('update public.marketplace_products set images = ''{%s/uploads/dress.jpg}'' where id = ''9a000000-0000-0000-0000-000000000001''', :'ws'));
select results_eq(format('select tests.try_as(who, %L) from unnest(array[''anon'', ''beta_owner'', ''acme_customer'']) who',
                         format('select 1 from storage.objects where bucket_id = ''media'' and name = ''%s/uploads/dress.jpg''', :'ws')),
  $$ values ('ok:1'), ('ok:1'), ('ok:1') $$, 'a published product''s photo is readable by anyone');
select results_eq(format('select tests.try_as(who, %L) from unnest(array[''anon'', ''beta_owner'', ''acme_customer'']) who',
                         format('select 1 from storage.objects where bucket_id = ''media'' and name = ''%s/uploads/private.jpg''', :'ws')),
  $$ values ('ok:0'), ('ok:0'), ('ok:0') $$, 'the workspace''s other files are not');

-- Stock from a linked inventory item ---------------------------------------------------------
insert into public.inventory_items (id, workspace_id, name, sku, current_stock, selling_price) values
  ('1e000000-0000-0000-0000-0000000000b1', :'ws', 'Ankara, 6 yards', 'ANK-6', 10, 15000);
select tests.run_as('acme_member', 'update public.marketplace_products set inventory_item_id = ''1e000000-0000-0000-0000-0000000000b1'' where id = ''9a000000-0000-0000-0000-000000000001''');
select tests.run_as('acme_member', format('insert into public.inventory_movements (inventory_item_id, workspace_id, movement_type, quantity) values (''1e000000-0000-0000-0000-0000000000b1'', %L, ''stock-in'', 5)', :'ws'));
select is((select stock_quantity from public.marketplace_products where id = '9a000000-0000-0000-0000-000000000001'), 15, 'a linked product''s stock is its item''s, moved with it');
select is(tests.error_as('acme_member', 'update public.marketplace_products set stock_quantity = 99 where id = ''9a000000-0000-0000-0000-000000000001'''),
  '55000 the stock of a product linked to an inventory item is the item''s', 'and not set by hand');

select * from finish();
rollback;
