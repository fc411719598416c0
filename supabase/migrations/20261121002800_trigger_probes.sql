-- Statement triggers on messages look their neighbours up by key, one
-- probe per inserted row, instead of joining.
--
-- Their plans are cached per session and built from the statistics of the
-- moment. On a young or just-vacuumed database the statistics say
-- conversations holds a row or two, and the join became a walk over every
-- conversation for each batch of messages (seen with auto_explain under
-- bench:ingest: a conversations_pkey scan with no index condition). A
-- scalar subquery on a key cannot be planned as anything but a probe.

create or replace function private.mirror_agent_messages()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  r record;
begin
  if current_setting('threadline.agent_sync', true) = 'on' then
    return null;
  end if;
  for r in
    -- The binding's workspace is the channel's, hence the message's.
    select m.agent_id, m.workspace_id, array_agg(m.id order by m.at, m.id) as ids
      from (select i.id, i.workspace_id, coalesce(i.provider_timestamp, i.created_at) as at,
                   (select a.agent_id from public.agent_channels a
                     where a.channel_id = i.channel_id and a.is_active) as agent_id
              from inserted i
             where i.type not in ('reaction', 'system') and i.contact_id is not null
               and (select v.type from public.conversations v where v.id = i.conversation_id) = 'individual') m
     where m.agent_id is not null
     group by m.agent_id, m.workspace_id
  loop
    begin
      perform private.agent_receive(r.agent_id, r.ids);
    exception when others then
      insert into public.activity_log (workspace_id, level, category, action, message, entity_type, entity_id,
                                       data, success, error)
      values (r.workspace_id, 'error', 'agent', 'agent.mirror_failed',
              'Messages could not be copied into the agent''s tables', 'agent', r.agent_id::text,
              jsonb_build_object('message_ids', to_jsonb(r.ids)), false, sqlerrm);
    end;
  end loop;
  return null;
end
$$;

create or replace function private.run_keyword_automations()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  r record;
  a public.automations;
  reply uuid;
begin
  for r in
    -- The best match per message: highest priority, then the oldest.
    select i.id as message_id, i.conversation_id, x.id as automation_id
      from (select i.id, i.conversation_id, i.workspace_id, i.channel_id, i.content,
                   (select c.type from public.conversations c where c.id = i.conversation_id) as chat_type
              from inserted i
             where i.direction = 'inbound' and i.content is not null and i.type in ('text', 'button', 'interactive')) i
      cross join lateral (
        select x.id from public.automations x
         where x.workspace_id = i.workspace_id and x.type = 'keyword_reply' and x.is_active
           and (x.channel_id is null or x.channel_id = i.channel_id)
           and (i.chat_type = 'individual' or coalesce((x.trigger_conditions ->> 'include_groups')::boolean, false))
           and exists (select 1 from jsonb_array_elements_text(x.trigger_conditions -> 'keywords') k
                        where case coalesce(x.trigger_conditions ->> 'match', 'contains')
                                when 'exact' then lower(btrim(i.content)) = lower(btrim(k))
                                when 'contains' then strpos(lower(i.content), lower(k)) > 0
                                else i.content ~* k end)
         order by x.priority desc, x.created_at
         limit 1) x
     order by i.id
  loop
    select * into a from public.automations x where x.id = r.automation_id;
    if exists (select 1 from public.automation_runs ar
                where ar.conversation_id = r.conversation_id and ar.automation_id = a.id and ar.status = 'succeeded'
                  and ar.created_at > now() - make_interval(secs => coalesce((a.trigger_conditions ->> 'cooldown_seconds')::numeric, 60))) then
      perform private.log_automation_run(a, r.conversation_id, r.message_id, null, 'skipped', 'cooldown: replied to this conversation moments ago');
      continue;
    end if;
    begin
      reply := private.automation_reply(a, r.conversation_id);
      perform private.log_automation_run(a, r.conversation_id, r.message_id, reply, 'succeeded', null);
    exception when others then
      perform private.log_automation_run(a, r.conversation_id, r.message_id, null, 'failed', sqlerrm);
    end;
  end loop;
  return null;
end
$$;
