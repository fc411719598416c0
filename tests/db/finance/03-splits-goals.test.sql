-- Auto-splits and goals: allocations per income, exact to the cent and
-- never more than the income (refused when saved and when applied);
-- goals follow their category inside their period and currency exactly,
-- complete once and notify the workspace once.
begin;
select plan(17);
select tests.create_workspace_with_roles('acme') as ws \gset
insert into public.contacts (id, workspace_id, name, phone) values ('c0000000-0000-0000-0000-0000000000a1', :'ws', 'Ada Obi', '2348010000001');
select tests.run_as('acme_member', format($$insert into public.orders (id, workspace_id, contact_id, title) values ('0d000000-0000-0000-0000-000000000001', %L, 'c0000000-0000-0000-0000-0000000000a1', 'Agbada')$$, :'ws'));
select tests.run_as('acme_member', $$insert into public.order_items (order_id, item_name, quantity, unit_price) values ('0d000000-0000-0000-0000-000000000001', 'Agbada', 1, 1000)$$);
\set pay 'select public.record_payment(%s, ''USD'', order_id => ''0d000000-0000-0000-0000-000000000001'')'

-- Rules -------------------------------------------------------------------------------
select tests.run_as('acme_admin', format($$insert into public.auto_splits (workspace_id, name, split_type, value, category) values (%L, 'Tax', 'percentage', 15, 'tax'), (%L, 'Savings', 'percentage', 10, 'savings')$$, :'ws', :'ws'));
select is(tests.error_as('acme_admin', format($$insert into public.auto_splits (workspace_id, name, split_type, value, category) values (%L, 'Greedy', 'percentage', 75.01, 'x')$$, :'ws')),
  '23514 the active percentage splits would allocate 100.01 % of every income', 'percentages above 100 in all are refused when saved');
select is(tests.error_as('acme_admin', format($$insert into public.auto_splits (workspace_id, name, split_type, value, category, is_active) values (%L, 'Odd', 'percentage', 101, 'x', false)$$, :'ws')),
  '23514 new row for relation "auto_splits" violates check constraint "auto_splits_check"', 'one rule above 100% too');
select is(tests.error_as('acme_admin', format($$insert into public.auto_splits (workspace_id, name, split_type, value, category, is_active) values (%L, 'Later', 'percentage', 80, 'x', false)$$, :'ws')),
  'ok:1', 'an inactive rule is not counted');

-- Applied -------------------------------------------------------------------------------
select tests.run_as('acme_member', format(:'pay', '333.33'));
select is((select array_agg((category, amount)::text order by category) from public.transaction_allocations where workspace_id = :'ws'),
  array['(savings,33.33)', '(tax,49.99)'], 'allocations per rule, rounded down to the cent');
select tests.run_as('acme_member', format('select public.record_refund(%s, ''USD'', order_id => ''0d000000-0000-0000-0000-000000000001'')', '33.33'));
select is((select array_agg((category, sum)::text order by category) from (select category, sum(amount) from public.transaction_allocations where workspace_id = :'ws' group by 1) s),
  array['(savings,30.00)', '(tax,45.00)'], 'a refund takes back its percentages (net: 25% of 300.00)');
select tests.run_as('acme_admin', format($$insert into public.auto_splits (id, workspace_id, name, split_type, value, category) values ('5b000000-0000-0000-0000-000000000009', %L, 'Fund', 'fixed_amount', 500, 'fund')$$, :'ws'));
select is(tests.error_as('acme_member', format(:'pay', '100')),
  '23514 the split rules would allocate 525.00 USD of an income of 100.00 USD', 'a split above the income is refused when applied');
select is((select amount_paid from public.orders where id = '0d000000-0000-0000-0000-000000000001'), 300.00::numeric(12,2), 'and the payment with it');
select tests.run_as('acme_admin', $$update public.auto_splits set value = 50 where id = '5b000000-0000-0000-0000-000000000009'$$);
select tests.run_as('acme_member', format(:'pay', '200'));
select is((select array_agg((a.category, a.amount)::text order by a.category) from public.transaction_allocations a join public.transactions t on t.id = a.transaction_id where t.amount = 200),
  array['(fund,50.00)', '(savings,20.00)', '(tax,30.00)'], 'fixed amounts come with the percentages');
