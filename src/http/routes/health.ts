import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Services } from "../../services.ts";
import { errorResponses, jsonContent } from "../openapi.ts";
import { Health } from "../schemas.ts";

const health = createRoute({
  method: "get",
  path: "/api/health",
  operationId: "getHealth",
  summary: "Server status (open without a token)",
  tags: ["server"],
  security: [],
  responses: {
    200: jsonContent(Health, "The server is up"),
    ...errorResponses("FORBIDDEN_HOST", "FORBIDDEN_WEBHOOK_LOOP"),
  },
});

/** GET /api/health. */
export function healthRoutes(app: OpenAPIHono, s: Services): void {
  app.openapi(health, (c) =>
    c.json({
      status: "healthy" as const,
      version: s.version,
      uptime_seconds: Math.round((Date.now() - s.startedAt) / 100) / 10,
      active_runs: s.runs.activeCount,
      queued_runs: s.runs.queuedCount,
      total_modules: s.catalog.modules.length,
      host_id: s.hostId(),
    }, 200));
}
