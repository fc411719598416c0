-- The feed's message insert looked each recipient's conversation up in a
-- lateral subquery that the planner flattened into a join. On a young
-- database (statistics: "one conversation on this channel") that join ran
-- with the channel's conversations as the outer side and the chunk inside:
-- auto_explain under bench:campaign showed single inserts of 5,000
-- messages taking up to 5 s, and the run went at 0.6 of the channel's rate.
-- A scalar subquery and LIMIT 1 laterals cannot be flattened, so the chunk
-- drives and every lookup is one probe.
--
-- Chunk lookups name the campaign as well as the ids: given only
-- "id = any(ids) and status = 'queued'", the planner could pick the
-- partial queued index (campaign_id, id) without its leading column and
-- walk all of it for each id (2.7 s per chunk in a 100,000 recipient run).
--
-- And a campaign with nothing left to feed is folded on every feed: the
-- chunk's early exits used to skip the fold, so a finished campaign stayed
-- "running" until the minute tick (16 s after its last send in a 30,000
-- recipient bench:campaign run, up to a minute in general).
create or replace function private.feed_campaigns(p_seconds integer default 5)
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  c record;
  ch public.channels;
  tpl public.message_templates;
  backlog integer;
  want integer;
  fed integer := 0;
  ids bigint[];
  mids uuid[];
  params jsonb;
  body text;
begin
  for c in select x.* from public.campaigns x where x.status = 'running' order by x.started_at for update of x skip locked loop
    select * into ch from public.channels where id = c.channel_id;
    select count(*) into backlog from private.outbox o where o.channel_id = c.channel_id;
    want := least(5000, ceil(private.channel_rate(ch) * p_seconds)::integer) - backlog;
    <<chunk>>
    begin
    if want > 0 then
      tpl := null;
      params := null;
      body := c.message_content;
      if c.template_id is not null then
        select * into tpl from public.message_templates t where t.id = c.template_id;
        -- Checked once: personalizing only replaces tokens inside values.
        params := private.check_template_params(tpl.components, c.template_params);
        body := private.render_template(tpl.components, params);
      end if;
      -- Statements below are driven by these ids (primary key lookups):
      -- joins between large CTEs would be planned blind.
      select array_agg(x.id order by x.id) into ids
        from (select cm.id from public.campaign_messages cm
               where cm.campaign_id = c.id and cm.status = 'queued'
               order by cm.id limit want for update skip locked) x;
      exit chunk when ids is null;

      update public.campaign_messages cm set status = 'skipped', error = r.reason
        from (select k.id,
                     case
                       when ct.id is not null and not ct.opted_in then 'the contact opted out'
                       when exists (select 1 from public.contact_identities i
                                     where i.channel_id = ch.id and i.workspace_id = ch.workspace_id
                                       and i.external_id = k.chat_id and i.is_blocked) then 'the contact is blocked on this channel'
                       when c.template_id is not null and tpl.status is distinct from 'APPROVED' then 'the template is not approved'
                       when c.template_id is null and ch.provider = 'cloud_api' and not exists (
                              select 1 from public.conversations v where v.channel_id = ch.id and v.workspace_id = ch.workspace_id
                                 and v.chat_id = k.chat_id and v.window_expires_at > now())
                         then 'outside the 24-hour window (only template campaigns reach them)'
                     end as reason
                from public.campaign_messages k left join public.contacts ct on ct.id = k.contact_id
               where k.id = any (ids)) r
       where cm.id = r.id and r.reason is not null;

      insert into public.conversations (workspace_id, channel_id, chat_id, contact_id, group_id, type)
      select ch.workspace_id, ch.id, k.chat_id, k.contact_id, k.group_id,
             case when k.group_id is not null then 'group' else 'individual' end::public.conversation_type
        from public.campaign_messages k
       where k.campaign_id = c.id and k.id = any (ids) and k.status = 'queued'
      on conflict (channel_id, workspace_id, chat_id) do nothing;

      select array_agg(k.id order by k.id), array_agg(private.uuid7() order by k.id) into ids, mids
        from public.campaign_messages k where k.campaign_id = c.id and k.id = any (ids) and k.status = 'queued';
      exit chunk when ids is null;

      insert into public.messages (id, workspace_id, channel_id, conversation_id, contact_id, direction, type, content,
                                   media_url, template_id, template_params, campaign_id, status, recipient_identifier,
                                   remote_jid, sender_identifier, created_by)
      select u.mid, ch.workspace_id, ch.id,
             (select x.id from public.conversations x
               where x.channel_id = ch.id and x.workspace_id = ch.workspace_id and x.chat_id = k.chat_id),
             k.contact_id, 'outbound',
             case when c.template_id is not null then 'template' else coalesce(c.media_type, 'text') end::public.message_type,
             private.personalize(body, ct.name, ct.phone),
             c.media_url, c.template_id, private.campaign_params_for(params, ct.name, ct.phone), c.id, 'pending', k.chat_id, k.chat_id,
             coalesce(ch.phone_number, ch.instance_name, ch.device_id), c.created_by
        from unnest(ids, mids) as u(cid, mid)
        -- Probes that cannot be flattened into joins: one index lookup per
        -- recipient, driven by the chunk, whatever the statistics say.
        cross join lateral (select k.contact_id, k.chat_id from public.campaign_messages k where k.id = u.cid limit 1) k
        left join lateral (select ct.name, ct.phone from public.contacts ct where ct.id = k.contact_id limit 1) ct on true;

      update public.campaign_messages cm set status = 'sending', message_id = u.mid, conversation_id = m.conversation_id
        from unnest(ids, mids) as u(cid, mid) join public.messages m on m.id = u.mid
       where cm.id = u.cid;
      -- What on_message_recorded does for one message, for the chunk at once.
      update public.conversations v
         set last_message_id = m.id, last_message_at = m.created_at, last_message_preview = left(m.content, 140),
             last_message_direction = 'outbound'
        from unnest(mids) as u(mid) join public.messages m on m.id = u.mid
       where v.id = m.conversation_id and (v.last_message_at is null or v.last_message_at <= m.created_at);
      update public.contacts ct set last_message_at = now()
        from unnest(mids) as u(mid) join public.messages m on m.id = u.mid
       where ct.id = m.contact_id and (ct.last_message_at is null or ct.last_message_at < now());
      fed := fed + cardinality(ids);
    end if;
    end;
    if not exists (select 1 from public.campaign_messages cm where cm.campaign_id = c.id and cm.status = 'queued') then
      perform private.fold_campaign(c.id);
    end if;
  end loop;
  return fed;
end
$$;

-- The tick's fold never waits for a campaign a dispatcher is feeding (that
-- feed folds it itself): waiting held the tick, and the row lock it then
-- took made the next feeds skip the campaign, so sending stalled for
-- seconds in the middle of a run.
create or replace function private.fold_active_campaigns()
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  cid uuid;
  n integer := 0;
begin
  for cid in select c.id from public.campaigns c
             where c.status = 'running'
                or (c.status in ('completed', 'cancelled', 'failed', 'paused') and coalesce(c.completed_at, c.cancelled_at, c.paused_at, c.updated_at) > now() - interval '3 days')
             for update skip locked
  loop
    perform private.fold_campaign(cid);
    n := n + 1;
  end loop;
  return n;
end
$$;
