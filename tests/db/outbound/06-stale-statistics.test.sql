-- The send path's per-message functions look rows up by key only and pin
-- enable_seqscan = off, as ingestion's entry points do: their plans are
-- cached for the session, and ones made while contacts and conversations
-- looked empty (after a bulk delete) scanned both tables once per message.
-- Measured with bench:dispatch right after bench:ingest: queueing 20,000
-- messages took 29-36 s with a sequential scan of each table per message
-- (pg_stat_all_tables: 20,001 scans, 200 million rows read), 4.1-4.5 s
-- pinned. The foreign-key checks PostgreSQL runs for the insert plan their
-- own lookups and are outside our reach, so this checks the setting itself.
begin;
select plan(3);
select ok((select 'enable_seqscan=off' = any (p.proconfig) from pg_proc p
            where p.oid = 'private.prepare_outbound()'::regprocedure),
  'prepare_outbound looks rows up by index whatever the statistics say');
select ok((select 'enable_seqscan=off' = any (p.proconfig) from pg_proc p
            where p.oid = 'private.check_send_rules(public.conversations, public.channels, public.message_type, uuid, uuid)'::regprocedure),
  'so do the send rules, also when a retry calls them');
select ok((select 'enable_seqscan=off' = any (p.proconfig) from pg_proc p
            where p.oid = 'private.record_send_results(text, jsonb)'::regprocedure),
  'and recording the dispatcher''s results, on its long-lived connections');
select * from finish();
rollback;
