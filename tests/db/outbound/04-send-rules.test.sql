-- The send rules hold on every path a message takes out: a new send, a
-- retry of a failed one, and the dispatcher's claim (what was queued before
-- a block, an opt-out or a deactivated channel), and a running campaign stops
-- feeding a deactivated channel. The claim reads only what it claims, even
-- when the statistics say the tables are empty (after a bulk delete).
begin;
select plan(27);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.open_cloud_conversation(:'ws', 'c5000000-0000-0000-0000-000000000001', 'PN-R1', '5511900000001') as conv1 \gset
select tests.open_cloud_conversation(:'ws', 'c5000000-0000-0000-0000-000000000001', 'PN-R1', '5511900000002') as conv2 \gset
select tests.open_cloud_conversation(:'ws', 'c5000000-0000-0000-0000-000000000001', 'PN-R1', '5511900000003') as conv3 \gset
insert into public.message_templates (id, workspace_id, channel_id, name, language, category, status, components) values
  ('7e500000-0000-0000-0000-000000000001', :'ws', 'c5000000-0000-0000-0000-000000000001', 'promo', 'en_US', 'MARKETING', 'APPROVED',
   '[{"type":"BODY","text":"Sale!"}]'),
  ('7e500000-0000-0000-0000-000000000002', :'ws', 'c5000000-0000-0000-0000-000000000001', 'receipt', 'en_US', 'UTILITY', 'APPROVED',
   '[{"type":"BODY","text":"Your receipt."}]');
update public.contacts set opted_in = true where workspace_id = :'ws';
\set send_text 'select public.send_message(%L, %L)'
\set send_tpl 'select public.send_message(%L, template_name => %L)'
create temporary table claims (item jsonb) on commit drop;
create function pg_temp.claim(lim integer default 500) returns table (content text) language sql as $$
  insert into claims select x from jsonb_array_elements(private.claim_outbox('t', lim, 60, 1000)) x
  returning item ->> 'content'
$$;
-- A message that failed and left the queue, ready to be retried.
create function pg_temp.failed(conv uuid, what text, tpl text default null) returns uuid language plpgsql as $$
declare
  mid uuid;
begin
  select (case when tpl is null then public.send_message(conv, what) else public.send_message(conv, template_name => tpl) end).id into mid;
  delete from private.outbox where message_id = mid;
  perform private.fail_message(mid, '{"message":"provider down"}');
  return mid;
end
$$;
\set retry 'select public.retry_message(%L)'

-- Opted out of marketing, not of service --------------------------------------------------
update public.contacts set opted_in = false where phone = '5511900000001';
select is((select opt_out_reason from public.contacts where phone = '5511900000001'), 'set by hand',
  'a member unticking consent is recorded as such');
select is(tests.error_as('acme_member', format(:'send_tpl', :'conv1', 'promo')), '55000 the contact opted out of marketing messages',
  'a marketing template to an opted-out contact is refused');
select is(tests.try_as('acme_member', format(:'send_tpl', :'conv1', 'receipt')), 'ok:1', 'a utility template goes');
select is(tests.try_as('acme_member', format(:'send_text', :'conv1', 'your order shipped')), 'ok:1', 'and a reply in the open window');
update public.contacts set opted_in = true where phone = '5511900000001';
delete from private.outbox;

-- Retries pass the rules of a new send -------------------------------------------------------
select pg_temp.failed(:'conv1', 'R1') as r1 \gset
update public.contact_identities set is_blocked = true where external_id = '5511900000001';
select is(tests.error_as('acme_member', format(:'retry', :'r1')), '55000 the contact is blocked on this channel',
  'no retry to a contact blocked since');
update public.contact_identities set is_blocked = false where external_id = '5511900000001';
update public.channels set is_active = false where id = 'c5000000-0000-0000-0000-000000000001';
select is(tests.error_as('acme_member', format(:'retry', :'r1')), '55000 the channel "Cloud PN-R1" is inactive',
  'no retry on a channel deactivated since');
update public.channels set is_active = true where id = 'c5000000-0000-0000-0000-000000000001';
update public.conversations set window_expires_at = now() - interval '1 minute' where id = :'conv1';
select is(tests.error_as('acme_member', format(:'retry', :'r1')),
  '55000 outside the 24-hour customer service window: only an approved template can be sent until the customer writes again',
  'no free-text retry once the window closed');
