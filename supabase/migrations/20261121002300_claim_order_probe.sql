-- Claims looked for an earlier queued message of the same conversation with
-- an anti-join, which the planner could run as a scan of the whole queue per
-- candidate when statistics said the queue was tiny (5 s for 1,000 rows of
-- a 4,500-row queue during a campaign on a young database). It is now a
-- subplan: one index probe per candidate.
create or replace function private.claim_outbox(p_worker text, p_limit integer default 500, p_lease_seconds integer default 60,
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
         -- the conversation's oldest queued message (a subplan: one index
         -- probe per candidate, however the statistics read)
         and o.id = (select min(e.id) from private.outbox e where e.conversation_id = o.conversation_id)
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
