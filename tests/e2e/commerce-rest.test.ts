import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, type Sql } from "../helpers/db.ts";
import { anonClient, type Client, ok, type Person, signUp } from "../helpers/client.ts";

// Orders asked the way a client app asks: supabase-js through the gateway
// to PostgREST. A member takes an order with its items in two requests and
// reads it back with totals and embedded items; the status moves stock; the
// errors a person sees are the database's own; a viewer, an outsider and
// anon get what RLS gives them.
let sql: Sql;
const people: Record<"owner" | "member" | "viewer" | "outsider", Person> = {} as never;
let anon: Client;
let ws: string;
let item: string;
let contact: string;
let order: string;

beforeAll(async () => {
  sql = adminSql();
  anon = anonClient();
  for (const role of ["owner", "member", "viewer", "outsider"] as const) {
    people[role] = await signUp(role);
  }
  ws =
    ok(await people.owner.client.rpc("create_workspace", { name: `Orders Co ${Date.now()}` })).id;
  await sql`update public.workspaces set plan = 'premium' where id = ${ws}`;
  for (const role of ["member", "viewer"] as const) {
    const [inv] = ok(
      await people.owner.client.rpc("invite_member", {
        workspace_id: ws,
        email: people[role].email,
        role,
      }),
    );
    ok(await people[role].client.rpc("accept_invitation", { token: inv.token }));
  }
  ok(
    await people.owner.client.from("workspaces").update({ currency: "EUR", default_tax_rate: 20 })
      .eq("id", ws),
  );
  item = ok(
    await people.owner.client.from("inventory_items")
      .insert({
        workspace_id: ws,
        name: "Tweed",
        sku: "TWEED-1",
        current_stock: 5,
        min_stock_level: 1,
        selling_price: 30,
      })
      .select("id").single(),
  ).id;
  contact = ok(
    await people.member.client.from("contacts").insert({
      workspace_id: ws,
      name: "Iris",
      phone: "33612345678",
    })
      .select("id").single(),
  ).id;
});

afterAll(async () => {
  if (!sql) return;
  if (ws) await sql`delete from public.workspaces where id = ${ws}`;
  const ids = Object.values(people).map((p) => p.id);
  if (ids.length) await sql`delete from auth.users where id in ${sql(ids)}`;
  await sql.end();
});

describe("orders through PostgREST", () => {
  it("a member takes an order and reads it back with the database's totals", async () => {
    const m = people.member.client;
    const made = ok(
      await m.from("orders").insert({
        workspace_id: ws,
        contact_id: contact,
        title: "Tweed jacket",
      })
        .select("order_number, customer_name, customer_phone, currency, tax_rate, status").single(),
    );
    expect(made).toEqual({
      order_number: "ORD-00001",
      customer_name: "Iris",
      customer_phone: "33612345678",
      currency: "EUR",
      tax_rate: 20,
      status: "pending",
    });
    order = ok(await m.from("orders").select("id").eq("workspace_id", ws).single()).id;
    ok(
      await m.from("order_items").insert([
        { workspace_id: ws, order_id: order, inventory_item_id: item, quantity: 3 },
        { workspace_id: ws, order_id: order, item_name: "Making", quantity: 1, unit_price: 150 },
      ]),
    );
    const read = ok(
      await m.from("orders")
        .select(
          "subtotal, tax, total_amount, balance_due, payment_status, order_items(item_name, unit_price, total_price)",
        )
        .eq("id", order).single(),
    );
    expect(read).toMatchObject({
      subtotal: 240,
      tax: 48,
      total_amount: 288,
      balance_due: 288,
      payment_status: "unpaid",
    });
    expect(read.order_items.map((i) => `${i.item_name} ${i.unit_price} ${i.total_price}`).sort())
      .toEqual([
        "Making 150 150",
        "Tweed 30 90",
      ]);
  });

  it("refuses what the rules refuse, with the database's message", async () => {
    const m = people.member.client;
    const over = await m.rpc("record_payment", { amount: 300, currency: "EUR", order_id: order });
    expect(over.error).toMatchObject({
      code: "23514",
      message: "payment would overpay order ORD-00001: 288.00 EUR due, 300 EUR offered",
    });
    const direct = await m.from("orders").update({ amount_paid: 300 }).eq("id", order);
    expect(direct.error?.code).toBe("42501");
    const skip = await m.from("orders").update({ status: "completed" }).eq("id", order);
    expect(skip.error).toMatchObject({
      code: "55000",
      message: "order ORD-00001 cannot go from pending to completed",
    });
    const forged = await m.from("orders").update({ total_amount: 1 }).eq("id", order);
    expect(forged.error?.code).toBe("42501");
  });

  it("moves stock with the status", async () => {
    const m = people.member.client;
    ok(
      await m.rpc("record_payment", {
        amount: 100,
        currency: "EUR",
        order_id: order,
        method: "card",
      }),
    );
    ok(await m.from("orders").update({ status: "in-progress" }).eq("id", order));
    const tweed = ok(
      await m.from("inventory_items").select("current_stock, status").eq("id", item).single(),
    );
    expect(tweed).toEqual({ current_stock: 2, status: "in-stock" });
    const c = ok(
      await m.from("contacts").select("total_orders, total_revenue").eq("id", contact).single(),
    );
    expect(c).toEqual({ total_orders: 1, total_revenue: 100 });
    const late = await m.from("order_items").insert(
      { workspace_id: ws, order_id: order, item_name: "Late", quantity: 1, unit_price: 1 },
    );
    expect(late.error).toMatchObject({ code: "55000" });
  });

  it("gives a viewer reads only, and an outsider and anon nothing", async () => {
    expect(ok(await people.viewer.client.from("orders").select("id").eq("workspace_id", ws)))
      .toHaveLength(1);
    const viewerEdit = ok(
      await people.viewer.client.from("orders").update({ notes: "x" }).eq("id", order).select("id"),
    );
    expect(viewerEdit).toEqual([]);
    expect(ok(await people.outsider.client.from("orders").select("id").eq("workspace_id", ws)))
      .toEqual([]);
    expect(ok(await people.outsider.client.from("order_items").select("id").eq("order_id", order)))
      .toEqual([]);
    const probe = await people.outsider.client.from("order_items")
      .insert({
        workspace_id: ws,
        order_id: order,
        item_name: "Probe",
        quantity: 1,
        unit_price: 1,
      });
    expect(probe.error).toMatchObject({ code: "P0002", message: "order not found" });
    expect(ok(await people.outsider.client.rpc("contact_timeline", { contact_id: contact })))
      .toEqual([]);
    expect((await anon.from("orders").select("id")).error?.code).toBe("42501");
  });

  it("lists the client's timeline for a member", async () => {
    const rows = ok(
      await people.member.client.rpc("contact_timeline", { contact_id: contact, max_rows: 10 }),
    );
    expect(rows.map((r) => `${r.kind}:${r.title}`)).toEqual([
      "order_status:Order ORD-00001 in-progress",
      "interaction:Payment of 100.00 EUR on order ORD-00001",
      "interaction:Order ORD-00001 taken: Tweed jacket",
      "order:ORD-00001: Tweed jacket",
    ]);
  });
});
