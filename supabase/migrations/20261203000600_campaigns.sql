-- Module: campaigns
--
-- One message to many recipients. Starting a campaign expands its
-- recipients in one statement into campaign_messages (opted-in, not blocked,
-- one per address, this workspace only). Messages are then fed to the
-- outbox a few seconds' worth at a time (private.feed_campaigns, called by
-- the dispatcher and the tick), so a 100,000-recipient start is quick, a
-- pause takes effect at once and the outbox stays small. Recipient statuses
-- follow their message; the campaign's counters are folded from them in
-- batches, never by each status update locking the campaign row.

-- ==========================================================================
-- Types
-- ==========================================================================

create type public.campaign_status as enum ('draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled', 'failed');
create type public.campaign_target as enum ('all_contacts', 'selected_contacts', 'groups', 'labels');
create type public.campaign_recipient_status as enum ('queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'skipped');

-- ==========================================================================
-- Tables
-- ==========================================================================

create table public.campaigns (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  channel_id uuid not null,
  name text not null check (char_length(name) between 1 and 200),
  description text,
  template_id uuid references public.message_templates (id) on delete set null,
  template_params jsonb,
  message_content text check (char_length(message_content) <= 4096),
  media_url text check (media_url ~ '^https?://'),
  media_type public.message_type check (media_type in ('image', 'video', 'audio', 'document')),
  target_type public.campaign_target not null default 'all_contacts',
  target_criteria jsonb not null default '{}'::jsonb check (jsonb_typeof(target_criteria) = 'object'),
  status public.campaign_status not null default 'draft',
  scheduled_at timestamptz,
  started_at timestamptz,
  paused_at timestamptz,
  completed_at timestamptz,
  cancelled_at timestamptz,
  total_recipients integer not null default 0,
  sent_count integer not null default 0,
  delivered_count integer not null default 0,
  read_count integer not null default 0,
  failed_count integer not null default 0,
  skipped_count integer not null default 0,
  counted_at timestamptz,
  last_error text,
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (template_id is not null or message_content is not null or media_url is not null),
  check ((media_url is null) = (media_type is null)),
  foreign key (channel_id, workspace_id) references public.channels (id, workspace_id) on delete cascade
);
comment on table public.campaigns is 'Bulk sends: a template (any time) or free content (only inside each recipient''s 24-hour window on Cloud API) to all contacts, selected contacts, labels/tags or groups.';
comment on column public.campaigns.template_params is 'Template parameters for every recipient; the text {{contact.name}}, {{contact.first_name}} or {{contact.phone}} inside a value is replaced per recipient.';
comment on column public.campaigns.target_criteria is '{"contact_ids": [...]} for selected_contacts, {"labels": [...], "tags": [...]} for labels (any match), {"group_ids": [...]} for groups.';
comment on column public.campaigns.sent_count is 'Recipients whose message reached at least sent (delivered and read included); folded from campaign_messages by the dispatcher and the tick. campaign_progress has the live figures.';

create table public.campaign_messages (
  id bigint generated always as identity primary key,
  campaign_id uuid not null references public.campaigns (id) on delete cascade,
  -- The campaign's (no foreign key of its own: the campaign's cascade
  -- covers it, and 100,000-row expansions skip a check per row).
  workspace_id uuid not null,
  contact_id uuid references public.contacts (id) on delete cascade,
  group_id uuid references public.whatsapp_groups (id) on delete cascade,
  chat_id text not null,
  conversation_id uuid references public.conversations (id) on delete set null,
  message_id uuid unique references public.messages (id) on delete set null,
  status public.campaign_recipient_status not null default 'queued',
  error text,
  sent_at timestamptz,
  delivered_at timestamptz,
  read_at timestamptz,
  failed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- One message per address: contacts are unique per phone in a workspace,
  -- so this also deduplicates contacts.
  unique (campaign_id, chat_id)
);
comment on table public.campaign_messages is 'One row per campaign recipient: the address, the message sent and its status (following the message''s delivery status).';
alter table public.messages add constraint messages_campaign_id_fkey
  foreign key (campaign_id) references public.campaigns (id) on delete set null;

