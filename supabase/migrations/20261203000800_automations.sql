-- Module: automations
--
-- Keyword replies to inbound messages, round-robin assignment of new
-- conversations, follow-ups when a customer goes quiet, and messages on a
-- cron schedule. Every run is logged (automation_runs), assignments
-- included, and counted; a run that fails is logged and never aborts what
-- triggered it, and an automation that fails five times in a row is
-- switched off and its author told. Replies are outbound messages, which no
-- automation answers, and a keyword reply waits out a cooldown per
-- conversation, so two bots cannot keep each other talking.
--
-- Keyword replies and assignment run as statement triggers over the
-- inserted rows (a webhook batch inserts its messages and conversations
-- with one statement each). They look their neighbours up by key, one
-- probe per inserted row, never by joining: trigger plans are cached per
-- session from the statistics of the moment, and on a young database
-- ("conversations holds a row or two") a join became a walk over every
-- conversation for each batch.

-- ==========================================================================
-- Types
-- ==========================================================================

create type public.automation_type as enum ('keyword_reply', 'scheduled_message', 'auto_assign', 'follow_up');
create type public.automation_run_status as enum ('succeeded', 'failed', 'skipped');

-- ==========================================================================
-- Tables
-- ==========================================================================

create table public.automations (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  channel_id uuid references public.channels (id) on delete cascade,
  name text not null check (char_length(name) between 1 and 200),
  description text,
  type public.automation_type not null,
  trigger_conditions jsonb not null default '{}'::jsonb check (jsonb_typeof(trigger_conditions) = 'object'),
  actions jsonb not null default '{}'::jsonb check (jsonb_typeof(actions) = 'object'),
  priority integer not null default 0,
  is_active boolean not null default true,
  usage_count integer not null default 0,
  error_count integer not null default 0,
  last_run_at timestamptz,
  last_error text,
  state jsonb not null default '{}'::jsonb,
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.automations is 'Keyword replies, auto-assignment, follow-ups and scheduled messages, per workspace (optionally one channel).';
comment on column public.automations.trigger_conditions is 'keyword_reply: {"keywords": [...], "match": "exact"|"contains"|"regex", "include_groups": false, "cooldown_seconds": 60}; follow_up: {"after_hours": n}; scheduled_message: {"cron": "m h dom mon dow"} (UTC); auto_assign: {}.';
comment on column public.automations.actions is 'keyword_reply, follow_up: {"reply": {"text": ...} | {"template_name", "template_language", "template_params"}}; scheduled_message: {"reply": ..., "conversation_ids": [...]} or {"reply": ..., "labels": [...]}; auto_assign: {"members": [user ids]} (default: every active member).';
comment on column public.automations.error_count is 'Failures in a row; at 5 the automation is switched off and its author notified.';
comment on column public.automations.state is 'What the automation remembers between runs (auto_assign: the last assignee).';

create table public.automation_runs (
  id bigint generated always as identity primary key,
  automation_id uuid not null references public.automations (id) on delete cascade,
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  conversation_id uuid references public.conversations (id) on delete set null,
  message_id uuid references public.messages (id) on delete set null,
  reply_message_id uuid references public.messages (id) on delete set null,
  status public.automation_run_status not null,
  error text,
  created_at timestamptz not null default now()
);
comment on table public.automation_runs is 'Every run of every automation: what triggered it, what it sent, and whether it worked.';
alter table public.messages add constraint messages_automation_id_fkey
  foreign key (automation_id) references public.automations (id) on delete set null;

-- ==========================================================================
-- Indexes
-- ==========================================================================

create index automations_workspace_idx on public.automations (workspace_id, created_at desc);
create index automations_active_idx on public.automations (workspace_id, type, priority desc) where is_active;
create index automations_channel_id_idx on public.automations (channel_id) where channel_id is not null;
create index automations_created_by_idx on public.automations (created_by) where created_by is not null;
create index automation_runs_automation_idx on public.automation_runs (automation_id, created_at desc);
create index automation_runs_workspace_id_idx on public.automation_runs (workspace_id);
create index automation_runs_conversation_idx on public.automation_runs (conversation_id, automation_id, created_at desc) where conversation_id is not null;
create index automation_runs_message_id_idx on public.automation_runs (message_id) where message_id is not null;
create index automation_runs_reply_message_id_idx on public.automation_runs (reply_message_id) where reply_message_id is not null;
create index messages_automation_id_idx on public.messages (automation_id) where automation_id is not null;

-- ==========================================================================
-- Functions
-- ==========================================================================

-- Cron ----------------------------------------------------------------------------------

-- Does one cron field (*, */n, a, a-b, a-b/n, lists of those) match v?
create function private.cron_field_matches(field text, v integer, lo integer, hi integer)
returns boolean
language plpgsql immutable set search_path = ''
as $$
declare
  part text;
  m text[];
  a integer;
  b integer;
  step integer;
begin
  foreach part in array string_to_array(field, ',') loop
    m := regexp_match(part, '^(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?$');
    if m is null then
      raise exception 'bad cron field "%"', field using errcode = '22023';
    end if;
    a := case when m[1] = '*' then lo else m[2]::integer end;
    b := case when m[1] = '*' then hi when m[3] is not null then m[3]::integer
              when m[4] is not null then hi else a end;
    step := coalesce(m[4]::integer, 1);
    if a < lo or b > hi or a > b or step < 1 then
      raise exception 'cron field "%" is out of range %-%', field, lo, hi using errcode = '22023';
    end if;
    if v between a and b and (v - a) % step = 0 then
      return true;
    end if;
  end loop;
  return false;
end
$$;

-- Does a five-field cron expression (UTC) fire at this minute?
create function private.cron_matches(expr text, at timestamptz)
returns boolean
language plpgsql immutable set search_path = ''
as $$
declare
  f text[] := regexp_split_to_array(btrim(expr), '\s+');
  t timestamp := at at time zone 'UTC';
  dom_match boolean;
  dow_match boolean;
begin
  if cardinality(f) <> 5 then
    raise exception 'a cron schedule has five fields (minute hour day-of-month month day-of-week), got "%"', expr
      using errcode = '22023';
  end if;
  if not (private.cron_field_matches(f[1], extract(minute from t)::integer, 0, 59)
          and private.cron_field_matches(f[2], extract(hour from t)::integer, 0, 23)
          and private.cron_field_matches(f[4], extract(month from t)::integer, 1, 12)) then
    return false;
  end if;
  dom_match := private.cron_field_matches(f[3], extract(day from t)::integer, 1, 31);
  dow_match := private.cron_field_matches(replace(f[5], '7', '0'), extract(dow from t)::integer, 0, 6);
  -- As in cron: when both day fields are restricted, either may match.
  if f[3] <> '*' and f[5] <> '*' then
    return dom_match or dow_match;
  end if;
  return dom_match and dow_match;
end
$$;

-- Rules --------------------------------------------------------------------------------
create function private.check_reply_action(reply jsonb)
returns void
language plpgsql immutable set search_path = ''
as $$
begin
  if jsonb_typeof(reply) is distinct from 'object'
     or (coalesce(btrim(reply ->> 'text'), '') = '' and coalesce(reply ->> 'template_name', '') = '') then
    raise exception 'the action needs {"reply": {"text": ...}} or {"reply": {"template_name": ..., "template_params": ...}}'
      using errcode = '22023';
  end if;
end
$$;

create function private.check_automation()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  tc jsonb := new.trigger_conditions;
  kw text;
begin
  if tg_op = 'INSERT' then
    perform private.require_writer(new.workspace_id, 'admin', 'automations');
  end if;
  if new.channel_id is not null and not exists (
       select 1 from public.channels c where c.id = new.channel_id and c.workspace_id = new.workspace_id) then
    raise exception 'the channel is not in the automation''s workspace' using errcode = '22023';
  end if;
  case new.type
    when 'keyword_reply' then
      if jsonb_typeof(tc -> 'keywords') is distinct from 'array' or jsonb_array_length(tc -> 'keywords') = 0 then
        raise exception 'a keyword reply needs trigger_conditions {"keywords": [...]}' using errcode = '22023';
      end if;
      if coalesce(tc ->> 'match', 'contains') not in ('exact', 'contains', 'regex') then
        raise exception 'match is exact, contains or regex' using errcode = '22023';
      end if;
      for kw in select jsonb_array_elements_text(tc -> 'keywords') loop
        if btrim(kw) = '' then
          raise exception 'keywords cannot be empty' using errcode = '22023';
        end if;
        if tc ->> 'match' = 'regex' then
          begin
            perform '' ~* kw;
          exception when others then
            raise exception 'keyword % is not a valid regular expression: %', kw, sqlerrm using errcode = '22023';
          end;
        end if;
      end loop;
      perform private.check_reply_action(new.actions -> 'reply');
    when 'follow_up' then
      if jsonb_typeof(tc -> 'after_hours') is distinct from 'number' or (tc ->> 'after_hours')::numeric not between 0.01 and 720 then
        raise exception 'a follow-up needs trigger_conditions {"after_hours": n} (up to 720)' using errcode = '22023';
      end if;
      perform private.check_reply_action(new.actions -> 'reply');
    when 'scheduled_message' then
      if coalesce(tc ->> 'cron', '') = '' then
        raise exception 'a scheduled message needs trigger_conditions {"cron": "m h dom mon dow"}' using errcode = '22023';
      end if;
      perform private.cron_matches(tc ->> 'cron', now());
      perform private.check_reply_action(new.actions -> 'reply');
      if jsonb_typeof(new.actions -> 'conversation_ids') is distinct from 'array'
         and jsonb_typeof(new.actions -> 'labels') is distinct from 'array' then
        raise exception 'a scheduled message goes to {"conversation_ids": [...]} or {"labels": [...]}' using errcode = '22023';
      end if;
    when 'auto_assign' then
      if new.actions ? 'members' and jsonb_typeof(new.actions -> 'members') <> 'array' then
        raise exception 'auto_assign takes {"members": [user ids]} or nothing (every active member)' using errcode = '22023';
      end if;
  end case;
  if tg_op = 'UPDATE' and (new.is_active and not old.is_active) then
    new.error_count := 0;
  end if;
  return new;
end
$$;

-- Running ------------------------------------------------------------------------------

-- Sends an automation's reply in a conversation; the message goes through
-- the same checks as anyone's (window, opt-out, template approval).
create function private.automation_reply(a public.automations, p_conversation uuid)
returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  reply jsonb := a.actions -> 'reply';
  tpl uuid;
  mid uuid;
begin
  if reply ? 'template_name' then
    select t.id into tpl
      from public.message_templates t join public.conversations c on c.channel_id = t.channel_id
     where c.id = p_conversation and t.name = reply ->> 'template_name'
       and (reply ->> 'template_language' is null or t.language = reply ->> 'template_language')
     order by (t.status = 'APPROVED') desc limit 1;
    if tpl is null then
      raise exception 'no template "%" on this conversation''s channel', reply ->> 'template_name' using errcode = 'P0002';
    end if;
    insert into public.messages (conversation_id, direction, type, template_id, template_params, automation_id)
    values (p_conversation, 'outbound', 'template', tpl, reply -> 'template_params', a.id)
    returning id into mid;
  else
    insert into public.messages (conversation_id, direction, type, content, automation_id)
    values (p_conversation, 'outbound', 'text', reply ->> 'text', a.id)
    returning id into mid;
  end if;
  return mid;
end
$$;

-- Logs a run and keeps the automation's counters; five failures in a row
-- switch it off and tell its author.
create function private.log_automation_run(a public.automations, p_conversation uuid, p_message uuid, p_reply uuid,
                                           p_status public.automation_run_status, p_error text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  cur public.automations;
begin
  insert into public.automation_runs (automation_id, workspace_id, conversation_id, message_id, reply_message_id, status, error)
  values (a.id, a.workspace_id, p_conversation, p_message, p_reply, p_status, p_error);
  if p_status = 'skipped' then
    return;
  end if;
  select * into cur from public.automations x where x.id = a.id for update;
  update public.automations x set
    usage_count = x.usage_count + case when p_status = 'succeeded' then 1 else 0 end,
    error_count = case when p_status = 'failed' then x.error_count + 1 else 0 end,
    last_run_at = greatest(x.last_run_at, now()),
    last_error = case when p_status = 'failed' then p_error else x.last_error end,
    is_active = x.is_active and not (p_status = 'failed' and x.error_count + 1 >= 5)
  where x.id = a.id;
  if p_status = 'failed' and cur.is_active and cur.error_count + 1 >= 5 and a.created_by is not null then
    insert into public.notifications (user_id, workspace_id, type, title, body, action_url, reference_type, reference_id)
    values (a.created_by, a.workspace_id, 'automation_disabled', 'Automation switched off: ' || left(a.name, 80),
            'It failed 5 times in a row. Last error: ' || left(p_error, 300), '/automations/' || a.id, 'automation', a.id);
  end if;
end
$$;

-- One reply per inbound message: the highest-priority active keyword
-- automation that matches, case-insensitively. Never our own messages
-- (they are outbound), never a group's unless the automation asks. A
-- workspace without keyword replies costs one probe per batch.
create function private.run_keyword_automations()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  r record;
  a public.automations;
  reply uuid;
begin
  -- Most workspaces have no keyword replies: one probe per statement.
  if not exists (select 1 from public.automations x
                  where x.workspace_id in (select i.workspace_id from inserted i)
                    and x.type = 'keyword_reply' and x.is_active) then
    return null;
  end if;
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

-- Opt-out and opt-in ------------------------------------------------------------------

-- A keyword as compared: case, accents, spaces and punctuation left out, so
-- "Stop!", " stop " and "STOP PROMOTIONS" / "stop_promotions" match.
create function private.opt_keyword(t text)
returns text
language sql immutable set search_path = ''
as $$
  select nullif(regexp_replace(lower(translate(t, 'áàâãäåéèêëíìîïóòôõöúùûüçñÁÀÂÃÄÅÉÈÊËÍÌÎÏÓÒÔÕÖÚÙÛÜÇÑ', 'aaaaaaeeeeiiiiooooouuuucnAAAAAAEEEEIIIIOOOOOUUUUCN')), '[[:space:][:punct:]]+', '', 'g'), '')
$$;

-- A workspace's opt-out (kind 'keywords') or opt-in ('opt_in_keywords')
-- words from settings.opt_out, normalized; Meta's and the usual ones when
-- the workspace names none.
create function private.opt_words(cfg jsonb, kind text)
returns text[]
language sql immutable set search_path = ''
as $$
  select array(select private.opt_keyword(k)
                 from jsonb_array_elements_text(
                        case when jsonb_typeof(cfg -> kind) = 'array' then cfg -> kind
                             when kind = 'keywords' then '["STOP", "STOP PROMOTIONS", "UNSUBSCRIBE", "PARAR", "BAJA", "SAIR"]'
                             else '["START"]' end::jsonb) k
                where k is not null)
$$;

-- A customer who writes an opt-out keyword (the whole message) or taps an
-- opt-out quick reply (Cloud API "button" and "interactive" button replies,
-- Evolution's buttonsResponseMessage and templateButtonReplyMessage, by
-- their text or their id) is opted out of marketing, with the time, the
-- reason and the message; an opt-in keyword reverses it. The workspace's
-- settings.opt_out may name its own words and a confirmation reply
-- ({"keywords": [...], "opt_in_keywords": [...], "confirmation": "...",
-- "opt_in_confirmation": "...", "enabled": true}), which goes out through
-- the normal send path (the customer just wrote, so the window is open).
-- Only one-to-one chats count. A batch costs one pass over its rows; only
-- short texts and button replies are looked at.
create function private.apply_opt_outs()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  r record;
  reply text;
begin
  if not exists (select 1 from inserted i
                  where i.direction = 'inbound' and i.contact_id is not null
                    and i.type in ('text', 'button', 'interactive') and char_length(i.content) <= 64) then
    return null;
  end if;
  for r in
    with said as (
      select i.id, i.workspace_id, i.contact_id, i.conversation_id, i.type, i.content,
             coalesce(i.provider_timestamp, i.created_at) as ts,
             private.opt_keyword(i.content) as text_word,
             private.opt_keyword(case when i.type in ('button', 'interactive') then
               coalesce(i.payload #>> '{button,payload}', i.payload #>> '{interactive,button_reply,id}',
                        i.payload #>> '{message,buttonsResponseMessage,selectedButtonId}',
                        i.payload #>> '{message,templateButtonReplyMessage,selectedId}') end) as button_word,
             (select w.settings -> 'opt_out' from public.workspaces w where w.id = i.workspace_id) as cfg
        from inserted i
       where i.direction = 'inbound' and i.contact_id is not null
         and i.type in ('text', 'button', 'interactive') and char_length(i.content) <= 64
    ), words as materialized (
      -- Once per workspace of the batch, not per message: inlined, the
      -- word lists were rebuilt for every comparison (16 normalizations a
      -- message, a third of a 32-message batch's cost).
      select x.cfg, private.opt_words(x.cfg, 'keywords') as out_words, private.opt_words(x.cfg, 'opt_in_keywords') as in_words
        from (select distinct s.cfg from said s) x
       where coalesce((x.cfg ->> 'enabled')::boolean, true)
    ), matched as (
      select s.*,
             case when s.text_word = any (w.out_words) or s.button_word = any (w.out_words) then 'out'
                  when s.text_word = any (w.in_words) or s.button_word = any (w.in_words) then 'in'
             end as action
        from said s join words w on w.cfg is not distinct from s.cfg
    )
    -- A contact's last word in the batch decides.
    select distinct on (m.contact_id) m.*
      from matched m
     where m.action is not null
       and (select v.type from public.conversations v where v.id = m.conversation_id) = 'individual'
     order by m.contact_id, m.ts desc, m.id desc
  loop
    if r.action = 'out' then
      update public.contacts c
         set opted_in = false, opted_out_at = now(), opt_out_message_id = r.id,
             opt_out_reason = left(format('%s "%s"', case when r.type = 'text' then 'keyword' else 'button' end, r.content), 200)
       where c.id = r.contact_id and not (not c.opted_in and c.opted_out_at is not null);
      reply := r.cfg ->> 'confirmation';
    else
      update public.contacts c set opted_in = true where c.id = r.contact_id and not c.opted_in;
      reply := r.cfg ->> 'opt_in_confirmation';
    end if;
    -- Confirmed once, when something changed; a refused reply (inactive
    -- channel, blocked contact) never undoes the opt-out.
    if found and coalesce(btrim(reply), '') <> '' then
      begin
        insert into public.messages (conversation_id, direction, type, content)
        values (r.conversation_id, 'outbound', 'text', left(reply, 4096));
      exception when others then
        insert into public.activity_log (workspace_id, category, action, entity_type, entity_id, data, success, error)
        values (r.workspace_id, 'contact', 'contact.opt_confirmation_failed', 'contacts', r.contact_id::text,
                jsonb_build_object('message_id', r.id), false, sqlerrm);
      end;
    end if;
  end loop;
  return null;
end
$$;

-- Conversations whose customer has not answered our last message for
-- after_hours: one follow-up per message of ours, never to a follow-up.
create function private.run_follow_ups(max_runs integer default 500)
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  a public.automations;
  r record;
  reply uuid;
  n integer := 0;
begin
  for a in select * from public.automations x where x.type = 'follow_up' and x.is_active order by x.priority desc loop
    for r in
      select c.id as conversation_id, c.last_message_id
        from public.conversations c
        join public.messages m on m.id = c.last_message_id
       where c.workspace_id = a.workspace_id and (a.channel_id is null or c.channel_id = a.channel_id)
         and c.last_message_at is not null
         and c.last_message_at <= now() - make_interval(secs => (a.trigger_conditions ->> 'after_hours')::numeric * 3600)
         and c.last_message_at > now() - make_interval(secs => (a.trigger_conditions ->> 'after_hours')::numeric * 3600) - interval '7 days'
         and c.last_message_direction = 'outbound' and c.status <> 'closed' and c.type = 'individual'
         and m.automation_id is distinct from a.id
         and not exists (select 1 from public.automation_runs ar where ar.automation_id = a.id and ar.message_id = c.last_message_id)
       limit max_runs
    loop
      -- Follow-ups are marketing: a contact who opted out is skipped (logged
      -- once, so the message is not looked at again).
      if private.contact_opted_out((select c.contact_id from public.conversations c where c.id = r.conversation_id)) then
        perform private.log_automation_run(a, r.conversation_id, r.last_message_id, null, 'skipped', 'the contact opted out of marketing messages');
        continue;
      end if;
      begin
        reply := private.automation_reply(a, r.conversation_id);
        perform private.log_automation_run(a, r.conversation_id, r.last_message_id, reply, 'succeeded', null);
      exception when others then
        perform private.log_automation_run(a, r.conversation_id, r.last_message_id, null, 'failed', sqlerrm);
      end;
      n := n + 1;
    end loop;
  end loop;
  return n;
end
$$;

-- Scheduled messages whose cron fires this minute (once per minute).
create function private.run_scheduled_messages(at timestamptz default now())
returns integer
language plpgsql security definer set search_path = ''
as $$
declare
  a public.automations;
  minute timestamptz := date_trunc('minute', at);
  conv uuid;
  reply uuid;
  n integer := 0;
begin
  for a in select * from public.automations x where x.type = 'scheduled_message' and x.is_active
                                                 and (x.last_run_at is null or x.last_run_at < minute) loop
    begin
      continue when not private.cron_matches(a.trigger_conditions ->> 'cron', minute);
    exception when others then
      perform private.log_automation_run(a, null, null, null, 'failed', sqlerrm);
      continue;
    end;
    update public.automations x set last_run_at = minute where x.id = a.id;
    for conv in
      select c.id from public.conversations c
       where c.workspace_id = a.workspace_id and (a.channel_id is null or c.channel_id = a.channel_id)
         and (c.id::text in (select jsonb_array_elements_text(coalesce(a.actions -> 'conversation_ids', '[]')))
              or c.contact_id in (select ct.id from public.contacts ct
                                   where ct.workspace_id = a.workspace_id
                                     and ct.labels && array(select jsonb_array_elements_text(coalesce(a.actions -> 'labels', '[]')))))
    loop
      -- Scheduled messages are broadcasts: opted-out contacts are skipped.
      if private.contact_opted_out((select c.contact_id from public.conversations c where c.id = conv)) then
        perform private.log_automation_run(a, conv, null, null, 'skipped', 'the contact opted out of marketing messages');
        continue;
      end if;
      begin
        reply := private.automation_reply(a, conv);
        perform private.log_automation_run(a, conv, null, reply, 'succeeded', null);
      exception when others then
        perform private.log_automation_run(a, conv, null, null, 'failed', sqlerrm);
      end;
      n := n + 1;
    end loop;
  end loop;
  return n;
end
$$;

-- Round-robin assignment of new conversations, in the order they were
-- inserted; a workspace without an active rule costs one probe per batch.
-- It runs after the insert so that the run's log can point at the
-- conversation.
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

-- ==========================================================================
-- Access
-- ==========================================================================

alter table public.automations enable row level security;

alter table public.automation_runs enable row level security;
revoke all on public.automations, public.automation_runs from anon, authenticated;
grant select, delete on public.automations to authenticated;

grant insert (id, workspace_id, channel_id, name, description, type, trigger_conditions, actions, priority, is_active)
  on public.automations to authenticated;

grant update (channel_id, name, description, trigger_conditions, actions, priority, is_active) on public.automations to authenticated;
grant select on public.automation_runs to authenticated;

-- A caller's workspaces are a small part of a shared table (see identity).
alter table public.automations alter column workspace_id set (n_distinct = 500);
alter table public.automation_runs alter column workspace_id set (n_distinct = 500);

create policy automations_select on public.automations for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));

create policy automations_insert on public.automations for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));

create policy automations_update on public.automations for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));

