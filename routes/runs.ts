import { Hono } from "hono";
import type { Services } from "../src/services.ts";
import { listRunsQuerySchema } from "./schemas.ts";
import { queryParams } from "./validate.ts";

/** Run listing, detail and cancel. */
export function runRoutes(s: Services): Hono {
  return new Hono()
    .get("/api/runs", async (c) => {
      const q = queryParams(c, listRunsQuerySchema);
      const page = await s.runs.list({
        moduleId: q.module_id,
        status: q.status,
        limit: q.limit,
        cursor: q.cursor,
        offset: q.offset,
      });
      return c.json({
        runs: page.runs,
        total: page.total,
        limit: q.limit,
        next_cursor: page.next_cursor,
      });
    })
    .get("/api/runs/:run_id", async (c) => c.json(await s.runs.get(c.req.param("run_id"))))
    .delete("/api/runs/:run_id", async (c) => c.json(await s.runs.cancel(c.req.param("run_id"))));
}
