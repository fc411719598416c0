-- Client measurements: who reads, takes, annotates and deletes them; the
-- values checked against the template (each error naming the measurement
-- and the template) and stored with their unit; the contact and template
-- are the workspace's, and an outsider learns nothing; the latest taking
-- per template is one indexed query.
begin;
select plan(38);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
insert into public.contacts (id, workspace_id, name, phone) values
  ('c3000000-0000-0000-0000-000000000001', :'ws', 'Ana Souza', '5511900000201'),
  ('c3000000-0000-0000-0000-000000000002', :'ws', 'Carla Mendes', '5511900000202'),
  ('c3000000-0000-0000-0000-0000000000b1', :'beta', 'Bea Lima', '5511900000203');
insert into public.measurement_templates (id, workspace_id, name, fields) values
  ('c3100000-0000-0000-0000-000000000001', :'ws', 'Shirt',
   '[{"key": "neck", "unit": "cm", "min": 25, "max": 60, "required": true}, {"key": "sleeve", "unit": "cm", "max": 100},
     {"key": "chest", "unit": "in", "min": 20}]'),
  ('c3100000-0000-0000-0000-000000000002', :'ws', 'Trousers', '[{"key": "waist", "unit": "cm", "required": true}]'),
  ('c3100000-0000-0000-0000-000000000003', :'ws', 'Old coat', '[{"key": "chest", "unit": "cm"}]'),
  ('c3100000-0000-0000-0000-0000000000b1', :'beta', 'Shirt', '[{"key": "neck", "unit": "cm"}]');
update public.measurement_templates set is_active = false where name = 'Old coat';
insert into public.client_measurements (id, workspace_id, contact_id, measurement_template_id, measurements, notes, taken_at) values
  ('c3200000-0000-0000-0000-000000000001', :'ws', 'c3000000-0000-0000-0000-000000000001', 'c3100000-0000-0000-0000-000000000001',
   '{"neck": 38}', 'first fitting', now() - interval '1 year');

\set everyone '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:1''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set members '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admins '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:0''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set member_inserts '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set nobody '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''42501''), (''owner'', ''42501'') $$'
\set take 'insert into public.client_measurements (workspace_id, contact_id, measurement_template_id, measurements) values (%L, %L, %L, %L)'
\set refusal '42501 new row violates row-level security policy for table "client_measurements"'

-- The matrix
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.client_measurements where notes = ''first fitting'''),
  :everyone, 'every member reads measurements');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.latest_client_measurements where notes = ''first fitting'''),
  :everyone, 'and the latest ones');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme',
    format(:'take', :'ws', 'c3000000-0000-0000-0000-000000000001', 'c3100000-0000-0000-0000-000000000001', '{"neck": 39}')),
  :member_inserts, 'members take them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.client_measurements set notes = ''slouches'' where notes = ''first fitting'''),
  :members, 'members edit the notes');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.client_measurements set measurements = ''{"neck": {"value": 40, "unit": "cm"}}'' where notes = ''first fitting'''),
  :nobody, 'nobody edits the values: a new taking is a new row');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.client_measurements where notes = ''first fitting'''),
  :admins, 'admins delete them');

-- Stored normalized
select tests.run_as('acme_member', format(:'take', :'ws', 'c3000000-0000-0000-0000-000000000001', 'c3100000-0000-0000-0000-000000000001',
  '{"neck": 38.5, "sleeve": {"value": 64, "unit": "cm"}, "chest": {"value": 40}}'));
select is((select (measurements, taken_by) from public.client_measurements where measurements ? 'sleeve' and contact_id = 'c3000000-0000-0000-0000-000000000001'),
  ('{"neck": {"value": 38.5, "unit": "cm"}, "sleeve": {"value": 64, "unit": "cm"}, "chest": {"value": 40, "unit": "in"}}'::jsonb,
   tests.get_supabase_uid('acme_member')),
  'a bare number or {value, unit} is stored as {value, unit} in the field''s unit, taken by the signed-in user');

-- Each error names the measurement and the template
create function pg_temp.take(template text, measurements text) returns text language sql as $$
  select tests.error_as('acme_member', format('insert into public.client_measurements (workspace_id, contact_id, measurement_template_id, measurements) values (%L, %L, %L, %L)',
    (select id from public.workspaces where slug = 'acme-inc'), 'c3000000-0000-0000-0000-000000000001',
    (select id from public.measurement_templates where name = template and workspace_id = (select id from public.workspaces where slug = 'acme-inc')),
    measurements))
$$;
select is(pg_temp.take('Shirt', '{"neck": 120}'), '22023 measurement "neck" is 120 cm, outside 25..60 cm for template "Shirt"',
  'out of range');
