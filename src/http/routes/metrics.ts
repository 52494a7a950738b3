import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Services } from "../../services.ts";
import { errorResponses, SECURED, streamedResponse } from "../openapi.ts";

const metrics = createRoute({
  method: "get",
  path: "/metrics",
  operationId: "getMetrics",
  summary: "Prometheus metrics (text exposition format)",
  tags: ["server"],
  security: SECURED,
  responses: {
    200: {
      content: { "text/plain": { schema: z.string() } },
      description: "prismq_runs_total, prismq_runs_running, prismq_runs_queued, " +
        "prismq_run_duration_seconds, prismq_log_lines_total, prismq_webhook_failures_total, " +
        "process metrics",
    },
    ...errorResponses("UNAUTHORIZED", "FORBIDDEN_HOST"),
  },
});

/** GET /metrics, behind the token when one is set. */
export function metricsRoutes(app: OpenAPIHono, s: Services): void {
  app.openapi(metrics, async () =>
    streamedResponse(
      new Response(await s.metrics.text(), {
        headers: { "content-type": s.metrics.contentType },
      }),
    ));
}
