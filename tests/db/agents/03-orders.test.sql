-- Order logic inside an agent's tables, exercised as the agent's user:
-- item totals, order totals equal to the sum of items, updated_at, the
-- status workflow, and the seed's own "create new order" statements.
begin;
select plan(26);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.run_as('acme_admin', format('select public.create_agent(%L, %L)', :'ws', tests.get_supabase_uid('acme_member')));
select 'agt_' || id || '_customers' as c, 'agt_' || id || '_orders' as o, 'agt_' || id || '_orders_items' as i
  from public.agents where user_id = tests.get_supabase_uid('acme_member') \gset

create function pg_temp.as_agent(statement text) returns text language sql as $$ select tests.error_as('acme_member', statement) $$;
create function pg_temp.run(statement text) returns bigint language sql as $$ select tests.run_as('acme_member', statement) $$;
create function pg_temp.order_state(o text, id integer) returns text language plpgsql as $$
declare r text;
begin
  execute format('select (x.total_amount, x.status)::text from public.%I x where x.id = $1', o) into r using id;
  return r;
end $$;

-- Customers: E.164 phones, one per number.
select pg_temp.run(format('insert into public.%I (name, phone) values (%L, %L)', :'c', 'Ana', '+55 (11) 98765-4321'));
select is((select phone from public.:"c" where id = 1), '+5511987654321', 'a phone written with spaces, dashes and brackets is stored as E.164');
select is(pg_temp.as_agent(format('insert into public.%I (name, phone) values (%L, %L)', :'c', 'Twin', '5511987654321')),
  format('23505 duplicate key value violates unique constraint "%s_phone_key"', :'c'), 'one customer per phone number');
select is(left(pg_temp.as_agent(format('insert into public.%I (name, phone) values (%L, %L)', :'c', 'Bad', 'call me')), 5), '23514', 'what is not a phone number is refused');
select is(left(pg_temp.as_agent(format('insert into public.%I (name, phone) values (%L, %L)', :'c', 'Short', '+12')), 5), '23514', 'so is a number too short for E.164');

-- The seed's "Create New Order", verbatim but for the table names.
select pg_temp.run(format('insert into public.%I (customer_id, total_amount, status) values (1, 150.00, %L)', :'o', 'pending'));
select is(pg_temp.order_state(:'o', 1), '(0,pending)', 'a new order starts at 0: its total comes from its items, not the insert');
select pg_temp.run(format($$insert into public.%I (order_id, name, quantity, price, total) values (1, 'Product A', 2, 50.00, 100.00), (1, 'Product B', 1, 50.00, 50.00)$$, :'i'));
select is(pg_temp.order_state(:'o', 1), '(150.00,pending)', 'then the items bring it to 150');
select pg_temp.run(format($$insert into public.%I (order_id, name, quantity, price, total) values (1, 'Product C', 3, 2.50, 999)$$, :'i'));
select is((select total from public.:"i" where name = 'Product C'), 7.50, 'an item''s total is quantity x price, whatever was sent');
select is(pg_temp.order_state(:'o', 1), '(157.50,pending)', 'adding an item adds to the order');
select pg_temp.run(format($$update public.%I set quantity = 1 where name = 'Product C'$$, :'i'));
select is(pg_temp.order_state(:'o', 1), '(152.50,pending)', 'changing a quantity changes both totals');
select pg_temp.run(format($$delete from public.%I where name = 'Product C'$$, :'i'));
select is(pg_temp.order_state(:'o', 1), '(150.00,pending)', 'removing an item takes it off');
select pg_temp.run(format('update public.%I set total_amount = 1 where id = 1', :'o'));
select is(pg_temp.order_state(:'o', 1), '(150.00,pending)', 'a total written by hand is put back to the sum of the items');
select pg_temp.run(format('insert into public.%I (customer_id) values (1)', :'o'));
select pg_temp.run(format($$update public.%I set order_id = 2 where name = 'Product B'$$, :'i'));
select is(pg_temp.order_state(:'o', 1) || ' ' || pg_temp.order_state(:'o', 2), '(100.00,pending) (50.00,pending)', 'moving an item between orders moves its total');
select is(left(pg_temp.as_agent(format($$insert into public.%I (order_id, name, quantity, price) values (1, 'Free', 0, 1)$$, :'i')), 5), '23514', 'quantity must be positive');
select is(left(pg_temp.as_agent(format($$insert into public.%I (order_id, name, quantity, price) values (1, 'Neg', 1, -1)$$, :'i')), 5), '23514', 'price cannot be negative');

-- updated_at moves with changes.
update public.:"o" set updated_at = '2020-01-01' where id = 1;
select is((select updated_at from public.:"o" where id = 1), '2020-01-01'::timestamp, 'an explicit updated_at holds when nothing else changes');
select pg_temp.run(format('update public.%I set notes = %L where id = 1', :'o', 'gift wrap'));
select ok((select updated_at from public.:"o" where id = 1) > '2020-01-02', 'updated_at moves on a change');

-- Status workflow.
select is(pg_temp.as_agent(format('update public.%I set status = %L where id = 1', :'o', 'shipped')),
  '55000 order 1 cannot go from pending to shipped', 'no skipping steps');
select pg_temp.run(format('update public.%I set status = %L where id = 1', :'o', s)) from unnest(array['confirmed', 'processing', 'shipped', 'delivered']) s;
select is(pg_temp.order_state(:'o', 1), '(100.00,delivered)', 'pending -> confirmed -> processing -> shipped -> delivered');
select is(pg_temp.as_agent(format('update public.%I set status = %L where id = 1', :'o', 'cancelled')),
  '55000 order 1 cannot go from delivered to cancelled', 'a delivered order is not cancelled');
select pg_temp.run(format('update public.%I set status = %L where id = 1', :'o', 'refunded'));
select is(pg_temp.order_state(:'o', 1), '(100.00,refunded)', 'it can be refunded');
select is(pg_temp.as_agent(format('update public.%I set status = %L where id = 1', :'o', 'pending')),
  '55000 order 1 cannot go from refunded to pending', 'refunded is final');
select pg_temp.run(format('update public.%I set status = %L where id = 2', :'o', 'cancelled'));
select is(pg_temp.as_agent(format('update public.%I set status = %L where id = 2', :'o', 'refunded')),
  '55000 order 2 cannot go from cancelled to refunded', 'cancelled is final (a pending order was never paid)');
select is(pg_temp.as_agent(format('insert into public.%I (customer_id, status) values (1, %L)', :'o', 'shipped')),
  '55000 a new order starts pending, not shipped', 'a new order starts pending');
select is(pg_temp.as_agent(format('update public.%I set status = null where id = 2', :'o')), '23502 an order needs a status', 'an order always has a status');

-- Deleting.
select is(left(pg_temp.as_agent(format('delete from public.%I where id = 1', :'c')), 5), '23503', 'a customer with orders is kept');
select pg_temp.run(format('delete from public.%I where id = 1', :'o'));
select is((select count(*)::int from public.:"i" where order_id = 1), 0, 'deleting an order deletes its items');

select * from finish();
rollback;
