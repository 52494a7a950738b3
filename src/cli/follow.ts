import type { LogLine } from "../logs/line.ts";
import type { Progress } from "../logs/markers.ts";
import type { RunView } from "../runs/mod.ts";
import { type ApiClient, ApiError, errorOf, seg } from "./client.ts";
import { sseEvents } from "./sse.ts";

/** What a follower is told, in order. */
export interface FollowHandlers {
  line(line: LogLine): void;
  progress(progress: Progress): void;
  status(run: RunView): void;
}

/** A dropped stream is opened again after this long, growing to the maximum. */
const RETRY_MS = 500;
const MAX_RETRY_MS = 5000;
/** A follower gives up when the server stays unreachable this long. */
const GIVE_UP_MS = 60_000;

/**
 * Follows a run's log over SSE from the line after `after` until the run is final, and answers
 * the final run. A dropped connection is opened again with `Last-Event-ID` (the last line
 * received), so no line is lost or repeated; an error answer of the server throws ApiError.
 */
export async function followRunLog(
  client: ApiClient,
  runId: string,
  options: { after: number; handlers: FollowHandlers; signal: AbortSignal },
): Promise<RunView> {
  let lastSeq = options.after;
  let retryMs = RETRY_MS;
  let failingSince: number | null = null;
  for (;;) {
    options.signal.throwIfAborted();
    try {
      const response = await client.send(`/api/runs/${seg(runId)}/logs/stream`, {
        headers: client.headers({ accept: "text/event-stream", "last-event-id": String(lastSeq) }),
        signal: options.signal,
      });
      if (response.status === 204) return await client.get<RunView>(`/api/runs/${seg(runId)}`);
      if (!response.ok || !response.body) throw errorOf(response.status, await response.text());
      failingSince = null;
      retryMs = RETRY_MS;
      for await (const event of sseEvents(response.body)) {
        if (event.event === "message") {
          const line = JSON.parse(event.data) as LogLine;
          if (line.seq <= lastSeq) continue;
          lastSeq = line.seq;
          options.handlers.line(line);
        } else if (event.event === "progress") {
          options.handlers.progress(JSON.parse(event.data) as Progress);
        } else if (event.event === "status") {
          options.handlers.status(JSON.parse(event.data) as RunView);
        } else if (event.event === "end") {
          return JSON.parse(event.data) as RunView;
        }
        // An `error` event: the server's stream failed; it is opened again below.
      }
    } catch (err) {
      if (options.signal.aborted) throw err;
      // The server's own refusal (404, 401...) is final; a lost connection is retried.
      if (err instanceof ApiError && err.status !== 0 && err.status < 500) throw err;
      failingSince ??= Date.now();
      if (Date.now() - failingSince > GIVE_UP_MS) throw err;
    }
    await sleep(retryMs, options.signal);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
