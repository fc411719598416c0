import type { Tx } from "../helpers/db.ts";
import { walkthrough } from "../helpers/readme.ts";

// The README's cross-posting walkthrough, run verbatim: Maya cross-posts the
// demo carousel to the tailors' (fake) Instagram account and sees it posted.
const connection = "00000000-0000-4000-9600-000000000001";

// What a previous run left: the cross-post (one per post and account).
async function forget(tx: Tx) {
  await tx`delete from public.feed_cross_posts where social_connection_id = ${connection}`;
  await tx`update public.social_media_connections set is_active = true, inactive_reason = null where id = ${connection}`;
}

walkthrough("README cross-posting walkthrough", "### A post on Instagram", 2, forget);
