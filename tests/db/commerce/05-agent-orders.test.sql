-- An agent's orders (agt_<id>_orders, seed 003) are mirrored into the
-- workspace's orders: numbered like any order, items copied, the
-- customer's number the client contact, status mapped, paid once
-- confirmed, so the client's figures include them. The mirror follows the
-- agent's table and refuses direct edits.
begin;
select plan(11);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.run_as('acme_admin', format('select public.create_agent(%L, %L)', :'ws', tests.get_supabase_uid('acme_member')));
select id as agent, 'agt_' || id || '_customers' as c, 'agt_' || id || '_orders' as o, 'agt_' || id || '_orders_items' as i
  from public.agents where user_id = tests.get_supabase_uid('acme_member') \gset
create function pg_temp.run(statement text) returns bigint language sql as $$ select tests.run_as('acme_member', statement) $$;

select pg_temp.run(format('insert into public.%I (name, phone) values (%L, %L)', :'c', 'Chidi', '+2348020000001'));
select pg_temp.run(format('insert into public.%I (customer_id) values (1)', :'o'));
select pg_temp.run(format($$insert into public.%I (order_id, name, quantity, price) values (1, 'Senator suit', 1, 45000), (1, 'Cap', 2, 2500.005)$$, :'i'));
select is((select (source, agent_id, agent_order_id, number, status, subtotal, customer_name)::text from public.orders where workspace_id = :'ws'),
  format('(agent,%s,1,1,pending,50000.02,Chidi)', :agent), 'the agent''s order is a workspace order, numbered, with its items'' total (prices to the cent)');
select is((select array_agg((item_name, quantity, unit_price)::text order by item_name) from public.order_items where workspace_id = :'ws'),
  array['(Cap,2,2500.01)', '("Senator suit",1,45000.00)'], 'its items copied');
select is((select (c.name, c.phone, c.source) from public.contacts c join public.orders o on o.contact_id = c.id where o.workspace_id = :'ws'),
  ('Chidi'::text, '2348020000001'::text, 'agent'::text), 'its client is the contact with the customer''s number');
select pg_temp.run(format('update public.%I set status = ''confirmed'' where id = 1', :'o'));
select is((select (status, amount_paid = total_amount, payment_status)::text from public.orders where workspace_id = :'ws'),
  '(in-progress,t,paid)', 'confirmed (the seed''s paid step): in-progress and paid');
select is((select (total_orders, total_revenue) from public.contacts where phone = '2348020000001' and workspace_id = :'ws'),
  (1, 50000.02::numeric(12,2)), 'the client''s figures include it');
select pg_temp.run(format('update public.%I set status = ''processing'' where id = 1', :'o'));
select pg_temp.run(format('update public.%I set status = ''shipped'' where id = 1', :'o'));
select pg_temp.run(format('update public.%I set status = ''delivered'' where id = 1', :'o'));
select is((select status from public.orders where workspace_id = :'ws'), 'completed'::public.work_order_status, 'delivered is completed');
select pg_temp.run(format('update public.%I set status = ''refunded'' where id = 1', :'o'));
select is((select (status, amount_paid)::text from public.orders where workspace_id = :'ws'), '(cancelled,0.00)',
  'refunded is cancelled, nothing paid');
select is((select (total_orders, total_revenue) from public.contacts where phone = '2348020000001' and workspace_id = :'ws'),
  (0, 0.00::numeric(12,2)), 'and leaves the figures');
select is(tests.error_as('acme_member', format('select public.record_payment(5, currency, order_id => id) from public.orders where workspace_id = %L and source = ''agent''', :'ws')),
  format('55000 order ORD-00001 mirrors an order of agent %s: change it in its agt_%s_orders table', :agent, :agent), 'the mirror is not edited directly');
select pg_temp.run(format('insert into public.%I (customer_id) values (1)', :'o'));
select is((select count(*)::integer from public.orders where workspace_id = :'ws' and source = 'agent'), 2, 'a second agent order, a second mirror');
select pg_temp.run(format('delete from public.%I where id = 2', :'o'));
select is((select count(*)::integer from public.orders where workspace_id = :'ws' and source = 'agent'), 1, 'removed with its agent order');

select * from finish();
rollback;
