-- Times search_messages and search_contacts as members under RLS, exactly
-- as PostgREST runs them (role authenticated, request.jwt.claims), on the
-- volume scripts/bench/search-load.sql made: the big workspace (40%) and ten
-- small ones, common words, rare words (order numbers), two words, accents,
-- prefixes; contacts by name, typo, email, phone. One line per kind and
-- workspace size: p50, p95, max in ms.
--
--   psql "$SUPERUSER_URL" -v reps=5 -f scripts/bench/search-measure.sql
\set ON_ERROR_STOP on
\if :{?reps}
\else
  \set reps 5
\endif

create function pg_temp.timed(member uuid, stmt text, q text, reps int)
returns setof float8
language plpgsql
as $$
declare
  t0 timestamptz;
begin
  for i in 1 .. reps loop
    perform set_config('role', 'authenticated', true);
    perform set_config('request.jwt.claims',
                       json_build_object('sub', member, 'role', 'authenticated', 'aud', 'authenticated')::text, true);
    t0 := clock_timestamp();
    execute stmt using q;
    return next extract(epoch from clock_timestamp() - t0) * 1000;
    perform set_config('role', 'none', true);
  end loop;
end
$$;

create temp table bench_who as
select w.id as ws, w.created_by as member,
       case when w.slug like 'bench-search-0-%' then 'big' else 'small' end as size
  from public.workspaces w
 where w.slug ~ '^bench-search-([0-9]|10)-';

create temp table bench_queries (kind text, q text, ws uuid);
insert into bench_queries (kind, q)
select 'messages common', unnest(array['pedido', 'obrigado', 'gracias', 'order', 'entrega', 'de']) union all
select 'messages 2 words', unnest(array['sao paulo', 'codigo rastreio', 'cafe especial', 'tracking number',
                                        'manana tienda']) union all
select 'messages accents', unnest(array['coracao', 'MANANA', 'cafe', 'Bogota', 'medellin']) union all
select 'messages prefix', unnest(array['obrigad*', 'rastrei*', 'confirma*']) union all
select 'contacts name', unnest(array['ana', 'joao silva', 'goncalves', 'castaneda', 'nunez', 'o''brien']) union all
select 'contacts typo', unnest(array['jaoa silva', 'gonzalves', 'fernandes']) union all
select 'contacts email', unnest(array['cliente12', 'gmail', 'yahoo.es']) union all
select 'contacts phone', unnest(array['5511 9', '+55 11 900', '98765', '(212) 1']);
-- Rare words: five order numbers of each workspace.
insert into bench_queries (kind, q, ws)
select 'messages rare', x.num, w.ws
  from bench_who w
  cross join lateral (select substring(m.content from '#([0-9]{6})') as num
                        from public.messages m
                       where m.workspace_id = w.ws and m.content ~ '#[0-9]{6}' and m.deleted_at is null
                       limit 5) x;

create temp table bench_times as
select q.kind, w.size, q.q, t.ms
  from bench_queries q
  join bench_who w on q.ws is null or q.ws = w.ws
  cross join lateral pg_temp.timed(w.member,
    case when q.kind like 'messages%' then 'select count(*) from public.search_messages($1)'
         else 'select count(*) from public.search_contacts($1)' end,
    q.q, :reps) t(ms);

select kind, size, count(*) as runs,
       round(percentile_cont(0.5) within group (order by ms)::numeric, 2) as p50_ms,
       round(percentile_cont(0.95) within group (order by ms)::numeric, 2) as p95_ms,
       round(max(ms)::numeric, 2) as max_ms
  from bench_times group by 1, 2 order by 1, 2;

select size, count(*) as runs,
       round(percentile_cont(0.5) within group (order by ms)::numeric, 2) as p50_ms,
       round(percentile_cont(0.95) within group (order by ms)::numeric, 2) as p95_ms
  from bench_times group by rollup (size) order by 1;

-- The slowest queries, for the record.
select kind, size, q, round(avg(ms)::numeric, 2) as avg_ms, round(max(ms)::numeric, 2) as max_ms
  from bench_times group by 1, 2, 3 order by avg(ms) desc limit 8;
