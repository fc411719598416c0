-- Opting out from the customer's side: an opt-out keyword (the whole
-- message, case, accents and spacing aside) or an opt-out quick reply, as
-- Cloud API and Evolution deliver them, opts the contact out of marketing
-- with the time, the reason and the message; an opt-in keyword reverses it;
-- a workspace names its own words and a confirmation; marketing
-- automations skip opted-out contacts; groups never opt anyone out.
begin;
select plan(18);
select tests.create_workspace_with_roles('acme') as ws \gset
insert into public.channels (id, workspace_id, provider, name, phone_number_id)
values ('c8100000-0000-0000-0000-000000000001', :'ws', 'cloud_api', 'Main', 'PN-O1');
insert into public.channels (id, workspace_id, provider, name, instance_name, api_base_url)
values ('c8100000-0000-0000-0000-000000000002', :'ws', 'evolution', 'Evo', 'acme-evo-o', 'https://evo.example.com');
create function pg_temp.inbound(wa_id text, wamid text, msg jsonb) returns uuid language sql as $$
  select private.ingest_webhook('cloud_api', 'c8100000-0000-0000-0000-000000000001', tests.cloud_message('PN-O1', wa_id, 'Customer',
    jsonb_build_object('id', wamid, 'timestamp', floor(extract(epoch from now()))::text) || msg));
  select id from public.messages where provider_message_id = wamid;
$$;
create function pg_temp.text(wa_id text, wamid text, body text) returns uuid language sql as $$
  select pg_temp.inbound(wa_id, wamid, jsonb_build_object('type', 'text', 'text', jsonb_build_object('body', body)))
$$;
create function pg_temp.evo(jid text, pid text, message jsonb, kind text) returns uuid language sql as $$
  select private.ingest_webhook('evolution', 'c8100000-0000-0000-0000-000000000002', tests.evolution('messages.upsert',
    jsonb_build_object('key', jsonb_build_object('remoteJid', jid, 'fromMe', false, 'id', pid), 'pushName', 'Evo',
                       'messageType', kind, 'message', message, 'messageTimestamp', floor(extract(epoch from now()))),
    'acme-evo-o'));
  select id from public.messages where provider_message_id = pid;
$$;
create function pg_temp.opted_out(p text) returns boolean language sql as $$
  select not opted_in and opted_out_at is not null from public.contacts where phone = p
$$;

-- Keywords ---------------------------------------------------------------------------------
select pg_temp.text('5511910000001', 'wamid.o-1', 'hello') \gset
update public.contacts set opted_in = true where phone = '5511910000001';
select pg_temp.text('5511910000001', 'wamid.o-2', '  Stop! ') as stop_msg \gset
select results_eq($$ select opted_in, opted_out_at is not null, opt_out_reason from public.contacts where phone = '5511910000001' $$,
  $$ values (false, true, 'keyword "  Stop! "') $$, 'STOP (any case, spacing, punctuation) opts the contact out of marketing');
select is((select opt_out_message_id from public.contacts where phone = '5511910000001'), :'stop_msg'::uuid, 'with the message that did it');
select pg_temp.text('5511910000002', 'wamid.o-3', 'Baja');
select pg_temp.text('5511910000003', 'wamid.o-4', 'SAÍR');
select pg_temp.text('5511910000004', 'wamid.o-5', 'please stop sending me this');
select results_eq($$ select phone, pg_temp.opted_out(phone) from public.contacts where phone in ('5511910000002', '5511910000003', '5511910000004') order by phone $$,
  $$ values ('5511910000002', true), ('5511910000003', true), ('5511910000004', false) $$,
  'BAJA and SAIR (accents aside) too; a sentence that merely contains "stop" does not');
select pg_temp.text('5511910000001', 'wamid.o-6', 'start');
select results_eq($$ select opted_in, pg_temp.opted_out(phone) from public.contacts where phone = '5511910000001' $$,
  $$ values (true, false) $$, 'START opts back in');

-- Buttons ------------------------------------------------------------------------------------
select pg_temp.inbound('5511910000005', 'wamid.o-7', '{"type":"button","context":{"from":"15550000000","id":"wamid.promo"},"button":{"payload":"STOP_PROMOTIONS","text":"Stop promotions"}}');
select results_eq($$ select pg_temp.opted_out(phone), opt_out_reason from public.contacts where phone = '5511910000005' $$,
  $$ values (true, 'button "Stop promotions"') $$, 'a template''s "Stop promotions" quick reply (Cloud API button) opts out');
select pg_temp.inbound('5511910000006', 'wamid.o-8', '{"type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"unsubscribe","title":"No more offers"}}}');
select is(pg_temp.opted_out('5511910000006'), true, 'an interactive button reply whose id is an opt-out word too');
select pg_temp.inbound('5511910000007', 'wamid.o-9', '{"type":"interactive","interactive":{"type":"button_reply","button_reply":{"id":"yes","title":"Yes please"}}}');
select is(pg_temp.opted_out('5511910000007'), false, 'other replies do nothing');
select pg_temp.evo('5511910000008@s.whatsapp.net', 'EVO-O-1',
  '{"buttonsResponseMessage":{"selectedButtonId":"btn-stop","selectedDisplayText":"Unsubscribe"}}', 'buttonsResponseMessage');
