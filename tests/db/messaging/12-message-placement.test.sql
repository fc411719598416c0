-- A message sits in its conversation's workspace and channel, whoever
-- inserts it and however many at once, and never moves. (Checked by a
-- statement trigger since the foreign key names the conversation alone.)
begin;
select plan(7);
select tests.create_workspace_with_roles('acme') as ws \gset
select tests.create_workspace_with_roles('other') as other_ws \gset
insert into public.channels (id, workspace_id, provider, name, phone_number_id)
values ('c0000000-0000-0000-0000-000000000001', :'ws', 'cloud_api', 'Main', 'PN-1'),
       ('c0000000-0000-0000-0000-000000000002', :'ws', 'cloud_api', 'Second', 'PN-2'),
       ('c0000000-0000-0000-0000-000000000003', :'other_ws', 'cloud_api', 'Other', 'PN-3');
select tests.open_cloud_conversation(:'ws', 'c0000000-0000-0000-0000-000000000001', 'PN-1', '5511911110001') as conv \gset

create function pg_temp.put(ws uuid, channel uuid, conv uuid) returns text language plpgsql as $$
begin
  insert into public.messages (workspace_id, channel_id, conversation_id, direction, type, content, status, provider_message_id)
  values (ws, channel, conv, 'inbound', 'text', 'hi', 'delivered', 'wamid.' || gen_random_uuid());
  return 'ok';
exception when others then
  return sqlstate || ' ' || sqlerrm;
end
$$;

select is(pg_temp.put(:'ws', 'c0000000-0000-0000-0000-000000000001', :'conv'), 'ok',
          'a message in its conversation''s workspace and channel is recorded');
select is(pg_temp.put(:'other_ws', 'c0000000-0000-0000-0000-000000000003', :'conv'),
          '23503 a message must be in its conversation''s workspace and channel',
          'a message that names another workspace than its conversation''s is refused');
select is(pg_temp.put(:'ws', 'c0000000-0000-0000-0000-000000000002', :'conv'),
          '23503 a message must be in its conversation''s workspace and channel',
          'a message that names another channel than its conversation''s is refused');

-- One bad row spoils the statement, however many good ones come with it.
select throws_ok(format($$
  insert into public.messages (workspace_id, channel_id, conversation_id, direction, type, content, status)
  select case when g = 50 then %L::uuid else %L::uuid end,
         'c0000000-0000-0000-0000-000000000001', %L, 'inbound', 'text', 'm' || g, 'delivered'
    from generate_series(1, 100) g
$$, :'other_ws', :'ws', :'conv'), '23503', null, 'a batch with one misplaced message is refused whole');

select throws_ok(format($$update public.messages set channel_id = 'c0000000-0000-0000-0000-000000000002'
                          where conversation_id = %L$$, :'conv'),
                 '55000', 'a message cannot move to another conversation, channel or workspace',
                 'a message does not move to another channel');

-- Deleting the conversation still takes its messages with it.
select isnt_empty(format('select 1 from public.messages where conversation_id = %L', :'conv'), 'the thread has messages');
delete from public.conversations where id = :'conv';
select is_empty(format('select 1 from public.messages where conversation_id = %L', :'conv'),
                'a deleted conversation''s messages go with it');

select * from finish();
rollback;
