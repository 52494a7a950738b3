import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import type { Services } from "../../services.ts";
import { isPipelineFinal } from "../../pipelines/model.ts";
import { errorResponses, GUARD_ERRORS, SECURED } from "../openapi.ts";
import { PipelineRunIdParam } from "./pipeline_schemas.ts";

/** How often a stream looks at its pipeline run (any server may be advancing it). */
const POLL_MS = 200;

const events = createRoute({
  method: "get",
  path: "/api/pipeline-runs/{id}/events",
  operationId: "streamPipelineRun",
  summary: "Server-Sent Events: `pipeline` at each change, `end` when final",
  tags: ["pipelines"],
  security: SECURED,
  request: { params: PipelineRunIdParam },
  responses: {
    200: {
      content: { "text/event-stream": { schema: z.string() } },
      description: "`event: pipeline` with the PIPELINE_RUN at each change, then `event: end`",
    },
    ...errorResponses(...GUARD_ERRORS, "PIPELINE_RUN_NOT_FOUND"),
  },
});

/** GET /api/pipeline-runs/{id}/events. */
export function pipelineEventRoute(app: OpenAPIHono, s: Services): void {
  app.openapi(events, async (c) => {
    const { id } = c.req.valid("param");
    await s.pipelines.record(id);
    return streamSSE(c, async (stream) => {
      const done = Promise.withResolvers<void>();
      s.lifecycle.track(done.promise);
      let last = "";
      let sinceWrite = 0;
      try {
        while (!stream.aborted && !s.lifecycle.signal.aborted) {
          const view = await s.pipelines.get(id);
          const text = JSON.stringify(view);
          if (isPipelineFinal(view.status)) {
            if (text !== last) await stream.writeSSE({ event: "pipeline", data: text });
            await stream.writeSSE({ event: "end", data: text });
            break;
          }
          if (text !== last) {
            await stream.writeSSE({ event: "pipeline", data: text });
            last = text;
            sinceWrite = 0;
          } else if ((sinceWrite += POLL_MS) >= s.sseKeepAliveMs) {
            await stream.write(": keep-alive\n\n");
            sinceWrite = 0;
          }
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
      } finally {
        done.resolve();
      }
    });
  });
}
