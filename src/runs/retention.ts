import type { LogStore } from "../logs/store.ts";
import { RUN_ID_PATTERN, type RunStore } from "./store.ts";
import type { ArtifactStore } from "../artifacts/store.ts";
import type { ResultStore } from "./results.ts";
import type { InputStore } from "./input.ts";
import { keys } from "../kv/keys.ts";

const BATCH = 100;

/** Where expired runs are deleted from. */
export interface RetentionStores {
  store: RunStore;
  logs: LogStore;
  /** Absent in tests that only sweep records and logs. */
  results?: ResultStore;
  /** Runs' stdin inputs (absent in tests that do not give any). */
  inputs?: InputStore;
  artifacts?: ArtifactStore;
  /** This server's built environments: those no module uses any more are deleted. */
  environments?: { sweep(): Promise<void> };
}

/**
 * Deletes finished runs completed before `cutoff` (epoch ms) with their logs, until done or
 * `stopped()`; returns how many.
 */
export async function sweepExpiredRuns(
  { store, logs, results, inputs, artifacts }: RetentionStores,
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
      await inputs?.delete(keys.inputPrefix(runId));
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

/** Who else sweeps: the retention sweep runs once per period across the servers of a store. */
export interface SweepClaim {
  /** True for the one server that sweeps in the period starting at `periodStart`. */
  claim(periodStart: number): Promise<boolean>;
}

/** Runs the retention sweep now and then every `everyMs`, until stopped. */
export class RetentionSweeper {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<unknown> = Promise.resolve();
  /** The scheduled sweep under way (its folder walk and environment sweep included). */
  private periodicRun: Promise<void> = Promise.resolve();
  private stopped = false;

  /** Runs kept `retentionDays` after they finished; a sweep every `everyMs` (hourly). */
  constructor(
    private readonly stores: RetentionStores,
    private readonly options: { retentionDays: number; everyMs?: number; once?: SweepClaim },
  ) {}

  /** Sweeps once now (in the background) and schedules the next sweeps; 0 days keeps forever. */
  start(): void {
    if (this.options.retentionDays === 0) return;
    this.periodicRun = this.periodic();
    this.timer = setInterval(() => this.periodicRun = this.periodic(), this.everyMs);
  }

  private get everyMs(): number {
    return this.options.everyMs ?? 60 * 60 * 1000;
  }

  /**
   * A scheduled sweep: by the one server that claims the period, then by every server of the
   * artifact folders on its own disk whose run is gone (another server may have swept the run).
   */
  private async periodic(): Promise<void> {
    const now = Date.now();
    const period = now - now % this.everyMs;
    try {
      if (!this.options.once || await this.options.once.claim(period)) await this.sweep(now);
      await this.pruneArtifacts();
      if (!this.stopped) await this.stores.environments?.sweep();
    } catch (err) {
      console.error("retention sweep failed:", err);
    }
  }

  /** Deletes the artifact folders here whose run no longer exists. */
  private async pruneArtifacts(): Promise<void> {
    const { artifacts, store } = this.stores;
    if (!artifacts) return;
    const ids = (await artifacts.runIds()).filter((id) => RUN_ID_PATTERN.test(id));
    for (let i = 0; i < ids.length && !this.stopped; i += 100) {
      const batch = ids.slice(i, i + 100);
      const found = await store.getMany(batch);
      for (const id of batch) if (!found.has(id)) await artifacts.remove(id);
    }
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

  /** Stops the schedule and waits for a sweep under way, its folder walk included. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.periodicRun;
  }
}
