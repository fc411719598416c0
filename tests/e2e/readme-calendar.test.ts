import type { Tx } from "../helpers/db.ts";
import { walkthrough } from "../helpers/readme.ts";

// The README's calendar walkthrough, run verbatim: an appointment with Ana
// reminded an hour before, whose reminder the next pg_cron tick sends to
// Maya in the app and to Ana on WhatsApp (the fake provider).
const demo = "00000000-0000-4000-b000-000000000001";

// What a previous run on the same stack left: its reminder message (and
// its queue row), its notification, the event (its reminders go with it).
async function forget(tx: Tx) {
  const events = await tx<{ id: string }[]>`
    select id from public.events where workspace_id = ${demo} and title = 'Fitting: Ana''s linen shirts'`;
  const ids = events.map((e) => e.id);
  if (ids.length === 0) return;
  await tx`delete from private.outbox where message_id in (select id from public.messages where event_id = any(${ids}))`;
  await tx`delete from public.messages where event_id = any(${ids})`;
  await tx`delete from public.notifications where reference_id = any(${ids})`;
  await tx`delete from public.events where id = any(${ids})`;
}

walkthrough("README calendar walkthrough", "### An appointment, reminded", 2, forget, 120_000);
