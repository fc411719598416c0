-- Contacts by tag and label: every named tag and label, the caller's
-- workspaces only, newest first with keyset pages, through the tag indexes.
begin;
select plan(13);
select tests.create_workspace_with_roles('acme') as acme \gset
select tests.create_workspace_with_roles('beta') as beta \gset
insert into public.contacts (workspace_id, name, phone, tags, labels, created_at) values
  (:'acme', 'Ana', '5511955560001', '{vip,atacado}', '{lead}', now() - interval '5 minutes'),
  (:'acme', 'Bruno', '5511955560002', '{vip}', '{}', now() - interval '4 minutes'),
  (:'acme', 'Carla', '5511955560003', '{atacado}', '{lead}', now() - interval '3 minutes'),
  (:'acme', 'Davi', '5511955560004', '{}', '{}', now() - interval '2 minutes'),
  (:'beta', 'Beta VIP', '5511955560005', '{vip}', '{lead}', now() - interval '1 minute');

select tests.authenticate_as('acme_member');
select is(array(select name from public.contacts_tagged(tags => '{vip}')), array['Bruno', 'Ana'],
  'a tag: the workspace''s contacts that have it, newest first');
select is(array(select name from public.contacts_tagged(tags => '{vip,atacado}')), array['Ana'], 'every tag named');
select is(array(select name from public.contacts_tagged(labels => '{lead}')), array['Carla', 'Ana'], 'a label');
select is(array(select name from public.contacts_tagged(tags => '{atacado}', labels => '{lead}')), array['Carla', 'Ana'],
  'tags and labels together');
select is(array(select name from public.contacts_tagged(tags => '{vip}', max_results => 1)), array['Bruno'], 'a page');
select is(array(select name from public.contacts_tagged(tags => '{vip}', max_results => 1,
                                                         before_id => (select id from public.contacts where name = 'Bruno'))),
  array['Ana'], 'the next page after the last id');
select is(array(select name from public.contacts_tagged(tags => '{vip}') where name like '%Beta%'), '{}'::text[],
  'never another workspace''s contacts');
select is(array(select name from private.tagged_contact_ids('{vip}', '{}', 50, null) i join public.contacts c on c.id = i
                 where c.workspace_id = :'beta'), '{}'::text[], 'nor their ids from the function behind it');
select tests.clear_authentication();

select is(tests.try_as('acme_outsider', 'select * from public.contacts_tagged(tags => ''{vip}'')'), 'ok:0',
  'an outsider finds nothing');
select is(tests.try_as('anon', 'select * from public.contacts_tagged(tags => ''{vip}'')'), '42501', 'anon cannot call it');
select is(tests.error_as('acme_member', 'select * from public.contacts_tagged()'), '22023 name at least one tag or label',
  'a tag or label is required');
select is(tests.error_as('acme_member', 'select * from public.contacts_tagged(tags => ''{""}'')'),
  '22023 tags and labels cannot be empty', 'an empty tag is refused');

-- Someone in both workspaces gets both, merged newest first.
insert into public.workspace_members (workspace_id, user_id, role) values (:'beta', tests.get_supabase_uid('acme_member'), 'viewer');
select tests.authenticate_as('acme_member');
select is(array(select name from public.contacts_tagged(tags => '{vip}')), array['Beta VIP', 'Bruno', 'Ana'],
  'a member of two workspaces gets both, merged in order');
select tests.clear_authentication();

select * from finish();
rollback;
