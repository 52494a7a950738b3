import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { AppError } from "../../errors.ts";
import type { Services } from "../../services.ts";
import { DOCS_ASSETS, DOCS_HTML } from "../docs/page.ts";
import { errorResponses, streamedResponse } from "../openapi.ts";

const common = { tags: ["docs"], security: [] };

const openapiJson = createRoute({
  ...common,
  method: "get",
  path: "/openapi.json",
  operationId: "getOpenApiDocument",
  summary: "This document, generated from the route declarations",
  responses: {
    200: {
      content: { "application/json": { schema: z.record(z.string(), z.unknown()) } },
      description: "OpenAPI 3",
    },
    ...errorResponses("FORBIDDEN_HOST"),
  },
});

const docsPage = createRoute({
  ...common,
  method: "get",
  path: "/docs",
  operationId: "getDocsPage",
  summary: "A page that renders this document (works offline)",
  responses: {
    200: { content: { "text/html": { schema: z.string() } }, description: "HTML" },
    ...errorResponses("FORBIDDEN_HOST"),
  },
});

const docsAssetRoute = createRoute({
  ...common,
  method: "get",
  path: "/docs/assets/{name}",
  operationId: "getDocsAsset",
  summary: "The docs page's script and style files",
  request: {
    params: z.object({
      name: z.string().openapi({ param: { name: "name", in: "path" }, enum: DOCS_ASSETS.names }),
    }),
  },
  responses: {
    200: { content: { "text/javascript": { schema: z.string() } }, description: "A file" },
    ...errorResponses("FORBIDDEN_HOST", "NOT_FOUND"),
  },
});

/** GET /openapi.json (generated once, on first use), /docs and its assets. */
export function docsRoutes(app: OpenAPIHono, s: Services): void {
  let document: ReturnType<typeof app.getOpenAPIDocument> | null = null;
  app.openapi(openapiJson, (c) => {
    document ??= withPlainPathParams(app.getOpenAPIDocument({
      openapi: "3.0.3",
      info: {
        title: "PrismQ Module Runner",
        version: s.version,
        description: "Runs PrismQ modules on demand: validation, queue, logs, live streams.",
      },
    }));
    return c.json(document, 200);
  });
  app.openapi(docsPage, (c) => c.html(DOCS_HTML, 200));
  app.openapi(docsAssetRoute, async (c) => {
    const name = c.req.valid("param").name;
    const asset = DOCS_ASSETS.get(name);
    if (asset === null) throw new AppError("NOT_FOUND", `No docs asset "${name}".`);
    const { body, type } = await asset;
    return streamedResponse(
      c.body(body, 200, { "content-type": type, "cache-control": "public, max-age=3600" }),
    );
  });
}

/** Hono's `{name{.+}}` (a parameter spanning `/`) is `{name}` in OpenAPI's path syntax. */
function withPlainPathParams<D extends { paths?: Record<string, unknown> }>(doc: D): D {
  const paths = Object.fromEntries(
    Object.entries(doc.paths ?? {}).map(([path, item]) => [
      path.replace(/\{(\w+)\{[^}]*\}\}/g, "{$1}"),
      item,
    ]),
  );
  return { ...doc, paths };
}