update public.conversations set window_expires_at = now() + interval '1 hour' where id = :'conv1';
select pg_temp.failed(:'conv1', null, 'promo') as r2 \gset
update public.contacts set opted_in = false where phone = '5511900000001';
select is(tests.error_as('acme_member', format(:'retry', :'r2')), '55000 the contact opted out of marketing messages',
  'no marketing retry to a contact who opted out since');
select is((select count(*) from private.outbox), 0::bigint, 'nothing refused was queued');
select is(tests.try_as('acme_member', format(:'retry', :'r1')), 'ok:1', 'a service message to them may be retried');
select tests.run_as('acme_member', format(:'retry', :'r1'));
update public.contacts set opted_in = true where phone = '5511900000001';
select results_eq(format('select status::text, (select count(*) from private.outbox o where o.message_id = m.id) from public.messages m where m.id = %L', :'r1'),
  $$ values ('pending', 1::bigint) $$, 'and is queued again');
delete from private.outbox;

-- Claims apply the rules again ----------------------------------------------------------------
select tests.run_as('acme_member', format(:'send_text', :'conv1', 'C-service'));
select tests.run_as('acme_member', format(:'send_tpl', :'conv2', 'promo'));
select tests.run_as('acme_member', format(:'send_text', :'conv3', 'C-blocked'));
-- Meanwhile contacts 1 and 2 opt out, contact 3 is blocked.
update public.contacts set opted_in = false where phone in ('5511900000001', '5511900000002');
update public.contact_identities set is_blocked = true where external_id = '5511900000003';
select results_eq($$ select * from pg_temp.claim() $$, $$ values ('C-service') $$,
  'only the service message to the opted-out contact is claimed');
select results_eq(format($$ select content, status::text, error_message, error_code from public.messages
                      where conversation_id in (%L, %L) and direction = 'outbound' order by content $$, :'conv2', :'conv3'),
  $$ values ('C-blocked', 'failed', 'the contact is blocked on this channel', null::integer),
            ('Sale!', 'failed', 'the contact opted out of marketing messages', null::integer) $$,
  'the others fail with the reason');
select is((select count(*) from private.outbox o join public.messages m on m.id = o.message_id where m.status = 'failed'), 0::bigint,
  'and leave the queue: they are not retried');
select is((select m.errors -> -1 ->> 'message' from public.messages m where m.content = 'C-blocked'), 'the contact is blocked on this channel',
  'the reason is kept in the message''s errors');
delete from private.outbox;
update public.contacts set opted_in = true where workspace_id = :'ws';
update public.contact_identities set is_blocked = false where external_id = '5511900000003';

select tests.run_as('acme_member', format(:'send_text', :'conv1', 'D1'));
select tests.run_as('acme_admin', 'update public.channels set is_active = false where id = ''c5000000-0000-0000-0000-000000000001''');
select is((select count(*) from pg_temp.claim()), 0::bigint, 'a deactivated channel''s queue is not claimed');
select results_eq($$ select status::text, error_message, (select count(*) from private.outbox o where o.message_id = m.id)
                      from public.messages m where m.content = 'D1' $$,
  $$ values ('failed', 'the channel is inactive', 0::bigint) $$, 'its messages fail, for good');
update public.channels set is_active = true where id = 'c5000000-0000-0000-0000-000000000001';

-- Campaigns stop feeding a deactivated channel ------------------------------------------------------
insert into public.campaigns (id, workspace_id, channel_id, name, template_id, target_type, target_criteria)
values ('ca500000-0000-0000-0000-000000000001', :'ws', 'c5000000-0000-0000-0000-000000000001', 'Promo',
        '7e500000-0000-0000-0000-000000000001', 'all_contacts', '{}');
select tests.run_as('acme_member', 'select public.start_campaign(''ca500000-0000-0000-0000-000000000001'')');
select private.feed_campaigns();
select is((select count(*) from public.campaign_messages where campaign_id = 'ca500000-0000-0000-0000-000000000001' and status = 'sending'), 3::bigint,
  'the campaign fed its three recipients');
update public.channels set is_active = false where id = 'c5000000-0000-0000-0000-000000000001';
select private.feed_campaigns();
select results_eq($$ select status::text, last_error from public.campaigns where id = 'ca500000-0000-0000-0000-000000000001' $$,
  $$ values ('paused', 'paused: the channel "Cloud PN-R1" is inactive; resume once it is active again') $$,
  'the next feed pauses it and says why');
