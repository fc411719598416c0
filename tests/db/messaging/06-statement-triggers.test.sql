-- The statement triggers on messages and conversations leave what applying
-- the rows one at a time leaves: a multi-row insert into one conversation
-- is compared with the same messages inserted one by one into its twin.
begin;
select plan(11);
select tests.create_workspace_with_roles('acme') as ws \gset
insert into public.channels (id, workspace_id, provider, name, phone_number_id)
values ('c0000000-0000-0000-0000-000000000001', :'ws', 'cloud_api', 'Main', 'PN-1');
\set ch c0000000-0000-0000-0000-000000000001
select date_trunc('second', now()) - interval '2 hours' as t0 \gset

insert into public.contacts (id, workspace_id, name, phone, last_message_at)
select ('d0000000-0000-0000-0000-00000000000' || k)::uuid, :'ws', 'Twin ' || k, '551190000000' || k, :'t0'::timestamptz
  from generate_series(1, 4) k;

-- A and B: closed conversations with history; C and D: each created for its
-- first message (X and Y), as the resolvers create them.
insert into public.conversations (id, workspace_id, channel_id, type, chat_id, contact_id, status, closed_at,
                                  last_message_at, last_message_preview, last_message_direction, unread_count,
                                  last_inbound_at, window_expires_at)
select ('e0000000-0000-0000-0000-00000000000' || k)::uuid, :'ws', :'ch', 'individual', '551190000000' || k,
       ('d0000000-0000-0000-0000-00000000000' || k)::uuid, 'closed', :'t0'::timestamptz - interval '1 day',
       :'t0'::timestamptz, 'earlier', 'outbound', 2, :'t0'::timestamptz - interval '1 hour',
       :'t0'::timestamptz + interval '23 hours'
  from generate_series(1, 2) k;
insert into public.conversations (id, workspace_id, channel_id, type, chat_id, contact_id, last_message_id,
                                  last_message_at, last_message_preview, last_message_direction, unread_count,
                                  last_inbound_at, window_expires_at)
select ('e0000000-0000-0000-0000-00000000000' || k)::uuid, :'ws', :'ch', 'individual', '551190000000' || k,
       ('d0000000-0000-0000-0000-00000000000' || k)::uuid, ('f0000000-0000-0000-0000-00000000000' || k)::uuid,
       :'t0'::timestamptz + interval '5 seconds', 'hello', 'inbound', 1, :'t0'::timestamptz + interval '5 seconds',
       :'t0'::timestamptz + interval '24 hours 5 seconds'
  from generate_series(3, 4) k;

-- The messages, in order: an outbound answer and a later inbound one at the
-- same second (the later one wins), a reaction and a system message after
-- them (neither counts as the last message), one out of order.
create temp table seq (n integer, twin integer, id uuid, direction public.message_direction, type public.message_type,
                       content text, pmid text, at_s integer);
insert into seq values
  (1, 1, null, 'inbound', 'text', 'one', 'wamid.1', 10),
  (2, 3, 'f0000000-0000-0000-0000-000000000003', 'inbound', 'text', 'hello', 'wamid.x', 5),
  (3, 1, null, 'outbound', 'text', 'two', 'wamid.2', 20),
  (4, 1, null, 'inbound', 'reaction', '👍', 'wamid.3', 30),
  (5, 3, null, 'inbound', 'text', 'again', 'wamid.x2', 6),
  (6, 1, null, 'inbound', 'text', 'four', 'wamid.4', 15),
  (7, 1, null, 'inbound', 'text', 'five', 'wamid.5', 20),
  (8, 1, null, 'inbound', 'system', 'six', 'wamid.6', 40),
  (9, 1, null, 'inbound', 'text', 'seven', 'wamid.7', -3600);

-- Conversation k's share of the sequence: twin 1 goes to A (1) and B (2),
-- twin 3 to C (3) and D (4); D's first message is Y where C's is X.
create function pg_temp.rows_for(conv integer, first_n integer, last_n integer)
returns table (n integer, id uuid, workspace_id uuid, channel_id uuid, conversation_id uuid, contact_id uuid,
               direction public.message_direction, type public.message_type, content text,
               provider_message_id text, provider_timestamp timestamptz, status public.message_status)
language sql as $$
  select s.n,
         case when s.id is null then private.uuid7() when conv = 3 then s.id
              else 'f0000000-0000-0000-0000-000000000004'::uuid end,
         c.workspace_id, c.channel_id, c.id, c.contact_id, s.direction, s.type, s.content,
         s.pmid || '.' || conv, current_setting('t.t0')::timestamptz + make_interval(secs => s.at_s),
         case when s.direction = 'outbound' then 'sent' else 'delivered' end::public.message_status
    from seq s, public.conversations c
   where c.id = ('e0000000-0000-0000-0000-00000000000' || conv)::uuid
     and s.twin = case when conv in (1, 2) then 1 else 3 end
     and s.n between first_n and last_n
$$;
select set_config('t.t0', :'t0', true) as t0_set \gset

-- A and C in one statement; B and D one message per statement.
insert into public.messages (id, workspace_id, channel_id, conversation_id, contact_id, direction, type, content,
                             provider_message_id, provider_timestamp, status)
