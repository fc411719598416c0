-- Finance: who reads and writes the ledger, splits, goals, invoices and
-- their templates, the reports, and who records payments. Viewers read;
-- members enter money and invoices; admins keep split rules, goals and
-- templates; an outsider (member of another workspace) and anon get
-- nothing, and an outsider's checks before RLS say nothing either.
begin;
select plan(23);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
insert into public.contacts (id, workspace_id, name, phone) values ('c0000000-0000-0000-0000-0000000000a1', :'ws', 'Ada Obi', '2348010000001');
insert into public.orders (id, workspace_id, contact_id, title) values ('0d000000-0000-0000-0000-000000000001', :'ws', 'c0000000-0000-0000-0000-0000000000a1', 'Agbada');
insert into public.order_items (order_id, item_name, quantity, unit_price) values ('0d000000-0000-0000-0000-000000000001', 'Agbada', 1, 1000);
insert into public.transactions (id, workspace_id, transaction_type, category, amount) values ('7a000000-0000-0000-0000-000000000001', :'ws', 'expense', 'rent', 100);
insert into public.auto_splits (id, workspace_id, name, split_type, value, category) values ('5b000000-0000-0000-0000-000000000001', :'ws', 'Tax', 'percentage', 10, 'tax');
insert into public.financial_goals (id, workspace_id, title, target_amount, category) values ('60000000-0000-0000-0000-000000000001', :'ws', 'Save', 1000, 'savings');
insert into public.invoices (id, workspace_id, contact_id, items) values ('1a000000-0000-0000-0000-000000000001', :'ws', 'c0000000-0000-0000-0000-0000000000a1', '[{"name": "Hem", "unit_price": 10}]');
insert into public.transactions (workspace_id, transaction_type, category, amount) values (:'ws', 'income', 'other', 50);

\set everyone '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:1''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set members '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admins '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:0''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set member_inserts '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admin_inserts '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set nobody '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''42501''), (''owner'', ''42501'') $$'

select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.transactions where id = ''7a000000-0000-0000-0000-000000000001'''),
  :everyone, 'transactions: every member reads them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.transactions (workspace_id, transaction_type, category, amount, currency) values (%L, ''expense'', ''materials'', 12.50, ''USD'')', :'ws')),
  :member_inserts, 'transactions: members enter expenses');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.transactions set amount = 1 where id = ''7a000000-0000-0000-0000-000000000001'''),
  :nobody, 'transactions: nobody edits the ledger');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.transactions where id = ''7a000000-0000-0000-0000-000000000001'''),
  :nobody, 'transactions: nobody removes entries');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.transactions (workspace_id, transaction_type, category, amount, order_id) values (%L, ''income'', ''sales'', 5, ''0d000000-0000-0000-0000-000000000001'')', :'ws')),
  :nobody, 'transactions: a payment on an order is record_payment''s to write');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.transaction_allocations limit 1'),
  :everyone, 'allocations: every member reads them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.auto_splits where id = ''5b000000-0000-0000-0000-000000000001'''),
  :everyone, 'auto_splits: every member reads them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.auto_splits (workspace_id, name, split_type, value, category) values (%L, ''Fund'', ''fixed_amount'', 1, ''fund'')', :'ws')),
  :admin_inserts, 'auto_splits: admins add them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.auto_splits set value = 12 where id = ''5b000000-0000-0000-0000-000000000001'''),
  :admins, 'auto_splits: admins change them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.auto_splits where id = ''5b000000-0000-0000-0000-000000000001'''),
  :admins, 'auto_splits: admins remove them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.financial_goals where id = ''60000000-0000-0000-0000-000000000001'''),
  :everyone, 'goals: every member reads them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.financial_goals (workspace_id, title, target_amount, category) values (%L, ''Tax'', 10, ''tax'')', :'ws')),
  :admin_inserts, 'goals: admins set them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.financial_goals set target_amount = 2000 where id = ''60000000-0000-0000-0000-000000000001'''),
  :admins, 'goals: admins change them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.invoices where id = ''1a000000-0000-0000-0000-000000000001'''),
  :everyone, 'invoices: every member reads them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.invoices (workspace_id, bills_to, items) values (%L, ''Walk-in'', ''[{"name": "Hem", "unit_price": 5}]'')', :'ws')),
  :member_inserts, 'invoices: members make them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.invoices set notes = ''thanks'' where id = ''1a000000-0000-0000-0000-000000000001'''),
  :members, 'invoices: members edit drafts');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.invoices where id = ''1a000000-0000-0000-0000-000000000001'''),
  :members, 'invoices: members delete drafts');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.invoice_templates (workspace_id, notice, template_id) values (%L, ''sent'', gen_random_uuid())', :'ws')),
  $$ values ('anon', '42501'), ('outsider', '42501'), ('viewer', '42501'), ('member', '42501'), ('admin', 'P0002'), ('owner', 'P0002') $$,
  'invoice templates: only admins get as far as looking the template up');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from public.finance_profit where workspace_id = %L', :'ws')),
  :everyone, 'reports: every member reads them, nobody else');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.record_payment(1, ''USD'', order_id => ''0d000000-0000-0000-0000-000000000001'')'),
  $$ values ('anon', '42501'), ('outsider', 'P0002'), ('viewer', '42501'), ('member', 'ok:1'), ('admin', 'ok:1'), ('owner', 'ok:1') $$,
  'record_payment: members (an outsider does not find the order)');
select is(tests.error_as('acme_outsider', 'select public.record_payment(1, ''USD'', order_id => gen_random_uuid())'),
  'P0002 order not found', 'an order that does not exist reads the same to an outsider');
select is(array(select tests.tenant_leaks('beta_owner', :'ws')), '{}'::text[], 'another workspace''s owner sees nothing of the books');
insert into public.contacts (id, workspace_id, name, phone) values ('c0000000-0000-0000-0000-0000000000b1', :'beta', 'Beta client', '2348010000009');
select is(tests.error_as('acme_member', format($$insert into public.transactions (workspace_id, transaction_type, category, amount, contact_id) values (%L, 'income', 'other', 5, 'c0000000-0000-0000-0000-0000000000b1')$$, :'ws')),
  'P0002 contact not found in this workspace', 'an entry names a client of its own workspace only');
select * from finish();
rollback;
