-- Two ticks at once, in real separate sessions (dblink): every due reminder
-- is sent by exactly one of them, the second neither waits nor sends again;
-- a reschedule racing a tick waits for it and plans the new time. The
-- sessions commit, so they make and remove their own fixtures.
begin;
select plan(6);
select tests.dsn() as dsn \gset
select extensions.dblink_connect('setup', :'dsn'), extensions.dblink_connect('one', :'dsn'), extensions.dblink_connect('two', :'dsn');
select extensions.dblink_exec(c, 'set lock_timeout = ''20s''') from unnest(array['one', 'two']) c;
select tests.committed_workspace('0e900000-0000-0000-0000-0000000000b1', '0e900000-0000-0000-0000-0000000000a1', 'reminder-race-pgtap');
-- 50 events starting in three hours, each reminded 1 and 2 hours before; the
-- 2-hour reminders are made due now.
select extensions.dblink_exec('setup', $$
  insert into public.events (workspace_id, user_id, title, event_type, start_time, end_time, reminder_minutes)
  select '0e900000-0000-0000-0000-0000000000b1', '0e900000-0000-0000-0000-0000000000a1', 'Race ' || i, 'meeting',
         now() + interval '3 hours', now() + interval '4 hours', '{60, 120}'
    from generate_series(1, 50) i;
  update public.event_reminders set remind_at = now() - interval '1 second'
   where workspace_id = '0e900000-0000-0000-0000-0000000000b1' and minutes_before = 120$$);

select extensions.dblink_exec(c, 'begin') from unnest(array['one', 'two']) c;
select n as first_sent from extensions.dblink('one', 'select private.send_event_reminders()') as r(n integer) \gset
select extensions.dblink_send_query('two', 'select private.send_event_reminders()');
select pg_sleep(0.3);
select is(extensions.dblink_is_busy('two'), 0, 'an overlapping tick does not wait for the first');
select n as second_sent from extensions.dblink_get_result('two') as r(n integer) \gset
select extensions.dblink_get_result('two', false);
select is(:first_sent + :second_sent, 50, 'between them the 50 due reminders are handled once');
select is(:second_sent, 0, 'the second skips the rows the first holds');

-- While the first has not committed, a reschedule waits for it.
select extensions.dblink_exec('two', 'commit');
select extensions.dblink_send_query('two', $$
  update public.events set start_time = start_time + interval '1 day', end_time = end_time + interval '1 day'
   where workspace_id = '0e900000-0000-0000-0000-0000000000b1' and title = 'Race 1'$$);
select pg_sleep(0.3);
select is(extensions.dblink_is_busy('two'), 1, 'a reschedule waits for the tick holding its reminders');
select extensions.dblink_exec('one', 'commit');
select extensions.dblink_get_result('two', false);
select extensions.dblink_get_result('two', false);

select is((select n from extensions.dblink('setup', $$
  select count(*)::integer from public.notifications where workspace_id = '0e900000-0000-0000-0000-0000000000b1' and type = 'event_reminder'$$) as r(n integer)),
  50, 'one notification per due reminder, none twice');
select is((select (s, p) from extensions.dblink('setup', $$
  select count(*) filter (where r.status = 'sent')::integer, count(*) filter (where r.status = 'pending' and r.remind_at = e.start_time - make_interval(mins => r.minutes_before))::integer
    from public.event_reminders r join public.events e on e.id = r.event_id where e.title = 'Race 1' and e.workspace_id = '0e900000-0000-0000-0000-0000000000b1'$$) as x(s integer, p integer)),
  (1, 2), 'the rescheduled event kept its sent reminder and has both planned for the new time');

select tests.drop_committed_workspace('0e900000-0000-0000-0000-0000000000b1', '0e900000-0000-0000-0000-0000000000a1');
select extensions.dblink_disconnect(c) from unnest(array['setup', 'one', 'two']) c;

select * from finish();
rollback;
