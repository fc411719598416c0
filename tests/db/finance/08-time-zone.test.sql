-- Finance lives by the workspace's calendar: a payment late on the 31st in
-- São Paulo (already the 1st in UTC) is January's in the reports and the
-- goals; a goal's default period is the workspace's month; numbers take
-- their year and month from its time zone; a new time zone recounts goals.
begin;
select plan(13);
select tests.create_workspace_with_roles('acme') as ws \gset
update public.workspaces set timezone = 'America/Sao_Paulo', currency = 'BRL' where id = :'ws';

-- 23:30 on 31 January in São Paulo is 02:30 on 1 February in UTC; 22:00 on
-- 31 December there is 01:00 on 1 January in UTC.
select tests.run_as('acme_member', format($$
  insert into public.transactions (workspace_id, transaction_type, category, amount, description, date) values
    (%1$L, 'expense', 'materials', 10, 'late January', '2026-01-31 23:30-03'),
    (%1$L, 'expense', 'materials', 1, 'late December', '2025-12-31 22:00-03'),
    (%1$L, 'expense', 'materials', 100, 'early February', '2026-02-01 00:30-03')$$, :'ws'));
select results_eq(format($$select month, total from public.finance_monthly where workspace_id = %L order by month$$, :'ws'),
  $$values ('2025-12-01'::date, 1.00::numeric), ('2026-01-01', 10.00), ('2026-02-01', 100.00)$$,
  'finance_monthly counts the months of São Paulo');
select results_eq(format($$select month, expense from public.finance_profit where workspace_id = %L order by month$$, :'ws'),
  $$values ('2025-12-01'::date, 1.00::numeric), ('2026-01-01', 10.00), ('2026-02-01', 100.00)$$,
  'finance_profit too');
select tests.run_as('acme_admin', format($$insert into public.auto_splits (workspace_id, name, split_type, value, category)
  values (%L, 'Tax', 'percentage', 10, 'tax')$$, :'ws'));
select tests.run_as('acme_member', format($$insert into public.transactions (workspace_id, transaction_type, category, amount, date)
  values (%L, 'income', 'sales', 50, '2026-01-31 23:30-03')$$, :'ws'));
select results_eq(format($$select month, category, total from public.finance_allocations where workspace_id = %L$$, :'ws'),
  $$values ('2026-01-01'::date, 'tax', 5.00::numeric)$$, 'finance_allocations: the split of a late-January income is January''s');

select tests.run_as('acme_admin', format($$
  insert into public.financial_goals (id, workspace_id, title, goal_type, target_amount, category, period_start) values
    ('9a000000-0000-0000-0000-000000000001', %1$L, 'January materials', 'monthly', 500, 'materials', '2026-01-20'),
    ('9a000000-0000-0000-0000-000000000002', %1$L, 'This month', 'monthly', 500, 'materials', default)$$, :'ws'));
select is((select current_amount from public.financial_goals where id = '9a000000-0000-0000-0000-000000000001'), 10.00,
  'a January goal counts late 31 January and not the UTC-January evening of 31 December');
select is((select period_start from public.financial_goals where id = '9a000000-0000-0000-0000-000000000002'),
  date_trunc('month', now() at time zone 'America/Sao_Paulo')::date, 'a goal''s default period is the workspace''s month');
select tests.run_as('acme_member', format($$
  insert into public.transactions (workspace_id, transaction_type, category, amount, description, date)
  values (%L, 'expense', 'materials', 5, 'last minute', '2026-01-31 23:59-03')$$, :'ws'));
select is((select current_amount from public.financial_goals where id = '9a000000-0000-0000-0000-000000000001'), 15.00,
  'a new entry late on the 31st, local time, adds to January');

select tests.run_as('acme_admin', format($$update public.workspaces set timezone = 'UTC' where id = %L$$, :'ws'));
select is((select current_amount from public.financial_goals where id = '9a000000-0000-0000-0000-000000000001'), 1.00,
  'moving the workspace to UTC recounts the goal: the late-December evening is January now, the 31st''s evening February');
select results_eq(format($$select month, total from public.finance_monthly where workspace_id = %L and transaction_type = 'expense' order by month$$, :'ws'),
  $$values ('2026-01-01'::date, 1.00::numeric), ('2026-02-01', 115.00)$$, 'and the reports follow');
update public.workspaces set timezone = 'America/Sao_Paulo' where id = :'ws';
select is((select current_amount from public.financial_goals where id = '9a000000-0000-0000-0000-000000000001'), 15.00,
  'and back');

select is(tests.error_as('acme_admin', $$update public.financial_goals set period_start = '-infinity' where id = '9a000000-0000-0000-0000-000000000001'$$),
  '22023 a goal''s period starts on a date, not -infinity', 'a period starts on a real date');

select is(private.format_order_number('INV-{YYYY}-{MM}-{number:3}', 7, '2026-01-01 02:00+00', 'America/Sao_Paulo'),
  'INV-2025-12-007', 'a number''s year and month are the workspace''s: 02:00 UTC on New Year is still December in São Paulo');
select is(private.format_order_number('INV-{YY}{MM}-{number}', 7, '2026-01-01 02:00+00', 'UTC'), 'INV-2601-7', 'and UTC''s in UTC');

select tests.run_as('acme_member', format($$
  insert into public.invoices (id, workspace_id, bills_to, items, due_date)
  values ('1f000000-0000-0000-0000-0000000000b1', %L, 'Kemi', '[{"name": "Hem", "unit_price": 35}]', now() + interval '7 days')$$, :'ws'));
select tests.run_as('acme_member', $$update public.invoices set status = 'sent' where id = '1f000000-0000-0000-0000-0000000000b1'$$);
select is((select (invoice_year, invoice_number) from public.invoices where id = '1f000000-0000-0000-0000-0000000000b1'),
  (extract(year from now() at time zone 'America/Sao_Paulo')::integer,
   'INV-' || extract(year from now() at time zone 'America/Sao_Paulo') || '-0001'),
  'an invoice is numbered in the workspace''s year');

select * from finish();
rollback;
