-- Who reads and writes message templates (and that approval is Meta's, not
-- a client's).
begin;
select plan(11);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
select tests.open_cloud_conversation(:'ws', 'c5000000-0000-0000-0000-000000000001', 'PN-T1', '5511900000001') as conv \gset
insert into public.channels (id, workspace_id, provider, name, instance_name)
values ('c5000000-0000-0000-0000-000000000002', :'ws', 'evolution', 'Evo', 'acme-evo');
insert into public.message_templates (id, workspace_id, channel_id, name, language, category, status, components)
values ('7e500000-0000-0000-0000-000000000001', :'ws', 'c5000000-0000-0000-0000-000000000001', 'hello', 'en_US', 'UTILITY', 'APPROVED',
        '[{"type":"BODY","text":"Hello {{1}}"}]');

\set everyone '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:1''), (''member'', ''ok:1''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admins '$$ values (''anon'', ''42501''), (''outsider'', ''ok:0''), (''viewer'', ''ok:0''), (''member'', ''ok:0''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'
\set admin_inserts '$$ values (''anon'', ''42501''), (''outsider'', ''42501''), (''viewer'', ''42501''), (''member'', ''42501''), (''admin'', ''ok:1''), (''owner'', ''ok:1'') $$'

select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'select 1 from public.message_templates where id = ''7e500000-0000-0000-0000-000000000001'''), :everyone, 'templates select');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('insert into public.message_templates (workspace_id, channel_id, name, language, category, components) values (%L, %L, %L, %L, %L, %L)',
  :'ws', 'c5000000-0000-0000-0000-000000000001', 'new_one', 'en_US', 'UTILITY', '[{"type":"BODY","text":"Hi"}]')), :admin_inserts, 'templates insert: admins');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'update public.message_templates set components = ''[{"type":"BODY","text":"Hey {{1}}"}]'' where id = ''7e500000-0000-0000-0000-000000000001'''), :admins, 'templates update: admins');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', 'delete from public.message_templates where id = ''7e500000-0000-0000-0000-000000000001'''), :admins, 'templates delete: admins');
select is(tests.try_as('beta_owner', format('insert into public.message_templates (workspace_id, channel_id, name, language, category, components) values (%L, %L, %L, %L, %L, %L)',
  :'ws', 'c5000000-0000-0000-0000-000000000001', 'intruder', 'en_US', 'UTILITY', '[{"type":"BODY","text":"Hi"}]')), '42501', 'another workspace''s owner cannot add templates to ours');
select is(tests.try_as('acme_owner', format('insert into public.message_templates (workspace_id, channel_id, name, language, category, components) values (%L, %L, %L, %L, %L, %L)',
  :'beta', 'c5000000-0000-0000-0000-000000000001', 'cross', 'en_US', 'UTILITY', '[{"type":"BODY","text":"Hi"}]')), '42501', 'nor put one on our channel from theirs');
select is(tests.try_as('acme_owner', 'update public.message_templates set status = ''APPROVED'''), '42501', 'nobody approves a template by hand');

select tests.run_as('acme_admin', format('insert into public.message_templates (workspace_id, channel_id, name, language, category, components) values (%L, %L, %L, %L, %L, %L), (%L, %L, %L, %L, %L, %L)',
  :'ws', 'c5000000-0000-0000-0000-000000000001', 'cloud_new', 'en_US', 'UTILITY', '[{"type":"BODY","text":"Hi"}]',
  :'ws', 'c5000000-0000-0000-0000-000000000002', 'canned', 'en_US', 'UTILITY', '[{"type":"BODY","text":"Thanks {{1}}!"}]'));
select results_eq($$ select name, status::text from public.message_templates where name in ('cloud_new', 'canned') order by name $$,
  $$ values ('canned', 'APPROVED'), ('cloud_new', 'PENDING') $$, 'a Cloud API template waits for Meta; a canned Evolution message is usable at once');
select tests.run_as('acme_admin', 'update public.message_templates set components = ''[{"type":"BODY","text":"Hey {{1}}"}]'' where id = ''7e500000-0000-0000-0000-000000000001''');
select is((select status::text from public.message_templates where id = '7e500000-0000-0000-0000-000000000001'), 'PENDING', 'editing an approved Cloud API template sends it back for approval');
select is(tests.error_as('acme_admin', format('insert into public.message_templates (workspace_id, channel_id, name, language, category, components) values (%L, %L, %L, %L, %L, %L)',
  :'ws', 'c5000000-0000-0000-0000-000000000002', 'no_body', 'en_US', 'UTILITY', '[{"type":"FOOTER","text":"x"}]')),
  '22023 a template needs exactly one BODY component with text', 'a template without a body');
select is(substr(tests.try_as('acme_admin', format('insert into public.message_templates (workspace_id, channel_id, name, language, category, components) values (%L, %L, %L, %L, %L, %L)',
  :'ws', 'c5000000-0000-0000-0000-000000000002', 'Bad Name', 'en_US', 'UTILITY', '[{"type":"BODY","text":"x"}]')), 1, 5), '23514', 'names are Meta''s: lowercase, digits, underscores');

select * from finish();
rollback;