select is((select array_agg((category, total)::text order by category) from public.finance_allocations where workspace_id = :'ws'),
  array['(fund,50.00)', '(savings,50.00)', '(tax,75.00)'], 'the allocations report sums them per category');

-- Goals ---------------------------------------------------------------------------------
select tests.run_as('acme_admin', format($$insert into public.financial_goals (id, workspace_id, title, target_amount, category) values ('60000000-0000-0000-0000-000000000001', %L, 'Savings', 100, 'savings')$$, :'ws'));
select is((select (current_amount, status, period_start = date_trunc('month', now() at time zone 'UTC')::date) from public.financial_goals where id = '60000000-0000-0000-0000-000000000001'),
  (50.00::numeric(12,2), 'active'::public.goal_status, true), 'a new goal counts what its category already received this month');
select tests.run_as('acme_member', format(:'pay', '100'));
select is((select current_amount from public.financial_goals where id = '60000000-0000-0000-0000-000000000001'), 60.00::numeric(12,2), 'a payment''s allocation moves the goal');
-- Hand-entered income below is left unsplit, to follow the goals by itself.
select tests.run_as('acme_admin', format('update public.auto_splits set is_active = false where workspace_id = %L', :'ws'));
select tests.run_as('acme_admin', format($$insert into public.financial_goals (id, workspace_id, title, goal_type, target_amount, category, period_start) values ('60000000-0000-0000-0000-000000000002', %L, 'Last year', 'yearly', 100, 'savings', now() - interval '1 year')$$, :'ws'));
select tests.run_as('acme_admin', format($$insert into public.financial_goals (id, workspace_id, title, target_amount, category, currency) values ('60000000-0000-0000-0000-000000000003', %L, 'Euro savings', 100, 'savings', 'EUR')$$, :'ws'));
select tests.run_as('acme_member', format($$insert into public.transactions (workspace_id, transaction_type, category, amount, date) values (%L, 'income', 'savings', 7.77, now() - interval '1 year')$$, :'ws'));
select is((select array_agg(current_amount order by id) from public.financial_goals where workspace_id = :'ws'),
  array[60.00, 7.77, 0.00]::numeric(12,2)[], 'each goal counts its own period and currency only');
select tests.run_as('acme_member', format($$insert into public.transactions (workspace_id, transaction_type, category, amount) values (%L, 'income', 'savings', 39.99)$$, :'ws'));
select is((select (current_amount, status) from public.financial_goals where id = '60000000-0000-0000-0000-000000000001'),
  (99.99::numeric(12,2), 'active'::public.goal_status), 'so does a transaction of its category, to the cent');
select tests.run_as('acme_member', format($$insert into public.transactions (workspace_id, transaction_type, category, amount) values (%L, 'income', 'savings', 0.01)$$, :'ws'));
select tests.run_as('acme_member', format($$insert into public.transactions (workspace_id, transaction_type, category, amount) values (%L, 'income', 'savings', 5)$$, :'ws'));
select is((select (current_amount, status, completed_at is not null) from public.financial_goals where id = '60000000-0000-0000-0000-000000000001'),
  (105.00::numeric(12,2), 'completed'::public.goal_status, true), 'reached: completed, and still counting');
select is((select count(*)::integer from public.notifications where reference_id = '60000000-0000-0000-0000-000000000001' and type = 'financial_goal_completed'),
  4, 'the workspace told once (one notification per member)');
select is((select current_amount = private.goal_amount(g) from public.financial_goals g where id = '60000000-0000-0000-0000-000000000001'),
  true, 'current_amount equals a recount of the ledger');
select is(tests.error_as('acme_admin', $$update public.financial_goals set status = 'active' where id = '60000000-0000-0000-0000-000000000001'$$),
  '55000 goal "Savings" was reached: it is archived, not reopened', 'a completed goal does not reopen (no second notice)');
select * from finish();
rollback;