select is(pg_temp.take('Shirt', '{"neck": 24.9}'), '22023 measurement "neck" is 24.9 cm, outside 25..60 cm for template "Shirt"',
  'below the minimum');
select is(pg_temp.take('Shirt', '{"neck": 40, "chest": 12}'), '22023 measurement "chest" is 12 in, below 20 in for template "Shirt"',
  'below a minimum with no maximum');
select is(pg_temp.take('Shirt', '{"neck": 40, "sleeve": -3}'), '22023 measurement "sleeve" is -3 cm, outside 0..100 cm for template "Shirt"',
  'never negative, even with no minimum');
select is(pg_temp.take('Shirt', '{"neck": 40, "waist": 80}'), '22023 measurement "waist" is not a field of template "Shirt"',
  'an unknown field');
select is(pg_temp.take('Shirt', '{"neck": {"value": 15, "unit": "in"}}'),
  '22023 measurement "neck" is in in, but template "Shirt" measures it in cm', 'a wrong unit (nothing is converted)');
select is(pg_temp.take('Shirt', '{"neck": "38"}'), '22023 measurement "neck" must be a number (got "38")', 'a string');
select is(pg_temp.take('Shirt', '{"neck": {"value": "big"}}'), '22023 measurement "neck" must be a number (got "big")',
  'a string inside the object form');
select is(pg_temp.take('Shirt', '{"neck": {"value": 38, "unit": "cm", "side": "left"}}'),
  '22023 measurement "neck" has unknown properties "side"; send a number or {"value": <number>, "unit": "cm"}', 'an unknown property');
select is(pg_temp.take('Shirt', '{"sleeve": 64}'), '22023 measurement "neck" is required by template "Shirt"',
  'a required field missing');
select is(pg_temp.take('Shirt', '{"neck": null}'), '22023 measurement "neck" is required by template "Shirt"',
  'or null');
select is(pg_temp.take('Shirt', '[38]'), '22023 measurements must be a JSON object of field keys to numbers, e.g. {"neck": 38.5}',
  'an array');
select is(pg_temp.take('Old coat', '{"chest": 100}'), '22023 measurement template "Old coat" is inactive; it takes no new measurements',
  'an inactive template takes no new measurements');
select is(tests.error_as('acme_member', format('insert into public.client_measurements (workspace_id, contact_id, measurement_template_id, measurements) values (%L, %L, null, %L)',
    :'ws', 'c3000000-0000-0000-0000-000000000001', '{"neck": 40}')),
  '23502 measurement_template_id is required: measurements are taken against a template',
  'a template is required');
select is(tests.error_as('acme_member', format('insert into public.client_measurements (workspace_id, contact_id, measurement_template_id, measurements, taken_at) values (%L, %L, %L, %L, %L)',
    :'ws', 'c3000000-0000-0000-0000-000000000001', 'c3100000-0000-0000-0000-000000000001', '{"neck": 40}', now() + interval '1 hour')),
  format('22023 taken_at %s is in the future; measurements are recorded when or after they are taken', now() + interval '1 hour'),
  'not taken in the future');
select is(tests.error_as('acme_member', format('insert into public.client_measurements (workspace_id, contact_id, measurement_template_id, measurements, taken_by) values (%L, %L, %L, %L, %L)',
    :'ws', 'c3000000-0000-0000-0000-000000000001', 'c3100000-0000-0000-0000-000000000001', '{"neck": 40}', tests.get_supabase_uid('acme_outsider'))),
  '23503 taken_by is not an active member of this workspace', 'taken by a member of the workspace');
select is(tests.error_as('acme_member', format('insert into public.client_measurements (workspace_id, contact_id, measurement_template_id, measurements, taken_by) values (%L, %L, %L, %L, %L)',
    :'ws', 'c3000000-0000-0000-0000-000000000001', 'c3100000-0000-0000-0000-000000000001', '{"neck": 40}', tests.get_supabase_uid('acme_admin'))),
  'ok:1', 'who may be a colleague');
select is(tests.error_as('acme_admin', 'delete from public.measurement_templates where name = ''Shirt'''),
  '23503 update or delete on table "measurement_templates" violates foreign key constraint "client_measurements_measurement_template_id_workspace_id_fkey" on table "client_measurements"',
  'a template in use is not deleted (deactivate it instead)');

-- Other workspaces
select is(tests.error_as('acme_outsider', format(:'take', :'ws', 'c3000000-0000-0000-0000-000000000001', 'c3100000-0000-0000-0000-000000000001', '{"neck": 999}')),
  :'refusal', 'an outsider is refused as RLS refuses, before the contact, template or values are looked at');
