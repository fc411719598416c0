-- The policy shape every table copies (README "Conventions"): the caller's
-- workspaces computed once per statement as an array, compared with
-- `= any`, so the planner makes the tenant column an index condition.
-- These checks cover tables added later, agent tables included.
begin;
select plan(7);

create temp table policy_exprs on commit drop as
  select p.tablename || '.' || p.policyname as policy, p.tablename as tbl, e.expr
    from pg_policies p
   cross join lateral (values (p.qual), (p.with_check)) e(expr)
   where p.schemaname = 'public' and e.expr is not null;

-- `col in (select f())` is a semi-join: planned as a hashed filter over
-- every row of every tenant, never an index condition.
select is_empty($$
  select policy from policy_exprs where expr ~* '\mIN \( SELECT'
$$, 'no policy uses the semi-join shape "in (select ...)"');

-- The columns each policy's expressions read (recorded as dependencies).
create temp table policy_columns on commit drop as
  select distinct pol.polrelid as relid, d.refobjsubid as attnum
    from pg_policy pol
    join pg_class c on c.oid = pol.polrelid and c.relnamespace = 'public'::regnamespace
    join pg_depend d on d.classid = 'pg_policy'::regclass and d.objid = pol.oid
                    and d.refobjid = pol.polrelid and d.refobjsubid > 0;

-- A function of the row (`(select f(id))`, or a bare call) runs once per
-- row; with constant arguments inside a subquery it runs once per statement.
create temp table policy_calls on commit drop as
  select e.policy, m[1] as prefix, m[2] as fn, m[3] as args
    from policy_exprs e
   cross join lateral regexp_matches(e.expr, '(SELECT )?(\w+\.\w+)\(((?:[^()]|\([^()]*\))*)\)', 'g') m
   where m[2] !~ '^(pg_catalog)\.';

select is_empty($$
  select policy || ': ' || fn || '(' || args || ')' from policy_calls
   where prefix is null
      or regexp_replace(regexp_replace(args, '''[^'']*''', '', 'g'), '::[\w.]+', '', 'g') ~ '[A-Za-z_]'
$$, 'policies call functions once per statement: in a subquery, with constant arguments');

select isnt_empty($$ select 1 from policy_calls $$, 'the call check sees the policies'' calls');

-- Every column a policy compares is the first column of an index that is
-- not partial, or only leaves out nulls of that column, which its equality
-- implies (a GIN index counts): the condition can start an index scan
-- whatever else the query says. Columns that
-- only narrow an indexed condition are listed with their reason.
select is_empty($$
  select distinct c.relname || '.' || a.attname
    from policy_columns p
    join pg_class c on c.oid = p.relid
    join pg_attribute a on a.attrelid = p.relid and a.attnum = p.attnum
   where not exists (select 1 from pg_index i
                      where i.indrelid = c.oid and i.indkey[0] = a.attnum
                        and (i.indpred is null or pg_get_expr(i.indpred, i.indrelid) = '(' || a.attname || ' IS NOT NULL)'))
     -- campaigns_delete: status narrows workspace_id = any (...), never alone.
     -- marketplace_products: published products are read through indexes
     -- partial on status = 'published' (browsing's order, search, tags).
     -- feeds: status and visibility narrow the timelines' (published_at, id)
     -- walk of the partial indexes where status = 'published'.
     and (c.relname, a.attname::text) not in (('campaigns', 'status'), ('marketplace_products', 'status'),
                                              ('feeds', 'status'), ('feeds', 'visibility'))
$$, 'every column a policy filters on leads an index');

-- The planner's guess for `= any (<array of workspaces>)` is ten values;
-- tenant columns carry an n_distinct that keeps that guess "a small part of
-- the table" however few workspaces exist yet.
select is_empty($$
  select distinct c.relname
    from policy_columns p
    join pg_class c on c.oid = p.relid
    join pg_attribute a on a.attrelid = p.relid and a.attnum = p.attnum
   where a.attname = 'workspace_id'
     and not exists (select 1 from unnest(a.attoptions) o where o like 'n_distinct=%')
$$, 'every tenant column a policy compares has the planner''s n_distinct hint');

-- The planner really uses it: as a member, with no workspace filter, the
-- inbox walks the workspace's index, not every tenant's rows.
select tests.create_supabase_user('shape_member');
select tests.authenticate_as('shape_member');
-- Whatever the tables hold: no sequential scans, and a sort only where no
-- index gives the order.
set local enable_seqscan = off;
set local enable_bitmapscan = off;
set local enable_sort = off;

select matches(
  tests.plan_of($$select * from public.conversations order by last_message_at desc limit 50$$),
  'Index Cond: \(workspace_id = ANY',
  'a member''s inbox without a workspace filter has the workspace as an index condition');

select doesnt_match(
  tests.plan_of($$select * from public.messages where conversation_id = '00000000-0000-0000-0000-000000000000'
                   order by created_at desc limit 50$$),
  'Sort',
  'a thread''s latest messages come in index order without naming the channel');

select * from finish();
rollback;