create view public.campaign_progress with (security_invoker = true) as
  select cm.campaign_id,
         count(*)::integer as total,
         count(*) filter (where cm.status = 'queued')::integer as queued,
         count(*) filter (where cm.status = 'sending')::integer as sending,
         count(*) filter (where cm.status in ('sent', 'delivered', 'read'))::integer as sent,
         count(*) filter (where cm.status in ('delivered', 'read'))::integer as delivered,
         count(*) filter (where cm.status = 'read')::integer as read,
         count(*) filter (where cm.status = 'failed')::integer as failed,
         count(*) filter (where cm.status = 'skipped')::integer as skipped
    from public.campaign_messages cm
   group by cm.campaign_id;
comment on view public.campaign_progress is 'Live per-campaign figures from campaign_messages (the campaigns row holds the last folded copy).';

-- ==========================================================================
-- Indexes
-- ==========================================================================

create index campaigns_channel_idx on public.campaigns (channel_id, workspace_id);
create index campaigns_workspace_idx on public.campaigns (workspace_id, created_at desc);
create index campaigns_template_id_idx on public.campaigns (template_id) where template_id is not null;
create index campaigns_created_by_idx on public.campaigns (created_by) where created_by is not null;
create index campaigns_due_idx on public.campaigns (scheduled_at) where status = 'scheduled';
create index campaigns_active_idx on public.campaigns (started_at) where status = 'running';
-- A member's read of the workspace's recipients without naming the campaign.
create index campaign_messages_workspace_idx on public.campaign_messages (workspace_id, campaign_id);
create index campaign_messages_queued_idx on public.campaign_messages (campaign_id, id) where status = 'queued';
create index campaign_messages_contact_id_idx on public.campaign_messages (contact_id) where contact_id is not null;
create index campaign_messages_group_id_idx on public.campaign_messages (group_id) where group_id is not null;
create index campaign_messages_conversation_id_idx on public.campaign_messages (conversation_id) where conversation_id is not null;
create index messages_campaign_id_idx on public.messages (campaign_id) where campaign_id is not null;

-- ==========================================================================
-- Functions
-- ==========================================================================

-- Rules ---------------------------------------------------------------------------------

-- Content can change only while a campaign is a draft (or scheduled); its
-- channel's template, its content's shape.
create function private.check_campaign()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  tpl public.message_templates;
begin
  if tg_op = 'INSERT' then
    perform private.require_writer(new.workspace_id, 'member', 'campaigns');
  end if;
  if tg_op = 'UPDATE' and old.status not in ('draft', 'scheduled')
     and (new.channel_id, new.template_id, new.template_params, new.message_content, new.media_url, new.target_type, new.target_criteria)
         is distinct from (old.channel_id, old.template_id, old.template_params, old.message_content, old.media_url, old.target_type, old.target_criteria) then
    raise exception 'a % campaign cannot be edited', old.status using errcode = '55000';
  end if;
  if new.template_id is not null then
    -- Within the workspace: another's template on another's channel must
    -- not get as far as its parameters.
    select * into tpl from public.message_templates t where t.id = new.template_id and t.workspace_id = new.workspace_id;
    if not found or tpl.channel_id <> new.channel_id then
      raise exception 'the template must belong to the campaign''s channel' using errcode = '22023';
    end if;
    perform private.check_template_params(tpl.components, private.campaign_params_for(new.template_params, 'Ana Example', '5511900000000'));
  end if;
  if new.target_type = 'selected_contacts' and jsonb_typeof(new.target_criteria -> 'contact_ids') is distinct from 'array' then
    raise exception 'selected_contacts campaigns need target_criteria {"contact_ids": [...]}' using errcode = '22023';
  end if;
  if new.target_type = 'labels' and jsonb_typeof(new.target_criteria -> 'labels') is distinct from 'array'
     and jsonb_typeof(new.target_criteria -> 'tags') is distinct from 'array' then
    raise exception 'labels campaigns need target_criteria {"labels": [...]} or {"tags": [...]}' using errcode = '22023';
  end if;
  if new.target_type = 'groups' and jsonb_typeof(new.target_criteria -> 'group_ids') is distinct from 'array' then
    raise exception 'groups campaigns need target_criteria {"group_ids": [...]}' using errcode = '22023';
  end if;
  return new;
