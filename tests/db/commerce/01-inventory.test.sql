-- Inventory: who reads and writes items and movements, stock that changes
-- only through movements (filled in by the database, never below zero
-- unless backorders are allowed), the derived status, the opening
-- movement, history that is never edited, low-stock notices once per
-- crossing.
begin;
select plan(32);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
insert into public.inventory_items (id, workspace_id, name, sku, min_stock_level, selling_price)
values ('1e000000-0000-0000-0000-000000000001', :'ws', 'Linen, navy', 'LIN-NAVY', 5, 42.50);

\set everyone '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:1''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admins '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:0''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admin_inserts '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set member_inserts '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set nobody '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''42501''), (''owner'', ''42501'') $$'
\set move 'insert into public.inventory_movements (inventory_item_id, workspace_id, movement_type, quantity, reference_type, notes) values (%L, %L, %L, %s, %L, %L)'

select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.inventory_items where sku = ''LIN-NAVY'''),
  :everyone, 'items: every member reads stock');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme',
  format('insert into public.inventory_items (workspace_id, name, sku) values (%L, ''Probe'', ''PROBE-1'')', :'ws')),
  :admin_inserts, 'items: admins add them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.inventory_items set min_stock_level = 3 where sku = ''LIN-NAVY'''),
  :admins, 'items: admins set their levels and prices');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.inventory_items where sku = ''LIN-NAVY'''),
  :admins, 'items: admins remove them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.inventory_items set current_stock = 100 where sku = ''LIN-NAVY'''),
  :nobody, 'nobody sets current_stock by hand');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme',
  format(:'move', '1e000000-0000-0000-0000-000000000001', :'ws', 'stock-in', 10, 'delivery', 'probe')),
  :member_inserts, 'movements: members record them');
select is(tests.error_as('acme_outsider', format(:'move', '1e000000-0000-0000-0000-000000000001', :'ws', 'stock-out', 1, null, null)),
  '42501 new row violates row-level security policy for table "inventory_movements"', 'an outsider is refused as RLS refuses, before the item is looked at');
select is(tests.error_as('acme_outsider', format(:'move', gen_random_uuid(), :'ws', 'stock-out', 1, null, null)),
  '42501 new row violates row-level security policy for table "inventory_movements"', 'the same for an item that does not exist');
select is(tests.error_as('beta_owner', format(:'move', '1e000000-0000-0000-0000-000000000001', :'beta', 'stock-in', 5, null, null)),
  'P0002 inventory item not found in this workspace', 'another workspace''s item cannot be moved from one''s own');
select is(array(select * from tests.tenant_leaks('beta_owner', :'ws')), '{}'::text[], 'another workspace''s owner reaches nothing of ours');
select is(tests.error_as('acme_admin', format('insert into public.inventory_items (workspace_id, name, sku) values (%L, ''Dup'', ''LIN-NAVY'')', :'ws')),
  '23505 duplicate key value violates unique constraint "inventory_items_workspace_id_sku_key"', 'a SKU is unique in its workspace');
select is(tests.error_as('beta_owner', format('insert into public.inventory_items (workspace_id, name, sku) values (%L, ''Same'', ''LIN-NAVY'')', :'beta')),
  'ok:1', 'but not across workspaces');

-- Arithmetic, filled in by the database
select tests.run_as('acme_member', format(:'move', '1e000000-0000-0000-0000-000000000001', :'ws', 'stock-in', 12, 'delivery', 'from the mill'));
select is((select (previous_stock, new_stock, moved_by) from public.inventory_movements where notes = 'from the mill'),
  (0, 12, tests.get_supabase_uid('acme_member')), 'a stock-in from 0 to 12, by whom');
select is((select (current_stock, status) from public.inventory_items where workspace_id = :'ws' and sku = 'LIN-NAVY'), (12, 'in-stock'::public.inventory_status),
  'the item follows');
