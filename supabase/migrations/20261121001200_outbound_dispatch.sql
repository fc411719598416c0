-- The dispatcher's side of the queue: claiming due messages under each
-- channel's rate, and recording what the provider answered. Dispatchers
-- (Edge Function instances) may run side by side: claims skip each other's
-- locked rows, leases let a killed dispatcher's claims come back, and the
-- send slots come from one clock per channel, so two dispatchers together
-- still keep to the channel's rate.

-- Claims up to p_limit due messages whose send slot falls within the next
-- p_horizon_ms, oldest first within priority, one at a time per
-- conversation (a message waits for the ones before it). Returns the
-- messages with everything a provider client needs, each with its send_at.
create function private.claim_outbox(p_worker text, p_limit integer default 500, p_lease_seconds integer default 60,
                                     p_horizon_ms integer default 1000)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  t0 timestamptz := clock_timestamp();
  ch public.channels;
  st private.channel_send_state;
  rate numeric;
  gap interval;
  start_at timestamptz;
  allowance integer;
  remaining integer := least(greatest(coalesce(p_limit, 0), 0), 5000);
  lease interval := make_interval(secs => greatest(coalesce(p_lease_seconds, 60), 1) + coalesce(p_horizon_ms, 1000) / 1000.0);
  claimed jsonb := '[]'::jsonb;
  got jsonb;
  n integer;
begin
  if coalesce(p_worker, '') = '' then
    raise exception 'a dispatcher claims under a worker name' using errcode = '22023';
  end if;
  for ch in select c.* from public.channels c
             where c.id in (select o.channel_id from private.outbox o
                             where o.next_attempt_at <= t0 and (o.claimed_until is null or o.claimed_until < t0))
             order by c.id
  loop
    exit when remaining <= 0;
    insert into private.channel_send_state (channel_id) values (ch.id) on conflict do nothing;
    -- Another dispatcher claiming on this channel right now has its slots
    -- in hand: move on rather than wait (and never wait in a cycle).
    select * into st from private.channel_send_state s where s.channel_id = ch.id for update skip locked;
    continue when not found or st.throttled_until > t0;
    rate := private.channel_rate(ch);
    start_at := greatest(st.next_slot, t0);
    allowance := least(remaining,
      floor(extract(epoch from (t0 + make_interval(secs => p_horizon_ms / 1000.0) - start_at)) * rate)::integer);
    continue when allowance < 1;
    gap := make_interval(secs => coalesce((ch.settings ->> 'recipient_interval_ms')::numeric, 0) / 1000.0);

    with picked as (
      select o.id, o.priority
        from private.outbox o
       where o.channel_id = ch.id and o.next_attempt_at <= t0
         and (o.claimed_until is null or o.claimed_until < t0)
         and not exists (select 1 from private.outbox e where e.conversation_id = o.conversation_id and e.id < o.id)
         and (gap = interval '0' or not exists (
               select 1 from private.recipient_pacing r
                where r.channel_id = ch.id and r.recipient = o.recipient and r.next_allowed_at > t0))
       order by o.priority desc, o.id
       limit allowance
       for update of o skip locked
    ), slotted as (
      select p.id, start_at + make_interval(secs => ((row_number() over (order by p.priority desc, p.id)) - 1) / rate) as slot
        from picked p
    ), upd as (
      update private.outbox o
         set claimed_by = p_worker, claimed_until = t0 + lease, attempts = o.attempts + 1, send_at = s.slot
        from slotted s
       where o.id = s.id
      returning o.*
    ), pace as (
      insert into private.recipient_pacing (channel_id, recipient, next_allowed_at)
      select ch.id, u.recipient, u.send_at + gap from upd u where gap > interval '0'
      on conflict (channel_id, recipient) do update set next_allowed_at = excluded.next_allowed_at
    )
    select coalesce(jsonb_agg(jsonb_build_object(
             'outbox_id', u.id, 'message_id', u.message_id, 'channel_id', u.channel_id, 'recipient', u.recipient,
             'send_at', u.send_at, 'attempts', u.attempts,
             'type', m.type, 'content', m.content, 'media_url', m.media_url, 'media_id', m.media_id,
             'media_mime_type', m.media_mime_type, 'media_filename', m.media_filename,
             'location', case when m.type = 'location' then jsonb_build_object(
                'latitude', m.location_latitude, 'longitude', m.location_longitude,
                'name', m.location_name, 'address', m.location_address) end,
             'quoted_provider_message_id', m.quoted_provider_message_id,
             'reaction_emoji', m.reaction_emoji, 'reaction_target_id', m.reaction_target_id,
             'interactive', case when m.type = 'interactive' then m.payload end,
             'template', case when m.type = 'template' then jsonb_build_object(
                'name', t.name, 'language', t.language, 'components', t.components,
                'params', coalesce(m.template_params, '{}'::jsonb)) end
           ) order by u.send_at), '[]'::jsonb), count(*)
      into got, n
      from upd u
      join public.messages m on m.id = u.message_id
      left join public.message_templates t on t.id = m.template_id;

    if n > 0 then
      update private.channel_send_state s set next_slot = start_at + make_interval(secs => n / rate)
       where s.channel_id = ch.id;
      claimed := claimed || got;
      remaining := remaining - n;
    end if;
  end loop;
  return claimed;
