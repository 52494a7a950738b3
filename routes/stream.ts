import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { validationError } from "../src/errors.ts";
import { followRun } from "../src/runs/follow.ts";
import type { Services } from "../src/services.ts";
import { streamQuerySchema } from "./schemas.ts";
import { queryParams } from "./validate.ts";

/** GET /api/runs/{id}/logs/stream: Server-Sent Events of a run's lines and status. */
export function streamRoutes(s: Services): Hono {
  return new Hono().get("/api/runs/:run_id/logs/stream", async (c) => {
    const runId = c.req.param("run_id");
    const query = queryParams(c, streamQuerySchema);
    const lastEventId = c.req.header("last-event-id");
    let after = query.after ?? 0;
    if (lastEventId !== undefined && lastEventId.trim() !== "") {
      if (!/^\d+$/.test(lastEventId.trim())) {
        throw validationError(
          [{ field: "Last-Event-ID", message: "must be a line seq" }],
          "Invalid header.",
        );
      }
      after = Number(lastEventId.trim());
    }
    const record = await s.runs.requireRecord(runId);

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
