-- Module: calendar
--
-- Events (seed 004 events and event_reminders): meetings, deadlines,
-- reminders and appointments of a workspace, or personal ones of a single
-- user (workspace_id null), with attendees, a client and an order, and
-- reminders the minute tick sends.
--
-- Attendees. events.attendees is the list clients write; the database keeps
-- one event_attendees row per attendee with the event's time range, and an
-- exclusion constraint there refuses a second overlapping appointment for
-- the same attendee in the same workspace (unless the workspace allows
-- double booking). The constraint's WHERE sees only the row itself, so each
-- row carries `exclusive`, kept right when the event or the workspace's
-- setting changes. Bookings are compared inside one workspace: a person who
-- works for two businesses is not refused for the other's appointment, and
-- the refusal never tells one workspace about another's calendar.
--
-- Reminders. Each offset in reminder_minutes gives each attendee an in-app
-- reminder; an appointment with a client also gives the client a WhatsApp
-- reminder when the workspace maps an approved UTILITY template. Rows are
-- claimed by the tick with FOR UPDATE SKIP LOCKED and marked in the same
-- transaction that writes the notification or queues the message, so two
-- overlapping ticks never send one twice, and a late tick still sends (and
-- records how late). Rescheduling moves unsent rows; cancelling cancels
-- them and, when mapped, queues a cancellation notice to the client.

-- uuid equality beside range overlap in one exclusion constraint.
create extension if not exists btree_gist with schema extensions;

-- ==========================================================================
-- Types
-- ==========================================================================

