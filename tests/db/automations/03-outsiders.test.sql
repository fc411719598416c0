-- check_automation runs before RLS: an outsider's automation for another
-- workspace is refused as RLS refuses it, whether the channel it names is
-- that workspace's or not, and whatever its conditions.
begin;
select plan(3);
select tests.create_workspace_with_roles('acme') as ws \gset
insert into public.channels (id, workspace_id, provider, name, phone_number_id)
values ('c8100000-0000-0000-0000-000000000001', :'ws', 'cloud_api', 'Main', 'PN-A81');
\set refusal '42501 new row violates row-level security policy for table "automations"'
\set insert 'insert into public.automations (workspace_id, channel_id, name, type, trigger_conditions, actions) values (%L, %L, %L, %L, %L, %L)'

select is(tests.error_as('acme_outsider', format(:'insert', :'ws', 'c8100000-0000-0000-0000-000000000001', 'Probe', 'keyword_reply',
    '{"keywords": ["hi"]}', '{"reply": {"text": "hello"}}')),
  :'refusal', 'an outsider naming the workspace''s channel is refused as RLS refuses');
select is(tests.error_as('acme_outsider', format(:'insert', :'ws', gen_random_uuid(), 'Probe', 'keyword_reply',
    '{"keywords": ["hi"]}', '{"reply": {"text": "hello"}}')),
  :'refusal', 'and the same for a channel that is not there');
select is(tests.error_as('acme_member', format(:'insert', :'ws', gen_random_uuid(), 'Probe', 'keyword_reply', '{}', '{}')),
  :'refusal', 'a member (no insert right) gets the same, not the channel or condition checks');

select * from finish();
rollback;