select is(tests.error_as('acme_viewer', format(:'take', :'ws', gen_random_uuid(), gen_random_uuid(), '"junk"')),
  :'refusal', 'a viewer too');
select is(tests.error_as('beta_owner', format(:'take', :'beta', 'c3000000-0000-0000-0000-000000000001', 'c3100000-0000-0000-0000-0000000000b1', '{"neck": 40}')),
  tests.error_as('beta_owner', format(:'take', :'beta', gen_random_uuid(), 'c3100000-0000-0000-0000-0000000000b1', '{"neck": 40}')),
  'another workspace''s contact is refused exactly like one that does not exist');
select is(tests.error_as('beta_owner', format(:'take', :'beta', 'c3000000-0000-0000-0000-0000000000b1', 'c3100000-0000-0000-0000-000000000001', '{"neck": 40}')),
  tests.error_as('beta_owner', format(:'take', :'beta', 'c3000000-0000-0000-0000-0000000000b1', gen_random_uuid(), '{"neck": 40}')),
  'and another workspace''s template like one that does not exist');
select is(tests.error_as('beta_owner', format(:'take', :'beta', 'c3000000-0000-0000-0000-0000000000b1', 'c3100000-0000-0000-0000-000000000001', '{"neck": 40}')),
  '23503 measurement template not found in this workspace', 'as a missing template, without its name or fields');
select is(tests.error_as('beta_owner', format(:'take', :'beta', 'c3000000-0000-0000-0000-000000000001', 'c3100000-0000-0000-0000-0000000000b1', '{"neck": 40}')),
  '23503 contact not found in this workspace', 'as a missing contact');
select is(array(select * from tests.tenant_leaks('beta_owner', :'ws')), '{}'::text[], 'another workspace''s owner reaches nothing of ours');

-- Latest per template: Ana has Shirt takings a year ago and (below) twice
-- at one instant, and one Trousers taking; Carla one Shirt taking.
insert into public.client_measurements (id, workspace_id, contact_id, measurement_template_id, measurements, taken_at) values
  ('c3200000-0000-0000-0000-000000000002', :'ws', 'c3000000-0000-0000-0000-000000000001', 'c3100000-0000-0000-0000-000000000001', '{"neck": 39}', '2026-11-01 10:00Z'),
  ('c3200000-0000-0000-0000-000000000003', :'ws', 'c3000000-0000-0000-0000-000000000001', 'c3100000-0000-0000-0000-000000000001', '{"neck": 39.5}', '2026-11-01 10:00Z'),
  ('c3200000-0000-0000-0000-000000000004', :'ws', 'c3000000-0000-0000-0000-000000000001', 'c3100000-0000-0000-0000-000000000002', '{"waist": 82}', '2026-10-01 10:00Z'),
  ('c3200000-0000-0000-0000-000000000005', :'ws', 'c3000000-0000-0000-0000-000000000002', 'c3100000-0000-0000-0000-000000000001', '{"neck": 34}', '2026-09-01 10:00Z');
delete from public.client_measurements where measurements ? 'sleeve' and contact_id = 'c3000000-0000-0000-0000-000000000001';
select tests.authenticate_as('acme_viewer');
select results_eq($$select measurement_template_id::text, measurements -> 'neck' ->> 'value', measurements -> 'waist' ->> 'value'
                      from public.latest_client_measurements where contact_id = 'c3000000-0000-0000-0000-000000000001'
                     order by measurement_template_id$$,
  $$values ('c3100000-0000-0000-0000-000000000001', '39.5', null), ('c3100000-0000-0000-0000-000000000002', null, '82')$$,
  'one row per template: the newest taking, the later id breaking a tie in taken_at');
select is((select count(*) from public.latest_client_measurements), 3::bigint, 'one per contact and template');
set local enable_seqscan = off;
set local enable_bitmapscan = off;
select matches(tests.plan_of($$select * from public.latest_client_measurements where contact_id = 'c3000000-0000-0000-0000-000000000001'$$),
  'Index Scan using client_measurements_latest_idx', 'a contact''s latest measurements walk the index');
select doesnt_match(tests.plan_of($$select * from public.latest_client_measurements where contact_id = 'c3000000-0000-0000-0000-000000000001'$$),
  'Sort', 'in its order, without a sort');
select tests.clear_authentication();
select is((select count(*) from public.latest_client_measurements l where l.workspace_id = :'beta'), 0::bigint,
  'nothing of beta''s (it has taken none)');
select tests.authenticate_as('beta_owner');
select is((select count(*) from public.latest_client_measurements), 0::bigint, 'and beta''s owner sees none of ours through the view');
select tests.clear_authentication();

select * from finish();
rollback;
