-- Raw webhook events are pruned once processed and older than their
-- workspace's retention (default 30 days, at least 7), with their bodies;
-- failed ones stay until a replay processes them; pruning goes in bounded
-- batches from the minute tick; only admins change the period.
begin;
select plan(20);
select tests.create_workspace_with_roles('acme') as acme \gset
select tests.create_workspace_with_roles('beta') as beta \gset
insert into public.channels (id, workspace_id, provider, name, phone_number_id) values
  ('c1100000-0000-0000-0000-000000000001', :'acme', 'cloud_api', 'A', 'PN-R1'),
  ('c1100000-0000-0000-0000-000000000002', :'beta', 'cloud_api', 'B', 'PN-R2');
update public.workspaces set raw_event_retention_days = 10 where id = :'beta';

-- An event of `age` days, processed `processed_days` days ago (null: failed).
create function pg_temp.event(ws uuid, channel uuid, label text, age integer, processed_days integer)
returns bigint language plpgsql as $$
declare
  ev bigint;
begin
  insert into public.webhook_events (workspace_id, channel_id, provider, event_type, payload, body_sha256,
                                     processed, processed_at, error, created_at)
  values (ws, channel, 'cloud_api', 'messages', jsonb_build_object('label', label), sha256(convert_to(label, 'UTF8')),
          processed_days is not null, now() - make_interval(days => processed_days),
          case when processed_days is null then 'boom' end, now() - make_interval(days => age))
  returning id into ev;
  insert into private.webhook_bodies (event_id, body) values (ev, convert_to(label, 'UTF8'));
  return ev;
end
$$;
create function pg_temp.labels(ws uuid) returns text[] language sql as $$
  select coalesce(array_agg(payload ->> 'label' order by payload ->> 'label'), '{}') from public.webhook_events where workspace_id = ws
$$;

select pg_temp.event(:'acme', 'c1100000-0000-0000-0000-000000000001', 'a-old-done', 40, 40);
select pg_temp.event(:'acme', 'c1100000-0000-0000-0000-000000000001', 'a-recent-done', 20, 20);
select pg_temp.event(:'acme', 'c1100000-0000-0000-0000-000000000001', 'a-old-failed', 40, null);
select pg_temp.event(:'acme', 'c1100000-0000-0000-0000-000000000001', 'a-old-replayed', 40, 1);
select pg_temp.event(:'beta', 'c1100000-0000-0000-0000-000000000002', 'b-15-days', 15, 15);
select pg_temp.event(:'beta', 'c1100000-0000-0000-0000-000000000002', 'b-5-days', 5, 5);
select pg_temp.event(:'beta', 'c1100000-0000-0000-0000-000000000002', 'b-8-days', 8, 8);

select is(private.prune_webhook_events(), 2, 'two events are due');
select is(pg_temp.labels(:'acme'), array['a-old-failed', 'a-old-replayed', 'a-recent-done'],
  'acme (30 days): the old processed event went; recent, failed and just-replayed ones stay');
select is(pg_temp.labels(:'beta'), array['b-5-days', 'b-8-days'], 'beta (10 days): its own period applies');
select is((select count(*)::int from private.webhook_bodies b
            where not exists (select 1 from public.webhook_events e where e.id = b.event_id)), 0,
  'no body outlives its event');
select is((select count(*)::int from private.webhook_bodies b join public.webhook_events e on e.id = b.event_id
            where e.workspace_id in (:'acme', :'beta')), 5, 'the kept events keep their bodies');
select is(private.prune_webhook_events(), 0, 'nothing more is due');

-- A failed event that a replay processes is pruned a full period later.
update public.webhook_events set processed = true, processed_at = now() - interval '31 days', error = null
 where payload ->> 'label' = 'a-old-failed';
select is(private.prune_webhook_events(), 1, 'a failed event, once processed long enough ago, goes too');

-- Bounded batches: 12 due rows, batches of 5, one batch per call.
select pg_temp.event(:'acme', 'c1100000-0000-0000-0000-000000000001', 'bulk-' || g, 60, 60) from generate_series(1, 12) g;
select is(private.prune_webhook_events(batch_size => 5, max_batches => 1), 5, 'one batch: 5 rows');
select is(private.prune_webhook_events(batch_size => 5, max_batches => 1), 5, 'the next call: 5 more');
select is(private.prune_webhook_events(batch_size => 5, max_batches => 1), 2, 'then the rest');

-- The shortest period still outlasts Meta's 7 days of redelivery.
update public.workspaces set raw_event_retention_days = 7 where id = :'beta';
select is(private.prune_webhook_events(), 1, 'at 7 days the 8-day-old event goes');
select is(pg_temp.labels(:'beta'), array['b-5-days'], 'the 5-day-old one stays, so its redelivery is still a duplicate');
select throws_ok(format('update public.workspaces set raw_event_retention_days = 6 where id = %L', :'beta'),
  '23514', null, 'less than 7 days is refused');

-- The minute tick runs it.
select pg_temp.event(:'acme', 'c1100000-0000-0000-0000-000000000001', 'tick-due', 45, 45);
select is((private.tick() ->> 'pruned_webhook_events')::int, 1, 'the tick prunes and reports how many');

-- Who may change the period: admins of the workspace.
select is(tests.try_as('acme_admin', format('update public.workspaces set raw_event_retention_days = 90 where id = %L', :'acme')),
  'ok:1', 'an admin sets it');
select is(tests.try_as('acme_owner', format('update public.workspaces set raw_event_retention_days = 14 where id = %L', :'acme')),
  'ok:1', 'an owner too');
select is(tests.try_as('acme_member', format('update public.workspaces set raw_event_retention_days = 90 where id = %L', :'acme')),
  'ok:0', 'a member changes nothing');
select is(tests.try_as('beta_admin', format('update public.workspaces set raw_event_retention_days = 90 where id = %L', :'acme')),
  'ok:0', 'an admin of another workspace changes nothing');
select is(tests.try_as('anon', format('update public.workspaces set raw_event_retention_days = 90 where id = %L', :'acme')),
  '42501', 'anon may not');
select is(tests.try_as('acme_admin', format('update public.workspaces set raw_event_retention_days = 3 where id = %L', :'acme')),
  '23514', 'nor may an admin go under 7 days');

select * from finish();
rollback;
