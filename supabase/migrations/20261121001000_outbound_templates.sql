-- Message templates: what may be sent outside the 24-hour window on Cloud
-- API channels (approved by Meta, synced from the WABA's template list), and
-- canned messages on Evolution/whatsmeow channels, where no approval exists.
-- The database knows each template's placeholders, so bad parameters are
-- refused when a message is queued, not when Meta rejects it later.

create type public.template_category as enum ('MARKETING', 'UTILITY', 'AUTHENTICATION');
create type public.template_status as enum ('APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED');

create table public.message_templates (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null,
  channel_id uuid not null,
  name text not null check ((name ~ '^[a-z0-9_]+$' and char_length(name) <= 512)),
  language text not null check (language ~ '^[a-z]{2,3}(_[A-Z]{2,4})?$'),
  category public.template_category not null,
  status public.template_status not null default 'PENDING',
  components jsonb not null default '[]'::jsonb check (jsonb_typeof(components) = 'array'),
  parameter_format text check (parameter_format in ('POSITIONAL', 'NAMED')),
  provider_template_id text,
  rejected_reason text,
  last_synced_at timestamptz,
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (channel_id, workspace_id, name, language),
  foreign key (channel_id, workspace_id) references public.channels (id, workspace_id) on delete cascade
);
create index message_templates_created_by_idx on public.message_templates (created_by) where created_by is not null;
comment on table public.message_templates is 'WhatsApp message templates per channel: Meta-approved templates (Cloud API, synced) or canned messages (Evolution, whatsmeow).';
comment on column public.message_templates.components is 'Meta''s component list: HEADER (format TEXT/IMAGE/VIDEO/DOCUMENT), BODY (text with {{1}} or {{name}} placeholders), FOOTER, BUTTONS.';
comment on column public.message_templates.status is 'Only APPROVED templates send. Cloud API statuses come from Meta through template sync.';
comment on column public.message_templates.provider_template_id is 'Meta''s template id (Cloud API).';

create trigger set_updated_at before update on public.message_templates
  for each row execute function private.set_updated_at();

-- Placeholders --------------------------------------------------------------------

-- Distinct placeholder names in a template text ({{1}}, {{ first_name }}).
create function private.template_placeholders(t text)
returns text[]
language sql immutable set search_path = ''
as $$
  select coalesce(array_agg(distinct m[1]), '{}')
    from regexp_matches(coalesce(t, ''), '\{\{\s*([A-Za-z0-9_]+)\s*\}\}', 'g') m
$$;

create function private.template_component(components jsonb, kind text)
returns jsonb
language sql immutable set search_path = ''
as $$
  select c from jsonb_array_elements(components) c where upper(c ->> 'type') = kind limit 1
$$;

-- Checks one component's parameters against its placeholders: positional
-- ({{1}}..{{n}}) take an array of n values, named take an object with
-- exactly those keys. Returns the values normalized to text.
create function private.check_placeholder_values(what text, names text[], vals jsonb, strict_text boolean)
returns jsonb
language plpgsql immutable set search_path = ''
as $$
declare
  positional boolean := (select coalesce(bool_and(n ~ '^[0-9]+$'), true) from unnest(names) n);
  expected integer;
  given text[];
  v text;
  out jsonb;
begin
  if cardinality(names) = 0 then
    if vals is not null and vals <> '[]'::jsonb and vals <> '{}'::jsonb then
      raise exception 'the template''s % takes no parameters', what using errcode = '22023';
    end if;
    return null;
  end if;
  if positional then
    expected := (select max(n::integer) from unnest(names) n);
    if vals is null or jsonb_typeof(vals) <> 'array' or jsonb_array_length(vals) <> expected then
      raise exception 'the template''s % takes % parameter(s) as an array, in order', what, expected
        using errcode = '22023';
    end if;
    out := '[]'::jsonb;
    for v in select x #>> '{}' from jsonb_array_elements(vals) x loop
      out := out || jsonb_build_array(private.check_parameter_text(what, v, strict_text));
    end loop;
  else
    if vals is null or jsonb_typeof(vals) <> 'object' then
      raise exception 'the template''s % takes named parameters: %', what, array_to_string(names, ', ')
        using errcode = '22023';
    end if;
    given := array(select jsonb_object_keys(vals));
    if not (given @> names and names @> given) then
      raise exception 'the template''s % takes exactly these parameters: % (got %)', what,
        array_to_string(names, ', '), array_to_string(given, ', ') using errcode = '22023';
    end if;
    select jsonb_object_agg(e.key, private.check_parameter_text(what, e.value #>> '{}', strict_text))
      into out from jsonb_each(vals) e;
  end if;
  return out;
end
$$;

-- Meta refuses empty parameters and, in the body, new lines, tabs and more
-- than four consecutive spaces (error 132018); better to say so now.
create function private.check_parameter_text(what text, v text, strict_text boolean)
returns text
language plpgsql immutable set search_path = ''
as $$
begin
  if v is null or btrim(v) = '' then
    raise exception 'template % parameters must be non-empty text', what using errcode = '22023';
  end if;
  if char_length(v) > 1024 then
    raise exception 'template % parameters are at most 1024 characters', what using errcode = '22023';
  end if;
  if strict_text and (v ~ '[\n\t]' or v ~ ' {5,}') then
    raise exception 'template % parameters cannot hold new lines, tabs or more than four spaces in a row', what
      using errcode = '22023';
  end if;
  return v;
end
$$;

-- Validates a sender's parameters against a template and returns them
-- normalized: {"header": [...] | {"type", "link"}, "body": [...] | {...},
-- "buttons": {"<index>": "..."}}. A bare array is the body's parameters.
create function private.check_template_params(components jsonb, params jsonb)
returns jsonb
language plpgsql immutable set search_path = ''
as $$
declare
  p jsonb := case when params is null or params = 'null'::jsonb then '{}'::jsonb
                  when jsonb_typeof(params) = 'array' then jsonb_build_object('body', params)
                  else params end;
  header jsonb := private.template_component(components, 'HEADER');
  body jsonb := private.template_component(components, 'BODY');
  buttons jsonb := private.template_component(components, 'BUTTONS');
  fmt text := upper(coalesce(header ->> 'format', 'TEXT'));
  out jsonb := '{}'::jsonb;
  b record;
  given_buttons text[] := '{}';
  wanted_buttons text[] := '{}';
  v jsonb;
begin
  if jsonb_typeof(p) <> 'object' then
    raise exception 'template parameters must be a JSON object or an array of body values' using errcode = '22023';
  end if;
  if exists (select 1 from jsonb_object_keys(p) k where k not in ('header', 'body', 'buttons')) then
    raise exception 'template parameters take only header, body and buttons' using errcode = '22023';
  end if;

  if header is not null and fmt in ('IMAGE', 'VIDEO', 'DOCUMENT') then
    if jsonb_typeof(p -> 'header') is distinct from 'object' or coalesce(p #>> '{header,link}', '') !~ '^https?://' then
      raise exception 'the template''s % header needs {"header": {"link": "https://..."}}', lower(fmt)
        using errcode = '22023';
    end if;
    out := out || jsonb_build_object('header', jsonb_strip_nulls(jsonb_build_object(
      'type', lower(fmt), 'link', p #>> '{header,link}', 'filename', p #>> '{header,filename}')));
  else
    v := private.check_placeholder_values('header', private.template_placeholders(header ->> 'text'), p -> 'header', false);
    if v is not null then
      out := out || jsonb_build_object('header', v);
    end if;
  end if;

  v := private.check_placeholder_values('body', private.template_placeholders(body ->> 'text'), p -> 'body', true);
  if v is not null then
    out := out || jsonb_build_object('body', v);
  end if;

  -- URL buttons with a placeholder take their dynamic suffix by index.
  if p ? 'buttons' and jsonb_typeof(p -> 'buttons') <> 'object' then
    raise exception 'template button parameters are an object: {"<button index>": "value"}' using errcode = '22023';
  end if;
  for b in select (x.ord - 1)::text as idx, x.btn
             from jsonb_array_elements(coalesce(buttons -> 'buttons', '[]'::jsonb)) with ordinality x(btn, ord)
  loop
    if upper(b.btn ->> 'type') = 'URL' and cardinality(private.template_placeholders(b.btn ->> 'url')) > 0 then
      wanted_buttons := wanted_buttons || b.idx;
    end if;
  end loop;
  given_buttons := array(select jsonb_object_keys(coalesce(p -> 'buttons', '{}'::jsonb)));
  if not (given_buttons @> wanted_buttons and wanted_buttons @> given_buttons) then
    raise exception 'the template''s buttons take parameters for index(es) [%] (got [%])',
      array_to_string(wanted_buttons, ', '), array_to_string(given_buttons, ', ') using errcode = '22023';
  end if;
  if cardinality(wanted_buttons) > 0 then
    select jsonb_object_agg(e.key, private.check_parameter_text('button', e.value #>> '{}', false))
      into v from jsonb_each(p -> 'buttons') e;
    out := out || jsonb_build_object('buttons', v);
  end if;
  return out;
end
$$;

-- The body as the customer reads it, for the inbox preview and for
-- providers without templates.
create function private.render_template(components jsonb, params jsonb)
returns text
language plpgsql immutable set search_path = ''
as $$
declare
  t text := private.template_component(components, 'BODY') ->> 'text';
  vals jsonb := params -> 'body';
  k text;
  v text;
begin
  if t is null or vals is null then
    return t;
  end if;
  if jsonb_typeof(vals) = 'array' then
    for k, v in select (x.ord)::text, x.val #>> '{}' from jsonb_array_elements(vals) with ordinality x(val, ord) loop
      t := regexp_replace(t, '\{\{\s*' || k || '\s*\}\}', replace(v, '\', '\\'), 'g');
    end loop;
  else
    for k, v in select e.key, e.value #>> '{}' from jsonb_each(vals) e loop
      t := regexp_replace(t, '\{\{\s*' || k || '\s*\}\}', replace(v, '\', '\\'), 'g');
    end loop;
  end if;
  return t;
end
$$;

-- Rules -----------------------------------------------------------------------------

-- A template has one BODY with text. Cloud API templates made or edited by a
-- client wait for Meta (PENDING until synced); elsewhere there is no
-- approval, so a canned message is usable at once.
create function private.check_template()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  prov public.channel_provider;
begin
  if (select count(*) from jsonb_array_elements(new.components) c where upper(c ->> 'type') = 'BODY') <> 1
     or coalesce(private.template_component(new.components, 'BODY') ->> 'text', '') = '' then
    raise exception 'a template needs exactly one BODY component with text' using errcode = '22023';
  end if;
  if (select auth.uid()) is not null then
    select c.provider into prov from public.channels c where c.id = new.channel_id;
    if tg_op = 'INSERT' or new.components is distinct from old.components or new.name <> old.name
       or new.language <> old.language or new.category <> old.category then
      new.status := case when prov = 'cloud_api' then 'PENDING' else 'APPROVED' end::public.template_status;
    end if;
  end if;
  return new;
end
$$;
create trigger check_template before insert or update on public.message_templates
  for each row execute function private.check_template();

create trigger audit after insert or update or delete on public.message_templates
  for each row execute function private.audit_change('template');

alter table public.message_templates enable row level security;
revoke all on public.message_templates from anon, authenticated;
grant select, delete on public.message_templates to authenticated;
grant insert (workspace_id, channel_id, name, language, category, components, parameter_format)
  on public.message_templates to authenticated;
grant update (name, language, category, components, parameter_format) on public.message_templates to authenticated;

create policy message_templates_select on public.message_templates for select to authenticated
  using (workspace_id in (select private.workspaces_with_role('viewer')));
create policy message_templates_insert on public.message_templates for insert to authenticated
  with check (workspace_id in (select private.workspaces_with_role('admin')));
create policy message_templates_update on public.message_templates for update to authenticated
  using (workspace_id in (select private.workspaces_with_role('admin')))
  with check (workspace_id in (select private.workspaces_with_role('admin')));
create policy message_templates_delete on public.message_templates for delete to authenticated
  using (workspace_id in (select private.workspaces_with_role('admin')));

revoke all on function private.template_placeholders(text), private.template_component(jsonb, text),
  private.check_placeholder_values(text, text[], jsonb, boolean), private.check_parameter_text(text, text, boolean),
  private.check_template_params(jsonb, jsonb), private.render_template(jsonb, jsonb), private.check_template()
  from public;