create type public.event_type as enum ('meeting', 'deadline', 'reminder', 'appointment');
create type public.event_status as enum ('scheduled', 'completed', 'cancelled');
create type public.event_reminder_channel as enum ('in_app', 'whatsapp');
create type public.event_reminder_kind as enum ('reminder', 'cancellation');
create type public.event_reminder_status as enum ('pending', 'sent', 'failed', 'cancelled');
-- One WhatsApp reminder ready to queue (the tick's set-wise send).
create type private.reminder_message as (reminder_id uuid, message_id uuid, conversation_id uuid, template_id uuid,
                                         params jsonb, event_id uuid);

-- ==========================================================================
-- Tables
-- ==========================================================================

create table public.calendar_settings (
  workspace_id uuid primary key references public.workspaces (id) on delete cascade,
  allow_double_booking boolean not null default false,
  order_deadlines boolean not null default false,
  reminder_template_id uuid references public.message_templates (id) on delete set null,
  reminder_parameters jsonb not null default '{}'::jsonb,
  cancellation_template_id uuid references public.message_templates (id) on delete set null,
  cancellation_parameters jsonb not null default '{}'::jsonb,
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.calendar_settings is 'A workspace''s calendar rules (one row; none means the defaults): double booking, deadlines from orders, and the WhatsApp templates that remind clients of appointments and tell them of cancellations. Admins manage it.';
comment on column public.calendar_settings.allow_double_booking is 'When true an attendee may have overlapping appointments; by default a second overlapping appointment is refused (23P01).';
comment on column public.calendar_settings.order_deadlines is 'When true an order with a due date gets a deadline event (source order) that follows its due date, title and status.';
comment on column public.calendar_settings.reminder_template_id is 'The approved UTILITY template that reminds a client of an appointment on WhatsApp; none: clients get no reminder.';
comment on column public.calendar_settings.reminder_parameters is 'Template parameters as for send_message, where {first_name}, {client_name}, {title}, {date}, {time}, {when}, {location}, {minutes} and {event_id} take the event''s values (times in the workspace''s time zone).';
comment on column public.calendar_settings.cancellation_template_id is 'The approved UTILITY template that tells a client their appointment was cancelled; none: the client is not told.';
comment on column public.calendar_settings.cancellation_parameters is 'As reminder_parameters, for the cancellation notice.';

create table public.events (
  id uuid primary key default private.uuid7(),
  workspace_id uuid references public.workspaces (id) on delete cascade,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  title text not null check (char_length(btrim(title)) between 1 and 200),
  description text check (char_length(description) <= 4000),
  event_type public.event_type not null default 'meeting',
  start_time timestamptz not null,
  end_time timestamptz,
  all_day boolean not null default false,
  location text check (char_length(location) <= 500),
  color text check (color ~ '^#[0-9A-Fa-f]{6}$'),
  status public.event_status not null default 'scheduled',
  attendees uuid[] not null default '{}',
  contact_id uuid references public.contacts (id) on delete set null,
  order_id uuid references public.orders (id) on delete set null,
  reminder_minutes integer[] not null default '{}',
  source text not null default 'manual' check (source in ('manual', 'order')),
  cancelled_at timestamptz,
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (end_time is null or end_time >= start_time),
  check (event_type <> 'appointment' or end_time is not null and end_time > start_time),
  check (workspace_id is not null or (contact_id is null and order_id is null and source = 'manual'))
);
comment on table public.events is 'Calendar events (seed 004 events): meetings, deadlines, reminders and appointments of a workspace, or personal ones of one user (workspace_id null, seen by that user alone).';
comment on column public.events.workspace_id is 'The workspace; null for a personal event, which only its user sees.';
comment on column public.events.user_id is 'Whose event it is: the organiser (an active member) of a workspace event, the owner of a personal one.';
comment on column public.events.event_type is 'meeting, deadline, reminder or appointment. Appointments need an end and are never double-booked unless the workspace allows it.';
comment on column public.events.start_time is 'When it starts; for an all-day event midnight of its first day in the workspace''s time zone (set by the database).';
comment on column public.events.end_time is 'When it ends (null for a point in time such as a deadline); for an all-day event midnight after its last day in the workspace''s time zone.';
comment on column public.events.all_day is 'Whole days: the dates of start_time and end_time in the workspace''s time zone (UTC for personal events); the database moves the times to those days'' midnights, and again when the time zone changes.';
comment on column public.events.location is 'Where it happens (free text).';
comment on column public.events.color is 'Display colour, #RRGGBB.';
comment on column public.events.status is 'scheduled, completed or cancelled. Cancelling cancels unsent reminders (and may notify the client).';
comment on column public.events.attendees is 'Who takes part (seed attendees uuid[]): active members of the workspace; empty means the event''s user. The database mirrors it into event_attendees.';
comment on column public.events.contact_id is 'The client (seed client_id), a contact of the workspace; an appointment with one can remind them on WhatsApp.';
comment on column public.events.order_id is 'The order it concerns; a deadline made from the order''s due date has source order.';
comment on column public.events.reminder_minutes is 'Minutes before the start at which to remind (seed reminder_minutes, here up to 5 offsets, 0 to 40320 each); sorted and deduplicated by the database.';
comment on column public.events.source is 'manual, or order: the deadline the database keeps from an order''s due date (calendar_settings.order_deadlines).';
comment on column public.events.cancelled_at is 'When it was cancelled (set by the database).';
comment on column public.events.created_by is 'Who made it (the signed-in user; null for the database''s own).';

create table public.event_attendees (
  event_id uuid not null references public.events (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  workspace_id uuid references public.workspaces (id) on delete cascade,
  during tstzrange not null,
  exclusive boolean not null,
  created_at timestamptz not null default now(),
  primary key (event_id, user_id),
  -- One appointment at a time per attendee in a workspace.
  constraint event_attendees_no_double_booking
    exclude using gist (workspace_id with =, user_id with =, during with &&) where (exclusive)
);
comment on table public.event_attendees is 'The attendees of each event with its time range, written by the database from events.attendees; its exclusion constraint refuses double-booked appointments.';
comment on column public.event_attendees.workspace_id is 'The event''s workspace (null for a personal event).';
comment on column public.event_attendees.during is 'The event''s time [start_time, end_time); empty for an event without an end.';
comment on column public.event_attendees.exclusive is 'Whether this row blocks overlapping ones: a scheduled appointment in a workspace that does not allow double booking.';

create table public.event_reminders (
  id uuid primary key default private.uuid7(),
  event_id uuid not null references public.events (id) on delete cascade,
  workspace_id uuid references public.workspaces (id) on delete cascade,
  kind public.event_reminder_kind not null default 'reminder',
  channel public.event_reminder_channel not null,
  user_id uuid references public.profiles (id) on delete cascade,
  contact_id uuid references public.contacts (id) on delete cascade,
  minutes_before integer,
  remind_at timestamptz not null,
  status public.event_reminder_status not null default 'pending',
  sent_at timestamptz,
  late_seconds integer,
  notification_id uuid,
  message_id uuid references public.messages (id) on delete set null,
  error text,
  created_at timestamptz not null default now(),
  check ((channel = 'in_app') = (user_id is not null) and (channel = 'whatsapp') = (contact_id is not null)),
  check ((kind = 'reminder') = (minutes_before is not null))
);
comment on table public.event_reminders is 'What the tick sends for an event (seed 004 event_reminders): an in-app reminder per attendee per offset, a WhatsApp reminder to an appointment''s client per offset, a cancellation notice. Written by the database.';
comment on column public.event_reminders.workspace_id is 'The event''s workspace (null for a personal event).';
comment on column public.event_reminders.kind is 'reminder (before the start), or cancellation (the client told the appointment is off).';
comment on column public.event_reminders.channel is 'in_app: a notification to the attendee (user_id); whatsapp: a template message to the client (contact_id) through the send path.';
comment on column public.event_reminders.user_id is 'The attendee reminded in the app.';
comment on column public.event_reminders.contact_id is 'The client reminded on WhatsApp.';
comment on column public.event_reminders.minutes_before is 'The offset from reminder_minutes it stands for (null for a cancellation notice).';
comment on column public.event_reminders.remind_at is 'When it is due: start_time - minutes_before; moved while pending when the event moves.';
comment on column public.event_reminders.status is 'pending, sent (the notification written or the message queued), failed (error says why), cancelled (the event was cancelled or the reminder no longer asked for).';
comment on column public.event_reminders.sent_at is 'When the tick sent it (seed sent_at; seed sent is status = sent).';
comment on column public.event_reminders.late_seconds is 'How long after remind_at the tick handled it (a late or stalled tick still sends).';
comment on column public.event_reminders.notification_id is 'The notification written for an in-app reminder (no foreign key: the user may delete it).';
comment on column public.event_reminders.message_id is 'The WhatsApp message queued for it (messages.event_id points back); its own status tells delivery.';
comment on column public.event_reminders.error is 'Why it was not sent (opted out, template not approved, no number, ...) or was cancelled.';

alter table public.messages add constraint messages_event_id_fkey
  foreign key (event_id) references public.events (id) on delete set null;

-- ==========================================================================
-- Indexes
-- ==========================================================================

create index events_workspace_time_idx on public.events (workspace_id, start_time);
create index events_user_time_idx on public.events (user_id, start_time);
create index events_contact_idx on public.events (contact_id, start_time) where contact_id is not null;
create index events_order_idx on public.events (order_id) where order_id is not null;
create index events_created_by_idx on public.events (created_by) where created_by is not null;
create unique index events_order_deadline_key on public.events (order_id) where source = 'order';
create index event_attendees_user_idx on public.event_attendees (user_id);
create index event_attendees_workspace_idx on public.event_attendees (workspace_id);
create index event_reminders_event_idx on public.event_reminders (event_id);
create index event_reminders_workspace_idx on public.event_reminders (workspace_id);
create index event_reminders_user_idx on public.event_reminders (user_id) where user_id is not null;
create index event_reminders_contact_idx on public.event_reminders (contact_id) where contact_id is not null;
create index event_reminders_message_idx on public.event_reminders (message_id) where message_id is not null;
-- What the tick claims: due unsent rows, oldest first.
create index event_reminders_due_idx on public.event_reminders (remind_at) where status = 'pending';
-- One pending row per recipient and offset (and one pending notice).
create unique index event_reminders_pending_key on public.event_reminders
  (event_id, kind, user_id, contact_id, minutes_before) nulls not distinct where status = 'pending';
create index calendar_settings_reminder_template_idx on public.calendar_settings (reminder_template_id)
  where reminder_template_id is not null;
create index calendar_settings_cancellation_template_idx on public.calendar_settings (cancellation_template_id)
  where cancellation_template_id is not null;
create index calendar_settings_created_by_idx on public.calendar_settings (created_by) where created_by is not null;
create index messages_event_id_idx on public.messages (event_id) where event_id is not null;
-- A client's reply finds the reminder sent in its conversation.
create index messages_event_conversation_idx on public.messages (conversation_id, created_at desc) where event_id is not null;

-- ==========================================================================
-- Functions
-- ==========================================================================

-- Settings -------------------------------------------------------------------------------

create function private.attendee_exclusive(kind public.event_type, st public.event_status, ws uuid)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select ws is not null and kind = 'appointment' and st = 'scheduled'
     and not coalesce((select s.allow_double_booking from public.calendar_settings s where s.workspace_id = ws), false)
$$;

-- An event's values in place of a mapping's tokens; times in the
-- workspace's zone.
create function private.event_template_params(p jsonb, e public.events, ct public.contacts, minutes integer)
returns jsonb
language plpgsql stable security definer set search_path = ''
as $$
declare
  tz text := private.workspace_timezone(e.workspace_id);
  local timestamp := e.start_time at time zone tz;
  vals jsonb := jsonb_build_object(
    'first_name', coalesce(split_part(btrim(ct.name), ' ', 1), ''), 'client_name', coalesce(ct.name, ''),
    'title', e.title, 'date', to_char(local, 'YYYY-MM-DD'), 'time', to_char(local, 'HH24:MI'),
    'when', to_char(local, 'YYYY-MM-DD HH24:MI'), 'location', coalesce(e.location, '-'),
    'minutes', coalesce(minutes, 0)::text, 'event_id', coalesce(e.id::text, ''));
  t text := p::text;
  kv record;
  quoted text;
begin
  for kv in select * from jsonb_each_text(vals) loop
    quoted := to_jsonb(kv.value)::text;  -- escaped for the JSON text it lands in
    t := replace(t, '{' || kv.key || '}', substr(quoted, 2, length(quoted) - 2));
  end loop;
  return t::jsonb;
end
$$;

-- The mapped template must be the workspace's, UTILITY and approved, and
-- its parameters must fit it (checked with a sample event), as for order
-- and invoice notices.
create function private.check_calendar_template(ws uuid, tpl_id uuid, params jsonb, what text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  sample public.events := jsonb_populate_record(null::public.events, jsonb_build_object(
    'id', gen_random_uuid(), 'workspace_id', ws, 'title', 'Fitting', 'start_time', now(), 'location', 'Atelier'));
  ct public.contacts := jsonb_populate_record(null::public.contacts, '{"name": "Ana Souza"}');
begin
  if tpl_id is not null then
    perform private.check_notice_template(ws, tpl_id, what, private.event_template_params(params, sample, ct, 60));
  end if;
end
$$;

-- Admins only, as RLS would refuse, before anything is looked up; then the
-- templates. Switching double booking off re-marks the workspace's
-- appointments (refused if two already overlap); switching deadlines on
-- makes the open orders' deadline events.
create function private.check_calendar_settings()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.require_writer(new.workspace_id, 'admin', 'calendar_settings');
    new.created_by := case when private.is_client() then (select auth.uid()) else new.created_by end;
  end if;
  if tg_op = 'INSERT' or (new.reminder_template_id, new.reminder_parameters)
                          is distinct from (old.reminder_template_id, old.reminder_parameters) then
    perform private.check_calendar_template(new.workspace_id, new.reminder_template_id, new.reminder_parameters,
                                            'appointment');
  end if;
  if tg_op = 'INSERT' or (new.cancellation_template_id, new.cancellation_parameters)
                          is distinct from (old.cancellation_template_id, old.cancellation_parameters) then
    perform private.check_calendar_template(new.workspace_id, new.cancellation_template_id,
                                            new.cancellation_parameters, 'cancellation');
  end if;
  return new;
end
$$;

create function private.calendar_settings_changed()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  o public.orders;
begin
  if tg_op = 'INSERT' or new.allow_double_booking is distinct from old.allow_double_booking then
    begin
      update public.event_attendees a
         set exclusive = private.attendee_exclusive(e.event_type, e.status, e.workspace_id)
        from public.events e
       where e.id = a.event_id and a.workspace_id = new.workspace_id
         and a.exclusive is distinct from private.attendee_exclusive(e.event_type, e.status, e.workspace_id);
    exception when exclusion_violation then
      perform private.raise_booking_clash(new.workspace_id, null, null, null);
    end;
  end if;
  if new.order_deadlines and (tg_op = 'INSERT' or not old.order_deadlines) then
    for o in select * from public.orders x
              where x.workspace_id = new.workspace_id and x.due_date is not null
                and x.status in ('pending', 'in-progress')
    loop
      perform private.keep_order_deadline(o);
    end loop;
  end if;
  return null;
end
$$;

-- Events ---------------------------------------------------------------------------------

-- Refuses a double booking with who and when (in the workspace's zone) and
-- the clashing appointment's title: the caller writes this workspace's
-- calendar, so the clash is theirs to see; other workspaces are never
-- compared. With no attendee given, any overlapping pair of the workspace.
create function private.raise_booking_clash(ws uuid, p_event uuid, p_users uuid[], p_during tstzrange)
returns void
language plpgsql stable security definer set search_path = ''
as $$
declare
  tz text := private.workspace_timezone(ws);
  who text;
  title text;
  starts timestamptz;
  ends timestamptz;
begin
  select coalesce(nullif(btrim(p.full_name), ''), p.email, p.id::text), e.title, e.start_time, e.end_time
    into who, title, starts, ends
    from public.event_attendees a
    join public.events e on e.id = a.event_id
    join public.profiles p on p.id = a.user_id
   where a.workspace_id = ws and e.event_type = 'appointment' and e.status = 'scheduled'
     and (p_users is null and exists (select 1 from public.event_attendees b
                                        join public.events f on f.id = b.event_id
                                       where b.workspace_id = ws and b.user_id = a.user_id and b.event_id <> a.event_id
                                         and f.event_type = 'appointment' and f.status = 'scheduled'
                                         and b.during && a.during)
          or a.exclusive and a.user_id = any (p_users) and a.during && p_during and a.event_id <> p_event)
   order by e.start_time
   limit 1;
  raise exception '% is already booked % - % (%) for "%"', coalesce(who, 'an attendee'),
    to_char(starts at time zone tz, 'YYYY-MM-DD HH24:MI'), to_char(ends at time zone tz, 'HH24:MI'),
    tz, coalesce(title, 'another appointment')
    using errcode = '23P01',
          hint = 'choose another time or attendee, or let the workspace allow double booking (calendar_settings.allow_double_booking)';
end
$$;

-- Checks and fills in an event before it is written. A client without the
-- role gets RLS's refusal first.
create function private.prepare_event()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  uid uuid := (select auth.uid());
  -- An order's deadline is the database's, whoever moved the order.
  client boolean := private.is_client() and current_setting('threadline.order_deadline', true) is distinct from 'on';
  tz text;
  first_day date;
  last_day date;
  ord public.orders;
  bad uuid;
begin
  if tg_op = 'INSERT' then
    if new.workspace_id is not null then
      perform private.require_writer(new.workspace_id, 'member', 'events');
    elsif client and new.user_id is distinct from uid then
      raise exception 'new row violates row-level security policy for table "events"' using errcode = '42501';
    end if;
    new.created_by := case when client then uid else new.created_by end;
    new.created_at := now();
    if client and new.source <> 'manual' then
      raise exception 'events of source % are made by the database', new.source using errcode = '42501';
    end if;
  elsif new.workspace_id is null and new.user_id is distinct from old.user_id then
    raise exception 'a personal event stays its owner''s' using errcode = '42501';
  end if;

  if new.workspace_id is not null and (tg_op = 'INSERT' or new.user_id is distinct from old.user_id)
     and not exists (select 1 from public.workspace_members m
                      where m.workspace_id = new.workspace_id and m.user_id = new.user_id and m.status = 'active') then
    raise exception 'the event''s user must be an active member of the workspace' using errcode = '22023';
  end if;
  if new.order_id is not null and (tg_op = 'INSERT' or new.order_id is distinct from old.order_id) then
    select * into ord from public.orders o where o.id = new.order_id and o.workspace_id = new.workspace_id;
    if not found then
      raise exception 'order not found in this workspace' using errcode = 'P0002';
    end if;
    new.contact_id := coalesce(new.contact_id, ord.contact_id);
  end if;
  if new.contact_id is not null and (tg_op = 'INSERT' or new.contact_id is distinct from old.contact_id)
     and not exists (select 1 from public.contacts c where c.id = new.contact_id and c.workspace_id = new.workspace_id) then
    raise exception 'contact not found in this workspace' using errcode = 'P0002';
  end if;

  new.attendees := coalesce(array(select distinct a from unnest(new.attendees) a where a is not null order by a), '{}');
  if cardinality(new.attendees) = 0 then
    new.attendees := array[new.user_id];
  end if;
  if tg_op = 'INSERT' or new.attendees is distinct from old.attendees then
    if new.workspace_id is null and new.attendees <> array[new.user_id] then
      raise exception 'a personal event has no attendees but its owner' using errcode = '22023';
    end if;
    select a into bad from unnest(new.attendees) a
     where not exists (select 1 from public.workspace_members m
                        where m.workspace_id = new.workspace_id and m.user_id = a and m.status = 'active')
     limit 1;
    if new.workspace_id is not null and bad is not null then
      raise exception 'attendee % is not an active member of the workspace', bad using errcode = '22023';
    end if;
  end if;

  if new.event_type = 'appointment' and not coalesce(new.end_time > new.start_time, false) then
    raise exception 'an appointment needs an end_time after its start_time' using errcode = '23514';
  end if;
  if cardinality(new.reminder_minutes) > 5 or exists (select 1 from unnest(new.reminder_minutes) m
                                                      where m is null or m not between 0 and 40320) then
    raise exception 'reminder_minutes holds up to 5 offsets of 0 to 40320 minutes (4 weeks)' using errcode = '22023';
  end if;
  new.reminder_minutes := coalesce(array(select distinct m from unnest(new.reminder_minutes) m order by m), '{}');

  -- Whole days in the workspace's zone: midnight of the first day to
  -- midnight after the last (an end at midnight closes the day before).
  if new.all_day then
    tz := private.workspace_timezone(new.workspace_id);
    first_day := (new.start_time at time zone tz)::date;
    last_day := greatest(first_day, (coalesce(greatest(new.end_time - interval '1 microsecond', new.start_time), new.start_time)
                                     at time zone tz)::date);
    new.start_time := first_day::timestamp at time zone tz;
    new.end_time := (last_day + 1)::timestamp at time zone tz;
  end if;

  if new.status = 'cancelled' then
    new.cancelled_at := coalesce(case when tg_op = 'UPDATE' then old.cancelled_at end, now());
  else
    new.cancelled_at := null;
  end if;
  return new;
end
$$;

-- event_attendees follows events.attendees, the time and the state. An
-- overlap the constraint refuses is told with who and when.
create function private.sync_event_attendees()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  during tstzrange := tstzrange(new.start_time, coalesce(new.end_time, new.start_time), '[)');
  excl boolean := private.attendee_exclusive(new.event_type, new.status, new.workspace_id);
begin
  if tg_op = 'UPDATE' then
    delete from public.event_attendees a where a.event_id = new.id and a.user_id <> all (new.attendees);
  end if;
  begin
    insert into public.event_attendees as a (event_id, user_id, workspace_id, during, exclusive)
    select new.id, u, new.workspace_id, during, excl from unnest(new.attendees) u
    on conflict (event_id, user_id) do update set during = excluded.during, exclusive = excluded.exclusive
     where (a.during, a.exclusive) is distinct from (excluded.during, excluded.exclusive);
  exception when exclusion_violation then
    perform private.raise_booking_clash(new.workspace_id, new.id, new.attendees, during);
  end;
  return null;
end
$$;

-- The reminders an event asks for now: each attendee still a member, in the app and, for an
-- appointment with a client when the workspace maps a template, the client
-- on WhatsApp, at each offset. Pending rows that still fit move to the new
-- time, those that no longer do are cancelled, and missing ones are added
-- while the event is ahead (a reminder already sent for this very time is
-- not sent again; of the offsets already past, only the nearest). Cancelling an appointment queues the client's
-- cancellation notice when one is mapped.
create function private.sync_event_reminders()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  s public.calendar_settings;
  client boolean;
begin
  if new.workspace_id is not null then
    select * into s from public.calendar_settings c where c.workspace_id = new.workspace_id;
  end if;
  client := new.event_type = 'appointment' and new.contact_id is not null and s.reminder_template_id is not null;
  -- A tick sending some of them holds their rows: wait for it here, so the
  -- statement below (a new snapshot) plans from what it sent.
  perform from public.event_reminders r where r.event_id = new.id and r.status = 'pending' for update;
  -- In the app, attendees who are active members: one who left stays in
  -- the attendees of the events they own (for an admin to hand over), and
  -- is not told about them any more.
  with wanted as (
    select u as user_id, null::uuid as contact_id, 'in_app'::public.event_reminder_channel as channel, m as minutes_before
      from unnest(new.attendees) u, unnest(new.reminder_minutes) m
     where new.status = 'scheduled'
       and (new.workspace_id is null
            or exists (select 1 from public.workspace_members wm
                        where wm.workspace_id = new.workspace_id and wm.user_id = u and wm.status = 'active'))
    union all
    select null, new.contact_id, 'whatsapp', m from unnest(new.reminder_minutes) m
     where new.status = 'scheduled' and client
  ), dropped as (
    update public.event_reminders r
       set status = 'cancelled',
           error = case when new.status = 'cancelled' then 'the event was cancelled'
                        when new.status = 'completed' then 'the event was completed'
                        else 'no longer asked for' end
     where r.event_id = new.id and r.status = 'pending' and r.kind = 'reminder'
       and not exists (select 1 from wanted w
                        where (w.user_id, w.contact_id, w.minutes_before) is not distinct from
                              (r.user_id, r.contact_id, r.minutes_before))
  ), moved as (
    update public.event_reminders r set remind_at = new.start_time - make_interval(mins => r.minutes_before)
     where r.event_id = new.id and r.status = 'pending' and r.kind = 'reminder'
       and r.remind_at <> new.start_time - make_interval(mins => r.minutes_before)
       and exists (select 1 from wanted w
                    where (w.user_id, w.contact_id, w.minutes_before) is not distinct from
                          (r.user_id, r.contact_id, r.minutes_before))
  )
  insert into public.event_reminders (event_id, workspace_id, kind, channel, user_id, contact_id, minutes_before, remind_at)
  select new.id, new.workspace_id, 'reminder', w.channel, w.user_id, w.contact_id, w.minutes_before,
         new.start_time - make_interval(mins => w.minutes_before)
    from wanted w
   where new.start_time > now()
     -- An offset already past when planned is dropped, unless it is the
     -- nearest one: that goes at the next tick.
     and (new.start_time - make_interval(mins => w.minutes_before) > now() or w.minutes_before = new.reminder_minutes[1])
     and not exists (select 1 from public.event_reminders r
                      where r.event_id = new.id and r.kind = 'reminder'
                        and (r.user_id, r.contact_id, r.minutes_before) is not distinct from
                            (w.user_id, w.contact_id, w.minutes_before)
                        and (r.status = 'pending'
                             or r.status in ('sent', 'failed')
                                and r.remind_at = new.start_time - make_interval(mins => w.minutes_before)));

  if tg_op = 'UPDATE' and new.status = 'cancelled' and old.status <> 'cancelled' and new.event_type = 'appointment'
     and new.contact_id is not null and s.cancellation_template_id is not null and new.start_time > now() then
    insert into public.event_reminders (event_id, workspace_id, kind, channel, contact_id, remind_at)
    values (new.id, new.workspace_id, 'cancellation', 'whatsapp', new.contact_id, now())
    on conflict do nothing;
  end if;
  return null;
end
$$;

-- All-day events keep their dates when the workspace's zone changes.
create function private.move_all_day_events()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.events e
     set start_time = ((e.start_time at time zone old.timezone)::date)::timestamp at time zone new.timezone,
         end_time = ((e.end_time at time zone old.timezone)::date)::timestamp at time zone new.timezone
   where e.workspace_id = new.id and e.all_day;
  return null;
end
$$;

-- Orders ---------------------------------------------------------------------------------

-- The deadline event of an order, when the workspace asks for them: made or
-- moved to the due date, renamed with the order, completed or cancelled
-- with it, removed when the due date goes. Its user is the order's
-- assignee, else its maker, else the workspace's owner (an active member).
create function private.keep_order_deadline(o public.orders)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  who uuid;
  st public.event_status := case o.status when 'completed' then 'completed' when 'cancelled' then 'cancelled'
                                          else 'scheduled' end::public.event_status;
begin
  if not coalesce((select s.order_deadlines from public.calendar_settings s where s.workspace_id = o.workspace_id), false) then
    return;
  end if;
  if o.due_date is null then
    delete from public.events e where e.order_id = o.id and e.source = 'order';
    return;
  end if;
  select u into who
    from unnest(array[o.assigned_to, o.created_by]) with ordinality x(u, n)
   where exists (select 1 from public.workspace_members m
                  where m.workspace_id = o.workspace_id and m.user_id = x.u and m.status = 'active')
   order by x.n limit 1;
  who := coalesce(who, (select m.user_id from public.workspace_members m
                         where m.workspace_id = o.workspace_id and m.status = 'active' and m.role = 'owner'
                         order by m.joined_at limit 1));
  if who is null then
    return;
  end if;
  perform set_config('threadline.order_deadline', 'on', true);
  insert into public.events as e (workspace_id, user_id, title, event_type, start_time, status, contact_id, order_id,
                                  reminder_minutes, source, attendees)
  values (o.workspace_id, who, left(format('Order %s due: %s', o.order_number, o.title), 200), 'deadline', o.due_date, st,
          o.contact_id, o.id, '{1440}', 'order', array[who])
  on conflict (order_id) where source = 'order' do update
    set start_time = excluded.start_time, title = excluded.title, status = excluded.status,
        contact_id = excluded.contact_id
   where (e.start_time, e.title, e.status, e.contact_id)
         is distinct from (excluded.start_time, excluded.title, excluded.status, excluded.contact_id);
  perform set_config('threadline.order_deadline', 'off', true);
end
$$;

create function private.order_deadline_changed()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.keep_order_deadline(new);
  return null;
end
$$;

-- An order's own deadline goes with it (a manual event linked to it stays,
-- unlinked).
create function private.remove_order_deadline()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  delete from public.events e where e.order_id = old.id and e.source = 'order';
  return old;
end
$$;

-- A member who leaves (removed, or no longer active) leaves the workspace's
-- coming events, and their pending reminders are cancelled; events they own
-- stay, for an admin to hand over. Nothing is done when the workspace or the
-- person is being deleted: their events and reminders go with them.
create function private.drop_departed_attendee()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if not exists (select 1 from public.workspaces w where w.id = old.workspace_id)
     or not exists (select 1 from public.profiles p where p.id = old.user_id) then
    return null;
  end if;
  update public.events e set attendees = array_remove(e.attendees, old.user_id)
   where e.workspace_id = old.workspace_id and e.attendees @> array[old.user_id] and e.user_id <> old.user_id
     and e.status = 'scheduled' and coalesce(e.end_time, e.start_time) > now();
  update public.event_reminders r set status = 'cancelled', error = 'the member left the workspace'
   where r.workspace_id = old.workspace_id and r.user_id = old.user_id and r.status = 'pending';
  return null;
end
$$;

-- Sending --------------------------------------------------------------------------------

-- Each of these clients' latest individual conversation per channel. Set-
-- wise by contact (the only index it can use), because a lookup per
-- reminder by contact, channel and workspace may be planned on the
-- channel's or the workspace's conversations when the statistics think
-- them few (a fresh database), and then walks them all for each reminder.
create function private.client_conversations(contact_ids uuid[])
returns table (contact_id uuid, channel_id uuid, id uuid)
language sql stable security definer set search_path = '' set enable_seqscan = off
as $$
  select distinct on (v.contact_id, v.channel_id) v.contact_id, v.channel_id, v.id
    from public.conversations v
   where v.contact_id = any (contact_ids) and v.type = 'individual'
   order by v.contact_id, v.channel_id, v.last_message_at desc nulls last, v.id desc
$$;

-- Queues WhatsApp reminders in one statement through the normal send path
-- (prepare_outbound checks role-free rules again: channel, template
-- approved, block, parameters), each message linked to its event.
create function private.queue_reminder_messages(items private.reminder_message[])
returns void
language sql security definer set search_path = ''
as $$
  insert into public.messages (id, conversation_id, type, template_id, template_params, event_id)
  select i.message_id, i.conversation_id, 'template', i.template_id, i.params, i.event_id from unnest(items) i
$$;

-- The tick's step: due pending reminders, oldest first, claimed with FOR
-- UPDATE SKIP LOCKED (an overlapping tick takes others, never these) and
-- marked in this same transaction. In-app ones become notifications;
-- WhatsApp ones are checked set-wise (a refusal is recorded, not raised),
-- get their client's conversation on the template's channel and are queued
-- in one insert; should that insert fail, each is queued on its own and a
-- failure recorded on its row. Returns how many were handled. Every lookup
-- is by key, pinned to indexes (enable_seqscan = off, inherited by the
-- triggers of what it inserts), as in prepare_outbound, and conversations
-- are found by their clients (see client_conversations): on a fresh
-- database the statistics say conversations are nearly empty, and a plan
-- trusting them walked the channel's conversations once per reminder
-- (10,000 WhatsApp reminders took 25 s instead of 4).
create function private.send_event_reminders(max_rows integer default 50000)
returns integer
language plpgsql security definer set search_path = '' set enable_seqscan = off
as $$
declare
  ids uuid[];
  clients uuid[];
  ready private.reminder_message[];
  item private.reminder_message;
begin
  select array_agg(r.id) into ids
    from (select r.id from public.event_reminders r
           where r.status = 'pending' and r.remind_at <= now()
           order by r.remind_at
           limit max_rows
             for update skip locked) r;
  if ids is null then
    return 0;
  end if;

  with due as (
    update public.event_reminders r
       set status = 'sent', sent_at = now(), late_seconds = floor(extract(epoch from now() - r.remind_at)),
           notification_id = gen_random_uuid()
     where r.id = any (ids) and r.channel = 'in_app'
    returning r.*
  )
  insert into public.notifications (id, user_id, workspace_id, type, title, body, action_url, reference_type, reference_id)
  select d.notification_id, d.user_id, e.workspace_id, 'event_reminder',
         left(initcap(e.event_type::text) || ': ' || e.title, 120),
         format('Starts %s (%s)%s.%s', to_char(e.start_time at time zone tz.name, 'YYYY-MM-DD HH24:MI'), tz.name,
                coalesce(' at ' || e.location, ''),
                case when d.late_seconds >= 60 then format(' This reminder is %s min late.', d.late_seconds / 60) else '' end),
         '/calendar/' || e.id, 'event', e.id
    from due d
    join public.events e on e.id = d.event_id
    cross join lateral (select private.workspace_timezone(e.workspace_id) as name) tz;

  -- WhatsApp: what may not go is recorded as failed with the reason.
  with checked as (
    select r.id, case
             when e.start_time <= now() and r.kind = 'reminder' then 'the appointment had started'
             when t.id is null then 'the workspace maps no template for it'
             when t.status <> 'APPROVED' then format('template "%s" (%s) is %s, only approved templates can be sent',
                                                    t.name, t.language, t.status)
             when t.category <> 'UTILITY' then format('template "%s" is %s, not UTILITY', t.name, t.category)
             when ct.phone is null then 'the client has no WhatsApp number'
             when private.contact_opted_out(ct.id) then 'the contact opted out of messages'
             else private.send_refusal(ch.is_active, private.chat_blocked(ch.id, ch.workspace_id, ct.phone), false, false)
           end as refusal
      from public.event_reminders r
      join public.events e on e.id = r.event_id
      join public.contacts ct on ct.id = r.contact_id
      left join public.calendar_settings s on s.workspace_id = r.workspace_id
      left join public.message_templates t
        on t.id = case r.kind when 'reminder' then s.reminder_template_id else s.cancellation_template_id end
      left join public.channels ch on ch.id = t.channel_id
     where r.id = any (ids) and r.channel = 'whatsapp'
  )
  update public.event_reminders r
     set status = 'failed', error = c.refusal, late_seconds = floor(extract(epoch from now() - r.remind_at))
    from checked c
   where c.id = r.id and c.refusal is not null;

  -- The client's own chat on the template's channel, else a new one.
  clients := array(select r.contact_id from public.event_reminders r
                    where r.id = any (ids) and r.channel = 'whatsapp' and r.status = 'pending');
  with known as materialized (select * from private.client_conversations(clients))
  insert into public.conversations (workspace_id, channel_id, chat_id, contact_id, type)
  select distinct r.workspace_id, ch.id, ct.phone || case when ch.provider = 'cloud_api' then '' else '@s.whatsapp.net' end,
         ct.id, 'individual'::public.conversation_type
    from public.event_reminders r
    join public.contacts ct on ct.id = r.contact_id
    join public.calendar_settings s on s.workspace_id = r.workspace_id
    join public.message_templates t
      on t.id = case r.kind when 'reminder' then s.reminder_template_id else s.cancellation_template_id end
    join public.channels ch on ch.id = t.channel_id
    left join known k on k.contact_id = ct.id and k.channel_id = ch.id
   where r.id = any (ids) and r.channel = 'whatsapp' and r.status = 'pending' and k.id is null
  on conflict (channel_id, workspace_id, chat_id) do nothing;

  with known as materialized (select * from private.client_conversations(clients))
  select array_agg(row(r.id, gen_random_uuid(), k.id, t.id,
                       private.event_template_params(case r.kind when 'reminder' then s.reminder_parameters
                                                                 else s.cancellation_parameters end,
                                                     e, ct, r.minutes_before),
                       e.id)::private.reminder_message)
    into ready
    from public.event_reminders r
    join public.events e on e.id = r.event_id
    join public.contacts ct on ct.id = r.contact_id
    join public.calendar_settings s on s.workspace_id = r.workspace_id
    join public.message_templates t
      on t.id = case r.kind when 'reminder' then s.reminder_template_id else s.cancellation_template_id end
    join known k on k.contact_id = ct.id and k.channel_id = t.channel_id
   where r.id = any (ids) and r.channel = 'whatsapp' and r.status = 'pending';

  if ready is not null then
    begin
      perform private.queue_reminder_messages(ready);
    exception when others then
      -- One bad row must not hold back the others: each on its own.
      foreach item in array ready loop
        begin
          perform private.queue_reminder_messages(array[item]);
        exception when others then
          update public.event_reminders r set status = 'failed', error = sqlerrm,
                 late_seconds = floor(extract(epoch from now() - r.remind_at))
           where r.id = item.reminder_id;
          ready := array_remove(ready, item);
        end;
      end loop;
    end;
    update public.event_reminders r
       set status = 'sent', sent_at = now(), late_seconds = floor(extract(epoch from now() - r.remind_at)),
           message_id = i.message_id
      from unnest(ready) i
     where r.id = i.reminder_id and r.status = 'pending';
  end if;

  -- A row neither sent nor refused above (its conversation could not be
  -- found) is not left pending forever.
  update public.event_reminders r set status = 'failed', error = 'no conversation with the client on the template''s channel',
         late_seconds = floor(extract(epoch from now() - r.remind_at))
   where r.id = any (ids) and r.status = 'pending';
  return cardinality(ids);
end
$$;

-- Replies --------------------------------------------------------------------------------

-- A client's message about a reminder belongs to its event: one that quotes
-- the reminder (or notice), or else their first message in the
-- conversation after it, within 24 hours. The lookups read a small partial
-- index, so ordinary inbound traffic pays one index probe.
create function private.link_event_reply()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.quoted_message_id is not null then
    new.event_id := (select m.event_id from public.messages m where m.id = new.quoted_message_id);
    return new;
  end if;
  new.event_id := (
    select m.event_id from public.messages m
     where m.conversation_id = new.conversation_id and m.event_id is not null and m.direction = 'outbound'
       and m.created_at > now() - interval '24 hours'
       and not exists (select 1 from public.messages i
                        where i.conversation_id = m.conversation_id and i.direction = 'inbound'
                          and i.created_at > m.created_at)
     order by m.created_at desc
     limit 1);
  return new;
end
$$;

-- ==========================================================================
-- Triggers
-- ==========================================================================

create trigger set_updated_at before update on public.calendar_settings
  for each row execute function private.set_updated_at();
create trigger check_calendar_settings before insert or update on public.calendar_settings
  for each row execute function private.check_calendar_settings();
create trigger calendar_settings_changed after insert or update of allow_double_booking, order_deadlines
  on public.calendar_settings for each row execute function private.calendar_settings_changed();
create trigger audit after insert or update or delete on public.calendar_settings
  for each row execute function private.audit_change('calendar_settings');

create trigger set_updated_at before update on public.events
  for each row execute function private.set_updated_at();
create trigger prepare_event before insert or update on public.events
  for each row execute function private.prepare_event();
create trigger sync_event_attendees after insert or update of attendees, start_time, end_time, event_type, status
  on public.events for each row execute function private.sync_event_attendees();
create trigger sync_event_reminders after insert or update of attendees, start_time, reminder_minutes, event_type, status,
  contact_id on public.events for each row execute function private.sync_event_reminders();
create trigger audit after insert or update or delete on public.events
  for each row execute function private.audit_change('event');

create trigger move_all_day_events after update of timezone on public.workspaces
  for each row when (old.timezone is distinct from new.timezone) execute function private.move_all_day_events();

-- WHEN clauses keep the order's hot path (a new order without a due date,
-- a status step of one) free of the lookup.
create trigger keep_order_deadline after insert on public.orders
  for each row when (new.due_date is not null) execute function private.order_deadline_changed();
create trigger keep_order_deadline_on_change after update of due_date, status, title, contact_id on public.orders
  for each row when ((old.due_date is not null or new.due_date is not null)
                     and (old.due_date, old.status, old.title, old.contact_id)
                         is distinct from (new.due_date, new.status, new.title, new.contact_id))
  execute function private.order_deadline_changed();
create trigger remove_order_deadline before delete on public.orders
  for each row execute function private.remove_order_deadline();

create trigger drop_departed_attendee after delete on public.workspace_members
  for each row when (old.status = 'active') execute function private.drop_departed_attendee();
create trigger drop_departed_attendee_on_change after update of status on public.workspace_members
  for each row when (old.status = 'active' and new.status <> 'active') execute function private.drop_departed_attendee();

create trigger link_event_reply before insert on public.messages
  for each row when (new.direction = 'inbound' and new.event_id is null) execute function private.link_event_reply();

-- ==========================================================================
-- Row level security and grants
-- ==========================================================================

alter table public.calendar_settings enable row level security;
alter table public.events enable row level security;
alter table public.event_attendees enable row level security;
alter table public.event_reminders enable row level security;
alter table public.calendar_settings alter column workspace_id set (n_distinct = 500);
alter table public.events alter column workspace_id set (n_distinct = 500);
alter table public.event_attendees alter column workspace_id set (n_distinct = 500);
alter table public.event_reminders alter column workspace_id set (n_distinct = 500);

revoke all on public.calendar_settings, public.events, public.event_attendees, public.event_reminders
  from anon, authenticated;

-- Admins set the rules; every member reads them.
grant select, delete on public.calendar_settings to authenticated;
grant insert (workspace_id, allow_double_booking, order_deadlines, reminder_template_id, reminder_parameters,
              cancellation_template_id, cancellation_parameters) on public.calendar_settings to authenticated;
grant update (allow_double_booking, order_deadlines, reminder_template_id, reminder_parameters, cancellation_template_id,
              cancellation_parameters) on public.calendar_settings to authenticated;

-- Members keep the calendar; attendees and reminders are the database's.
grant select, delete on public.events to authenticated;
grant insert (id, workspace_id, user_id, title, description, event_type, start_time, end_time, all_day, location, color,
              status, attendees, contact_id, order_id, reminder_minutes) on public.events to authenticated;
grant update (user_id, title, description, event_type, start_time, end_time, all_day, location, color, status, attendees,
              contact_id, order_id, reminder_minutes) on public.events to authenticated;
grant select on public.event_attendees, public.event_reminders to authenticated;

create policy calendar_settings_select on public.calendar_settings for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy calendar_settings_insert on public.calendar_settings for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));
create policy calendar_settings_update on public.calendar_settings for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));
create policy calendar_settings_delete on public.calendar_settings for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

