-- One large Cloud API body (Meta batches thousands of messages under
-- backlog) costs in proportion to its size. The set-based batch once
-- numbered its messages by sorting rows that each carried the whole change:
-- 1,000 messages wrote 270 MB of temporary files, 4,000 wrote 4 GB, 8,000
-- 33 GB in 218 s. Temporary files are the cheap, timing-free witness: a
-- linear pass over 2,000 messages fits in work_mem and writes none.
begin;
select plan(5);
select tests.create_workspace_with_roles('acme') as ws \gset
insert into public.channels (id, workspace_id, provider, name, phone_number_id, phone_number)
values ('c0000000-0000-0000-0000-000000000001', :'ws', 'cloud_api', 'Main', 'PN-1', '15550000001');

-- 2,000 messages from 2,000 senders, each with its contacts entry.
create function pg_temp.body(n integer, tag text) returns jsonb language sql as $$
  select tests.cloud_webhook('PN-1', jsonb_build_object(
    'contacts', (select jsonb_agg(jsonb_build_object('profile', jsonb_build_object('name', 'Sender ' || i),
                                                     'wa_id', (5511300000000 + i)::text) order by i)
                   from generate_series(1, n) i),
    'messages', (select jsonb_agg(jsonb_build_object('from', (5511300000000 + i)::text, 'id', 'wamid.' || tag || '.' || i,
                                                     'timestamp', (1790000000 + i)::text, 'type', 'text',
                                                     'text', jsonb_build_object('body', 'Message ' || i)) order by i)
                   from generate_series(1, n) i)))
$$;

create function pg_temp.temp_blocks_written(statement text) returns bigint language plpgsql as $$
declare
  plan jsonb;
begin
  execute 'explain (analyze, buffers, format json) ' || statement into plan;
  return (plan #>> '{0,Plan,Temp Written Blocks}')::bigint;
end
$$;

set local work_mem = '4MB';
select is(pg_temp.temp_blocks_written($$
  select private.ingest_cloud_api_batch(jsonb_build_array(jsonb_build_object(
    'provider', 'cloud_api', 'channel', 'c0000000-0000-0000-0000-000000000001', 'payload', pg_temp.body(2000, 'A'))))
$$), 0::bigint, 'a body of 2,000 messages goes through the set-based path without temporary files');

select is((select count(*)::int from public.messages where provider_message_id like 'wamid.A.%'), 2000, 'every message is stored');
select is((select count(*)::int from public.contacts where workspace_id = :'ws' and name like 'Sender %'), 2000,
          'every sender has a contact, named from its contacts entry');
select is((select name from public.contacts where phone = '5511300001234'), 'Sender 1234', 'names match their senders');

-- The per-event path (the fallback) reads each change's names once too.
select is(pg_temp.temp_blocks_written($$
  select private.ingest_webhook('cloud_api', 'c0000000-0000-0000-0000-000000000001', pg_temp.body(500, 'B'))
$$), 0::bigint, 'the per-event path writes no temporary files either');

select * from finish();
rollback;