select is((select count(*) from public.campaign_messages where campaign_id = 'ca500000-0000-0000-0000-000000000001' and status = 'queued'), 3::bigint,
  'what was fed and not claimed goes back to its queue');
select is(tests.error_as('acme_member', 'select public.resume_campaign(''ca500000-0000-0000-0000-000000000001'')'),
  '55000 the campaign''s channel is inactive', 'it cannot resume while the channel is inactive');
update public.channels set is_active = true where id = 'c5000000-0000-0000-0000-000000000001';
select is(tests.try_as('acme_member', 'select public.resume_campaign(''ca500000-0000-0000-0000-000000000001'')'), 'ok:1', 'but can once it is back');
select tests.run_as('acme_member', 'select public.cancel_campaign(''ca500000-0000-0000-0000-000000000001'')');
delete from private.outbox;

-- Claims whatever the statistics say -------------------------------------------------------------
-- After a bulk delete, ANALYZE sees an empty table in many pages: every
-- estimate says "one row". The claim must still read about what it claims.
insert into public.channels (id, workspace_id, provider, name, phone_number_id, settings)
values ('c5000000-0000-0000-0000-000000000005', :'ws', 'cloud_api', 'Bulk', 'PN-R5', '{"rate_limit_per_second": 1000}');
create function pg_temp.queue(n integer, body text) returns void language sql as $$
  with c as (
    insert into public.contacts (workspace_id, phone, source)
    select (select workspace_id from public.channels where id = 'c5000000-0000-0000-0000-000000000005'),
           '4' || body || lpad(i::text, 8, '0'), 'import' from generate_series(1, n) i
    returning id, workspace_id, phone
  ), v as (
    insert into public.conversations (workspace_id, channel_id, chat_id, contact_id, window_expires_at)
    select c.workspace_id, 'c5000000-0000-0000-0000-000000000005', c.phone, c.id, now() + interval '1 day' from c
    returning id
  )
  insert into public.messages (conversation_id, content) select v.id, body from v
$$;
select pg_temp.queue(2000, '1');
delete from public.contacts where phone like '41%';
delete from public.conversations where chat_id like '41%';
analyze private.outbox, public.messages, public.conversations, public.contacts;
select pg_temp.queue(2000, '2');
create temporary table reads on commit drop as
  select relname, coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) as n from pg_stat_xact_user_tables
   where relname in ('outbox', 'messages');
select is((select count(*) from pg_temp.claim(50)), 50::bigint, 'a claim of 50 from a queue of 2,000');
select cmp_ok((select coalesce(sum(t.seq_tup_read), 0) + coalesce(sum(t.idx_tup_fetch), 0) - (select n from reads where relname = 'outbox')
                 from pg_stat_xact_user_tables t where t.relname = 'outbox'), '<', 1000::numeric,
  'reads about what it claims from the queue, not the channel''s whole queue');
select cmp_ok((select coalesce(sum(t.seq_tup_read), 0) + coalesce(sum(t.idx_tup_fetch), 0) - (select n from reads where relname = 'messages')
                 from pg_stat_xact_user_tables t where t.relname = 'messages'), '<', 1000::numeric,
  'and one message per claim, not a scan of messages');
create temporary table reads2 on commit drop as
  select relname, coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) as n from pg_stat_xact_user_tables
   where relname in ('outbox', 'messages');
select is((select (private.record_send_results('t', jsonb_agg(jsonb_build_object('outbox_id', (c.item ->> 'outbox_id')::bigint,
             'message_id', c.item ->> 'message_id', 'channel_id', c.item ->> 'channel_id', 'kind', 'sent',
             'provider_message_id', 'wamid.bulk-' || (c.item ->> 'outbox_id')))) ->> 'sent')::integer
             from claims c where c.item ->> 'channel_id' = 'c5000000-0000-0000-0000-000000000005'), 50,
  'the 50 sends are recorded');
select cmp_ok((select coalesce(sum(t.seq_tup_read), 0) + coalesce(sum(t.idx_tup_fetch), 0) - (select n from reads2 where relname = 'outbox')
                 from pg_stat_xact_user_tables t where t.relname = 'outbox'), '<', 1000::numeric,
  'recording them reads the queue by key, not by walking it');
-- Leave honest statistics behind (ANALYZE writes pg_class in place).
delete from public.contacts where phone like '42%';
delete from public.conversations where chat_id like '42%';
analyze private.outbox, public.messages, public.conversations, public.contacts;

select * from finish();
rollback;
