-- create_agent / drop_agent: the four tables exactly as seed 003 gives them,
-- who may make and drop agents, idempotency, and hostile input.
begin;
select plan(50);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('beta') as beta \gset
select tests.create_supabase_user('root', null, null, '{}', '{"platform_role": "super_admin"}');

select tests.run_as('acme_admin', format('select public.create_agent(%L, %L)', :'ws', tests.get_supabase_uid('acme_member')));
select id as a1, agent_prefix as p1, 'agt_' || id || '_customers' as customers, 'agt_' || id || '_messages' as messages,
       'agt_' || id || '_orders' as orders, 'agt_' || id || '_orders_items' as items
  from public.agents where user_id = tests.get_supabase_uid('acme_member') \gset

-- Shared types and the agent row ------------------------------------------------------------
select enum_has_labels('public', 'media_type', array['none', 'image', 'video', 'audio', 'document', 'sticker'], 'media_type as enums.sql');
select enum_has_labels('public', 'order_status', array['pending', 'confirmed', 'processing', 'shipped', 'delivered', 'cancelled', 'refunded'], 'order_status as enums.sql');
select is((select (a.agent_prefix, a.name, a.workspace_id, a.created_by)::text from public.agents a where a.id = :a1),
  format('(agt_%s,acme_member,%s,%s)', :a1, :'ws', tests.get_supabase_uid('acme_admin')),
  'the agent: prefix agt_<id>, named after its user, created by the admin who asked');

-- Column for column ------------------------------------------------------------------------------
create function pg_temp.shape(t text) returns setof text language sql as $$
  select format('%s %s %s %s', c.column_name, c.data_type, c.is_nullable, coalesce(c.column_default, '-'))
    from information_schema.columns c where c.table_schema = 'public' and c.table_name = t order by c.ordinal_position
$$;
select results_eq(format('select * from pg_temp.shape(%L)', :'customers'), format($$ values
  ('id integer NO nextval(''%1$s_id_seq''::regclass)'), ('agent_id bigint NO %2$s'), ('name text NO -'), ('phone text NO -'),
  ('profile_image_url text YES -'), ('created_at timestamp without time zone YES now()') $$, :'customers', :a1),
  'customers: the seed''s columns, types, nullability and defaults');
select results_eq(format('select * from pg_temp.shape(%L)', :'messages'), format($$ values
  ('id integer NO nextval(''%1$s_id_seq''::regclass)'), ('customer_id integer NO -'), ('message text NO -'),
  ('direction character varying NO -'), ('timestamp timestamp without time zone YES now()'), ('is_read boolean YES false'),
  ('media_type USER-DEFINED YES ''none''::media_type'), ('media_url text YES -'), ('caption text YES -') $$, :'messages'),
  'messages: the seed''s columns');
select results_eq(format('select * from pg_temp.shape(%L)', :'orders'), format($$ values
  ('id integer NO nextval(''%1$s_id_seq''::regclass)'), ('customer_id integer NO -'), ('total_amount numeric YES 0'),
  ('status USER-DEFINED YES ''pending''::order_status'), ('notes text YES -'), ('shipping_address text YES -'),
  ('created_at timestamp without time zone YES now()'), ('updated_at timestamp without time zone YES now()') $$, :'orders'),
  'orders: the seed''s columns');
select results_eq(format('select * from pg_temp.shape(%L)', :'items'), format($$ values
  ('id integer NO nextval(''%1$s_id_seq''::regclass)'), ('order_id integer NO -'), ('name text NO -'),
  ('quantity integer NO 1'), ('price numeric NO 0'), ('total numeric YES -'),
  ('created_at timestamp without time zone YES now()') $$, :'items'),
  'orders_items: the seed''s columns (total kept as quantity x price by a trigger)');
select col_is_pk('public', :'customers', 'id', 'customers primary key');
select col_is_unique('public', :'customers', 'phone', 'a phone once per agent');
select fk_ok('public', :'customers', 'agent_id', 'public', 'agents', 'id');
select fk_ok('public', :'messages', 'customer_id', 'public', :'customers', 'id');
select fk_ok('public', :'orders', 'customer_id', 'public', :'customers', 'id');
select fk_ok('public', :'items', 'order_id', 'public', :'orders', 'id');
select results_eq(format($$select pg_get_constraintdef(c.oid) from pg_constraint c
   where c.contype = 'c' and c.conrelid in (%L::regclass, %L::regclass, %L::regclass) order by 1$$, :'customers', :'messages', :'items'),
  format($$ values ('CHECK (((direction)::text = ANY ((ARRAY[''inbound''::character varying, ''outbound''::character varying])::text[])))'),
    ('CHECK ((agent_id = %s))'), ('CHECK ((phone ~ ''^\+[1-9][0-9]{6,14}$''::text))'), ('CHECK ((price >= (0)::numeric))'), ('CHECK ((quantity > 0))') $$, :a1),
  'checks: direction, quantity > 0, price >= 0, plus E.164 phones and the owning agent');