end
$$;

-- When the queue next has something to do: null when empty.
create function private.outbox_next_due()
returns timestamptz
language sql stable security definer set search_path = ''
as $$
  select min(greatest(o.next_attempt_at, coalesce(o.claimed_until, '-infinity'))) from private.outbox o
$$;

-- What a channel needs for sending, credentials from Vault included.
create function private.dispatch_channel(p_channel uuid)
returns jsonb
language sql stable security definer set search_path = ''
as $$
  select jsonb_build_object('id', c.id, 'provider', c.provider, 'phone_number_id', c.phone_number_id,
                            'business_account_id', c.business_account_id, 'instance_name', c.instance_name,
                            'device_id', c.device_id, 'api_base_url', c.api_base_url,
                            'credentials', private.channel_credentials(c.id))
    from public.channels c where c.id = p_channel
$$;

-- Results -------------------------------------------------------------------------

-- A failed send: the message carries the provider's error.
create function private.fail_message(p_message uuid, p_error jsonb)
returns void
language plpgsql security definer set search_path = ''
as $$
begin
  update public.messages m set
    status = case when private.status_rank(m.status) < private.status_rank('failed') then 'failed' else m.status end,
    failed_at = coalesce(m.failed_at, now()),
    error_code = case when p_error ->> 'code' ~ '^-?[0-9]{1,9}$' then (p_error ->> 'code')::integer end,
    error_title = p_error ->> 'title',
    error_message = coalesce(p_error ->> 'message', 'sending failed'),
    errors = coalesce(m.errors, '[]'::jsonb) || jsonb_build_array(p_error)
  where m.id = p_message;
end
$$;

-- A successful send: the provider's id, then status sent. A provider may
-- report our own send back (Evolution's send.message) before we record it,
-- as a row of its own: that row is merged into ours.
create function private.record_sent(p_message uuid, p_channel uuid, p_provider_id text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  echo public.messages;
begin
  -- Already recorded: a second send of the same message (a lapsed lease).
  if not exists (select 1 from public.messages m where m.id = p_message and m.provider_message_id is null) then
    return;
  end if;
  delete from public.messages m
   where m.channel_id = p_channel and m.provider_message_id = p_provider_id and m.id <> p_message
     and m.direction = 'outbound'
  returning * into echo;
  update public.messages m set provider_message_id = p_provider_id
   where m.id = p_message and m.provider_message_id is null;
  perform private.apply_message_status(p_channel, p_provider_id, 'sent', now(), null);
  if echo.id is not null and echo.status not in ('pending', 'sent') then
    perform private.apply_message_status(p_channel, p_provider_id, echo.status,
      coalesce(echo.read_at, echo.delivered_at, echo.failed_at, now()), null);
  end if;
end
$$;

-- Exponential backoff with jitter: about base * 2^(n-1), between half and
-- all of it, capped.
create function private.backoff(n integer, base_seconds numeric, cap_seconds numeric)
returns interval
language sql volatile set search_path = ''
as $$
  select make_interval(secs => least(cap_seconds, base_seconds * power(2, greatest(n, 1) - 1)) * (0.5 + random() / 2))
$$;

-- Records a dispatcher's results: [{outbox_id, kind, provider_message_id?,
-- error?, scope?, retry_after_ms?}] with kind sent | retry | throttled |
-- failed | release. A result for a claim that has since passed to another
-- dispatcher only counts if it is a send (which did happen).
create function private.record_send_results(p_worker text, p_results jsonb)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  r jsonb;
  o private.outbox;
  kind text;
  err jsonb;
  delay interval;
  retry_after interval;
  counts jsonb := '{"sent":0,"retry":0,"throttled":0,"failed":0,"release":0,"stale":0}'::jsonb;