select r.id, r.workspace_id, r.channel_id, r.conversation_id, r.contact_id, r.direction, r.type, r.content,
       r.provider_message_id, r.provider_timestamp, r.status
  from (select * from pg_temp.rows_for(1, 1, 99) union all select * from pg_temp.rows_for(3, 1, 99)) r
 order by r.n;
do $$
begin
  for k in 1..9 loop
    insert into public.messages (id, workspace_id, channel_id, conversation_id, contact_id, direction, type, content,
                                 provider_message_id, provider_timestamp, status)
    select r.id, r.workspace_id, r.channel_id, r.conversation_id, r.contact_id, r.direction, r.type, r.content,
           r.provider_message_id, r.provider_timestamp, r.status
      from (select * from pg_temp.rows_for(2, k, k) union all select * from pg_temp.rows_for(4, k, k)) r;
  end loop;
end
$$;

create function pg_temp.state(conv integer)
returns table (last_content text, preview text, direction public.message_direction, last_at timestamptz, unread integer,
               inbound_at timestamptz, window_ends timestamptz, status public.conversation_status, reopened boolean,
               contact_last_at timestamptz)
language sql as $$
  select (select m.content from public.messages m where m.id = c.last_message_id), c.last_message_preview,
         c.last_message_direction, c.last_message_at, c.unread_count, c.last_inbound_at, c.window_expires_at, c.status,
         c.closed_at is null, (select ct.last_message_at from public.contacts ct where ct.id = c.contact_id)
    from public.conversations c where c.id = ('e0000000-0000-0000-0000-00000000000' || conv)::uuid
$$;

select results_eq('select * from pg_temp.state(1)', 'select * from pg_temp.state(2)',
  'nine messages in one statement leave the conversation as nine statements do');
select results_eq('select * from pg_temp.state(1)',
  format($$ values ('five', 'five', 'inbound'::public.message_direction, %1$L::timestamptz + interval '20 seconds', 6,
                    %1$L::timestamptz + interval '30 seconds', %1$L::timestamptz + interval '24 hours 30 seconds',
                    'open'::public.conversation_status, true, %1$L::timestamptz + interval '20 seconds') $$, :'t0'),
  'the later of two messages at the same second is the last; reactions and system messages are not; '
  'four more unread; the window runs from the reaction; the inbound messages reopen it');
select results_eq('select * from pg_temp.state(3)', 'select * from pg_temp.state(4)',
  'a conversation created for its first message: the same either way');
select results_eq('select last_content, unread, last_at from pg_temp.state(3)',
  format($$ values ('again', 2, %L::timestamptz + interval '6 seconds') $$, :'t0'),
  'its first message is not counted twice');

update public.conversations set status = 'closed', closed_at = now() where id = 'e0000000-0000-0000-0000-000000000001';
insert into public.messages (workspace_id, channel_id, conversation_id, contact_id, direction, type, content, provider_message_id, status)
select workspace_id, channel_id, id, contact_id, 'inbound', 'reaction', '🙏', 'wamid.r', 'delivered'
  from public.conversations where id = 'e0000000-0000-0000-0000-000000000001';
select results_eq($$ select status, closed_at is null, last_message_preview from public.conversations
                     where id = 'e0000000-0000-0000-0000-000000000001' $$,
  $$ values ('open'::public.conversation_status, true, 'five') $$,
  'a reaction alone reopens a closed conversation, and is not its last message');

-- Round-robin assignment of conversations created together
insert into public.automations (workspace_id, name, type, trigger_conditions, actions)
values (:'ws', 'Assign', 'auto_assign', '{}', '{}');
insert into public.conversations (workspace_id, channel_id, type, chat_id)
select :'ws', :'ch', 'individual', '55119100000' || k from generate_series(1, 3) k;
select results_eq(
  $$ select array_agg(assignee_id order by chat_id) from public.conversations where chat_id like '55119100000%' $$,
  $$ select array_agg(user_id order by user_id) from public.workspace_members
      where workspace_id = (select id from public.workspaces where slug = 'acme-inc') and role >= 'member' $$,
  'three conversations in one statement: one each for member, admin and owner, in order');
select is((select count(*) from public.automation_runs where status = 'succeeded' and conversation_id is not null),
  3::bigint, 'each assignment logged against its conversation');
insert into public.conversations (workspace_id, channel_id, type, chat_id, assignee_id)
values (:'ws', :'ch', 'individual', '5511920000001', tests.get_supabase_uid('acme_member')),
       (:'ws', :'ch', 'individual', '5511920000002', null);
select is((select assignee_id from public.conversations where chat_id = '5511920000001'),
  tests.get_supabase_uid('acme_member'), 'an assigned conversation keeps its assignee');
select is((select assignee_id from public.conversations where chat_id = '5511920000002'),
  (select user_id from public.workspace_members
    where workspace_id = (select id from public.workspaces where slug = 'acme-inc') and role >= 'member'
    order by user_id limit 1),
  'and its neighbour continues the rotation');
update public.automations set is_active = false where type = 'auto_assign';
insert into public.conversations (workspace_id, channel_id, type, chat_id)
select :'ws', :'ch', 'individual', '55119300000' || k from generate_series(1, 2) k;
select is((select count(*) from public.conversations where chat_id like '55119300000%' and assignee_id is null),
  2::bigint, 'no active rule: nobody is assigned');
select is((select count(*) from public.automation_runs), 4::bigint, 'and no run is logged');

select * from finish();
rollback;