select has_index('public', :'messages', :'messages' || '_customer_timestamp_idx', array['customer_id', '"timestamp"'], 'messages indexed on (customer_id, timestamp)');
select is_empty(format($$
  select c.conname from pg_constraint c where c.contype = 'f' and c.conrelid in (%L::regclass, %L::regclass, %L::regclass, %L::regclass)
     and not exists (select 1 from pg_index i where i.indrelid = c.conrelid and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] = c.conkey)$$,
  :'customers', :'messages', :'orders', :'items'), 'every foreign key is indexed');

-- Exposed as the API needs ------------------------------------------------------------------
select is((select count(*)::int from pg_class c where c.oid in (:'customers'::regclass, :'messages'::regclass, :'orders'::regclass, :'items'::regclass)
            and c.relrowsecurity and obj_description(c.oid, 'pg_class') is not null), 4, 'RLS on, and a comment for Studio, on all four');
select is((select count(*)::int from pg_policies p where p.tablename in (:'customers', :'messages', :'orders', :'items')
            and p.roles = '{authenticated}' and p.cmd <> 'ALL'), 16, 'one policy per command, to authenticated');
select ok(has_table_privilege('authenticated', :'orders', 'select, insert, update, delete')
          and has_table_privilege('service_role', :'orders', 'select, insert, update, delete')
          and has_sequence_privilege('authenticated', :'orders' || '_id_seq', 'usage'), 'granted to authenticated and service_role');
select ok(not has_table_privilege('anon', :'orders', 'select') and not has_table_privilege('anon', :'customers', 'insert'), 'nothing for anon');
select ok(exists (select 1 from pg_publication_tables where pubname = 'supabase_realtime' and tablename = :'messages'), 'messages stream through Realtime');
select matches((select prosrc from pg_proc where oid = 'private.create_agent(uuid,uuid,text)'::regprocedure), 'notify pgrst, ''reload schema''',
  'the API reloads its schema cache when an agent is made');

-- Registry -------------------------------------------------------------------------------------
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('select 1 from public.agent_tables where agent_id = %s', :a1)),
  $$ values ('anon', '42501'), ('outsider', 'ok:0'), ('viewer', 'ok:0'), ('member', 'ok:0'), ('admin', 'ok:4'), ('owner', 'ok:4') $$,
  'the registry of agent tables is for admins');
select is(tests.try_as('root', format('select 1 from public.agent_tables where agent_id = %s', :a1)), 'ok:4', 'and super admins');

-- Who makes and drops agents ---------------------------------------------------------------
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('select public.create_agent(%L, null, %L)', :'ws', 'Night bot')),
  $$ values ('anon', '42501'), ('outsider', 'P0002'), ('viewer', '42501'), ('member', '42501'), ('admin', 'ok:1'), ('owner', 'ok:1') $$,
  'admins and owners create agents; the agent''s own user (a member) cannot');
select is(tests.try_as('beta_owner', format('select public.create_agent(%L, null, %L)', :'ws', 'Spy')), 'P0002', 'another workspace''s owner cannot');
select is(tests.try_as('root', format('select public.create_agent(%L, null, %L)', :'beta', 'Support bot')), 'ok:1', 'a platform super admin can, anywhere');
select results_eq(format('select * from tests.matrix(%L, %L)', 'acme', format('select public.drop_agent(%s)', :a1)),
  $$ values ('anon', '42501'), ('outsider', 'P0002'), ('viewer', 'P0002'), ('member', '42501'), ('admin', 'ok:1'), ('owner', 'ok:1') $$,
  'admins drop agents; the agent''s user cannot drop theirs');
select is(tests.error_as('acme_admin', 'select public.drop_agent(987654321)'), 'P0002 agent 987654321 not found', 'dropping an unknown agent');

-- Input checks ----------------------------------------------------------------------------------
select is(tests.error_as('acme_admin', format('select public.create_agent(%L, %L)', :'ws', tests.get_supabase_uid('beta_member'))),
  '22023 the agent''s user must be an active member of the workspace', 'the user must belong to the workspace');
select is(tests.error_as('acme_admin', format('select public.create_agent(%L)', :'ws')),
  '22023 a system agent (no user) needs a name', 'a system agent needs a name');
