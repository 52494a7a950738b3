import { Hono } from "hono";
import type { Services } from "../src/services.ts";
import { DOCS_HTML } from "./docs_page.ts";
import { buildOpenApiDocument } from "./openapi_spec.ts";

/** The page may load nothing from elsewhere; its script only fetches /openapi.json. */
const DOCS_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; " +
  "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

/** GET /openapi.json (built once, on first use) and GET /docs (the page that renders it). */
export function docsRoutes(s: Services): Hono {
  let document: string | null = null;
  return new Hono()
    .get("/openapi.json", (c) => {
      document ??= JSON.stringify(buildOpenApiDocument(s.version));
      return c.body(document, 200, { "content-type": "application/json; charset=utf-8" });
    })
    .get("/docs", (c) =>
      c.body(DOCS_HTML, 200, {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": DOCS_CSP,
      }));
}