end
$$;

-- Per-recipient text: {{contact.name}}, {{contact.first_name}} and
-- {{contact.phone}} replaced by the recipient's, with whitespace runs
-- folded to one space (Meta refuses new lines and tabs in parameters).
create function private.personalize(t text, contact_name text, phone text)
returns text
language sql immutable set search_path = ''
as $$
  select replace(replace(replace(t,
    '{{contact.name}}', coalesce(nullif(btrim(regexp_replace(contact_name, '\s+', ' ', 'g')), ''), 'there')),
    '{{contact.first_name}}', coalesce(nullif(split_part(btrim(regexp_replace(contact_name, '\s+', ' ', 'g')), ' ', 1), ''), 'there')),
    '{{contact.phone}}', coalesce(phone, ''))
$$;

-- The same inside JSON (template parameters): names are JSON-escaped.
create function private.campaign_params_for(params jsonb, contact_name text, phone text)
returns jsonb
language sql immutable set search_path = ''
as $$
  select private.personalize(params::text, btrim(to_json(regexp_replace(coalesce(contact_name, ''), '\s+', ' ', 'g'))::text, '"'),
                             phone)::jsonb
$$;

-- A recipient follows its message's delivery status (only this row is locked).
create function private.follow_campaign_message()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.campaign_messages cm set
    status = case new.status when 'pending' then 'sending' when 'sent' then 'sent' when 'delivered' then 'delivered'
                             when 'read' then 'read' when 'played' then 'read' when 'failed' then 'failed'
                             else cm.status end::public.campaign_recipient_status,
    sent_at = coalesce(cm.sent_at, new.sent_at),
    delivered_at = coalesce(cm.delivered_at, new.delivered_at),
    read_at = coalesce(cm.read_at, new.read_at),
    failed_at = coalesce(cm.failed_at, new.failed_at),
    error = case when new.status = 'failed' then new.error_message else cm.error end
  where cm.message_id = new.id;
  return null;
end
$$;

-- Folds recipients' statuses into the campaign's counters, and completes a
-- running campaign whose every recipient is final.
create function private.fold_campaign(p_campaign uuid)
returns public.campaign_status
language plpgsql security definer set search_path = ''
as $$
declare
  p record;
  st public.campaign_status;
begin
  select * into p from public.campaign_progress x where x.campaign_id = p_campaign;
  update public.campaigns c set
    total_recipients = coalesce(p.total, 0), sent_count = coalesce(p.sent, 0), delivered_count = coalesce(p.delivered, 0),
    read_count = coalesce(p.read, 0), failed_count = coalesce(p.failed, 0), skipped_count = coalesce(p.skipped, 0),
    counted_at = now(),
    status = case when c.status = 'running' and coalesce(p.queued, 0) + coalesce(p.sending, 0) = 0
                  then (case when coalesce(p.total, 0) > 0 and p.failed = p.total then 'failed' else 'completed' end)::public.campaign_status
                  else c.status end,
    completed_at = case when c.status = 'running' and coalesce(p.queued, 0) + coalesce(p.sending, 0) = 0 then now() else c.completed_at end,
    last_error = case when c.status = 'running' and coalesce(p.total, 0) > 0 and p.failed = p.total
                      then 'every recipient failed' else c.last_error end
  where c.id = p_campaign
  returning c.status into st;
  return st;
end
$$;

-- Feeding ---------------------------------------------------------------------------------

