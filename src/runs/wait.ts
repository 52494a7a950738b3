import type { RunEvents } from "./events.ts";
import { isFinal, type RunRecord } from "./model.ts";

/** How often a waiter reads the store, for runs whose changes this server is not told of. */
const POLL_MS = 500;

/** What waitForFinal reads: the store, and this server's status events. */
export interface FinalWaitDeps {
  record(runId: string): Promise<RunRecord | null>;
  events: Pick<RunEvents, "subscribe">;
}

/**
 * Waits until the run is final, `ms` have passed or `signal` aborts, whichever comes first, and
 * answers the record as it is then (null when it is gone). Status events wake it at once for
 * this server's runs; the store is read every half second for runs another server runs.
 */
export async function waitForFinal(
  deps: FinalWaitDeps,
  runId: string,
  options: { ms: number; signal?: AbortSignal },
): Promise<RunRecord | null> {
  const deadline = Date.now() + options.ms;
  let wake = Promise.withResolvers<void>();
  const unsubscribe = deps.events.subscribe(runId, () => wake.resolve());
  const onAbort = () => wake.resolve();
  options.signal?.addEventListener("abort", onAbort);
  try {
    for (;;) {
      const record = await deps.record(runId);
      const left = deadline - Date.now();
      if (record === null || isFinal(record.status) || left <= 0 || options.signal?.aborted) {
        return record;
      }
      const timer = setTimeout(() => wake.resolve(), Math.min(left, POLL_MS));
      await wake.promise;
      clearTimeout(timer);
      wake = Promise.withResolvers<void>();
    }
  } finally {
    unsubscribe();
    options.signal?.removeEventListener("abort", onAbort);
  }
}
