-- Conventions every module must keep; these checks cover tables added later too.
begin;
select plan(9);

select tests.rls_enabled('public');

select is_empty($$
  select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = 'public' and c.relkind in ('r', 'p') and obj_description(c.oid, 'pg_class') is null
$$, 'every public table has a comment for Studio');

-- The public side is public on purpose (issue 22): anyone, anon included,
-- reads published public posts and what hangs on them (social), and
-- published products, their reviews and counters, and counts a view
-- (marketplace). These are the only relations anon reaches.
create temp table anon_readable (relname name) on commit drop;
insert into anon_readable values ('marketplace_products'), ('product_reviews'), ('product_counter_deltas'),
  ('product_views'), ('marketplace_listings'), ('feeds'), ('feed_posts'), ('feed_likes'), ('feed_comments'),
  ('feed_comment_threads'), ('public_profiles'), ('public_workspaces');

select is_empty($$
  select tablename || '.' || policyname from pg_policies
   where schemaname = 'public' and (cmd = 'ALL' or roles <> '{authenticated}')
     and not (tablename in ('marketplace_products', 'product_reviews', 'product_counter_deltas', 'product_views')
              and cmd in ('SELECT', 'INSERT') and roles <@ '{anon,authenticated}'::name[])
     and not (cmd = 'SELECT' and policyname in ('feeds_select_anon', 'feed_likes_select', 'feed_comments_select'))
$$, 'policies are per command and to authenticated only (never for all, never to public; anon only on the public side: published posts and products)');

-- Every foreign key has an index whose leading columns are the key's (in
-- any order), or one led by the key's first column when that column alone
-- is unique in the referenced table (a message's conversation_id decides its workspace and
-- channel, so (conversation_id, created_at) serves the three-column key).
select is_empty($$
  select c.conrelid::regclass || ' (' || c.conname || ')'
    from pg_constraint c join pg_namespace n on n.oid = c.connamespace
   where c.contype = 'f' and n.nspname = 'public'
     and not exists (
       select 1 from pg_index i
        where i.indrelid = c.conrelid
          -- "where <key> is not null" is implied by the key's equality.
          and (i.indpred is null or pg_get_expr(i.indpred, i.indrelid) ~ '^\(\w+ IS NOT NULL\)$')
          and ((select array_agg(k order by k) from unnest((i.indkey::int2[])[0:cardinality(c.conkey) - 1]) k)
                 = (select array_agg(k order by k) from unnest(c.conkey) k)
               or i.indkey[0] = c.conkey[1]
                  and exists (select 1 from pg_index u
                               where u.indrelid = c.confrelid and u.indisunique and u.indpred is null
                                 and u.indnkeyatts = 1 and u.indkey[0] = c.confkey[1])))
$$, 'every foreign key is indexed');

select is_empty($$
  select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname in ('public', 'private') and p.prosecdef
     and not exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%')
$$, 'every security definer function pins its search_path');

select is_empty($$
  select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname = 'public' and p.prosecdef
$$, 'public functions are security invoker; definer code lives in private');

select is_empty($$
  select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname = 'private' and has_function_privilege('anon', p.oid, 'execute')
$$, 'anon can execute nothing in private');

select is_empty($$
  select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = 'public' and c.relkind in ('r', 'p', 'v')
     and has_table_privilege('anon', c.oid, 'select')
     and c.relname not in (select relname from anon_readable)
$$, 'anon can read no public table but the public side''s posts, reactions, faces and products');

select ok('owner'::public.member_role > 'admin' and 'admin'::public.member_role > 'member'
          and 'member'::public.member_role > 'viewer', 'member roles are ordered viewer < member < admin < owner');

select * from finish();
rollback;
