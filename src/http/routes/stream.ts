import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import { followRun, isFinal } from "../../runs/mod.ts";
import type { Services } from "../../services.ts";
import { errorResponses, GUARD_ERRORS, SECURED, streamedResponse } from "../openapi.ts";
import { RunIdParam, StreamHeaders, StreamQuery } from "../schemas.ts";

const streamLogs = createRoute({
  method: "get",
  path: "/api/runs/{run_id}/logs/stream",
  operationId: "streamRunLogs",
  summary: "Server-Sent Events: stored lines, then live ones; `status` and `end` events",
  tags: ["logs"],
  security: SECURED,
  request: { params: RunIdParam, query: StreamQuery, headers: StreamHeaders },
  responses: {
    200: {
      content: { "text/event-stream": { schema: z.string() } },
      description: "Lines as unnamed events (`id: SEQ`, `data: LINE`), then `status` and `end`",
    },
    204: { description: "The run is final and the client already has its last line" },
    ...errorResponses(...GUARD_ERRORS, "RUN_NOT_FOUND", "VALIDATION_ERROR"),
  },
});

/** GET /api/runs/{id}/logs/stream: Server-Sent Events of a run's lines and status. */
export function streamRoutes(app: OpenAPIHono, s: Services): void {
  app.openapi(streamLogs, async (c) => {
    const { run_id: runId } = c.req.valid("param");
    const lastEventId = c.req.valid("header")["last-event-id"];
    const after = lastEventId ? Number(lastEventId) : c.req.valid("query").after ?? 0;
    const record = await s.runs.requireRecord(runId);
    const resumed = lastEventId !== undefined || c.req.valid("query").after !== undefined;
    if (resumed && isFinal(record.status) && after >= record.log_lines) {
      // Nothing more will ever come: 204 is what makes a browser's EventSource stop reconnecting.
      return streamedResponse(c.body(null, 204));
    }

    return streamSSE(c, async (stream) => {
      const clientGone = new AbortController();
      const abort = () => clientGone.abort();
      stream.onAbort(abort);
      const keepAlive = setInterval(
        () => void stream.write(": keep-alive\n\n").catch(abort),
        s.sseKeepAliveMs,
      );
      const done = Promise.withResolvers<void>();
      s.lifecycle.track(done.promise);
      try {
        for await (
          const event of followRun(s, {
            record,
            after,
            clientGone: clientGone.signal,
            shutdown: s.lifecycle.signal,
          })
        ) {
          if (event.kind === "line") {
            await stream.writeSSE({ id: String(event.line.seq), data: JSON.stringify(event.line) });
          } else if (event.kind === "progress") {
            await stream.writeSSE({ event: "progress", data: JSON.stringify(event.progress) });
          } else {
            await stream.writeSSE({ event: event.kind, data: JSON.stringify(event.run) });
          }
          if (stream.aborted) break;
        }
      } finally {
        clearInterval(keepAlive);
        done.resolve();
      }
    }, async (err, stream) => {
      console.error(`stream of run ${runId} failed:`, err);
      await stream.writeSSE({
        event: "error",
        data: JSON.stringify({ detail: "The stream failed." }),
      });
    });
  });
}
