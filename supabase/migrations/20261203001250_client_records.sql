-- Module: client_records
--
-- What a business keeps about its customers beyond the conversation (seed
-- 004 CRM: client_interactions, client_measurements; seed 004's clients are
-- our contacts). It runs before the commerce module, which records an
-- interaction for each order and payment.
--
-- Interactions are the contact's timeline. People log calls, emails,
-- meetings and notes; order and payment entries are written only by the
-- database (the commerce module, running as its definer) and are never
-- edited by a client. Who is writing is the role the statement runs as:
-- inside a security definer function it is the function's owner, whoever
-- signed the request, while private.is_client() still answers true there
-- (auth.uid() is the acting user), so it cannot tell the two apart.
--
-- Measurements are taken against a template (a shirt needs a neck, a
-- sleeve...): each value is checked against the template's field (known
-- key, its unit, a number within its range, required ones present) and
-- stored with its unit. Every taking is kept; the latest per template is
-- one indexed query (latest_client_measurements).

-- ==========================================================================
-- Types
-- ==========================================================================

create type public.interaction_type as enum ('call', 'email', 'meeting', 'note', 'order', 'payment');

-- ==========================================================================
-- Tables
-- ==========================================================================

create table public.client_interactions (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  contact_id uuid not null references public.contacts (id) on delete cascade,
  user_id uuid default auth.uid() references public.profiles (id) on delete set null,
  interaction_type public.interaction_type not null,
  subject text check (char_length(subject) <= 300),
  description text check (char_length(description) <= 10000),
  metadata jsonb not null default '{}'::jsonb
    check (jsonb_typeof(metadata) = 'object' and octet_length(metadata::text) <= 16384),
  occurred_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.client_interactions is 'A contact''s timeline (seed 004 client_interactions): calls, emails, meetings and notes people log, and order and payment entries the database writes.';
comment on column public.client_interactions.id is 'Time-ordered id (uuid7); breaks ties between entries at the same occurred_at.';
comment on column public.client_interactions.workspace_id is 'The workspace; the contact''s.';
comment on column public.client_interactions.contact_id is 'The customer (seed client_id), in the same workspace.';
comment on column public.client_interactions.user_id is 'Who recorded it: the signed-in user for a logged entry; for order and payment entries the user who acted, or null when the system did.';
comment on column public.client_interactions.interaction_type is 'call, email, meeting or note (logged by people); order or payment (written only by the database, never edited by a client).';
comment on column public.client_interactions.subject is 'A one-line summary, at most 300 characters.';
comment on column public.client_interactions.description is 'The details, at most 10,000 characters.';
comment on column public.client_interactions.metadata is 'A JSON object (at most 16 KB); order entries carry {order_id, order_number, status}, payment entries {order_id, order_number, amount, amount_paid}.';
comment on column public.client_interactions.occurred_at is 'When it happened: defaults to now, may be backdated, never more than 5 minutes ahead. The timeline''s order.';
comment on column public.client_interactions.created_at is 'When it was recorded.';
comment on column public.client_interactions.updated_at is 'When a logged entry was last edited.';

create table public.measurement_templates (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  name text not null check (char_length(name) between 1 and 100),
  description text check (char_length(description) <= 1000),
  fields jsonb not null,
  is_active boolean not null default true,
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (id, workspace_id)
);
comment on table public.measurement_templates is 'What a kind of garment needs measured (the seed''s measurement_template_id names it): named fields with a unit and a range. Admins manage them.';
comment on column public.measurement_templates.id is 'Time-ordered id (uuid7).';
comment on column public.measurement_templates.workspace_id is 'The workspace.';
comment on column public.measurement_templates.name is 'E.g. Shirt; unique in the workspace whatever its case; surrounding spaces trimmed.';
comment on column public.measurement_templates.description is 'What it is for, at most 1,000 characters.';
comment on column public.measurement_templates.fields is 'A JSON array of 1 to 100 fields {"key", "label", "unit", "min", "max", "required"}: key ^[a-z][a-z0-9_]{0,39}$, unique; unit one of cm, mm, in, kg, lb; min and max optional numbers, 0 <= min < max; label defaults from the key, required to false. Checked and normalized when saved.';
comment on column public.measurement_templates.is_active is 'Inactive templates keep their measurements but take no new ones.';
comment on column public.measurement_templates.created_by is 'The admin who made it.';
comment on column public.measurement_templates.created_at is 'When it was made.';
comment on column public.measurement_templates.updated_at is 'When it last changed.';

create table public.client_measurements (
  id uuid primary key default private.uuid7(),
  workspace_id uuid not null references public.workspaces (id) on delete cascade,
  contact_id uuid not null references public.contacts (id) on delete cascade,
  measurement_template_id uuid not null,
  measurements jsonb not null,
  taken_by uuid default auth.uid() references public.profiles (id) on delete set null,
  taken_at timestamptz not null default now(),
  notes text check (char_length(notes) <= 2000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- The template is the measurement's workspace's; one in use is not deleted.
  foreign key (measurement_template_id, workspace_id) references public.measurement_templates (id, workspace_id)
);
comment on table public.client_measurements is 'One taking of a contact''s measurements against a template (seed 004 client_measurements). Every taking is kept; latest_client_measurements has the latest per template.';
comment on column public.client_measurements.id is 'Time-ordered id (uuid7); breaks ties between takings at the same taken_at.';
comment on column public.client_measurements.workspace_id is 'The workspace; the contact''s and the template''s.';
comment on column public.client_measurements.contact_id is 'The customer (seed client_id), in the same workspace.';
comment on column public.client_measurements.measurement_template_id is 'The template the values follow; required, in the same workspace, active when the measurement is taken.';
comment on column public.client_measurements.measurements is 'Field key to {"value": <number>, "unit": "<the field''s unit>"}. Clients may send a bare number (in the field''s unit) or that object; stored normalized.';
comment on column public.client_measurements.taken_by is 'Who took them: an active member of the workspace; defaults to the signed-in user.';
comment on column public.client_measurements.taken_at is 'When they were taken: defaults to now, may be backdated, never more than 5 minutes ahead.';
comment on column public.client_measurements.notes is 'Remarks (posture, preferred fit); the only part that can be edited afterwards.';
comment on column public.client_measurements.created_at is 'When it was recorded.';
comment on column public.client_measurements.updated_at is 'When the notes last changed.';

-- ==========================================================================
-- Indexes
-- ==========================================================================

-- A contact's timeline, newest first, in index order.
create index client_interactions_timeline_idx on public.client_interactions (contact_id, occurred_at desc, id desc);
create index client_interactions_workspace_idx on public.client_interactions (workspace_id, occurred_at desc);
create index client_interactions_user_id_idx on public.client_interactions (user_id) where user_id is not null;

create unique index measurement_templates_workspace_name_key on public.measurement_templates (workspace_id, lower(name));
create index measurement_templates_created_by_idx on public.measurement_templates (created_by) where created_by is not null;

-- latest_client_measurements reads this in order: per contact and
-- template, the newest taking first.
create index client_measurements_latest_idx on public.client_measurements
  (contact_id, measurement_template_id, taken_at desc, id desc);
create index client_measurements_workspace_idx on public.client_measurements (workspace_id, taken_at desc);
create index client_measurements_template_idx on public.client_measurements (measurement_template_id, workspace_id);
create index client_measurements_taken_by_idx on public.client_measurements (taken_by) where taken_by is not null;

-- ==========================================================================
-- Views
-- ==========================================================================

create view public.latest_client_measurements with (security_invoker = true) as
  select distinct on (m.contact_id, m.measurement_template_id)
         m.id, m.workspace_id, m.contact_id, m.measurement_template_id, m.measurements, m.taken_by, m.taken_at, m.notes,
         m.created_at, m.updated_at
    from public.client_measurements m
   order by m.contact_id, m.measurement_template_id, m.taken_at desc, m.id desc;
comment on view public.latest_client_measurements is 'Each contact''s latest measurement per template (by taken_at, then id), read with the caller''s rights; filter by contact_id to walk client_measurements_latest_idx.';

-- ==========================================================================
-- Functions
-- ==========================================================================

-- A template's fields, checked and written out in full: each error names
-- the field (by key once it has one, by position before).
create function private.normalize_measurement_fields(fields jsonb)
returns jsonb
language plpgsql immutable set search_path = ''
as $$
declare
  f jsonb;
  n integer := 0;
  k text;
  keys text[] := '{}'::text[];
  extra text;
  label text;
  unit text;
  lo numeric;
  hi numeric;
  required boolean;
  result jsonb := '[]'::jsonb;
begin
  if fields is null or jsonb_typeof(fields) <> 'array' then
    raise exception 'fields must be a JSON array of {"key", "label", "unit", "min", "max", "required"}'
      using errcode = '22023';
  end if;
  if jsonb_array_length(fields) not between 1 and 100 then
    raise exception 'a template has 1 to 100 fields, not %', jsonb_array_length(fields) using errcode = '22023';
  end if;
  for f in select e.value from jsonb_array_elements(fields) e loop
    n := n + 1;
    if jsonb_typeof(f) <> 'object' then
      raise exception 'field % must be an object {"key", "label", "unit", "min", "max", "required"}', n using errcode = '22023';
    end if;
    k := f ->> 'key';
    if jsonb_typeof(f -> 'key') is distinct from 'string' or k !~ '^[a-z][a-z0-9_]{0,39}$' then
      raise exception 'field %: key must be 1 to 40 lower-case letters, digits or _, starting with a letter (got %)',
        n, coalesce((f -> 'key')::text, 'nothing') using errcode = '22023';
    end if;
    select string_agg(format('"%s"', p), ', ' order by p) into extra
      from jsonb_object_keys(f) p where p not in ('key', 'label', 'unit', 'min', 'max', 'required');
    if extra is not null then
      raise exception 'field "%" has unknown properties %; a field has key, label, unit, min, max, required', k, extra
        using errcode = '22023';
    end if;
    if k = any (keys) then
      raise exception 'field "%" appears twice', k using errcode = '22023';
    end if;
    keys := keys || k;
    if f ? 'label' and (jsonb_typeof(f -> 'label') <> 'string' or char_length(btrim(f ->> 'label')) not between 1 and 100) then
      raise exception 'field "%": label must be text of 1 to 100 characters', k using errcode = '22023';
    end if;
    label := coalesce(btrim(f ->> 'label'), initcap(replace(k, '_', ' ')));
    unit := f ->> 'unit';
    if jsonb_typeof(f -> 'unit') is distinct from 'string' or unit not in ('cm', 'mm', 'in', 'kg', 'lb') then
      raise exception 'field "%": unit must be one of cm, mm, in, kg, lb (got %)', k, coalesce((f -> 'unit')::text, 'nothing')
        using errcode = '22023';
    end if;
    if jsonb_typeof(f -> 'min') not in ('number', 'null') then
      raise exception 'field "%": min must be a number (got %)', k, f -> 'min' using errcode = '22023';
    end if;
    if jsonb_typeof(f -> 'max') not in ('number', 'null') then
      raise exception 'field "%": max must be a number (got %)', k, f -> 'max' using errcode = '22023';
    end if;
    lo := (f ->> 'min')::numeric;
    hi := (f ->> 'max')::numeric;
    if lo < 0 or hi <= 0 then
      raise exception 'field "%": measurements are not negative; min must be 0 or more and max more than 0', k
        using errcode = '22023';
    end if;
    if lo >= hi then
      raise exception 'field "%": min (%) must be less than max (%)', k, lo, hi using errcode = '22023';
    end if;
    if jsonb_typeof(f -> 'required') not in ('boolean', 'null') then
      raise exception 'field "%": required must be true or false (got %)', k, f -> 'required' using errcode = '22023';
    end if;
    required := coalesce((f ->> 'required')::boolean, false);
    result := result || jsonb_build_array(jsonb_strip_nulls(jsonb_build_object(
      'key', k, 'label', label, 'unit', unit, 'min', lo, 'max', hi, 'required', required)));
  end loop;
  return result;
end
$$;
comment on function private.normalize_measurement_fields(jsonb) is
  'Checks a template''s fields (22023 naming the field) and returns them in full: label and required filled in.';

-- Measurements against their template: each error names the measurement
-- and the template. Values are stored as {"value", "unit"} in the field's
-- unit; nothing is converted, a value in another unit is refused.
create function private.normalize_measurements(template public.measurement_templates, measurements jsonb)
returns jsonb
language plpgsql immutable set search_path = ''
as $$
declare
  f jsonb;
  k text;
  v jsonb;
  val numeric;
  unit text;
  lo numeric;
  hi numeric;
  extra text;
  result jsonb := '{}'::jsonb;
begin
  if measurements is null or jsonb_typeof(measurements) <> 'object' then
    raise exception 'measurements must be a JSON object of field keys to numbers, e.g. {"neck": 38.5}'
      using errcode = '22023';
  end if;
  select m.key into k
    from jsonb_object_keys(measurements) m(key)
   where not exists (select 1 from jsonb_array_elements(template.fields) e where e.value ->> 'key' = m.key)
   limit 1;
  if k is not null then
    raise exception 'measurement "%" is not a field of template "%"', k, template.name
      using errcode = '22023', hint = 'its fields: ' || (select string_agg(e.value ->> 'key', ', ')
                                                           from jsonb_array_elements(template.fields) e);
  end if;
  for f in select e.value from jsonb_array_elements(template.fields) e loop
    k := f ->> 'key';
    v := measurements -> k;
    if v is null or jsonb_typeof(v) = 'null' then
      if (f ->> 'required')::boolean then
        raise exception 'measurement "%" is required by template "%"', k, template.name using errcode = '22023';
      end if;
      continue;
    end if;
    unit := f ->> 'unit';
    if jsonb_typeof(v) = 'object' then
      select string_agg(format('"%s"', p), ', ' order by p) into extra
        from jsonb_object_keys(v) p where p not in ('value', 'unit');
      if extra is not null then
        raise exception 'measurement "%" has unknown properties %; send a number or {"value": <number>, "unit": "%"}',
          k, extra, unit using errcode = '22023';
      end if;
      if jsonb_typeof(v -> 'unit') not in ('string', 'null') then
        raise exception 'measurement "%": unit must be text (got %)', k, v -> 'unit' using errcode = '22023';
      end if;
      if coalesce(v ->> 'unit', unit) <> unit then
        raise exception 'measurement "%" is in %, but template "%" measures it in %', k, v ->> 'unit', template.name, unit
          using errcode = '22023';
      end if;
      v := v -> 'value';
    end if;
    if jsonb_typeof(v) is distinct from 'number' then
      raise exception 'measurement "%" must be a number (got %)', k, coalesce(left(v::text, 60), 'nothing')
        using errcode = '22023';
    end if;
    val := v::numeric;
    lo := coalesce((f ->> 'min')::numeric, 0);
    hi := (f ->> 'max')::numeric;
    if val < lo or val > hi then
      if hi is null then
        raise exception 'measurement "%" is % %, below % % for template "%"', k, val, unit, lo, unit, template.name
          using errcode = '22023';
      end if;
      raise exception 'measurement "%" is % %, outside %..% % for template "%"', k, val, unit, lo, hi, unit, template.name
        using errcode = '22023';
    end if;
    result := result || jsonb_build_object(k, jsonb_build_object('value', val, 'unit', unit));
  end loop;
  if result = '{}'::jsonb then
    raise exception 'a measurement records at least one field of template "%"', template.name using errcode = '22023';
  end if;
  return result;
end
$$;
comment on function private.normalize_measurements(public.measurement_templates, jsonb) is
  'Checks measurements against their template (22023 naming the measurement and template) and returns them as {key: {value, unit}}.';

-- An interaction's contact is in its workspace, and it did not happen in
-- the future. A client without the member role is refused first, as RLS
-- would refuse it, before the contact is looked up.
create function private.check_client_interaction()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.require_writer(new.workspace_id, 'member', 'client_interactions');
    new.created_at := now();
  end if;
  if (tg_op = 'INSERT' or new.contact_id is distinct from old.contact_id) and not exists (
       select 1 from public.contacts c where c.id = new.contact_id and c.workspace_id = new.workspace_id) then
    raise exception 'contact not found in this workspace' using errcode = '23503';
  end if;
  if (tg_op = 'INSERT' or new.occurred_at is distinct from old.occurred_at) and new.occurred_at > now() + interval '5 minutes' then
    raise exception 'occurred_at % is in the future; an interaction is recorded when or after it happens', new.occurred_at
      using errcode = '22023';
  end if;
  return new;
end
$$;

-- Order and payment entries are the database's: a client (a statement
-- running as anon or authenticated) neither writes nor changes them. A
-- logged entry is its author's to edit or delete, or an admin's. This runs
-- with the caller's rights on purpose, so current_user is the role the
-- statement runs as: a security definer function (the commerce module) or
-- a cascade (a contact deleted, a profile set to null) runs as the owner,
-- and passes. It fires after check_client_interaction (triggers fire by
-- name), so an outsider's insert has been refused before this.
create function private.guard_client_interaction()
returns trigger
language plpgsql set search_path = ''
as $$
begin
  if current_user not in ('anon', 'authenticated') then
    return coalesce(new, old);
  end if;
  if tg_op = 'INSERT' then
    if new.interaction_type in ('order', 'payment') then
      raise exception '% interactions are recorded by the database from orders; log a call, email, meeting or note',
        new.interaction_type using errcode = '42501';
    end if;
    return new;
  end if;
  if old.interaction_type in ('order', 'payment') then
    raise exception '% interactions are history written by the database; they are not edited or deleted',
      old.interaction_type using errcode = '42501';
  end if;
  if tg_op = 'UPDATE' and new.interaction_type in ('order', 'payment') then
    raise exception 'a logged interaction does not become an order or payment interaction; those are recorded by the database from orders'
      using errcode = '42501';
  end if;
  if old.user_id is distinct from (select auth.uid()) and not private.has_workspace_role(old.workspace_id, 'admin') then
    raise exception 'only the member who logged an interaction, or an admin, % it',
      case tg_op when 'UPDATE' then 'edits' else 'deletes' end using errcode = '42501';
  end if;
  return coalesce(new, old);
end
$$;

-- Admins only, refused first; the fields are checked and stored in full.
create function private.check_measurement_template()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    perform private.require_writer(new.workspace_id, 'admin', 'measurement_templates');
  end if;
  new.name := btrim(new.name);
  if tg_op = 'INSERT' or new.fields is distinct from old.fields then
    new.fields := private.normalize_measurement_fields(new.fields);
  end if;
  return new;
end
$$;

-- A taking's contact and template are its workspace's, the template is
-- active, whoever took it is a member, and the values fit the template. A
-- client without the member role is refused first, before any lookup.
create function private.check_client_measurement()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  template public.measurement_templates;
begin
  perform private.require_writer(new.workspace_id, 'member', 'client_measurements');
  if not exists (select 1 from public.contacts c where c.id = new.contact_id and c.workspace_id = new.workspace_id) then
    raise exception 'contact not found in this workspace' using errcode = '23503';
  end if;
  if new.measurement_template_id is null then
    raise exception 'measurement_template_id is required: measurements are taken against a template' using errcode = '23502';
  end if;
  select * into template from public.measurement_templates t
   where t.id = new.measurement_template_id and t.workspace_id = new.workspace_id;
  if not found then
    raise exception 'measurement template not found in this workspace' using errcode = '23503';
  end if;
  if not template.is_active then
    raise exception 'measurement template "%" is inactive; it takes no new measurements', template.name
      using errcode = '22023';
  end if;
  if new.taken_by is not null and not exists (
       select 1 from public.workspace_members m
        where m.workspace_id = new.workspace_id and m.user_id = new.taken_by and m.status = 'active') then
    raise exception 'taken_by is not an active member of this workspace' using errcode = '23503';
  end if;
  if new.taken_at > now() + interval '5 minutes' then
    raise exception 'taken_at % is in the future; measurements are recorded when or after they are taken', new.taken_at
      using errcode = '22023';
  end if;
  new.measurements := private.normalize_measurements(template, new.measurements);
  new.created_at := now();
  return new;
end
$$;

-- ==========================================================================
-- Access
-- ==========================================================================

alter table public.client_interactions enable row level security;
alter table public.measurement_templates enable row level security;
alter table public.client_measurements enable row level security;

-- A caller's workspaces are a small part of a shared table (see identity).
alter table public.client_interactions alter column workspace_id set (n_distinct = 500);
alter table public.measurement_templates alter column workspace_id set (n_distinct = 500);
alter table public.client_measurements alter column workspace_id set (n_distinct = 500);

revoke all on public.client_interactions, public.measurement_templates, public.client_measurements,
  public.latest_client_measurements from anon, authenticated;

grant select, delete on public.client_interactions to authenticated;
grant insert (workspace_id, contact_id, interaction_type, subject, description, metadata, occurred_at)
  on public.client_interactions to authenticated;
grant update (interaction_type, subject, description, metadata, occurred_at) on public.client_interactions to authenticated;

grant select, delete on public.measurement_templates to authenticated;
grant insert (workspace_id, name, description, fields, is_active) on public.measurement_templates to authenticated;
grant update (name, description, fields, is_active) on public.measurement_templates to authenticated;

-- Values are history: only the notes change after a taking.
grant select, delete on public.client_measurements to authenticated;
grant insert (workspace_id, contact_id, measurement_template_id, measurements, taken_by, taken_at, notes)
  on public.client_measurements to authenticated;
grant update (notes) on public.client_measurements to authenticated;

grant select on public.latest_client_measurements to authenticated;

-- Everyone in the workspace reads the timeline; members log and edit
-- (their own entries, or any as an admin: guard_client_interaction).
create policy client_interactions_select on public.client_interactions for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy client_interactions_insert on public.client_interactions for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));
create policy client_interactions_update on public.client_interactions for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('member'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));
create policy client_interactions_delete on public.client_interactions for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('member'))));

