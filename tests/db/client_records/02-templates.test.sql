-- Measurement templates: admins manage them, every member reads them; the
-- fields are checked when saved, each error naming the field, and stored
-- in full; names are unique in a workspace whatever their case.
begin;
select plan(26);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
insert into public.measurement_templates (id, workspace_id, name, fields) values
  ('c2000000-0000-0000-0000-000000000001', :'ws', 'Shirt',
   '[{"key": "neck", "label": "Neck", "unit": "cm", "min": 25, "max": 60, "required": true}, {"key": "sleeve", "unit": "cm"}]');

\set everyone '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:1''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admins '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:0''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admin_inserts '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set make 'insert into public.measurement_templates (workspace_id, name, fields) values (%L, %L, %L)'
\set refusal '42501 new row violates row-level security policy for table "measurement_templates"'

select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.measurement_templates where name = ''Shirt'''),
  :everyone, 'every member reads the templates');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format(:'make', :'ws', 'Trousers', '[{"key": "waist", "unit": "cm"}]')),
  :admin_inserts, 'admins make them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.measurement_templates set description = ''Dress shirts'' where name = ''Shirt'''),
  :admins, 'admins edit them');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.measurement_templates where name = ''Shirt'''),
  :admins, 'admins delete them');
select is(tests.error_as('acme_outsider', format(:'make', :'ws', 'Probe', '"not even an array"')),
  :'refusal', 'an outsider is refused as RLS refuses, before the fields are looked at');
select is(tests.error_as('acme_member', format(:'make', :'ws', 'Probe', '"not even an array"')),
  :'refusal', 'a member too');
select is(array(select * from tests.tenant_leaks('beta_owner', :'ws')), '{}'::text[], 'another workspace''s owner reaches nothing of ours');

-- Stored in full
select is((select fields from public.measurement_templates where id = 'c2000000-0000-0000-0000-000000000001'),
  '[{"key": "neck", "label": "Neck", "unit": "cm", "min": 25, "max": 60, "required": true},
    {"key": "sleeve", "label": "Sleeve", "unit": "cm", "required": false}]'::jsonb,
  'label and required are filled in');

-- Names
select is(tests.error_as('acme_admin', format(:'make', :'ws', ' shirt ', '[{"key": "neck", "unit": "cm"}]')),
  '23505 duplicate key value violates unique constraint "measurement_templates_workspace_name_key"',
  'a name is unique in the workspace, whatever its case and surrounding spaces');
select is(tests.error_as('beta_owner', format(:'make', :'beta', 'Shirt', '[{"key": "neck", "unit": "cm"}]')),
  'ok:1', 'but not across workspaces');

-- Each error names the field
create function pg_temp.make(fields text) returns text language sql as $$
  select tests.error_as('acme_admin', format('insert into public.measurement_templates (workspace_id, name, fields) values (%L, %L, %L)',
    (select id from public.workspaces where slug = 'acme-inc'), 'Probe', fields))
$$;
select is(pg_temp.make('{"neck": "cm"}'),
  '22023 fields must be a JSON array of {"key", "label", "unit", "min", "max", "required"}', 'fields are an array');
select is(pg_temp.make('[]'), '22023 a template has 1 to 100 fields, not 0', 'of at least one field');
select is(pg_temp.make((select jsonb_agg(jsonb_build_object('key', 'f' || i, 'unit', 'cm')) from generate_series(1, 101) i)::text),
  '22023 a template has 1 to 100 fields, not 101', 'and at most 100');
select is(pg_temp.make('[{"key": "neck", "unit": "cm"}, {"key": "Neck Size", "unit": "cm"}]'),
  '22023 field 2: key must be 1 to 40 lower-case letters, digits or _, starting with a letter (got "Neck Size")', 'keys are identifiers');
select is(pg_temp.make('[{"key": "a23456789012345678901234567890123456789012", "unit": "cm"}]'),
  '22023 field 1: key must be 1 to 40 lower-case letters, digits or _, starting with a letter (got "a23456789012345678901234567890123456789012")',
  'of at most 40 characters');
select is(pg_temp.make('[{"unit": "cm"}]'),
  '22023 field 1: key must be 1 to 40 lower-case letters, digits or _, starting with a letter (got nothing)', 'every field has one');
select is(pg_temp.make('[{"key": "neck", "unit": "cm"}, {"key": "neck", "unit": "in"}]'), '22023 field "neck" appears twice',
  'keys are unique');
select is(pg_temp.make('[{"key": "neck", "unit": "cm", "maximum": 60}]'),
  '22023 field "neck" has unknown properties "maximum"; a field has key, label, unit, min, max, required', 'a misspelt property is refused');
select is(pg_temp.make('[{"key": "neck", "unit": "furlong"}]'),
  '22023 field "neck": unit must be one of cm, mm, in, kg, lb (got "furlong")', 'units come from the list');
select is(pg_temp.make('[{"key": "neck"}]'),
  '22023 field "neck": unit must be one of cm, mm, in, kg, lb (got nothing)', 'every field has a unit');
select is(pg_temp.make('[{"key": "neck", "unit": "cm", "min": "25"}]'),
  '22023 field "neck": min must be a number (got "25")', 'min is a number');
select is(pg_temp.make('[{"key": "neck", "unit": "cm", "max": true}]'),
  '22023 field "neck": max must be a number (got true)', 'max is a number');
select is(pg_temp.make('[{"key": "neck", "unit": "cm", "min": 60, "max": 25}]'),
  '22023 field "neck": min (60) must be less than max (25)', 'min is less than max');
select is(pg_temp.make('[{"key": "neck", "unit": "cm", "min": -1}]'),
  '22023 field "neck": measurements are not negative; min must be 0 or more and max more than 0', 'and not negative');
select is(pg_temp.make('[{"key": "neck", "unit": "cm", "required": "yes"}]'),
  '22023 field "neck": required must be true or false (got "yes")', 'required is true or false');
select is(tests.error_as('acme_admin', 'update public.measurement_templates set fields = ''[{"key": "neck", "unit": "cm", "min": 70, "max": 60}]'' where name = ''Shirt'''),
  '22023 field "neck": min (70) must be less than max (60)', 'the fields are checked again when they change');

select * from finish();
rollback;
