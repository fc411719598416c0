-- Foundation every module builds on: the private schema for helpers and
-- internal queues (never exposed through the API), and the one trigger that
-- keeps updated_at honest on every table.
create schema if not exists private;
comment on schema private is 'Threadline internals: helper functions and queues; not exposed through the API.';
revoke all on schema private from public;

create or replace function private.set_updated_at() returns trigger
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
revoke all on function private.set_updated_at() from public;
