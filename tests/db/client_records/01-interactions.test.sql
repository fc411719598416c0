-- Client interactions: who reads, logs, edits and deletes them; order and
-- payment entries are the database's (a client neither writes nor changes
-- them, the commerce module's definer code does); the contact is the
-- workspace's; nothing tells an outsider about another workspace; the
-- timeline is read in index order.
begin;
select plan(33);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
insert into public.contacts (id, workspace_id, name, phone) values
  ('c1000000-0000-0000-0000-000000000001', :'ws', 'Ana Souza', '5511900000101'),
  ('c1000000-0000-0000-0000-0000000000b1', :'beta', 'Bea Lima', '5511900000102');
-- A note Maya (member) logged, one the admin logged, and an order entry the database wrote.
insert into public.client_interactions (id, workspace_id, contact_id, user_id, interaction_type, subject) values
  ('c1100000-0000-0000-0000-000000000001', :'ws', 'c1000000-0000-0000-0000-000000000001', tests.get_supabase_uid('acme_member'), 'note', 'Prefers linen'),
  ('c1100000-0000-0000-0000-000000000002', :'ws', 'c1000000-0000-0000-0000-000000000001', tests.get_supabase_uid('acme_admin'), 'call', 'Fitting booked'),
  ('c1100000-0000-0000-0000-000000000003', :'ws', 'c1000000-0000-0000-0000-000000000001', tests.get_supabase_uid('acme_member'), 'order', 'Order ORD-00001');
insert into public.client_interactions (workspace_id, contact_id, interaction_type, subject)
values (:'beta', 'c1000000-0000-0000-0000-0000000000b1', 'note', 'Theirs');

\set everyone '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:1''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set member_inserts '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set own_or_admin '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admins_only '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''42501''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set never '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''42501''), (''admin'', ''42501''), (''owner'', ''42501'') $$'
\set no_client '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''42501''), (''owner'', ''42501'') $$'
\set log 'insert into public.client_interactions (workspace_id, contact_id, interaction_type, subject, occurred_at) values (%L, %L, %L, %L, coalesce(%L::timestamptz, now()))'
\set refusal '42501 new row violates row-level security policy for table "client_interactions"'

-- The matrix
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.client_interactions where subject = ''Prefers linen'''),
  :everyone, 'every member of the workspace reads the timeline');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format(:'log', :'ws', 'c1000000-0000-0000-0000-000000000001', 'call', 'Asked about hems', null)),
  :member_inserts, 'members log calls, emails, meetings and notes');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.client_interactions set description = ''linen only'' where subject = ''Prefers linen'''),
  :own_or_admin, 'its author (the member) and admins edit a logged entry');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.client_interactions set description = ''by phone'' where subject = ''Fitting booked'''),
  :admins_only, 'another member''s entry: admins only');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.client_interactions where subject = ''Fitting booked'''),
  :admins_only, 'and the same for deleting it');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.client_interactions where subject = ''Prefers linen'''),
  :own_or_admin, 'a member deletes what they logged');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.client_interactions set subject = ''edited'' where interaction_type = ''order'''),
  :never, 'an order entry is never edited by a client, not even its user or the owner');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.client_interactions where interaction_type = ''order'''),
  :never, 'nor deleted');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format(:'log', :'ws', 'c1000000-0000-0000-0000-000000000001', 'order', 'Fake order', null)),
  :no_client, 'no client writes an order entry');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format(:'log', :'ws', 'c1000000-0000-0000-0000-000000000001', 'payment', 'Fake payment', null)),
  :no_client, 'nor a payment entry');

-- What each refusal says
select is(tests.error_as('acme_owner', format(:'log', :'ws', 'c1000000-0000-0000-0000-000000000001', 'payment', 'Fake payment', null)),
  '42501 payment interactions are recorded by the database from orders; log a call, email, meeting or note',
  'a payment logged by hand is refused, and the message says what to do');
select is(tests.error_as('acme_member', format(:'log', :'ws', 'c1000000-0000-0000-0000-000000000001', 'order', 'Fake order', null)),
  '42501 order interactions are recorded by the database from orders; log a call, email, meeting or note', 'an order too');
select is(tests.error_as('acme_member', 'update public.client_interactions set interaction_type = ''payment'' where subject = ''Prefers linen'''),
  '42501 a logged interaction does not become an order or payment interaction; those are recorded by the database from orders',
  'a note does not become a payment');
select is(tests.error_as('acme_member', 'update public.client_interactions set subject = ''edited'' where interaction_type = ''order'''),
  '42501 order interactions are history written by the database; they are not edited or deleted', 'an order entry is history');
select is(tests.error_as('acme_member', 'update public.client_interactions set subject = ''edited'' where subject = ''Fitting booked'''),
  '42501 only the member who logged an interaction, or an admin, edits it', 'another member''s entry is not a member''s to edit');
select is(tests.error_as('acme_member', 'delete from public.client_interactions where subject = ''Fitting booked'''),
  '42501 only the member who logged an interaction, or an admin, deletes it', 'nor to delete');
