import { createHandler, defaultDeps } from "./handler.ts";

const handler = createHandler(defaultDeps());
Deno.serve(handler);