select pg_temp.evo('5511910000009@s.whatsapp.net', 'EVO-O-2',
  '{"templateButtonReplyMessage":{"selectedId":"STOP","selectedDisplayText":"Not now","selectedIndex":1}}', 'templateButtonReplyMessage');
select results_eq($$ select phone, pg_temp.opted_out(phone) from public.contacts where phone in ('5511910000008', '5511910000009') order by phone $$,
  $$ values ('5511910000008', true), ('5511910000009', true) $$,
  'Evolution''s buttonsResponseMessage (by its text) and templateButtonReplyMessage (by its id)');

-- Groups ----------------------------------------------------------------------------------------
select pg_temp.evo('120363000000000001@g.us', 'EVO-O-G', '{"conversation":"stop"}', 'conversation');
select is((select count(*) from public.contacts where opt_out_reason like 'keyword%' and phone not like '55119100000%'), 0::bigint,
  'a STOP in a group opts nobody out');

-- Workspace settings and confirmation -----------------------------------------------------------
update public.workspaces set settings = settings || '{"opt_out": {"keywords": ["CANCELAR"], "opt_in_keywords": ["VOLTAR"],
  "confirmation": "You will get no more promotions. Reply VOLTAR to come back.", "opt_in_confirmation": "Welcome back!"}}' where id = :'ws';
select pg_temp.text('5511910000010', 'wamid.o-10', 'stop');
select is(pg_temp.opted_out('5511910000010'), false, 'a workspace''s own words replace the defaults');
select pg_temp.text('5511910000010', 'wamid.o-11', 'Cancelar');
select is(pg_temp.opted_out('5511910000010'), true, 'its opt-out word works');
select results_eq($$ select m.content, m.status::text, (select count(*) from private.outbox o where o.message_id = m.id)
                      from public.messages m join public.conversations c on c.id = m.conversation_id
                     where c.chat_id = '5511910000010' and m.direction = 'outbound' $$,
  $$ values ('You will get no more promotions. Reply VOLTAR to come back.', 'pending', 1::bigint) $$,
  'the confirmation goes out through the normal send path (the window is open)');
select pg_temp.text('5511910000010', 'wamid.o-12', 'CANCELAR');
select is((select count(*) from public.messages m join public.conversations c on c.id = m.conversation_id
            where c.chat_id = '5511910000010' and m.direction = 'outbound'), 1::bigint, 'confirmed once, not on every repeat');
select pg_temp.text('5511910000010', 'wamid.o-13', 'voltar');
select results_eq($$ select opted_in, (select string_agg(m.content, ' | ' order by m.created_at) from public.messages m
                                         join public.conversations c on c.id = m.conversation_id
                                        where c.chat_id = '5511910000010' and m.direction = 'outbound')
                      from public.contacts where phone = '5511910000010' $$,
  $$ values (true, 'You will get no more promotions. Reply VOLTAR to come back. | Welcome back!') $$, 'its opt-in word, with its confirmation');
update public.workspaces set settings = settings || '{"opt_out": {"enabled": false}}' where id = :'ws';
select pg_temp.text('5511910000011', 'wamid.o-14', 'stop');
select is(pg_temp.opted_out('5511910000011'), false, 'a workspace may switch keyword handling off');
update public.workspaces set settings = settings - 'opt_out' where id = :'ws';

-- Marketing automations skip opted-out contacts ---------------------------------------------------
select tests.run_as('acme_admin', format('insert into public.automations (workspace_id, name, type, trigger_conditions, actions) values (%L, %L, %L, %L, %L)',
  :'ws', 'Weekly', 'scheduled_message', '{"cron":"* * * * *"}', '{"reply":{"text":"This week''s offers"},"labels":["vip"]}'));
update public.contacts set labels = '{vip}' where phone in ('5511910000001', '5511910000002');
select private.run_scheduled_messages(now());
select results_eq($$ select ct.phone, r.status::text, r.error from public.automation_runs r
                      join public.conversations c on c.id = r.conversation_id join public.contacts ct on ct.id = c.contact_id
                     order by ct.phone $$,
  $$ values ('5511910000001', 'succeeded', null::text), ('5511910000002', 'skipped', 'the contact opted out of marketing messages') $$,
  'a scheduled broadcast skips the opted-out contact (logged, not failed)');
select is((select error_count from public.automations where name = 'Weekly'), 0, 'skipping is not a failure');

-- Service replies still go -------------------------------------------------------------------------
select is(tests.try_as('acme_member', format('select public.send_message(%L, %L)',
  (select id from public.conversations where chat_id = '5511910000002'), 'Your order shipped')), 'ok:1',
  'a member still answers an opted-out customer inside the window');

select * from finish();
rollback;