select tests.run_as('acme_member', format(:'move', '1e000000-0000-0000-0000-000000000001', :'ws', 'stock-out', 4, 'order', 'suit'));
select is((select (previous_stock, new_stock) from public.inventory_movements where notes = 'suit'), (12, 8), 'a stock-out takes 4');
select tests.run_as('acme_member', format(:'move', '1e000000-0000-0000-0000-000000000001', :'ws', 'return', 1, 'order', 'returned'));
select tests.run_as('acme_member', format(:'move', '1e000000-0000-0000-0000-000000000001', :'ws', 'adjustment', -2, 'count', 'stocktake'));
select is((select (previous_stock, new_stock) from public.inventory_movements where notes = 'stocktake'), (9, 7),
  'a return adds back; an adjustment moves by its signed quantity');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.inventory_movements where notes = ''suit'''),
  :everyone, 'movements: every member reads them');
select is(tests.try_as('acme_member', format('insert into public.inventory_movements (inventory_item_id, workspace_id, movement_type, quantity, previous_stock, new_stock) values (%L, %L, ''stock-in'', 1, 500, 501)',
  '1e000000-0000-0000-0000-000000000001', :'ws')), '42501', 'previous and new stock are not the client''s to write');
select is(tests.error_as('acme_member', format(:'move', '1e000000-0000-0000-0000-000000000001', :'ws', 'stock-out', -3, null, null)),
  '23514 new row for relation "inventory_movements" violates check constraint "inventory_movements_check"', 'stock-out quantities are positive');
select is(tests.error_as('acme_member', format(:'move', '1e000000-0000-0000-0000-000000000001', :'ws', 'stock-out', 8, 'order', null)),
  '23514 not enough stock of LIN-NAVY (Linen, navy): 7 pcs on hand, 8 requested', 'stock never goes below zero, and the error says why');
select is((select current_stock from public.inventory_items where workspace_id = :'ws' and sku = 'LIN-NAVY'), 7, 'nothing moved');
update public.workspaces set allow_backorders = true where id = :'ws';
select is(tests.error_as('acme_member', format(:'move', '1e000000-0000-0000-0000-000000000001', :'ws', 'stock-out', 8, 'order', 'backorder')),
  'ok:1', 'unless the workspace allows backorders');
update public.workspaces set allow_backorders = false where id = :'ws';
select is(tests.try_as('acme_owner', format('update public.inventory_movements set quantity = 1 where notes = %L', 'suit')), '42501',
  'movements are never edited');
select is(tests.try_as('acme_owner', format('delete from public.inventory_movements where notes = %L', 'suit')), '42501',
  'nor removed');

-- The opening movement
select tests.run_as('acme_admin', format('insert into public.inventory_items (id, workspace_id, name, sku, current_stock, min_stock_level) values (%L, %L, ''Buttons, horn'', ''BTN-HORN'', 200, 50)',
  '1e000000-0000-0000-0000-000000000002', :'ws'));
select is((select (current_stock, status) from public.inventory_items where workspace_id = :'ws' and sku = 'BTN-HORN'), (200, 'in-stock'::public.inventory_status),
  'an item created with stock has it');
select is((select (movement_type, quantity, previous_stock, new_stock, reference_type) from public.inventory_movements
            where inventory_item_id = '1e000000-0000-0000-0000-000000000002'),
  ('stock-in'::public.inventory_movement_type, 200, 0, 200, 'opening'::text), 'through an opening movement');
select is(tests.error_as('acme_admin', format('insert into public.inventory_items (workspace_id, name, sku, current_stock) values (%L, ''Neg'', ''NEG-1'', -1)', :'ws')),
  '22023 an item starts with zero or more units', 'not with a negative stock');

-- Low stock, once per crossing
create function pg_temp.notices() returns bigint language sql as $$
  select count(*) from public.notifications where type = 'inventory_low_stock' and reference_id = '1e000000-0000-0000-0000-000000000002'
$$;
select tests.run_as('acme_member', format(:'move', '1e000000-0000-0000-0000-000000000002', :'ws', 'stock-out', 150, 'order', null));
select is((select status from public.inventory_items where workspace_id = :'ws' and sku = 'BTN-HORN'), 'low-stock'::public.inventory_status, 'at the minimum it is low-stock');
select is(pg_temp.notices(), 2::bigint, 'its owner and admin hear of it (not members)');
select tests.run_as('acme_member', format(:'move', '1e000000-0000-0000-0000-000000000002', :'ws', 'stock-out', 10, 'order', null));
select is(pg_temp.notices(), 2::bigint, 'once per crossing, not per movement below it');
select tests.run_as('acme_member', format(:'move', '1e000000-0000-0000-0000-000000000002', :'ws', 'stock-in', 100, 'delivery', null));
select tests.run_as('acme_member', format(:'move', '1e000000-0000-0000-0000-000000000002', :'ws', 'stock-out', 100, 'order', null));
select is(pg_temp.notices(), 4::bigint, 'restocked and crossing again, they hear again');
select tests.run_as('acme_member', format(:'move', '1e000000-0000-0000-0000-000000000002', :'ws', 'stock-out', 40, 'order', null));
select is((select status from public.inventory_items where workspace_id = :'ws' and sku = 'BTN-HORN'), 'out-of-stock'::public.inventory_status, 'none left is out-of-stock');

select * from finish();
rollback;