begin
  for r in select x from jsonb_array_elements(p_results) x loop
    kind := r ->> 'kind';
    err := r -> 'error';
    retry_after := case when (r ->> 'retry_after_ms') ~ '^[0-9]+$'
                        then make_interval(secs => least((r ->> 'retry_after_ms')::numeric, 3600000) / 1000.0) end;
    if kind not in ('sent', 'retry', 'throttled', 'failed', 'release') then
      raise exception 'unknown result kind %', kind using errcode = '22023';
    end if;
    select * into o from private.outbox x where x.id = (r ->> 'outbox_id')::bigint for update;
    if not found or o.claimed_by is distinct from p_worker then
      if kind = 'sent' then
        perform private.record_sent((r ->> 'message_id')::uuid, (r ->> 'channel_id')::uuid, r ->> 'provider_message_id');
        -- It went out: nobody should send it again.
        delete from private.outbox x where x.id = o.id;
      end if;
      counts := jsonb_set(counts, '{stale}', to_jsonb((counts ->> 'stale')::integer + 1));
      continue;
    end if;

    if kind = 'retry' and o.attempts >= o.max_attempts then
      kind := 'failed';
    elsif kind = 'throttled' and o.throttled_count >= 50 then
      kind := 'failed';
      err := coalesce(err, '{}'::jsonb) || jsonb_build_object('message',
        'still rate limited after 50 tries: ' || coalesce(err ->> 'message', ''));
    end if;

    case kind
      when 'sent' then
        delete from private.outbox x where x.id = o.id;
        perform private.record_sent(o.message_id, o.channel_id, r ->> 'provider_message_id');
        update private.channel_send_state s set throttle_count = 0
         where s.channel_id = o.channel_id and s.throttle_count > 0;
      when 'failed' then
        delete from private.outbox x where x.id = o.id;
        perform private.fail_message(o.message_id, coalesce(err, '{"message": "sending failed"}'::jsonb));
      when 'retry' then
        update private.outbox x
           set next_attempt_at = now() + coalesce(retry_after, private.backoff(o.attempts, 2, 300)),
               claimed_by = null, claimed_until = null, send_at = null, last_error = err
         where x.id = o.id;
      when 'release' then
        update private.outbox x
           set attempts = greatest(x.attempts - 1, 0), next_attempt_at = now() + coalesce(retry_after, interval '0'),
               claimed_by = null, claimed_until = null, send_at = null
         where x.id = o.id;
      when 'throttled' then
        if r ->> 'scope' = 'recipient' then
          -- Meta's pair limit (131056): this recipient, not the channel.
          delay := coalesce(retry_after, private.backoff(o.throttled_count + 1, 6, 300));
        else
          -- One episode of throttling counts once however many sends in
          -- flight hit it.
          update private.channel_send_state s
             set throttle_count = s.throttle_count + 1,
                 throttled_until = now() + coalesce(retry_after, private.backoff(s.throttle_count + 1, 1, 60))
           where s.channel_id = o.channel_id and (s.throttled_until is null or s.throttled_until <= now());
          select s.throttled_until - now() into delay from private.channel_send_state s where s.channel_id = o.channel_id;
          update private.channel_send_state s set next_slot = greatest(s.next_slot, s.throttled_until)
           where s.channel_id = o.channel_id;
          delay := greatest(coalesce(delay, interval '1 second'), interval '0');
        end if;
        update private.outbox x
           set attempts = greatest(x.attempts - 1, 0), throttled_count = x.throttled_count + 1,
               next_attempt_at = now() + delay, claimed_by = null, claimed_until = null, send_at = null,
               last_error = err
         where x.id = o.id;
    end case;
    counts := jsonb_set(counts, array[kind], to_jsonb((counts ->> kind)::integer + 1));
  end loop;
  return counts;
end
$$;

-- Templates -----------------------------------------------------------------------

-- Stores a channel's templates as the provider lists them. Templates that
-- came from the provider and are gone from its list are disabled, not
-- deleted: messages still point at them.
create function private.sync_templates(p_channel uuid, p_templates jsonb)
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  ch public.channels;
  n integer;
  gone integer;
