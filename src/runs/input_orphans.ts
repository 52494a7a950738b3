import { keys } from "../kv/keys.ts";
import type { InputStore } from "./input.ts";
import type { RunStore } from "./store.ts";

/**
 * How old a pending-input marker must be before its parts may be swept: a submission on another
 * server sharing the store may still be writing them (16 MiB takes well under a second).
 */
export const PENDING_GRACE_MS = 60 * 60 * 1000;

/**
 * Input parts of submissions that crashed between the parts and the record: every marker older
 * than `graceMs` is dropped, with the parts under it when no run record has that id (a record
 * that exists owns its parts: they go with the run). Resolves with the runs whose parts went.
 */
export async function sweepOrphanInputs(
  deps: { kv: Deno.Kv; inputs: InputStore; store: RunStore },
  options: { graceMs?: number; now?: number } = {},
): Promise<string[]> {
  const { kv, inputs, store } = deps;
  const before = (options.now ?? Date.now()) - (options.graceMs ?? PENDING_GRACE_MS);
  const swept: string[] = [];
  for await (const entry of kv.list<number>({ prefix: keys.inputPendingPrefix() })) {
    const runId = entry.key[1] as string;
    if (typeof entry.value === "number" && entry.value > before) continue;
    if (await store.get(runId) === null) {
      await inputs.delete(keys.inputPrefix(runId));
      swept.push(runId);
    }
    // Checked: a marker set again meanwhile (the same picked run id submitted anew) stays.
    await kv.atomic().check(entry).delete(entry.key).commit();
  }
  return swept;
}

/** Sweeps orphaned input parts at start and then every `everyMs` (hourly), until stopped. */
export class OrphanInputSweeper {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: Parameters<typeof sweepOrphanInputs>[0],
    private readonly everyMs = 60 * 60 * 1000,
  ) {}

  /** Starts sweeping (the first sweep runs in the background now). */
  start(): void {
    this.sweepSoon();
    this.timer = setInterval(() => this.sweepSoon(), this.everyMs);
  }

  /** Stops the timer and waits for a sweep under way. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private sweepSoon(): void {
    this.running = this.running.then(() => sweepOrphanInputs(this.deps)).catch((err) => {
      console.error("sweep of orphaned input parts failed:", err);
    });
  }
}