select is(tests.error_as('acme_admin', format('select public.create_agent(%L, null, %L)', :'ws', repeat('x', 101))),
  '22023 an agent''s name is 1 to 100 printable characters', 'names are at most 100 characters');
select is(tests.error_as('acme_admin', format('select public.create_agent(%L, null, %L)', :'ws', E'bad\nname')),
  '22023 an agent''s name is 1 to 100 printable characters', 'and printable');
select is(tests.error_as('acme_admin', 'select public.create_agent(null, null, ''x'')'), '22023 create_agent needs a workspace', 'a workspace is required');

-- Idempotent -------------------------------------------------------------------------------------
select is(tests.try_as('acme_admin', format('select public.create_agent(%L, %L, %L)', :'ws', tests.get_supabase_uid('acme_member'), 'Other name')), 'ok:1', 'asking again');
select is((select count(*)::int from public.agents where user_id = tests.get_supabase_uid('acme_member')), 1, 'returns the same agent: one per user and workspace');
select tests.run_as('acme_admin', format('select public.create_agent(%L, null, %L)', :'ws', 'Night bot'));
select tests.run_as('acme_owner', format('select public.create_agent(%L, null, %L)', :'ws', '  NIGHT BOT '));
select is((select count(*)::int from public.agents where workspace_id = :'ws' and user_id is null), 1, 'system agents are one per name, whatever the case and spaces');
select is((select count(*)::int from public.agent_tables where agent_id = :a1), 4, 'the registry still lists four tables');

-- Hostile names are data, never SQL ----------------------------------------------------------
select tests.run_as('acme_admin', format('select public.create_agent(%L, null, %L)', :'ws', n))
  from unnest(array[$n$x'); drop table public.agents; --$n$, $n$"; drop table public.agents; --$n$, 'agt_1_customers',
                    $n$Robert%I%L$$; select 1; $$$n$, $n$a"b'c\d$n$]) n;
select is((select count(*)::int from public.agents where workspace_id = :'ws' and user_id is null), 6, 'five hostile names: five agents, named as given');
select ok(to_regclass('public.agents') is not null, 'the agents table is still there');
select is_empty($$ select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                    where n.nspname = 'public' and c.relname ~ '^agt_' and c.relname !~ '^agt_[0-9]+_(customers|messages|orders|orders_items)(_.*)?$' $$,
  'every agent object is named from a numeric id only');
select is(tests.try_as('acme_admin', $$select public.create_agent('x''; drop table public.agents; --', null, 'y')$$), '22P02',
  'a workspace argument that is not a uuid is refused before anything runs');
select is(tests.try_as('acme_admin', $$select public.drop_agent('1; drop table public.agents')$$), '22P02', 'so is an agent id that is not a number');

-- Dropping -----------------------------------------------------------------------------------------
select is(tests.error_as('service_role', format('delete from public.agents where id = %s', :a1)),
  format('55000 agent %s still has its tables: drop it with drop_agent()', :a1), 'an agent row cannot be deleted from under its tables');
select tests.run_as('acme_admin', format('select public.drop_agent(%s)', :a1));
select is((select count(*)::int from pg_class where relname like :'p1' || '\_%'), 0, 'drop_agent removes the tables, their sequences and indexes');
select is((select count(*)::int from public.agent_tables where agent_id = :a1) + (select count(*)::int from public.agents where id = :a1), 0,
  'and the agent with its registry rows');
select tests.run_as('acme_admin', format('select public.create_agent(%L, %L)', :'ws', tests.get_supabase_uid('acme_member')));
select isnt((select id from public.agents where user_id = tests.get_supabase_uid('acme_member')), :a1::bigint, 'made again, it is a new agent with new tables');

-- People leaving.
select id as a3, tests.get_supabase_uid('acme_owner') as owner_id from public.agents where user_id = tests.get_supabase_uid('acme_member') \gset
delete from auth.users where id = tests.get_supabase_uid('acme_admin');
select is((select created_by from public.agents where id = :a3), :'owner_id'::uuid, 'when its creator leaves, an owner becomes the agent''s creator');
delete from auth.users where id = tests.get_supabase_uid('acme_member');
select is((select (user_id, name)::text from public.agents where id = :a3), '(,acme_member)', 'when its user leaves, it becomes a system agent, tables and all');

delete from public.workspaces where id = :'ws';
select is((select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r' and c.relname ~ '^agt_'),
  (select count(*)::int * 4 from public.agents), 'deleting a workspace drops its agents'' tables (what is left: the other workspace''s)');

select * from finish();
rollback;
