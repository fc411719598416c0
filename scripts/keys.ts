// Prints the local anon and service_role keys as shell assignments.
import { localApiKeys } from "../shared/jwt.ts";

const keys = await localApiKeys(Deno.env.get("THREADLINE_JWT_SECRET") || undefined);
console.log(`SUPABASE_ANON_KEY=${keys.anon}`);
console.log(`SUPABASE_SERVICE_ROLE_KEY=${keys.serviceRole}`);
