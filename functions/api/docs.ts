import swaggerUiDist from "swagger-ui-dist";

// The interactive reference (Swagger UI) is served from the function
// itself, from the swagger-ui-dist package bundled with it: no CDN, so it
// works offline and wherever the function is deployed.
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};
const cache = new Map<string, Uint8Array>();

export async function docsAsset(name: string): Promise<Response | null> {
  const type = ASSETS[name];
  if (!type) return null;
  let bytes = cache.get(name);
  if (!bytes) {
    bytes = await Deno.readFile(`${swaggerUiDist.getAbsoluteFSPath()}/${name}`);
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
