-- public.inbox(): the conversations table as RLS shows it, newest first,
-- merged across the caller's workspaces, with filters and pages.
begin;
select plan(12);
select tests.create_workspace_with_roles('acme') as acme \gset
select tests.create_workspace_with_roles('beta') as beta \gset
insert into public.workspace_members (workspace_id, user_id, role) values (:'beta', tests.get_supabase_uid('acme_member'), 'viewer');
insert into public.channels (id, workspace_id, provider, name, phone_number_id) values
  ('c1300000-0000-0000-0000-000000000001', :'acme', 'cloud_api', 'A', 'PN-I1'),
  ('c1300000-0000-0000-0000-000000000002', :'beta', 'cloud_api', 'B', 'PN-I2');
insert into public.conversations (workspace_id, channel_id, chat_id, title, status, unread_count, assignee_id, last_message_at)
select case when g % 2 = 0 then :'acme'::uuid else :'beta'::uuid end,
       case when g % 2 = 0 then 'c1300000-0000-0000-0000-000000000001'::uuid else 'c1300000-0000-0000-0000-000000000002'::uuid end,
       'chat' || g, 'c' || g, case when g % 3 = 0 then 'closed' else 'open' end::public.conversation_status,
       case when g % 4 = 0 then 2 else 0 end,
       case when g % 10 = 0 then tests.get_supabase_uid('acme_member') end,
       now() - g * interval '1 minute'
  from generate_series(1, 30) g;

select tests.authenticate_as('acme_member');
select is(array(select title from public.inbox(max_results => 5)), array['c1', 'c2', 'c3', 'c4', 'c5'],
  'newest first, merged across both workspaces');
select is(array(select title from public.inbox()),
  array(select title from public.conversations order by last_message_at desc limit 50),
  'the same rows as the table under RLS, in the same order');
select is(array(select title from public.inbox(status => 'closed', max_results => 3)), array['c3', 'c6', 'c9'], 'by status');
select is(array(select title from public.inbox(unread_only => true, max_results => 3)), array['c4', 'c8', 'c12'], 'unread only');
select is(array(select title from public.inbox(assignee_id => tests.get_supabase_uid('acme_member'), max_results => 3)),
  array['c10', 'c20', 'c30'], 'by assignee');
select is(array(select title from public.inbox(before => (select last_message_at from public.conversations where title = 'c5'),
                                                max_results => 3)),
  array['c6', 'c7', 'c8'], 'the next page after a row''s last_message_at');
select tests.clear_authentication();

select tests.authenticate_as('beta_member');
select is((select count(*)::int from public.inbox() where workspace_id = :'acme'), 0, 'a member of B alone sees none of A''s');
select is((select count(*)::int from public.inbox()), 15, 'and all of B''s');
select tests.clear_authentication();

select is(tests.try_as('acme_outsider', 'select * from public.inbox()'), 'ok:0', 'an outsider sees nothing');
select is(tests.try_as('anon', 'select * from public.inbox()'), '42501', 'anon cannot call it');
select is(tests.error_as('acme_member', 'select * from public.inbox(max_results => 0)'),
  '22023 max_results must be between 1 and 200', 'max_results is checked');
select is(tests.error_as('acme_member', 'select * from public.inbox(max_results => 201)'),
  '22023 max_results must be between 1 and 200', 'at both ends');

select * from finish();
rollback;
