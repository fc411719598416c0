-- Who may search what: members and viewers see their workspace's messages
-- and contacts and nothing of another's; anon cannot call; bad input is
-- refused with 22023.
begin;
select plan(18);
select tests.create_workspace_with_roles('acme') as acme \gset
select tests.create_workspace_with_roles('beta') as beta \gset
select tests.open_cloud_conversation(:'acme', 'c5300000-0000-0000-0000-000000000001', 'PN-S31', '5511900000031') as acme_conv \gset
select tests.open_cloud_conversation(:'beta', 'c5300000-0000-0000-0000-000000000002', 'PN-S32', '5511900000032') as beta_conv \gset
insert into public.messages (workspace_id, channel_id, conversation_id, direction, type, status, content) values
  (:'acme', 'c5300000-0000-0000-0000-000000000001', :'acme_conv', 'inbound', 'text', 'delivered', 'segredo da acme: entrega amanhã'),
  (:'beta', 'c5300000-0000-0000-0000-000000000002', :'beta_conv', 'inbound', 'text', 'delivered', 'segredo da beta: entrega amanhã');
insert into public.contacts (workspace_id, name, phone) values
  (:'acme', 'Segredo Acme', '5511955550001'), (:'beta', 'Segredo Beta', '5511955550002');

select is(array(select r.content from public.search_messages('segredo entrega') r where true),
  array[]::text[], 'postgres (no user) gets nothing');
select tests.authenticate_as('beta_member');
select is(array(select r.content from public.search_messages('segredo entrega') r),
  array['segredo da beta: entrega amanhã'], 'a member of B finds B''s message, never A''s');
select is(array(select r.name from public.search_contacts('segredo') r), array['Segredo Beta'], 'and B''s contact only');
select is(array(select r.name from public.search_contacts('55119555500') r), array['Segredo Beta'], 'by phone too');
select is((select count(*)::int from public.search_messages('segredo', conversation_id => :'acme_conv')), 0,
  'naming A''s conversation gives nothing');
select is((select count(*)::int from private.search_message_hits('segredo', 50, null) h
             join public.messages m on m.id = h.id where m.workspace_id = :'acme'), 0,
  'the index function behind it returns none of A''s ids either');
select is((select count(*)::int from private.search_contact_hits('segredo', 50) h
             join public.contacts c on c.id = h.id where c.workspace_id = :'acme'), 0, 'nor of A''s contacts');

select tests.clear_authentication();
select is(tests.try_as('acme_viewer', 'select * from public.search_messages(''segredo'')'), 'ok:1', 'a viewer may search');
select is(tests.try_as('acme_outsider', 'select * from public.search_messages(''segredo'')'), 'ok:0', 'an outsider finds nothing');
select is(tests.try_as('acme_outsider', 'select * from public.search_contacts(''segredo'')'), 'ok:0', 'no contacts either');
select is(tests.try_as('anon', 'select * from public.search_messages(''segredo'')'), '42501', 'anon cannot search messages');
select is(tests.try_as('anon', 'select * from public.search_contacts(''segredo'')'), '42501', 'nor contacts');

select is(tests.error_as('acme_member', 'select * from public.search_messages(''  '')'), '22023 query is required', 'an empty query');
select is(tests.error_as('acme_member', format('select * from public.search_messages(%L)', repeat('a', 201))),
  '22023 query must be at most 200 characters', 'a query over 200 characters');
select is(tests.error_as('acme_member', 'select * from public.search_contacts(''ana'', 0)'),
  '22023 max_results must be between 1 and 200', 'max_results below 1');
select is(tests.error_as('acme_member', 'select * from public.search_messages(''?!'')'),
  '22023 query has no words to search for', 'punctuation only');

-- The index functions run as the writer: a member adds a contact under RLS.
select is(tests.run_as('acme_member', format(
    'insert into public.contacts (workspace_id, name) values (%L, %L)', :'acme', 'Conceição Araújo')), 1::bigint,
  'a member inserts a contact (the index expressions are theirs to run)');
select is(tests.try_as('acme_member', 'select * from public.search_contacts(''conceicao araujo'')'), 'ok:1',
  'and finds it');

select * from finish();
rollback;
