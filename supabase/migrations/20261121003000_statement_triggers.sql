-- Two row triggers become statement triggers over the inserted rows.
--
-- A batch of webhooks inserts its messages and conversations with one
-- statement each, but these row triggers still ran per row: a function
-- call, a settings switch and two or three queries with their own executor
-- start for every message and every new conversation. Over the transition
-- table the same work is one statement per batch, with the same result as
-- applying the rows one at a time in order.

-- What messages do to their conversation and contact. Named to sort before
-- the other statement triggers on messages (they fire in name order): as
-- when it was a row trigger, a keyword automation or the outbox sees the
-- conversation with its window already refreshed.
create function private.advance_conversations()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  r record;
begin
  -- The first message of a new conversation and contact (most of a webhook
  -- batch under load) changes nothing: check that cheaply before grouping.
  if exists (select 1 from inserted i
              where not (i.campaign_id is not null and i.provider_message_id is null)
                and ((select c.last_message_id from public.conversations c where c.id = i.conversation_id) is distinct from i.id
                     or i.contact_id is not null and i.type not in ('reaction', 'system')
                        and coalesce((select ct.last_message_at from public.contacts ct where ct.id = i.contact_id)
                                     < coalesce(i.provider_timestamp, i.created_at), true))) then
    -- One statement: the conversation update runs even though nothing reads it.
    with m as (
      select i.id, i.conversation_id, i.contact_id, i.direction, i.type,
             left(coalesce(i.content, '[' || i.type || ']'), 140) as preview,
             coalesce(i.provider_timestamp, i.created_at) as ts,
             i.type not in ('reaction', 'system') as counts,
             row_number() over () as ord
        from inserted i
       -- Campaign chunks are recorded set-wise by the feeder itself.
       where not (i.campaign_id is not null and i.provider_message_id is null)
    ), per_conversation as (
      -- The last counted message by time, the later one on a tie, is what a
      -- message-by-message pass leaves as the conversation's last message.
      select m.conversation_id,
             max(m.ts) filter (where m.counts) as last_ts,
             (array_agg(m.id order by m.ts desc, m.ord desc) filter (where m.counts))[1] as last_id,
             (array_agg(m.preview order by m.ts desc, m.ord desc) filter (where m.counts))[1] as last_preview,
             (array_agg(m.direction order by m.ts desc, m.ord desc) filter (where m.counts))[1] as last_direction,
             count(*) filter (where m.direction = 'inbound' and m.counts) as unread,
             -- The 24-hour window opens and refreshes only on the customer's messages.
             max(m.ts) filter (where m.direction = 'inbound' and m.type <> 'system') as inbound_ts,
             bool_or(m.direction = 'inbound') as any_inbound
        from m
       -- A conversation created for its first message already holds that
       -- message's state.
       where (select c.last_message_id from public.conversations c where c.id = m.conversation_id) is distinct from m.id
       group by m.conversation_id
    ), conversations as (
      update public.conversations c set
        last_message_id = case when p.last_id is not null and (c.last_message_at is null or p.last_ts >= c.last_message_at)
                               then p.last_id else c.last_message_id end,
        last_message_preview = case when p.last_id is not null and (c.last_message_at is null or p.last_ts >= c.last_message_at)
                                    then p.last_preview else c.last_message_preview end,
        last_message_direction = case when p.last_id is not null and (c.last_message_at is null or p.last_ts >= c.last_message_at)
                                      then p.last_direction else c.last_message_direction end,
        last_message_at = case when p.last_id is not null then greatest(c.last_message_at, p.last_ts) else c.last_message_at end,
        unread_count = c.unread_count + p.unread,
        last_inbound_at = case when p.inbound_ts is not null then greatest(c.last_inbound_at, p.inbound_ts) else c.last_inbound_at end,
        window_expires_at = case when p.inbound_ts is not null
                                 then greatest(c.window_expires_at, p.inbound_ts + interval '24 hours') else c.window_expires_at end,
        status = case when p.any_inbound and c.status in ('closed', 'expired') then 'open' else c.status end,
        closed_at = case when p.any_inbound and c.status in ('closed', 'expired') then null else c.closed_at end
        from per_conversation p
       -- The ids as an index condition: the join then starts from them
       -- whatever the statistics say about the table's size.
       where c.id = p.conversation_id and c.id = any (array(select q.conversation_id from per_conversation q))
    ), per_contact as (
      select m.contact_id, max(m.ts) as ts from m where m.contact_id is not null and m.counts group by m.contact_id
    )
    update public.contacts ct set last_message_at = p.ts
      from per_contact p
     where ct.id = p.contact_id and ct.id = any (array(select q.contact_id from per_contact q))
       and (ct.last_message_at is null or ct.last_message_at < p.ts);
  end if;

  -- Statuses that were waiting for these messages (only ours get statuses).
  for r in
    select i.channel_id, i.provider_message_id from inserted i
     where i.provider_message_id is not null and i.direction = 'outbound'
  loop
    perform private.apply_parked_statuses(r.channel_id, r.provider_message_id);
  end loop;
  return null;
end
$$;

drop trigger on_message_recorded on public.messages;
drop function private.on_message_recorded();
create trigger advance_conversations after insert on public.messages
  referencing new table as inserted
  for each statement execute function private.advance_conversations();
revoke all on function private.advance_conversations() from public;

-- Round-robin assignment of new conversations, in the order they were
-- inserted; a workspace without an active rule costs one probe per batch.
create function private.auto_assign_conversations()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  conv record;
  a public.automations;
  next_user uuid;
begin
  if not exists (select 1 from public.automations x
                  where x.workspace_id in (select i.workspace_id from inserted i)
                    and x.type = 'auto_assign' and x.is_active) then
    return null;
  end if;
  -- In insert order; a conversation whose workspace has no matching rule is
  -- skipped by the lookup below.
  for conv in
    select i.id, i.workspace_id, i.channel_id from inserted i where i.assignee_id is null
  loop
    select * into a from public.automations x
     where x.workspace_id = conv.workspace_id and x.type = 'auto_assign' and x.is_active
       and (x.channel_id is null or x.channel_id = conv.channel_id)
     order by x.priority desc, x.created_at limit 1
     for update;
    continue when not found;
    with pool as (
      select m.user_id from public.workspace_members m
       where m.workspace_id = conv.workspace_id and m.status = 'active' and m.role >= 'member'
         and (not a.actions ? 'members' or m.user_id::text in (select jsonb_array_elements_text(a.actions -> 'members')))
    )
    select coalesce((select p.user_id from pool p where p.user_id > (a.state ->> 'last_user')::uuid order by p.user_id limit 1),
                    (select p.user_id from pool p order by p.user_id limit 1))
      into next_user;
    if next_user is null then
      perform private.log_automation_run(a, conv.id, null, null, 'failed', 'nobody to assign: no active member in the pool');
      continue;
    end if;
    update public.conversations c set assignee_id = next_user where c.id = conv.id;
    update public.automations x set state = x.state || jsonb_build_object('last_user', next_user) where x.id = a.id;
    perform private.log_automation_run(a, conv.id, null, null, 'succeeded', null);
  end loop;
  return null;
end
$$;

drop trigger auto_assign on public.conversations;
drop function private.auto_assign_conversation();
create trigger auto_assign after insert on public.conversations
  referencing new table as inserted
  for each statement execute function private.auto_assign_conversations();
revoke all on function private.auto_assign_conversations() from public;