-- Turns the next queued recipients of running campaigns into messages (and
-- so outbox rows), keeping about p_seconds of sending per channel queued.
-- Opt-outs, blocks and closed windows since the start are checked again
-- here: such recipients are skipped, not sent.
--
-- Every lookup is driven by the chunk's ids, one index probe per
-- recipient, in forms the planner cannot flatten into joins (scalar
-- subqueries, LIMIT 1 laterals). As joins, on a young database whose
-- statistics said "a handful of conversations", they ran inside out: every
-- conversation of the channel walked for each chunk, single inserts of
-- 5,000 messages taking up to 5 s, each feed slower than the last and
-- bench:campaign at half the channel's rate. Chunk lookups also name the
-- campaign: given only "id = any(ids) and status = 'queued'", the planner
-- could walk the whole partial queued index (campaign_id, id) for each id
-- (2.7 s per chunk in a 100,000 recipient run). A campaign with nothing
-- left to feed is folded on every feed, so it completes right after its
-- last send rather than at the next tick.
create function private.feed_campaigns(p_seconds integer default 5)
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
    -- A channel deactivated mid-run: the campaign pauses (what was fed and
    -- not yet claimed goes back to the queue) and says why.
    if not ch.is_active then
      perform private.unfeed_campaign(c.id, 'queued', null);
      update public.campaigns x set status = 'paused', paused_at = now(),
             last_error = 'paused: the channel "' || ch.name || '" is inactive; resume once it is active again'
       where x.id = c.id;
      continue;
    end if;
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
      -- What advance_conversations does for inserted messages, for the chunk at once.
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

-- RPCs ---------------------------------------------------------------------------------------
create function private.campaign_for_update(p_campaign uuid)
returns public.campaigns
language plpgsql security definer set search_path = ''
as $$
declare
  c public.campaigns;
begin
  -- Who may act is settled before the campaign is locked.
  if (select auth.uid()) is not null
     and not private.has_workspace_role((select x.workspace_id from public.campaigns x where x.id = p_campaign), 'viewer') then
    raise exception 'campaign not found' using errcode = 'P0002';
  end if;
  select * into c from public.campaigns x where x.id = p_campaign for update;
  if not found then
    raise exception 'campaign not found' using errcode = 'P0002';
  end if;
  if (select auth.uid()) is not null then
    perform private.require_role(c.workspace_id, 'member');
  end if;
  return c;
end
$$;

create function private.wrong_state(c public.campaigns, action text, allowed text)
returns void
language plpgsql set search_path = ''
as $$
begin
  raise exception 'campaign "%" is %: only % campaigns can be %', c.name, c.status, allowed, action using errcode = '55000';
end
$$;

-- Expands the recipients in one statement, then feeds the first of them.
create function private.start_campaign(p_campaign uuid)
returns public.campaigns
language plpgsql security definer set search_path = ''
as $$
declare
  c public.campaigns := private.campaign_for_update(p_campaign);
  ch public.channels;
  tpl public.message_templates;
  suffix text;