begin
  select * into ch from public.channels c where c.id = p_channel;
  if not found then
    raise exception 'channel not found' using errcode = 'P0002';
  end if;
  with incoming as (
    select distinct on (t ->> 'name', t ->> 'language') t
      from jsonb_array_elements(p_templates) t
     where t ->> 'name' ~ '^[a-z0-9_]+$' and char_length(t ->> 'name') <= 512 and t ->> 'language' ~ '^[a-z]{2,3}(_[A-Z]{2,4})?$'
  ), up as (
    insert into public.message_templates as m (workspace_id, channel_id, name, language, category, status, components,
                                               parameter_format, provider_template_id, rejected_reason, last_synced_at,
                                               created_by)
    select ch.workspace_id, ch.id, t ->> 'name', t ->> 'language',
           case upper(t ->> 'category') when 'MARKETING' then 'MARKETING' when 'AUTHENTICATION' then 'AUTHENTICATION'
                when 'OTP' then 'AUTHENTICATION' else 'UTILITY' end::public.template_category,
           case upper(t ->> 'status') when 'APPROVED' then 'APPROVED' when 'REJECTED' then 'REJECTED'
                when 'PAUSED' then 'PAUSED' when 'PENDING' then 'PENDING' when 'IN_APPEAL' then 'PENDING'
                else 'DISABLED' end::public.template_status,
           coalesce(t -> 'components', '[]'::jsonb),
           case when upper(t ->> 'parameter_format') in ('POSITIONAL', 'NAMED') then upper(t ->> 'parameter_format') end,
           t ->> 'provider_template_id', nullif(t ->> 'rejected_reason', 'NONE'), now(), null
      from incoming
    on conflict (channel_id, workspace_id, name, language) do update
      set category = excluded.category, status = excluded.status, components = excluded.components,
          parameter_format = excluded.parameter_format, provider_template_id = excluded.provider_template_id,
          rejected_reason = excluded.rejected_reason, last_synced_at = excluded.last_synced_at
    returning m.id
  )
  select count(*) into n from up;
  update public.message_templates m set status = 'DISABLED', rejected_reason = 'no longer listed by the provider',
         last_synced_at = now()
   where m.channel_id = ch.id and m.provider_template_id is not null and m.status <> 'DISABLED'
     and not exists (select 1 from jsonb_array_elements(p_templates) t
                      where t ->> 'name' = m.name and t ->> 'language' = m.language);
  get diagnostics gone = row_count;
  update public.channels c set last_synced_at = now() where c.id = ch.id;
  return jsonb_build_object('synced', n, 'disabled', gone);
end
$$;

create function private.request_template_sync(p_channel uuid)
returns boolean
language plpgsql security definer set search_path = ''
as $$
declare
  ch public.channels;
begin
  perform private.require_user();
  select * into ch from public.channels c where c.id = p_channel;
  if not found or not private.has_workspace_role(ch.workspace_id, 'viewer') then
    raise exception 'channel not found' using errcode = 'P0002';
  end if;
  perform private.require_role(ch.workspace_id, 'admin');
  if ch.provider is distinct from 'cloud_api' or ch.business_account_id is null then
    raise exception 'templates sync from Cloud API channels with a business_account_id' using errcode = '55000';
  end if;
  if not private.call_function('dispatch', jsonb_build_object('action', 'sync_templates', 'channel_id', ch.id)) then
    raise exception 'the dispatch function is not configured (private.configure_functions)' using errcode = '55000';
  end if;
  return true;
end
$$;

create function public.sync_templates(channel_id uuid)
returns boolean
language sql security invoker set search_path = ''
as $$ select private.request_template_sync(channel_id) $$;
comment on function public.sync_templates(uuid) is
  'Admins ask for a Cloud API channel''s templates to be fetched from Meta (asynchronously, through the dispatch function).';

revoke all on function private.claim_outbox(text, integer, integer, integer), private.outbox_next_due(),
  private.dispatch_channel(uuid), private.fail_message(uuid, jsonb), private.record_sent(uuid, uuid, text),
  private.backoff(integer, numeric, numeric), private.record_send_results(text, jsonb),
  private.sync_templates(uuid, jsonb), private.request_template_sync(uuid) from public;
revoke all on function public.sync_templates(uuid) from public, anon;
grant execute on function private.claim_outbox(text, integer, integer, integer), private.outbox_next_due(),
  private.dispatch_channel(uuid), private.record_send_results(text, jsonb), private.sync_templates(uuid, jsonb)
  to service_role;
grant execute on function public.sync_templates(uuid), private.request_template_sync(uuid) to authenticated, service_role;
