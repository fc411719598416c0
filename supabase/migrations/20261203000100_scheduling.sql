-- Module: scheduling
--
-- The minute tick: one pg_cron job runs private.tick(), which runs the due
-- work each module registered in private.tick_steps and then wakes the
-- dispatcher when the outbox has something due. Modules add a row to
-- tick_steps (in their own file) instead of replacing tick(); a step is a
-- private function that takes no argument and returns how much it did, and
-- one failing step is reported in the result without stopping the others.

-- ==========================================================================
-- Scheduling
-- ==========================================================================

create extension if not exists pg_cron with schema pg_catalog;

-- ==========================================================================
-- Tables
-- ==========================================================================

create table private.tick_steps (
  name text primary key check (name ~ '^[a-z_]+$'),
  -- schema.function, called with no arguments (defaults apply)
  fn text not null check (fn ~ '^[a-z_][a-z_0-9]*\.[a-z_][a-z_0-9]*$'),
  position integer not null,
  created_at timestamptz not null default now()
);
comment on table private.tick_steps is 'The steps private.tick() runs each minute, in position order; each module adds its own.';

-- ==========================================================================
-- Functions
-- ==========================================================================

-- The dispatch poke stays here rather than in a step: it must come after
-- every step, since steps queue messages (campaigns, follow-ups, scheduled
-- messages) that are due now.
create function private.tick()
returns jsonb
language plpgsql security definer set search_path = ''
as $$
declare
  s record;
  n integer;
  out jsonb := '{}'::jsonb;
begin
  for s in select t.name, t.fn from private.tick_steps t order by t.position loop
    begin
      execute format('select %I.%I()', split_part(s.fn, '.', 1), split_part(s.fn, '.', 2)) into n;
      out := out || jsonb_build_object(s.name, n);
    exception when others then
      out := out || jsonb_build_object(s.name, jsonb_build_object('error', sqlerrm));
    end;
  end loop;
  if exists (select 1 from private.outbox o where o.next_attempt_at <= now() + interval '1 minute') then
    out := out || jsonb_build_object('dispatch_poked', private.poke_dispatcher());
  end if;
  return out;
end
$$;
comment on function private.tick() is 'Due work of every module, run each minute by pg_cron (job threadline-tick).';

-- ==========================================================================
-- Grants
-- ==========================================================================

revoke all on function private.tick() from public;

-- ==========================================================================
-- Cron job
-- ==========================================================================

select cron.schedule('threadline-tick', '* * * * *', 'select private.tick()');