begin
  if c.status not in ('draft', 'scheduled') then
    perform private.wrong_state(c, 'started', 'draft or scheduled');
  end if;
  select * into ch from public.channels where id = c.channel_id;
  if ch.provider is null or not ch.is_active then
    raise exception 'the campaign''s channel cannot send' using errcode = '55000';
  end if;
  if c.template_id is not null then
    select * into tpl from public.message_templates t where t.id = c.template_id;
    if tpl.status <> 'APPROVED' then
      raise exception 'template "%" is %, only approved templates can be sent', tpl.name, tpl.status using errcode = '55000';
    end if;
  elsif ch.provider = 'cloud_api' and c.target_type <> 'groups' then
    null;  -- free content reaches only recipients inside their window; the others are skipped when fed
  end if;
  if c.target_type = 'groups' and ch.provider = 'cloud_api' then
    raise exception 'Cloud API channels cannot send to groups' using errcode = '55000';
  end if;
  suffix := case when ch.provider = 'cloud_api' then '' else '@s.whatsapp.net' end;

  if c.target_type = 'groups' then
    insert into public.campaign_messages (campaign_id, workspace_id, group_id, chat_id)
    select c.id, c.workspace_id, g.id, g.group_jid
      from public.whatsapp_groups g
     where g.workspace_id = c.workspace_id and g.channel_id = c.channel_id
       and g.id in (select (x #>> '{}')::uuid from jsonb_array_elements(c.target_criteria -> 'group_ids') x)
    on conflict (campaign_id, chat_id) do nothing;
  else
    insert into public.campaign_messages (campaign_id, workspace_id, contact_id, chat_id)
    select c.id, c.workspace_id, ct.id, ct.phone || suffix
      from public.contacts ct
     where ct.workspace_id = c.workspace_id and ct.opted_in and ct.phone is not null
       and case c.target_type
             when 'selected_contacts' then ct.id in (select (x #>> '{}')::uuid from jsonb_array_elements(c.target_criteria -> 'contact_ids') x)
             when 'labels' then ct.labels && array(select jsonb_array_elements_text(coalesce(c.target_criteria -> 'labels', '[]')))
                             or ct.tags && array(select jsonb_array_elements_text(coalesce(c.target_criteria -> 'tags', '[]')))
             else true
           end
       and not exists (select 1 from public.contact_identities i
                        where i.channel_id = c.channel_id and i.workspace_id = c.workspace_id
                          and i.external_id = ct.phone || suffix and i.is_blocked)
    on conflict (campaign_id, chat_id) do nothing;
  end if;

  update public.campaigns x set status = 'running', started_at = now(), scheduled_at = coalesce(x.scheduled_at, now())
   where x.id = c.id returning * into c;
  perform private.fold_campaign(c.id);
  -- The dispatcher feeds the first recipients as soon as it is poked.
  perform private.call_function('dispatch', '{}'::jsonb);
  select * into c from public.campaigns x where x.id = p_campaign;
  return c;
end
$$;

-- Messages fed but not yet claimed by a dispatcher go back to the queue.
create function private.unfeed_campaign(p_campaign uuid, p_to public.campaign_recipient_status, p_error text)
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  n integer;
begin
  with pulled as (
    delete from private.outbox o
     using public.messages m
     where m.id = o.message_id and m.campaign_id = p_campaign and o.claimed_by is null
    returning o.message_id
  ), reset as (
    update public.campaign_messages cm set status = p_to, message_id = null, error = p_error
      from pulled p where cm.message_id = p.message_id
    returning cm.message_id
  )
  delete from public.messages m using pulled p where m.id = p.message_id;
  get diagnostics n = row_count;
  if p_to = 'skipped' then
    update public.campaign_messages cm set status = 'skipped', error = p_error
     where cm.campaign_id = p_campaign and cm.status = 'queued';
  end if;
  return n;
end
$$;

create function private.schedule_campaign(p_campaign uuid, p_at timestamptz)
returns public.campaigns
language plpgsql security definer set search_path = ''
as $$
declare
  c public.campaigns := private.campaign_for_update(p_campaign);
begin
  if c.status not in ('draft', 'scheduled') then
    perform private.wrong_state(c, 'scheduled', 'draft or scheduled');
  end if;
  if p_at is null or p_at <= now() then
    raise exception 'schedule a campaign for a time in the future (or start it now)' using errcode = '22023';
  end if;
  update public.campaigns x set status = 'scheduled', scheduled_at = p_at where x.id = c.id returning * into c;
  return c;
end
$$;

create function private.pause_campaign(p_campaign uuid)
returns public.campaigns
language plpgsql security definer set search_path = ''
as $$
declare
  c public.campaigns := private.campaign_for_update(p_campaign);
begin
  if c.status <> 'running' then
    perform private.wrong_state(c, 'paused', 'running');
  end if;
  perform private.unfeed_campaign(c.id, 'queued', null);
  update public.campaigns x set status = 'paused', paused_at = now() where x.id = c.id returning * into c;
  return c;
end
$$;

create function private.resume_campaign(p_campaign uuid)
returns public.campaigns
language plpgsql security definer set search_path = ''
as $$
declare
  c public.campaigns := private.campaign_for_update(p_campaign);
begin
  if c.status <> 'paused' then
    perform private.wrong_state(c, 'resumed', 'paused');
  end if;
  if not (select x.is_active from public.channels x where x.id = c.channel_id) then
    raise exception 'the campaign''s channel is inactive' using errcode = '55000';
  end if;
  update public.campaigns x set status = 'running', paused_at = null, last_error = null where x.id = c.id;
  perform private.call_function('dispatch', '{}'::jsonb);
  select * into c from public.campaigns x where x.id = p_campaign;
  return c;
end
$$;

create function private.cancel_campaign(p_campaign uuid)
returns public.campaigns
language plpgsql security definer set search_path = ''
as $$
declare
  c public.campaigns := private.campaign_for_update(p_campaign);
begin
  if c.status not in ('draft', 'scheduled', 'running', 'paused') then
    perform private.wrong_state(c, 'cancelled', 'draft, scheduled, running or paused');
  end if;
  perform private.unfeed_campaign(c.id, 'skipped', 'campaign cancelled');
  update public.campaigns x set status = 'cancelled', cancelled_at = now() where x.id = c.id;
  perform private.fold_campaign(c.id);
  select * into c from public.campaigns x where x.id = p_campaign;
  return c;
end
$$;

create function public.start_campaign(campaign_id uuid) returns public.campaigns
language sql security invoker set search_path = '' as $$ select private.start_campaign(campaign_id) $$;

create function public.schedule_campaign(campaign_id uuid, scheduled_at timestamptz) returns public.campaigns
language sql security invoker set search_path = '' as $$ select private.schedule_campaign(campaign_id, scheduled_at) $$;

create function public.pause_campaign(campaign_id uuid) returns public.campaigns
language sql security invoker set search_path = '' as $$ select private.pause_campaign(campaign_id) $$;

create function public.resume_campaign(campaign_id uuid) returns public.campaigns
language sql security invoker set search_path = '' as $$ select private.resume_campaign(campaign_id) $$;

create function public.cancel_campaign(campaign_id uuid) returns public.campaigns
language sql security invoker set search_path = '' as $$ select private.cancel_campaign(campaign_id) $$;
comment on function public.start_campaign(uuid) is 'Starts a draft or scheduled campaign now: expands its recipients and begins sending (members).';
comment on function public.schedule_campaign(uuid, timestamptz) is 'Schedules a draft campaign; the minute tick starts it when due (members).';
comment on function public.pause_campaign(uuid) is 'Pauses a running campaign: nothing more is sent until it is resumed (members).';
comment on function public.resume_campaign(uuid) is 'Resumes a paused campaign where it stopped (members).';
comment on function public.cancel_campaign(uuid) is 'Cancels a campaign; recipients not yet sent to are skipped (members).';

-- Campaigns due to start, for the tick.
create function private.start_due_campaigns()
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  due uuid;
  n integer := 0;
begin
  for due in select c.id from public.campaigns c where c.status = 'scheduled' and c.scheduled_at <= now()
              order by c.scheduled_at for update skip locked
  loop
    begin
      perform private.start_campaign(due);
      n := n + 1;
    exception when others then
      update public.campaigns c set status = 'failed', last_error = sqlerrm where c.id = due;
    end;
  end loop;
  return n;
end
$$;

-- Counters of campaigns that are running or recently finished (statuses
-- keep arriving for a while after the last send). The tick never waits for
-- a campaign a dispatcher is feeding (that feed folds it itself): waiting
-- held the tick, and the row lock it then took made the next feeds skip the
-- campaign, so sending stalled for seconds in the middle of a run.
create function private.fold_active_campaigns()
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

-- ==========================================================================
-- Access
-- ==========================================================================

alter table public.campaigns enable row level security;

alter table public.campaign_messages enable row level security;
revoke all on public.campaigns, public.campaign_messages, public.campaign_progress from anon, authenticated;
grant select, delete on public.campaigns to authenticated;

grant insert (id, workspace_id, channel_id, name, description, template_id, template_params, message_content, media_url,
  media_type, target_type, target_criteria) on public.campaigns to authenticated;

grant update (channel_id, name, description, template_id, template_params, message_content, media_url, media_type,
  target_type, target_criteria) on public.campaigns to authenticated;

grant select on public.campaign_messages, public.campaign_progress to authenticated;

-- A caller's workspaces are a small part of a shared table (see identity).
alter table public.campaigns alter column workspace_id set (n_distinct = 500);
alter table public.campaign_messages alter column workspace_id set (n_distinct = 500);

create policy campaigns_select on public.campaigns for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));

create policy campaigns_insert on public.campaigns for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));

