import { inBackground } from "../../shared/background.ts";
import { db } from "../../shared/db.ts";
import { createDrainHandler, type DrainDeps } from "../../shared/drain-handler.ts";
import { storage } from "../../shared/storage.ts";
import type { Fonts } from "./render.ts";
import { createInvoiceWorker, type DrainSummary } from "./worker.ts";

// POST /invoices: the shared drain handler (shared/drain-handler.ts) over
// the worker that renders issued invoices as PDF documents.

export type Deps = DrainDeps<DrainSummary>;

export function createHandler(deps: Deps) {
  return createDrainHandler("invoices", deps);
}

// DejaVu Sans travels with the function (config.toml static_files, copied
// from the dejavu-fonts-ttf package by npm run setup); the package's copy
// in node_modules serves where it has not been copied.
async function font(name: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(new URL(`./assets/${name}`, import.meta.url));
  } catch {
    return await Deno.readFile(
      new URL(`../../node_modules/dejavu-fonts-ttf/ttf/${name}`, import.meta.url),
    );
  }
}

let fonts: Promise<Fonts> | undefined;
export function loadFonts(): Promise<Fonts> {
  fonts ??= Promise.all([font("DejaVuSans.ttf"), font("DejaVuSans-Bold.ttf")])
    .then(([regular, bold]) => ({ regular, bold }))
    .catch((err) => {
      fonts = undefined;
      throw err;
    });
  return fonts;
}

export function defaultDeps(): Deps {
  const worker = createInvoiceWorker({
    sql: db(),
    storage: storage(),
    fonts: loadFonts,
    log: (event, fields) => console.log(JSON.stringify({ fn: "invoices", event, ...fields })),
  });
  return { worker, background: inBackground("[invoices] drain failed") };
}
