// The reads a client app makes (README, "Reads that stay fast at any
// size"), timed three ways: as a member under RLS exactly as PostgREST runs
// a request (a transaction, role authenticated, request.jwt.claims) without
// a workspace filter and with one, and as the owner of the tables (RLS
// bypassed) with the filter. RPCs are timed as the member only; one that
// this schema does not have is skipped (a run on an older revision).
import { percentile, type Sql } from "./setup.ts";

export type Subject = {
  label: string;
  ws: string;
  member: string;
  conversation: string;
  phone: string;
};
export type Timing = { read: string; who: string; mode: string; p50: number; p95: number };

type Read = { name: string; sql: (s: Subject) => string; filterable: boolean; needs?: string };

const reads: Read[] = [
  {
    name: "inbox",
    filterable: true,
    sql: () => `select * from public.conversations %W order by last_message_at desc limit 50`,
  },
  {
    name: "inbox open",
    filterable: true,
    sql: () =>
      `select * from public.conversations where status = 'open' %A order by last_message_at desc limit 50`,
  },
  {
    name: "inbox unread",
    filterable: true,
    sql: () =>
      `select * from public.conversations where unread_count > 0 %A order by last_message_at desc limit 50`,
  },
  {
    name: "inbox mine",
    filterable: true,
    sql: (s) =>
      `select * from public.conversations where assignee_id = '${s.member}' %A order by last_message_at desc limit 50`,
  },
  {
    name: "thread",
    filterable: true,
    sql: (s) =>
      `select * from public.messages where conversation_id = '${s.conversation}' %A order by created_at desc limit 50`,
  },
  {
    name: "last 7 days",
    filterable: true,
    sql: () =>
      `select * from public.messages where created_at > now() - interval '7 days' %A order by created_at desc limit 50`,
  },
  {
    name: "contacts",
    filterable: true,
    sql: () => `select * from public.contacts %W order by created_at desc limit 50`,
  },
  {
    name: "contacts by phone",
    filterable: true,
    sql: (s) => `select * from public.contacts where phone = '${s.phone}' %A`,
  },
  {
    name: "contacts by tag",
    filterable: true,
    sql: () => `select * from public.contacts where tags @> '{vip}' %A limit 50`,
  },
  {
    name: "inbox rpc",
    filterable: false,
    needs: "inbox",
    sql: () => `select * from public.inbox()`,
  },
  {
    name: "contacts_tagged rpc",
    filterable: false,
    needs: "contacts_tagged",
    sql: () => `select * from public.contacts_tagged(tags => '{vip}')`,
  },
];

export const searches: Read[] = [
  ["search common word", "pedido"],
  ["search two words", "sao paulo"],
  ["search accents", "coracao"],
  ["search rare", "dañado"],
].map(([name, q]) => ({
  name,
  filterable: false,
  needs: "search_messages",
  sql: () => `select * from public.search_messages('${q}')`,
})).concat([{
  name: "search contacts",
  filterable: false,
  needs: "search_contacts",
  sql: () => `select * from public.search_contacts('goncalves')`,
}]);

const withFilter = (q: string, ws: string | null) =>
  q.replace("%W", ws ? `where workspace_id = '${ws}'` : "").replace(
    "%A",
    ws ? `and workspace_id = '${ws}'` : "",
  );

async function timeOnce(sql: Sql, member: string | null, q: string): Promise<number> {
  return await sql.begin(async (tx) => {
    if (member) {
      await tx`select set_config('role', 'authenticated', true),
                      set_config('request.jwt.claims', ${
        JSON.stringify({ sub: member, role: "authenticated" })
      }, true)`;
    }
    const t0 = performance.now();
    await tx.unsafe(q);
    return performance.now() - t0;
  });
}

async function timeRead(sql: Sql, member: string | null, q: string, reps: number) {
  for (let i = 0; i < 3; i++) await timeOnce(sql, member, q);
  const xs: number[] = [];
  for (let i = 0; i < reps; i++) xs.push(await timeOnce(sql, member, q));
  return { p50: percentile(xs, 50), p95: percentile(xs, 95) };
}

export async function timeReads(sql: Sql, subjects: Subject[], reps: number): Promise<Timing[]> {
  const [{ fns }] = await sql<{ fns: string[] }[]>`
    select coalesce(array_agg(proname::text), '{}') as fns from pg_proc
     where pronamespace = 'public'::regnamespace
       and proname in ('inbox', 'contacts_tagged', 'search_messages', 'search_contacts')`;
  const out: Timing[] = [];
  for (const r of [...reads, ...searches]) {
    if (r.needs && !fns.includes(r.needs)) continue;
    for (const s of subjects) {
      const q = r.sql(s);
      const modes: [string, string | null, string | null][] = r.filterable
        ? [["member, no filter", s.member, null], ["member, filter", s.member, s.ws], [
          "owner, filter",
          null,
          s.ws,
        ]]
        : [["member", s.member, null]];
      for (const [mode, member, ws] of modes) {
        out.push({
          read: r.name,
          who: s.label,
          mode,
          ...await timeRead(sql, member, withFilter(q, ws), reps),
        });
      }
    }
  }
  return out;
}
