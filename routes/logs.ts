import { Hono } from "hono";
import type { Services } from "../src/services.ts";
import { logsQuerySchema } from "./schemas.ts";
import { queryParams } from "./validate.ts";

/** Stored log pages, tails and download. */
export function logRoutes(s: Services): Hono {
  const reader = s.logReader;
  return new Hono()
    .get("/api/runs/:run_id/logs", async (c) => {
      const q = queryParams(c, logsQuerySchema);
      return c.json(await reader.page(c.req.param("run_id"), q));
    })
    .get("/api/runs/:run_id/logs/download", async (c) => {
      const runId = c.req.param("run_id");
      await reader.summary(runId);
      return new Response(reader.download(runId), {
        headers: {
          "content-type": "text/plain; charset=utf-8",
          "content-disposition": `attachment; filename="${runId}.log"`,
        },
      });
    });
}
