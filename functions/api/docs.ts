import swaggerUiDist from "swagger-ui-dist";

// The interactive reference (Swagger UI) is served by the function itself:
// no CDN, so it works offline and wherever the function runs. Its two
// files are bundled with the function (config.toml static_files, copied
// from the swagger-ui-dist package by npm run setup); the package's own
// copy in node_modules serves when they have not been copied.
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};
const cache = new Map<string, Uint8Array>();

async function read(name: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(new URL(`./assets/${name}`, import.meta.url));
  } catch {
    return await Deno.readFile(`${swaggerUiDist.getAbsoluteFSPath()}/${name}`);
  }
}

export async function docsAsset(name: string): Promise<Response | null> {
  const type = ASSETS[name];
  if (!type) return null;
  let bytes = cache.get(name);
  if (!bytes) {
    bytes = await read(name);
    cache.set(name, bytes);
  }
  return new Response(bytes as BodyInit, {
    headers: { "content-type": type, "cache-control": "public, max-age=86400" },
  });
}

// Relative URLs: the page is <functions URL>/api/docs, whatever the host.
export const docsPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Threadline API reference</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="reference"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: "v1/openapi.json", dom_id: "#reference", deepLinking: true,
  docExpansion: "list", defaultModelsExpandDepth: 0 });
</script>
</body>
</html>`;
