import type { Tx } from "../helpers/db.ts";
import { walkthrough } from "../helpers/readme.ts";

// The README's social walkthrough, run verbatim: Maya publishes a
// followers-only post as the demo workspace, Bea (following it) sees it in
// her home timeline, likes and comments with exact counts before any tick,
// Maya is told, and an anonymous visitor on PostgREST reads the public face
// and profile feed (without the followers-only post) and nothing else.
const demo = "00000000-0000-4000-b000-000000000001";

// What a previous run left: the post (its likes, comments and pending
// counter deltas go with it) and the notices about it.
async function forget(tx: Tx) {
  const posts = await tx<{ id: string }[]>`
    select id from public.feeds where workspace_id = ${demo} and caption = 'Fresh from the atelier: navy linen'`;
  const ids = posts.map((p) => p.id);
  if (ids.length === 0) return;
  await tx`delete from public.notifications where reference_id = any(${ids})`;
  await tx`delete from public.feeds where id = any(${ids})`;
  await tx`delete from private.feed_counter_deltas where feed_id = any(${ids})`;
}

walkthrough("README social walkthrough", "### A post, end to end", 3, forget);
