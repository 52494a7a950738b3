import type { LogStore } from "../logs/store.ts";
import type { RunStore } from "./store.ts";
import type { ArtifactStore } from "../artifacts/store.ts";
import type { ResultStore } from "./results.ts";

const BATCH = 100;

/** Where expired runs are deleted from. */
export interface RetentionStores {
  store: RunStore;
  logs: LogStore;
  /** Absent in tests that only sweep records and logs. */
  results?: ResultStore;
  artifacts?: ArtifactStore;
}

/**
 * Deletes finished runs completed before `cutoff` (epoch ms) with their logs, until done or
 * `stopped()`; returns how many.
 */
export async function sweepExpiredRuns(
  { store, logs, results, artifacts }: RetentionStores,
  cutoff: number,
  stopped: () => boolean = () => false,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const batch = await store.finishedBefore(cutoff, BATCH);
    for (const { runId, completedAt } of batch) {
      if (stopped()) return deleted;
      const record = await store.get(runId);
      await logs.deleteAll(runId);
      await results?.delete(runId);
      await artifacts?.remove(runId);
      if (record) {
        await store.delete(record);
        deleted++;
      } else {
        await store.forgetFinished(runId, completedAt);
      }
    }
    if (batch.length < BATCH) return deleted;
  }
}

/** Runs the retention sweep now and then every `everyMs`, until stopped. */
export class RetentionSweeper {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  /** Runs kept `retentionDays` after they finished; a sweep every `everyMs` (hourly). */
  constructor(
    private readonly stores: RetentionStores,
    private readonly options: { retentionDays: number; everyMs?: number },
  ) {}

  /** Sweeps once now (in the background) and schedules the next sweeps; 0 days keeps forever. */
  start(): void {
    if (this.options.retentionDays === 0) return;
    this.sweep();
    this.timer = setInterval(() => this.sweep(), this.options.everyMs ?? 60 * 60 * 1000);
  }

  /** One sweep; resolves with the number of runs deleted. */
  sweep(now = Date.now()): Promise<number> {
    if (this.options.retentionDays === 0) return Promise.resolve(0);
    const cutoff = now - this.options.retentionDays * 24 * 60 * 60 * 1000;
    const work = this.running.then(() => sweepExpiredRuns(this.stores, cutoff, () => this.stopped))
      .catch(
        (err) => {
          console.error("retention sweep failed:", err);
          return 0;
        },
      );
    this.running = work;
    return work;
  }

  /** Stops the schedule and waits for a sweep under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