-- A personal event is its owner's alone (and not reachable with a
-- workspace's API key); a workspace's events follow its roles.
create policy events_select on public.events for select to authenticated
  using (workspace_id is null and user_id = (select auth.uid()) and (select private.api_key_workspace()) is null
         or workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy events_insert on public.events for insert to authenticated
  with check (workspace_id is null and user_id = (select auth.uid()) and (select private.api_key_workspace()) is null
              or workspace_id = any (array(select private.workspaces_with_role('member'))));
create policy events_update on public.events for update to authenticated
  using (workspace_id is null and user_id = (select auth.uid()) and (select private.api_key_workspace()) is null
         or workspace_id = any (array(select private.workspaces_with_role('member'))))
  with check (workspace_id is null and user_id = (select auth.uid()) and (select private.api_key_workspace()) is null
              or workspace_id = any (array(select private.workspaces_with_role('member'))));
create policy events_delete on public.events for delete to authenticated
  using (workspace_id is null and user_id = (select auth.uid()) and (select private.api_key_workspace()) is null
         or workspace_id = any (array(select private.workspaces_with_role('member'))));

create policy event_attendees_select on public.event_attendees for select to authenticated
  using (workspace_id is null and user_id = (select auth.uid()) and (select private.api_key_workspace()) is null
         or workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy event_reminders_select on public.event_reminders for select to authenticated
  using (workspace_id is null and user_id = (select auth.uid()) and (select private.api_key_workspace()) is null
         or workspace_id = any (array(select private.workspaces_with_role('viewer'))));

alter publication supabase_realtime add table public.events;

revoke all on function private.attendee_exclusive(public.event_type, public.event_status, uuid),
  private.event_template_params(jsonb, public.events, public.contacts, integer),
  private.check_calendar_template(uuid, uuid, jsonb, text), private.check_calendar_settings(),
  private.calendar_settings_changed(), private.raise_booking_clash(uuid, uuid, uuid[], tstzrange),
  private.prepare_event(), private.sync_event_attendees(), private.sync_event_reminders(),
  private.move_all_day_events(), private.keep_order_deadline(public.orders), private.order_deadline_changed(),
  private.remove_order_deadline(), private.drop_departed_attendee(), private.client_conversations(uuid[]),
  private.queue_reminder_messages(private.reminder_message[]),
  private.send_event_reminders(integer), private.link_event_reply()
  from public;

-- ==========================================================================
-- Tick steps
-- ==========================================================================

insert into private.tick_steps (name, fn, position) values
  ('event_reminders', 'private.send_event_reminders', 92);
