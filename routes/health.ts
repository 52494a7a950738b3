import { Hono } from "hono";
import type { Services } from "../src/services.ts";

/** GET /api/health. */
export function healthRoutes(s: Services): Hono {
  return new Hono().get("/api/health", (c) =>
    c.json({
      status: "healthy" as const,
      version: s.version,
      uptime_seconds: Math.round((Date.now() - s.startedAt) / 100) / 10,
      active_runs: s.runs.activeCount,
      queued_runs: s.runs.queuedCount,
      total_modules: s.catalog.modules.length,
    }));
}