create policy campaigns_update on public.campaigns for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('member'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));

create policy campaigns_delete on public.campaigns for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))) and status not in ('running', 'paused'));

create policy campaign_messages_select on public.campaign_messages for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));

-- ==========================================================================
-- Triggers
-- ==========================================================================

create trigger set_updated_at before update on public.campaigns for each row execute function private.set_updated_at();
create trigger set_updated_at before update on public.campaign_messages for each row execute function private.set_updated_at();

create trigger audit after insert or update of name, status, template_id, message_content, target_type, target_criteria, scheduled_at
  or delete on public.campaigns for each row execute function private.audit_change('campaign');

create trigger check_campaign before insert or update on public.campaigns
  for each row execute function private.check_campaign();

create trigger follow_campaign_message after update of status, sent_at, delivered_at, read_at, failed_at on public.messages
  for each row when (new.campaign_id is not null
                     and (new.status, new.sent_at, new.delivered_at, new.read_at, new.failed_at)
                         is distinct from (old.status, old.sent_at, old.delivered_at, old.read_at, old.failed_at))
  execute function private.follow_campaign_message();

-- ==========================================================================
-- Grants
-- ==========================================================================

revoke all on function private.check_campaign(), private.campaign_params_for(jsonb, text, text), private.personalize(text, text, text),
  private.follow_campaign_message(), private.fold_campaign(uuid), private.feed_campaigns(integer),
  private.campaign_for_update(uuid), private.wrong_state(public.campaigns, text, text), private.start_campaign(uuid),
  private.unfeed_campaign(uuid, public.campaign_recipient_status, text), private.schedule_campaign(uuid, timestamptz),
  private.pause_campaign(uuid), private.resume_campaign(uuid), private.cancel_campaign(uuid),
  private.start_due_campaigns(), private.fold_active_campaigns() from public;

revoke all on function public.start_campaign(uuid), public.schedule_campaign(uuid, timestamptz), public.pause_campaign(uuid),
  public.resume_campaign(uuid), public.cancel_campaign(uuid) from public, anon;

grant execute on function public.start_campaign(uuid), public.schedule_campaign(uuid, timestamptz), public.pause_campaign(uuid),
  public.resume_campaign(uuid), public.cancel_campaign(uuid) to authenticated, service_role;

grant execute on function private.start_campaign(uuid), private.schedule_campaign(uuid, timestamptz), private.pause_campaign(uuid),
  private.resume_campaign(uuid), private.cancel_campaign(uuid) to authenticated, service_role;

grant execute on function private.feed_campaigns(integer) to service_role;

-- ==========================================================================
-- Tick steps
-- ==========================================================================

insert into private.tick_steps (name, fn, position) values
  ('started_campaigns', 'private.start_due_campaigns', 60),
  ('fed_campaign_messages', 'private.feed_campaigns', 70),
  ('folded_campaigns', 'private.fold_active_campaigns', 80);
