import type { LogStore } from "../logs/store.ts";
import type { RunStore } from "./store.ts";

const BATCH = 100;

/** Deletes finished runs completed before `cutoff` with their logs; returns how many. */
export async function sweepExpiredRuns(
  store: RunStore,
  logs: LogStore,
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

  constructor(
    private readonly store: RunStore,
    private readonly logs: LogStore,
    private readonly retentionDays: number,
    private readonly everyMs = 60 * 60 * 1000,
  ) {}

  /** Sweeps once now (in the background) and schedules the next sweeps. */
  start(): void {
    this.sweep();
    this.timer = setInterval(() => this.sweep(), this.everyMs);
  }

  /** One sweep; resolves with the number of runs deleted. */
  sweep(now = Date.now()): Promise<number> {
    const cutoff = now - this.retentionDays * 24 * 60 * 60 * 1000;
    const work = this.running.then(() =>
      sweepExpiredRuns(this.store, this.logs, cutoff, () => this.stopped)
    ).catch(
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
