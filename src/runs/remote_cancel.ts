import { setTimeout as delay } from "node:timers/promises";
import { runNotFound } from "../errors.ts";
import { keys } from "../kv/keys.ts";
import { isFinal, type RunRecord } from "./model.ts";
import type { RunRegistry } from "./registry.ts";
import type { RunStore } from "./store.ts";

/** How often a waiting canceller looks at the run's record. */
const WAIT_STEP_MS = 100;
/** A cancel request nobody took (its server is gone) is dropped after this long. */
const REQUEST_TTL_MS = 3600 * 1000;

/**
 * Cancels across servers sharing the store: a server asked to cancel a run that another server
 * runs writes a request key under that server's id and waits for the run's final record; each
 * server looks at its own requests on every tick (250 ms) while it runs something, and stops the
 * run as if the cancel had come to it. KV queues and watches do not reach other processes
 * reliably, so a key and a short poll carry the request.
 */
export class RemoteCancels {
  constructor(
    private readonly deps: {
      kv: Deno.Kv;
      store: Pick<RunStore, "get">;
      registry: Pick<RunRegistry, "get" | "all">;
      hostId: () => string;
    },
  ) {}

  /** Asks the server running `record` to stop it; resolves with the run's final record. */
  async cancel(record: RunRecord): Promise<RunRecord> {
    const { kv, store, hostId } = this.deps;
    await kv.set(keys.cancelRequest(record.host_id!, record.run_id), hostId(), {
      expireIn: REQUEST_TTL_MS,
    });
    for (;;) {
      await delay(WAIT_STEP_MS);
      const current = await store.get(record.run_id);
      if (current === null) throw runNotFound(record.run_id);
      if (isFinal(current.status)) return current;
    }
  }

  /** Stops the runs other servers asked this one to cancel; cheap when none is running. */
  async poll(): Promise<void> {
    const { kv, registry, hostId } = this.deps;
    if (registry.all().length === 0) return;
    for await (const entry of kv.list({ prefix: keys.cancelRequestPrefix(hostId()) })) {
      const runId = entry.key[2];
      if (typeof runId === "string") registry.get(runId)?.stop("cancelled");
      await kv.delete(entry.key);
    }
  }
}
