-- Module: foundation
--
-- What every module builds on: the private schema for helpers and internal
-- queues (never exposed through the API), the trigger that keeps updated_at
-- honest on every table, and time-ordered UUIDs for high-volume tables.
--
-- Until the first release every module is one file, edited in place: each
-- table, function, trigger and policy is defined once, in its final form.

-- ==========================================================================
-- Schema
-- ==========================================================================

create schema if not exists private;
comment on schema private is 'Threadline internals: helper functions and queues; not exposed through the API.';

-- ==========================================================================
-- Functions
-- ==========================================================================

create function private.set_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
comment on function private.set_updated_at() is
  'Shared BEFORE UPDATE trigger: stamps updated_at so clients can never set it.';

-- Time-ordered UUIDs (RFC 9562 version 7) for high-volume tables: new rows
-- land at the right edge of the primary key instead of on a random page,
-- which keeps inserts cache-friendly and full-page writes after checkpoints
-- few. (Postgres 18 has uuidv7(); 15 does not.) It runs once per ingested
-- row, so the body is one simple expression, which plpgsql evaluates on its
-- fast path instead of starting the executor for each statement.
create function private.uuid7()
returns uuid
language plpgsql volatile set search_path = ''
as $$
declare
  bytes bytea := uuid_send(gen_random_uuid());
begin
  -- version 7: the random v4 uuid has 0100 in the version nibble; make it 0111
  return encode(overlay(set_byte(bytes, 6, (get_byte(bytes, 6) & 15) | 112)
                        placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
                        from 1 for 6), 'hex')::uuid;
end
$$;
comment on function private.uuid7() is 'A version 7 (time-ordered) UUID.';

-- Vault keeps one secret per name; this writes it whether or not it exists.
create function private.put_secret(p_name text, p_value text, p_description text)
returns void
language plpgsql security definer set search_path = ''
as $$
declare
  existing uuid;
begin
  select s.id into existing from vault.secrets s where s.name = p_name;
  if existing is null then
    perform vault.create_secret(p_value, p_name, p_description);
  else
    perform vault.update_secret(existing, p_value);
  end if;
end
$$;
comment on function private.put_secret(text, text, text) is 'Creates or replaces the Vault secret of that name.';

-- ==========================================================================
-- Grants
-- ==========================================================================

revoke all on schema private from public;

-- Hosted gives the API roles every privilege on whatever postgres creates
-- in public. Tables and sequences made later (an agent's tables, made at
-- run time) start from less: no TRUNCATE, TRIGGER or REFERENCES on tables,
-- nothing on sequences (USAGE where a client inserts is granted, setval
-- never). Each object grants what the API needs.
alter default privileges for role postgres in schema public
  revoke truncate, references, trigger on tables from anon, authenticated;
alter default privileges for role postgres in schema public
  revoke all on sequences from anon, authenticated;
revoke all on function private.set_updated_at() from public;
-- Column defaults run as the inserting role: members insert contacts.
revoke all on function private.uuid7() from public;
revoke all on function private.put_secret(text, text, text) from public;
grant execute on function private.uuid7() to authenticated, service_role;
