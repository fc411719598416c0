import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSql, type Sql } from "../helpers/db.ts";
import { anonClient, type Client, ok, type Person, signUp } from "../helpers/client.ts";

// The marketplace asked the way apps ask: supabase-js through the gateway
// to PostgREST. A member lists a product; a visitor without an account
// browses it; a customer buys it with choices (and is told, in the
// database's words, what is wrong with bad ones), follows the purchase and
// reads nothing else of the shop; the member sees the order and the
// notification; the customer's review and like show in the public listing.
let sql: Sql;
const people: Record<"owner" | "member" | "customer", Person> = {} as never;
let anon: Client;
let ws: string;
let product: string;

beforeAll(async () => {
  sql = adminSql();
  anon = anonClient();
  for (const role of ["owner", "member", "customer"] as const) {
    people[role] = await signUp(`market-${role}`);
  }
  ok(
    await people.customer.client.from("profiles").update({ account_type: "customer" }).eq(
      "id",
      people.customer.id,
    ),
  );
  ws = ok(await people.owner.client.rpc("create_workspace", { name: `Shop ${Date.now()}` })).id;
  await sql`update public.workspaces set plan = 'premium' where id = ${ws}`;
  const [inv] = ok(
    await people.owner.client.rpc("invite_member", {
      workspace_id: ws,
      email: people.member.email,
      role: "member",
    }),
  );
  ok(await people.member.client.rpc("accept_invitation", { token: inv.token }));
  ok(await people.owner.client.from("workspaces").update({ currency: "EUR" }).eq("id", ws));
});

afterAll(async () => {
  if (!sql) return;
  if (ws) await sql`delete from public.workspaces where id = ${ws}`;
  const ids = Object.values(people).map((p) => p.id);
  if (ids.length) await sql`delete from auth.users where id in ${sql(ids)}`;
  await sql.end();
});

describe("the marketplace through PostgREST", () => {
  it("a member lists a product; anon browses it but not a draft", async () => {
    const m = people.member.client;
    product = ok(
      await m.from("marketplace_products").insert({
        workspace_id: ws,
        title: "Tweed cap",
        description: "Hand made in Harris tweed",
        category: "hats",
        price: 45,
        tags: ["tweed", "gift"],
        available_regions: ["GB", "IE"],
        stock_quantity: 3,
        customization_options: [{
          name: "size",
          type: "choice",
          choices: ["S", "M", "L"],
          required: true,
        }],
        status: "published",
      }).select("id, currency, seller_id").single(),
    ).id;
    ok(
      await m.from("marketplace_products").insert({
        workspace_id: ws,
        title: "Unreleased cap",
        category: "hats",
        price: 50,
      }),
    );
    const page = ok(await anon.rpc("browse_products", { search: "tweed", workspace_id: ws }));
    expect(page.map((p) => [p.title, p.currency, p.stock_quantity])).toEqual([[
      "Tweed cap",
      "EUR",
      3,
    ]]);
    const all = ok(await anon.from("marketplace_products").select("title").eq("workspace_id", ws));
    expect(all).toEqual([{ title: "Tweed cap" }]);
    ok(await anon.from("product_views").insert({ product_id: product }));
  });

  it("a customer buys it, told in the database's words what is wrong first", async () => {
    const c = people.customer.client;
    const bad = await c.rpc("buy_product", {
      product_id: product,
      quantity: 1,
      customisations: { size: "XL" },
      region: "GB",
    });
    expect(bad.error?.code).toBe("22023");
    expect(bad.error?.message).toBe('customisations.size: "XL" is not one of S, M, L');
    const [bought] = ok(
      await c.rpc("buy_product", {
        product_id: product,
        quantity: 2,
        customisations: { size: "M" },
        region: "GB",
      }),
    );
    expect([bought.status, bought.total_amount, bought.currency]).toEqual([
      "in-progress",
      90,
      "EUR",
    ]);
    const mine = ok(await c.rpc("my_purchases", {}));
    expect(mine.map((p) => [p.product_title, p.quantity, p.customisations, p.order_number]))
      .toEqual([
        ["Tweed cap", 2, { size: "M" }, bought.order_number],
      ]);
    expect(ok(await c.from("orders").select("id"))).toEqual([]);
    expect(ok(await c.from("contacts").select("id"))).toEqual([]);
    expect(ok(await c.from("marketplace_products").select("title").eq("workspace_id", ws))).toEqual(
      [
        { title: "Tweed cap" },
      ],
    );
    const listing = ok(
      await anon.from("marketplace_listings").select("stock_quantity, sales_count").eq(
        "id",
        product,
      )
        .single(),
    );
    expect(listing).toEqual({ stock_quantity: 1, sales_count: 2 });
  });

  it("the member sees the order, its client and the notification", async () => {
    const m = people.member.client;
    const orders = ok(
      await m.from("orders").select(
        "customer_email, source, status, total_amount, order_items(item_name, item_description, quantity)",
      )
        .eq("workspace_id", ws),
    );
    expect(orders).toEqual([{
      customer_email: people.customer.email,
      source: "marketplace",
      status: "in-progress",
      total_amount: 90,
      order_items: [{ item_name: "Tweed cap", item_description: "size: M", quantity: 2 }],
    }]);
    const notes = ok(
      await m.from("notifications").select("type, body").eq("workspace_id", ws).eq(
        "type",
        "marketplace_order",
      ),
    );
    expect(notes.length).toBe(1);
    expect(notes[0].body).toContain("bought 2 x Tweed cap (90.00 EUR)");
  });

  it("a review and a like show in the public listing at once; a seller does not review", async () => {
    const c = people.customer.client;
    ok(
      await c.from("product_reviews").insert({
        product_id: product,
        rating: 4,
        review_text: "Snug",
      }),
    );
    ok(await c.from("product_likes").insert({ product_id: product }));
    const seller = await people.member.client.from("product_reviews").insert({
      product_id: product,
      rating: 5,
    });
    expect(seller.error?.message).toBe(
      "members of the selling workspace do not review its products",
    );
    const listing = ok(
      await anon.from("marketplace_listings").select("likes_count, review_count, rating").eq(
        "id",
        product,
      ).single(),
    );
    expect(listing).toEqual({ likes_count: 1, review_count: 1, rating: 4 });
    const reviews = ok(
      await anon.from("product_reviews").select("rating, review_text, verified_purchase").eq(
        "product_id",
        product,
      ),
    );
    expect(reviews).toEqual([{ rating: 4, review_text: "Snug", verified_purchase: true }]);
    expect((await anon.from("product_likes").select("id")).error?.code).toBe("42501");
  });
});
