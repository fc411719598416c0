-- Modules register their minute-tick steps instead of each replacing
-- private.tick() with a longer copy of itself: a step is a row naming a
-- private function that takes no argument and returns how much it did.
-- One failing step is reported in the result and does not stop the others.

create table private.tick_steps (
  name text primary key check (name ~ '^[a-z_]+$'),
  -- schema.function, called with no arguments (defaults apply)
  fn text not null check (fn ~ '^[a-z_][a-z_0-9]*\.[a-z_][a-z_0-9]*$'),
  position integer not null,
  created_at timestamptz not null default now()
);
comment on table private.tick_steps is 'The steps private.tick() runs each minute, in position order; each module adds its own.';

insert into private.tick_steps (name, fn, position) values
  ('released_claims', 'private.release_expired_claims', 10),
  ('expired_conversations', 'private.expire_conversations', 20),
  ('expired_invitations_and_codes', 'private.expire_invitations_and_codes', 30),
  ('retried_webhook_events', 'private.retry_webhook_events', 40),
  ('stranded_statuses', 'private.apply_stranded_statuses', 50),
  ('started_campaigns', 'private.start_due_campaigns', 60),
  ('fed_campaign_messages', 'private.feed_campaigns', 70),
  ('folded_campaigns', 'private.fold_active_campaigns', 80),
  ('task_reminders', 'private.task_reminders', 90),
  ('follow_ups', 'private.run_follow_ups', 100),
  ('scheduled_messages', 'private.run_scheduled_messages', 110);

create or replace function private.tick()
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