create policy measurement_templates_select on public.measurement_templates for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy measurement_templates_insert on public.measurement_templates for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));
create policy measurement_templates_update on public.measurement_templates for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('admin'))));
create policy measurement_templates_delete on public.measurement_templates for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

create policy client_measurements_select on public.client_measurements for select to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('viewer'))));
create policy client_measurements_insert on public.client_measurements for insert to authenticated
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));
create policy client_measurements_update on public.client_measurements for update to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('member'))))
  with check (workspace_id = any (array(select private.workspaces_with_role('member'))));
create policy client_measurements_delete on public.client_measurements for delete to authenticated
  using (workspace_id = any (array(select private.workspaces_with_role('admin'))));

-- ==========================================================================
-- Triggers
-- ==========================================================================

create trigger check_client_interaction before insert or update on public.client_interactions
  for each row execute function private.check_client_interaction();
create trigger guard_client_interaction before insert or update or delete on public.client_interactions
  for each row execute function private.guard_client_interaction();
create trigger set_updated_at before update on public.client_interactions
  for each row execute function private.set_updated_at();
create trigger audit after update or delete on public.client_interactions
  for each row execute function private.audit_change('client_interaction');

create trigger check_measurement_template before insert or update on public.measurement_templates
  for each row execute function private.check_measurement_template();
create trigger set_updated_at before update on public.measurement_templates
  for each row execute function private.set_updated_at();
create trigger audit after insert or update or delete on public.measurement_templates
  for each row execute function private.audit_change('measurement_template');

create trigger check_client_measurement before insert on public.client_measurements
  for each row execute function private.check_client_measurement();
create trigger set_updated_at before update on public.client_measurements
  for each row execute function private.set_updated_at();
create trigger audit after update or delete on public.client_measurements
  for each row execute function private.audit_change('client_measurement');

-- ==========================================================================
-- Grants
-- ==========================================================================

revoke all on function private.normalize_measurement_fields(jsonb),
  private.normalize_measurements(public.measurement_templates, jsonb), private.check_client_interaction(),
  private.guard_client_interaction(), private.check_measurement_template(), private.check_client_measurement()
  from public;
