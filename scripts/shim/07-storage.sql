-- Supabase Storage's schema as a hosted project has it before any project
-- migration: what supabase/postgres's init scripts and storage-api's tenant
-- migrations (supabase/storage, migrations/tenant, through 0063) leave
-- behind, reduced to the parts the Storage REST API uses (no S3 multipart,
-- analytics, vector or iceberg tables, no storage.migrations). The local
-- Storage service (scripts/services/storage.ts) logs in as
-- supabase_storage_admin, as storage-api does; its password is the stack's
-- own (psql variable storage_admin_password). Re-runnable: the shim runs on
-- every start.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'supabase_storage_admin') then
    create role supabase_storage_admin;
  end if;
end
$$;
alter role supabase_storage_admin with nosuperuser noinherit createrole nocreatedb login noreplication nobypassrls
  password :'storage_admin_password';
alter role supabase_storage_admin set search_path = storage;
-- storage-api switches to the request's role (set_config('role', ...)),
-- reaching anon/authenticated/service_role through authenticator, as hosted
-- grants it. postgres is no longer a member of supabase_storage_admin on
-- hosted (supabase/postgres 20250421084701); it has grants on the tables instead.
grant authenticator to supabase_storage_admin;
do $$ begin
  if pg_has_role('postgres', 'supabase_storage_admin', 'member') then
    revoke supabase_storage_admin from postgres;
  end if;
end $$;

create schema if not exists storage authorization supabase_storage_admin;
alter schema storage owner to supabase_storage_admin;
grant create on database postgres to supabase_storage_admin;

do $$ begin
  if not exists (select 1 from pg_type where typname = 'buckettype' and typnamespace = 'storage'::regnamespace) then
    create type storage.buckettype as enum ('STANDARD', 'ANALYTICS', 'VECTOR');
  end if;
end $$;
alter type storage.buckettype owner to supabase_storage_admin;

create table if not exists storage.buckets (
  id text not null primary key,
  name text not null,
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  public boolean default false,
  avif_autodetection boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  owner_id text,
  type storage.buckettype not null default 'STANDARD',
  -- Object versioning is defined but cannot be enabled yet on hosted (0062).
  versioning_status text not null default 'DISABLED',
  constraint buckets_versioning_status_check check (versioning_status in ('DISABLED', 'ENABLED', 'SUSPENDED')),
  constraint buckets_versioning_standard_only_check check (type = 'STANDARD' or versioning_status = 'DISABLED'),
  constraint buckets_versioning_dark_check check (versioning_status = 'DISABLED')
);
comment on column storage.buckets.owner is 'Field is deprecated, use owner_id instead';
create unique index if not exists bname on storage.buckets using btree (name);
alter table storage.buckets owner to supabase_storage_admin;

create table if not exists storage.objects (
  id uuid not null default gen_random_uuid() primary key,
  bucket_id text constraint "objects_bucketId_fkey" references storage.buckets (id),
  name text,
  owner uuid,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now(),
  metadata jsonb,
  path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  version text,
  owner_id text,
  user_metadata jsonb,
  archived_at timestamptz,
  is_delete_marker boolean not null default false,
  is_versioned boolean not null default false
);
comment on column storage.objects.owner is 'Field is deprecated, use owner_id instead';
create unique index if not exists bucketid_objname on storage.objects using btree (bucket_id, name);
create index if not exists name_prefix_search on storage.objects (name text_pattern_ops);
create index if not exists idx_objects_bucket_id_name on storage.objects (bucket_id, (name collate "C"));
create index if not exists idx_objects_bucket_id_name_lower on storage.objects (bucket_id, (lower(name) collate "C"));
alter table storage.objects owner to supabase_storage_admin;

alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;

-- Path helpers policies use, as hosted defines them (0036, 0060, 0061).
create or replace function storage.foldername(name text) returns text[]
language plpgsql immutable
as $$
declare
  _parts text[];
begin
  _parts := string_to_array(name, '/');
  return _parts[1 : array_length(_parts, 1) - 1];
