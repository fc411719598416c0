-- Commerce's hook events: an item falling to its minimum, an order made,
-- its status moved, a payment; written in the change's transaction with
-- the documented payload.
begin;
select plan(6);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.authenticate_as('acme_admin');
select id as hook from public.create_hook(:'ws', 'Shop', 'https://hooks.example.com/shop') \gset
select tests.clear_authentication();
create function pg_temp.last(t text) returns jsonb language sql as $$
  select body -> 'data' from private.hook_events where type = t order by id desc limit 1
$$;
insert into public.inventory_items (id, workspace_id, name, sku, current_stock, min_stock_level, selling_price)
values ('1e000000-0000-0000-0000-0000000000e1', :'ws', 'Wax print', 'WAX-1', 5, 3, 20);
insert into public.orders (id, workspace_id, customer_name, title) values ('0d000000-0000-0000-0000-0000000000e1', :'ws', 'Kemi', 'Iro and buba');
select is(pg_temp.last('order.created') #>> '{order,order_number}', 'ORD-00001', 'order.created carries the order');
insert into public.order_items (order_id, inventory_item_id, quantity) values ('0d000000-0000-0000-0000-0000000000e1', '1e000000-0000-0000-0000-0000000000e1', 2);
select public.record_payment(15, currency, order_id => id) from public.orders where id = '0d000000-0000-0000-0000-0000000000e1';
select is(pg_temp.last('order.payment') - 'order' || jsonb_build_object('paid', pg_temp.last('order.payment') #>> '{order,amount_paid}',
  'status', pg_temp.last('order.payment') #>> '{order,payment_status}'),
  '{"amount": 15.00, "paid": "15.00", "status": "partial"}'::jsonb, 'order.payment carries the change and the order');
update public.orders set status = 'in-progress' where id = '0d000000-0000-0000-0000-0000000000e1';
select is((pg_temp.last('order.status_changed') ->> 'previous_status', pg_temp.last('order.status_changed') #>> '{order,status}'),
  ('pending'::text, 'in-progress'::text), 'order.status_changed carries both statuses');
select is(pg_temp.last('inventory.low_stock') -> 'item', '{"id": "1e000000-0000-0000-0000-0000000000e1", "sku": "WAX-1", "name": "Wax print", "unit": "pcs", "status": "low-stock", "current_stock": 3, "min_stock_level": 3}'::jsonb,
  'taking the order''s stock crossed the minimum: inventory.low_stock');
select is((select count(*)::integer from private.hook_jobs j join private.hook_events e on e.id = j.event_id
            where e.workspace_id = :'ws' and e.type like 'order.%'), 3, 'one job each for the hook');
select is((select array_agg(distinct e.type order by e.type) from private.hook_events e where e.workspace_id = :'ws'),
  array['inventory.low_stock', 'order.created', 'order.payment', 'order.status_changed'], 'and nothing else');

select * from finish();
rollback;
