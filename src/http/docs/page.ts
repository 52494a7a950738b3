/** The /docs page: Swagger UI from this server's own assets, no inline script, nothing remote. */
export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>PrismQ Module Runner API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script>
</body>
</html>
`;

/** A docs asset: its text and content type. */
export interface DocsAsset {
  body: string;
  type: string;
}

const JS = "text/javascript; charset=utf-8";

/**
 * The renderer's files are text imports, so `deno compile` embeds them and nothing is read from
 * disk at run time; they load on first use, keeping 1.9 MB out of an idle server.
 */
const ASSETS: Record<string, () => Promise<DocsAsset>> = {
  "swagger-ui-bundle.js": async () => ({
    body: (await import("swagger-ui-dist/swagger-ui-bundle.js", { with: { type: "text" } }))
      .default,
    type: JS,
  }),
  "swagger-ui.css": async () => ({
    body: (await import("swagger-ui-dist/swagger-ui.css", { with: { type: "text" } })).default,
    type: "text/css; charset=utf-8",
  }),
  "init.js": async () => ({
    body: (await import("./init.js", { with: { type: "text" } })).default,
    type: JS,
  }),
};

/** The names /docs/assets/{name} serves. */
export const DOCS_ASSET_NAMES = Object.keys(ASSETS) as [string, ...string[]];

const loaded = new Map<string, Promise<DocsAsset>>();

/** Loads a docs asset once; null for a name that is not one. */
export function docsAsset(name: string): Promise<DocsAsset> | null {
  const load = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (load === undefined) return null;
  let asset = loaded.get(name);
  if (asset === undefined) loaded.set(name, asset = load());
  return asset;
}
