import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { etag } from "hono/etag";
import { AppError, quoteClipped } from "../../errors.ts";
import { UI_ASSETS } from "./assets.ts";
import { ModulePage, ModulesPage, RunPage, RunsPage } from "./pages.tsx";
import { PoolsPage } from "./pools_page.tsx";
import { PipelinePage, PipelineRunPage, PipelinesPage } from "./pipeline_pages.tsx";
import { ServicesPage } from "./services_page.tsx";

/** A page as HTML; JSX escapes every value placed in it. */
function html(c: Context, page: unknown): Response {
  return c.html(`<!doctype html>${page}`);
}

/**
 * The web UI: four pages and their assets. Plain Hono routes, not OpenAPI ones: they are not
 * API and stay out of /openapi.json. They sit outside /api, so they need no token; they hold no
 * data (the scripts fetch it through /api, with the token).
 */
export function uiRoutes(app: OpenAPIHono): void {
  app.get("/", (c) => html(c, <ModulesPage />));
  app.get("/modules/:id", (c) => html(c, <ModulePage moduleId={c.req.param("id")} />));
  app.get("/runs", (c) => html(c, <RunsPage />));
  app.get("/runs/:run_id", (c) => html(c, <RunPage runId={c.req.param("run_id")} />));
  app.get("/pools", (c) => html(c, <PoolsPage />));
  app.get("/pipelines", (c) => html(c, <PipelinesPage />));
  app.get("/pipelines/:id", (c) => html(c, <PipelinePage pipelineId={c.req.param("id")} />));
  app.get(
    "/pipeline-runs/:id",
    (c) => html(c, <PipelineRunPage pipelineRunId={c.req.param("id")} />),
  );
  app.get("/services", (c) => html(c, <ServicesPage />));
  // ETags let a browser revalidate with a 304 instead of keeping a stale script after an update.
  app.get("/ui/assets/:name", etag(), async (c) => {
    const name = c.req.param("name");
    const asset = UI_ASSETS.get(name);
    if (asset === null) throw new AppError("NOT_FOUND", `No UI asset ${quoteClipped(name)}.`);
    const { body, type } = await asset;
    return c.body(body, 200, { "content-type": type, "cache-control": "no-cache" });
  });
}
