import { AssetTable, CSS, JS, textAsset } from "../assets.ts";

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

/**
 * The renderer's files are text imports, so `deno compile` embeds them and nothing is read from
 * disk at run time; they load on first use, keeping 1.9 MB out of an idle server.
 */
export const DOCS_ASSETS = new AssetTable({
  "swagger-ui-bundle.js": textAsset(
    JS,
    () => import("swagger-ui-dist/swagger-ui-bundle.js", { with: { type: "text" } }),
  ),
  "swagger-ui.css": textAsset(
    CSS,
    () => import("swagger-ui-dist/swagger-ui.css", { with: { type: "text" } }),
  ),
  "init.js": textAsset(JS, () => import("./init.js", { with: { type: "text" } })),
});
