import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import ws from "ws";
import type { Database } from "../../shared/database.types.ts";
import { stack } from "./stack.ts";

// A client app's view of Threadline: supabase-js with the anon key, typed
// with the generated types, over HTTP through the gateway to PostgREST and
// the Auth stand-in. Nothing here reaches the database another way.
export type Client = SupabaseClient<Database>;

export function anonClient(): Client {
  const s = stack();
  return createClient<Database>(s.apiUrl, s.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    // Node 20 has no WebSocket of its own, and supabase-js makes its
    // Realtime client up front.
    realtime: { transport: ws as never },
  });
}

export const PASSWORD = "correct horse battery staple";

export type Person = { client: Client; id: string; email: string };

// Signs up through /auth/v1/signup (the auth.users trigger gives the person
// a profile and a personal workspace) and keeps the session in the client.
export async function signUp(label: string, password = PASSWORD): Promise<Person> {
  const client = anonClient();
  const email = `${label}-${crypto.randomUUID().slice(0, 8)}@client.example.com`;
  const { data, error } = await client.auth.signUp({ email, password });
  if (error || !data.user || !data.session) throw error ?? new Error("sign-up gave no session");
  return { client, id: data.user.id, email };
}

export async function signIn(email: string, password: string): Promise<Client> {
  const client = anonClient();
  const { error } = await client.auth.signInWithPassword({ email, password });
  if (error) throw error;
  return client;
}

// Unwraps a PostgREST answer, failing with PostgREST's own error.
export function ok<R extends { data: unknown; error: unknown }>(r: R): NonNullable<R["data"]> {
  if (r.error) {
    const e = r.error as Record<string, unknown>;
    throw new Error(`unexpected error: ${JSON.stringify({ ...e, message: e.message })}`);
  }
  return r.data as NonNullable<R["data"]>;
}