create policy automations_delete on public.automations for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

create policy automation_runs_select on public.automation_runs for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));

-- ==========================================================================
-- Triggers
-- ==========================================================================

create trigger set_updated_at before update on public.automations for each row execute function private.set_updated_at();

create trigger audit after insert or delete or update of name, type, trigger_conditions, actions, is_active, priority
  on public.automations for each row execute function private.audit_change('automation');

create trigger check_automation before insert or update on public.automations
  for each row execute function private.check_automation();

-- Before enqueue_outbound and run_keyword_automations (statement triggers
-- run in name order), after advance_conversations opened the window.
create trigger apply_opt_outs after insert on public.messages
  referencing new table as inserted
  for each statement execute function private.apply_opt_outs();

create trigger run_keyword_automations after insert on public.messages
  referencing new table as inserted
  for each statement execute function private.run_keyword_automations();

create trigger auto_assign after insert on public.conversations
  referencing new table as inserted
  for each statement execute function private.auto_assign_conversations();

-- ==========================================================================
-- Grants
-- ==========================================================================

revoke all on function private.cron_field_matches(text, integer, integer, integer), private.cron_matches(text, timestamptz),
  private.check_reply_action(jsonb), private.check_automation(),
  private.automation_reply(public.automations, uuid),
  private.log_automation_run(public.automations, uuid, uuid, uuid, public.automation_run_status, text),
  private.run_keyword_automations(), private.auto_assign_conversations(), private.run_follow_ups(integer),
  private.run_scheduled_messages(timestamptz), private.opt_keyword(text), private.opt_words(jsonb, text),
  private.apply_opt_outs() from public;

-- ==========================================================================
-- Tick steps
-- ==========================================================================

insert into private.tick_steps (name, fn, position) values
  ('follow_ups', 'private.run_follow_ups', 100),
  ('scheduled_messages', 'private.run_scheduled_messages', 110);
