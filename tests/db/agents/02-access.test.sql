-- Who reaches an agent's rows, as PostgREST runs requests: the agent's user,
-- its creator, the workspace's admins and platform super admins; not another
-- agent's user, not a viewer, not another workspace.
begin;
select plan(20);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
select tests.create_supabase_user('acme_seller', 'acme_seller@example.com');
insert into public.workspace_members (workspace_id, user_id, role) values (:'ws', tests.get_supabase_uid('acme_seller'), 'member');
select tests.create_supabase_user('root', null, null, '{}', '{"platform_role": "super_admin"}');

select tests.run_as('acme_admin', format('select public.create_agent(%L, %L)', :'ws', tests.get_supabase_uid('acme_member')));
select tests.run_as('acme_owner', format('select public.create_agent(%L, %L)', :'ws', tests.get_supabase_uid('acme_seller')));
select tests.run_as('beta_owner', format('select public.create_agent(%L, %L)', :'beta', tests.get_supabase_uid('beta_member')));
select id as a1, 'agt_' || id || '_customers' as c1, 'agt_' || id || '_messages' as m1, 'agt_' || id || '_orders' as o1, 'agt_' || id || '_orders_items' as i1
  from public.agents where user_id = tests.get_supabase_uid('acme_member') \gset
select id as a2, 'agt_' || id || '_customers' as c2 from public.agents where user_id = tests.get_supabase_uid('acme_seller') \gset
select id as b1, 'agt_' || id || '_customers' as cb from public.agents where user_id = tests.get_supabase_uid('beta_member') \gset

insert into public.:"c1" (name, phone) values ('Ana', '+5511900000001');
insert into public.:"m1" (customer_id, message, direction) select id, 'hello', 'inbound' from public.:"c1";
insert into public.:"o1" (customer_id) select id from public.:"c1";
insert into public.:"i1" (order_id, name, price) select id, 'Shirt', 10 from public.:"o1";
insert into public.:"c2" (name, phone) values ('Bea', '+5511900000002');
insert into public.:"cb" (name, phone) values ('Caio', '+5511900000003');

-- One probe per actor: anon, viewer, outsider, the other agent's user, another
-- workspace's owner and agent user, then those who may.
create function pg_temp.reach(statement text) returns setof text language sql as $$
  select w || ' ' || tests.try_as(w, statement)
    from unnest(array['anon', 'acme_viewer', 'acme_outsider', 'acme_seller', 'beta_owner', 'beta_member',
                      'acme_member', 'acme_admin', 'acme_owner', 'root']) w
$$;
\set readers '$$ values (''anon 42501''), (''acme_viewer ok:0''), (''acme_outsider ok:0''), (''acme_seller ok:0''), (''beta_owner ok:0''), (''beta_member ok:0''), (''acme_member ok:1''), (''acme_admin ok:1''), (''acme_owner ok:1''), (''root ok:1'') $$'
\set writers '$$ values (''anon 42501''), (''acme_viewer 42501''), (''acme_outsider 42501''), (''acme_seller 42501''), (''beta_owner 42501''), (''beta_member 42501''), (''acme_member ok:1''), (''acme_admin ok:1''), (''acme_owner ok:1''), (''root ok:1'') $$'

select results_eq(format('select * from pg_temp.reach(%L)', format('select 1 from public.%I', :'c1')), :readers, 'customers: read');
select results_eq(format('select * from pg_temp.reach(%L)', format('select 1 from public.%I', :'m1')), :readers, 'messages: read');
select results_eq(format('select * from pg_temp.reach(%L)', format('select 1 from public.%I', :'o1')), :readers, 'orders: read');
select results_eq(format('select * from pg_temp.reach(%L)', format('select 1 from public.%I', :'i1')), :readers, 'order items: read');
select results_eq(format('select * from pg_temp.reach(%L)', format('insert into public.%I (name, phone) values (%L, %L)', :'c1', 'New', '+5511911111111')), :writers, 'customers: insert');
select results_eq(format('select * from pg_temp.reach(%L)', format('update public.%I set name = name', :'c1')), :readers, 'customers: update');
select results_eq(format('select * from pg_temp.reach(%L)', format('delete from public.%I', :'i1')), :readers, 'order items: delete');
select results_eq(format('select * from pg_temp.reach(%L)', format('update public.%I set notes = %L', :'o1', 'x')), :readers, 'orders: update');
select results_eq(format('select * from pg_temp.reach(%L)', format('insert into public.%I (customer_id, message, direction) select id, %L, %L from public.%I', :'m1', 'note', 'inbound', :'c1')),
  $$ values ('anon 42501'), ('acme_viewer ok:0'), ('acme_outsider ok:0'), ('acme_seller ok:0'), ('beta_owner ok:0'), ('beta_member ok:0'),
            ('acme_member ok:1'), ('acme_admin ok:1'), ('acme_owner ok:1'), ('root ok:1') $$,
  'messages: insert (those who cannot read the customers have no customer to write for)');

-- Two agents of one workspace: neither user reaches the other's rows.
select is(tests.try_as('acme_member', format('select 1 from public.%I', :'c2')), 'ok:0', 'an agent''s user does not see another agent''s customers');
select is(tests.try_as('acme_member', format('insert into public.%I (name, phone) values (%L, %L)', :'c2', 'X', '+5511922222222')), '42501', 'nor write them');
select is(tests.try_as('acme_seller', format('select 1 from public.%I', :'c2')), 'ok:1', 'while its own user does');
select is(tests.try_as('acme_admin', format('select 1 from public.%I', :'cb')), 'ok:0', 'another workspace''s admin sees nothing of ours');

-- The agents table itself.
select results_eq(format('select * from pg_temp.reach(%L)', format('select 1 from public.agents where id = %s', :a1)), :readers, 'agents: who sees agent 1');
select is(tests.try_as('acme_member', format('update public.agents set name = %L where id = %s', 'Me', :a1)), 'ok:0', 'an agent''s user cannot rename it');
select is(tests.try_as('acme_admin', format('update public.agents set name = %L where id = %s', 'Ana''s agent', :a1)), 'ok:1', 'an admin can');
select is(tests.try_as('acme_admin', format('update public.agents set workspace_id = %L where id = %s', :'beta', :a1)), '42501', 'nobody moves an agent to another workspace');

-- Leaving the workspace ends an agent user's reach.
update public.workspace_members set status = 'suspended' where user_id = tests.get_supabase_uid('acme_member') and workspace_id = :'ws';
select is(tests.try_as('acme_member', format('select 1 from public.%I', :'c1')), 'ok:0', 'a suspended member no longer reaches their agent''s rows');
select is(tests.try_as('acme_admin', format('select 1 from public.%I', :'c1')), 'ok:1', 'the admins still do');

-- Every workspace-scoped table added by this module is covered by the generic probe.
select is_empty(format('select * from tests.tenant_leaks(%L, %L)', 'beta_owner', :'ws'), 'no workspace table leaks to another workspace''s owner');

select * from finish();
rollback;