select is(tests.error_as('acme_member', format(:'log', :'ws', 'c1000000-0000-0000-0000-000000000001', 'meeting', 'Next week', (now() + interval '1 day')::text)),
  format('22023 occurred_at %s is in the future; an interaction is recorded when or after it happens', now() + interval '1 day'),
  'an interaction does not happen in the future');
select is(tests.error_as('acme_member', format(:'log', :'ws', 'c1000000-0000-0000-0000-000000000001', 'meeting', 'Last month', (now() - interval '30 days')::text)),
  'ok:1', 'but may be backdated');
select is(tests.error_as('acme_member', format('insert into public.client_interactions (workspace_id, contact_id, interaction_type, metadata) values (%L, %L, ''note'', ''[1]'')',
    :'ws', 'c1000000-0000-0000-0000-000000000001')),
  '23514 new row for relation "client_interactions" violates check constraint "client_interactions_metadata_check"', 'metadata is an object');
select is(tests.try_as('acme_member', format('insert into public.client_interactions (workspace_id, contact_id, interaction_type, user_id) values (%L, %L, ''note'', %L)',
    :'ws', 'c1000000-0000-0000-0000-000000000001', tests.get_supabase_uid('acme_admin'))),
  '42501', 'user_id is not the client''s to write');
select tests.run_as('acme_member', format(:'log', :'ws', 'c1000000-0000-0000-0000-000000000001', 'email', 'Sent the quote', null));
select is((select user_id from public.client_interactions where subject = 'Sent the quote'), tests.get_supabase_uid('acme_member'),
  'who logged it is recorded');

-- Other workspaces
select is(tests.error_as('acme_outsider', format(:'log', :'ws', 'c1000000-0000-0000-0000-000000000001', 'note', 'probe', null)),
  :'refusal', 'an outsider naming our contact is refused as RLS refuses');
select is(tests.error_as('acme_outsider', format(:'log', :'ws', gen_random_uuid(), 'order', 'probe', null)),
  :'refusal', 'the same for a contact that does not exist, and for an order entry');
select is(tests.error_as('acme_viewer', format(:'log', :'ws', 'c1000000-0000-0000-0000-000000000001', 'payment', 'probe', null)),
  :'refusal', 'a viewer gets RLS''s refusal, not the order-entry rule');
select is(tests.error_as('beta_owner', format(:'log', :'beta', 'c1000000-0000-0000-0000-000000000001', 'note', 'probe', null)),
  tests.error_as('beta_owner', format(:'log', :'beta', gen_random_uuid(), 'note', 'probe', null)),
  'another workspace''s contact is refused exactly like one that does not exist');
select is(tests.error_as('beta_owner', format(:'log', :'beta', 'c1000000-0000-0000-0000-000000000001', 'note', 'probe', null)),
  '23503 contact not found in this workspace', 'as a missing contact');
select is(array(select * from tests.tenant_leaks('beta_owner', :'ws')), '{}'::text[], 'another workspace''s owner reaches nothing of ours');

-- The database writes order and payment entries: a security definer
-- function, called by a member (as the commerce module's triggers are).
create function public.__record_payment(contact uuid, ws uuid) returns void
language sql security definer set search_path = '' as $$
  insert into public.client_interactions (workspace_id, contact_id, user_id, interaction_type, subject, metadata)
  values (ws, contact, (select auth.uid()), 'payment', 'Payment received', '{"amount": 50}')
$$;
grant execute on function public.__record_payment(uuid, uuid) to authenticated;
select is(tests.error_as('acme_member', format('select public.__record_payment(%L, %L)', 'c1000000-0000-0000-0000-000000000001', :'ws')),
  'ok:1', 'a definer function acting for a member writes a payment entry');
select tests.run_as('acme_member', format('select public.__record_payment(%L, %L)', 'c1000000-0000-0000-0000-000000000001', :'ws'));
select is((select (user_id, interaction_type) from public.client_interactions where subject = 'Payment received'),
  (tests.get_supabase_uid('acme_member'), 'payment'::public.interaction_type), 'recorded with the acting user');
select is(tests.error_as('acme_outsider', format('select public.__record_payment(%L, %L)', 'c1000000-0000-0000-0000-000000000001', :'ws')),
  :'refusal', 'but it does not let an outsider in');

-- Deleting the contact takes its timeline along, order entries included.
select is(tests.error_as('acme_admin', 'delete from public.contacts where id = ''c1000000-0000-0000-0000-000000000001'''),
  'ok:1', 'an admin deletes a contact whose timeline has others'' and the database''s entries');

-- The timeline in index order
select tests.authenticate_as('acme_member');
set local enable_seqscan = off;
set local enable_bitmapscan = off;
select matches(tests.plan_of($$select * from public.client_interactions where contact_id = 'c1000000-0000-0000-0000-000000000001'
                                order by occurred_at desc, id desc limit 50$$),
  'Index Scan using client_interactions_timeline_idx', 'a contact''s timeline walks its index');
select doesnt_match(tests.plan_of($$select * from public.client_interactions where contact_id = 'c1000000-0000-0000-0000-000000000001'
                                     order by occurred_at desc, id desc limit 50$$),
  'Sort', 'newest first, without a sort');
select tests.clear_authentication();

select * from finish();
rollback;
