import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, asUser, createUser, type Sql, type TestUser } from "../helpers/db.ts";
import { stack } from "../helpers/stack.ts";
import { fake, until } from "../helpers/e2e.ts";

// An appointment's reminder end to end: a member books it through RLS, the
// tick's step sends it (here run by hand rather than waiting for pg_cron),
// the dispatch function (poked through pg_net when the tick commits) takes
// the client's template message to the fake provider, once.
stack();
const run = Date.now().toString().slice(-6);
const pnid = `PN-CAL-${run}`;
const phone = `55119${run}0001`;
let sql: Sql;
let member: TestUser;
let ws: string;

beforeAll(async () => {
  sql = adminSql();
  member = await createUser(`cal-${crypto.randomUUID()}@example.com`);
  [{ id: ws }] = await asUser(
    sql,
    member,
    (tx) => tx`select id from public.create_workspace('Calendar Co')`,
  );
  await sql`update public.workspaces set plan = 'premium', timezone = 'America/Sao_Paulo' where id = ${ws}`;
  const [{ id: channel }] = await sql`
    insert into public.channels (workspace_id, provider, name, phone_number_id)
    values (${ws}, 'cloud_api', 'Calendar', ${pnid}) returning id`;
  await asUser(
    sql,
    member,
    (tx) =>
      tx`select public.set_channel_credentials(${channel}, ${
        tx.json({ access_token: "cal-token", app_secret: "cal-secret" })
      })`,
  );
  const [{ id: template }] = await sql`
    insert into public.message_templates (workspace_id, channel_id, name, language, category, status, components)
    values (${ws}, ${channel}, 'appointment_reminder', 'en_US', 'UTILITY', 'APPROVED',
            '[{"type":"BODY","text":"Hi {{1}}, see you at {{2}} ({{3}})."}]') returning id`;
  await asUser(
    sql,
    member,
    (tx) =>
      tx`insert into public.calendar_settings (workspace_id, reminder_template_id, reminder_parameters)
       values (${ws}, ${template}, ${tx.json(["{first_name}", "{time}", "{location}"])})`,
  );
  await sql`insert into public.contacts (workspace_id, name, phone) values (${ws}, 'Rita Alves', ${phone})`;
});

afterAll(async () => {
  await sql`delete from public.workspaces where id = ${ws}`;
  await sql.end();
});

describe("calendar reminders", () => {
  it("reach the client on WhatsApp through the fake provider, once", async () => {
    const [event] = await asUser(sql, member, (tx) =>
      tx<{ id: string }[]>`
        insert into public.events (workspace_id, title, event_type, start_time, end_time, contact_id, location, reminder_minutes)
        values (${ws}, 'Fitting', 'appointment', '2030-05-06 17:30+00', '2030-05-06 18:00+00',
                (select id from public.contacts where workspace_id = ${ws} and phone = ${phone}), 'Atelier', '{60}')
        returning id`);
    // Due now, as if an hour before the appointment.
    await sql`update public.event_reminders set remind_at = now() where event_id = ${event.id}`;
    const [{ n }] = await sql<{ n: number }[]>`select private.send_event_reminders() as n`;
    expect(n).toBe(2);
    const [{ again }] = await sql<
      { again: number }[]
    >`select private.send_event_reminders() as again`;
    expect(again).toBe(0);

    type Logged = {
      body: { to: string; type: string; template: { name: string; components: unknown[] } };
    };
    const sent = await until("the reminder at the fake provider", async () => {
      const all = (await (await fake(`/__fake/requests?path=${pnid}/messages`)).json()) as Logged[];
      return all.length > 0 && all;
    }, 15_000);
    expect(sent).toHaveLength(1);
    expect(sent[0].body.to).toBe(phone);
    expect(sent[0].body.template.name).toBe("appointment_reminder");
    expect(sent[0].body.template.components).toEqual([
      {
        type: "body",
        parameters: [
          { type: "text", text: "Rita" },
          { type: "text", text: "14:30" },
          { type: "text", text: "Atelier" },
        ],
      },
    ]);
    const [row] = await sql<{ status: string; provider: string | null; event_id: string }[]>`
      select r.status, m.provider_message_id as provider, m.event_id
        from public.event_reminders r join public.messages m on m.id = r.message_id
       where r.event_id = ${event.id} and r.channel = 'whatsapp'`;
    expect(row.status).toBe("sent");
    expect(row.event_id).toBe(event.id);
    await until("the provider's id recorded", async () => {
      const [m] = await sql<{ p: string | null }[]>`
        select m.provider_message_id as p from public.event_reminders r join public.messages m on m.id = r.message_id
         where r.event_id = ${event.id} and r.channel = 'whatsapp'`;
      return m.p;
    });
    const [{ titles }] = await sql<{ titles: string[] }[]>`
      select array_agg(title) as titles from public.notifications where reference_id = ${event.id}`;
    expect(titles).toEqual(["Appointment: Fitting"]);
  });
});