end
$$;

create or replace function storage.filename(name text) returns text
language plpgsql immutable
as $$
declare
  _parts text[];
begin
  _parts := string_to_array(name, '/');
  return _parts[array_length(_parts, 1)];
end
$$;

create or replace function storage.extension(name text) returns text
language plpgsql immutable
as $$
declare
  _parts text[];
begin
  _parts := string_to_array(name, '/');
  return reverse(split_part(reverse(_parts[array_length(_parts, 1)]), '.', 1));
end
$$;

create or replace function storage.get_size_by_bucket() returns table (size bigint, bucket_id text)
language plpgsql stable
as $$
begin
  return query
    select sum((o.metadata ->> 'size')::bigint)::bigint, o.bucket_id
      from storage.objects o
     group by o.bucket_id;
end
$$;

-- One level of a bucket under a prefix, as the list endpoint shows it:
-- folders (id null) and files, names relative to the prefix, the prefix and
-- search matched case-blind. Hosted's signature; hosted walks the index in a
-- skip-scan loop (0063), this reads the matching rows set-based, which gives
-- the same answer at local sizes. levels is unused, as on hosted.
create or replace function storage.search(
  prefix text,
  bucketname text,
  limits int default 100,
  levels int default 1,
  offsets int default 0,
  search text default '',
  sortcolumn text default 'name',
  sortorder text default 'asc'
) returns table (
  name text,
  id uuid,
  updated_at timestamptz,
  created_at timestamptz,
  last_accessed_at timestamptz,
  metadata jsonb
)
language plpgsql stable security invoker
as $$
declare
  v_prefix text := coalesce(prefix, '');
  v_match text := lower(coalesce(prefix, '') || coalesce(search, ''));
  v_column text := case lower(coalesce(sortcolumn, 'name'))
    when 'updated_at' then 'updated_at' when 'created_at' then 'created_at'
    when 'last_accessed_at' then 'last_accessed_at' else 'name' end;
  v_order text := case when lower(coalesce(sortorder, 'asc')) = 'desc' then 'desc' else 'asc' end;
begin
  return query execute format($q$
    with matched as (
      select o.name, o.id, o.updated_at, o.created_at, o.last_accessed_at, o.metadata,
             strpos(substr(o.name, length($1) + 1), '/') as slash
        from storage.objects o
       where o.bucket_id = $2
         and starts_with(lower(o.name), $1)
    ),
    entries as (
      select substr(min(left(m.name, length($1) + m.slash - 1)), length($3) + 1) as name,
             null::uuid as id, null::timestamptz as updated_at, null::timestamptz as created_at,
             null::timestamptz as last_accessed_at, null::jsonb as metadata,
             true as folder, lower(left(m.name, length($1) + m.slash)) as sort_key
        from matched m
       where m.slash > 0
       group by lower(left(m.name, length($1) + m.slash))
      union all
      select substr(m.name, length($3) + 1), m.id, m.updated_at, m.created_at, m.last_accessed_at,
             m.metadata, false, lower(m.name)
        from matched m
       where m.slash = 0
    )
    select e.name, e.id, e.updated_at, e.created_at, e.last_accessed_at, e.metadata
      from entries e
     order by %s
     limit $4 offset $5
    $q$,
    case when v_column = 'name' then format('e.sort_key collate "C" %s', v_order)
         else format('e.folder desc, case when e.folder then e.sort_key end collate "C" %s, e.%I %s',
                     v_order, v_column, v_order) end)
  using v_match, bucketname, v_prefix, least(coalesce(limits, 100), 1500), greatest(coalesce(offsets, 0), 0);
end
$$;

create or replace function storage.update_updated_at_column() returns trigger
language plpgsql
as $$
begin
  new.updated_at = now();
  return new;
end
$$;

create or replace function storage.enforce_bucket_name_length() returns trigger
language plpgsql
as $$
begin
  if length(new.name) > 100 then
    raise exception 'bucket name "%" is too long (% characters). Max is 100.', new.name, length(new.name);
  end if;
  return new;
end
$$;

-- Hosted refuses SQL deletes from buckets and objects (0055): the files
-- would stay behind. The Storage API sets storage.allow_delete_query for its
-- own deletes; a script that must delete rows sets it too.
create or replace function storage.protect_delete() returns trigger
language plpgsql
as $$
begin
  if coalesce(current_setting('storage.allow_delete_query', true), 'false') != 'true' then
    raise exception 'Direct deletion from storage tables is not allowed. Use the Storage API instead.'
      using hint = 'This prevents accidental data loss from orphaned objects.', errcode = '42501';
  end if;
  return null;
end
$$;

create or replace trigger update_objects_updated_at before update on storage.objects
  for each row execute function storage.update_updated_at_column();
create or replace trigger enforce_bucket_name_length_trigger before insert or update of name on storage.buckets
  for each row execute function storage.enforce_bucket_name_length();
create or replace trigger protect_buckets_delete before delete on storage.buckets
  for each statement execute function storage.protect_delete();
create or replace trigger protect_objects_delete before delete on storage.objects
  for each statement execute function storage.protect_delete();

do $$
declare
  f regprocedure;
begin
  for f in select p.oid::regprocedure from pg_proc p where p.pronamespace = 'storage'::regnamespace loop
    execute format('alter function %s owner to supabase_storage_admin', f);
  end loop;
end
$$;

-- Grants as hosted has them: the API roles use the schema and have every
-- table privilege on buckets and objects (RLS decides), postgres the same
-- with grant option (supabase/postgres 20250623125453, 20250709135250;
-- storage 0046, 0049), and what supabase_storage_admin makes later is
-- theirs too (init-scripts/00000000000002).
grant all on schema storage to supabase_storage_admin with grant option;
grant usage on schema storage to postgres with grant option;
grant usage on schema storage to anon, authenticated, service_role;
revoke create on schema storage from postgres;
grant all on storage.buckets, storage.objects to postgres with grant option;
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
  grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_storage_admin in schema storage
  grant all on sequences to postgres, anon, authenticated, service_role;
grant execute on all functions in schema storage to postgres, anon, authenticated, service_role;

-- postgres manages policies on storage.objects and storage.buckets without
-- owning them: hosted's supautils extension allows it (supautils.policy_grants
-- lists both tables for postgres). Here, for the one CREATE/ALTER/DROP POLICY
-- statement postgres runs, it is made a member of the tables' owner and
-- dropped again when the statement ends; a failed statement rolls the grant
-- back with its transaction.
create or replace function extensions.storage_policy_grant_begin() returns event_trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if session_user = 'postgres' and current_setting('role') in ('none', 'postgres')
     and not pg_has_role('postgres', 'supabase_storage_admin', 'member') then
    grant supabase_storage_admin to postgres;
    perform set_config('threadline.storage_policy_grant', 'on', true);
  end if;
end
$$;

create or replace function extensions.storage_policy_grant_end() returns event_trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if current_setting('threadline.storage_policy_grant', true) = 'on' then
    revoke supabase_storage_admin from postgres;
    perform set_config('threadline.storage_policy_grant', '', true);
  end if;
end
$$;

revoke all on function extensions.storage_policy_grant_begin(), extensions.storage_policy_grant_end() from public;

do $$ begin
  if not exists (select 1 from pg_event_trigger where evtname = 'storage_policy_grant_begin') then
    create event trigger storage_policy_grant_begin on ddl_command_start
      when tag in ('CREATE POLICY', 'ALTER POLICY', 'DROP POLICY')
      execute procedure extensions.storage_policy_grant_begin();
  end if;
  if not exists (select 1 from pg_event_trigger where evtname = 'storage_policy_grant_end') then
    create event trigger storage_policy_grant_end on ddl_command_end
      when tag in ('CREATE POLICY', 'ALTER POLICY', 'DROP POLICY')
      execute procedure extensions.storage_policy_grant_end();
  end if;
end $$;
