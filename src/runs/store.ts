import { addToCounter, counterValue, getAll, keys } from "../kv/keys.ts";
import { holdPoolSlots } from "../pools/holds.ts";
import {
  claimRun,
  readStartCounters,
  type StartCounters,
  type StartLimits,
  type StartRefusal,
} from "./claim.ts";
import { statusWrite } from "./status_write.ts";
import { isFinal, type RunRecord, runRecordSchema, type RunStatus } from "./model.ts";
import type { RunChanges, RunPage, RunQuery, TransitionOptions } from "./store_types.ts";
import { canTransition } from "./transitions.ts";
import { readableRecord as readable } from "./readable.ts";
import { finishedBefore, lastOrder, listRuns, type ModuleStats, moduleStats } from "./listing.ts";
export type { ModuleStats } from "./listing.ts";

/** How long a final record is served from memory. */
const CACHE_MS = 60_000;

/** The shape of every run id (see RunService). */
export const RUN_ID_PATTERN = /^[0-9a-z]{16}$/;

/**
 * Run records and their indexes in Deno KV; every status change goes through `transition` (or
 * `claim`, its guarded form). Several servers may share the KV, so only final records, which
 * never change, are cached; the cache spares KV and zod on the hot read paths of history.
 */
export class RunStore {
  /** Final records by id, each with the time it may be served until. */
  private readonly cache = new Map<string, { record: RunRecord; until: number }>();

  constructor(private readonly kv: Deno.Kv, private readonly cacheSize = 10_000) {}

  /** The stored run, or null. */
  async get(runId: string): Promise<RunRecord | null> {
    const cached = this.cached(runId);
    if (cached) return cached;
    // Not an id this service makes: no need to ask KV (whose keys are limited to 2 KiB).
    if (!RUN_ID_PATTERN.test(runId)) return null;
    const entry = await this.kv.get(keys.run(runId));
    const record = readable(runId, entry.value);
    return record === null ? null : this.remember(record);
  }

  /**
   * A cached final record, if fresh: another server's retention may delete a run, so a record
   * is served from memory for a minute at most.
   */
  private cached(runId: string): RunRecord | undefined {
    const hit = this.cache.get(runId);
    if (hit === undefined) return undefined;
    if (hit.until > performance.now()) return hit.record;
    this.cache.delete(runId);
    return undefined;
  }

  private remember(record: RunRecord, until = performance.now() + CACHE_MS): RunRecord {
    this.cache.delete(record.run_id);
    // Only a final record can be cached: a live one may be changed by another server.
    if (!isFinal(record.status)) return record;
    this.cache.set(record.run_id, { record, until });
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return record;
  }

  /**
   * Keeps a final record that is not stored yet (its write waits for disk space) where reads
   * find it, until the write lands and replaces it (runs/final_write.ts).
   */
  hold(record: RunRecord): void {
    this.remember(record, Infinity);
  }

  /**
   * Stores a new run with its indexes and counters; `prepare` may add to the same atomic write.
   * False when nothing was written: the id or the submission order is taken (servers sharing
   * the store pick orders on their own), or a check that `prepare` added failed.
   */
  async create(record: RunRecord, prepare?: (op: Deno.AtomicOperation) => void): Promise<boolean> {
    const { run_id: id, module_id: moduleId, status, order } = record;
    const op = this.kv.atomic()
      .check({ key: keys.run(id), versionstamp: null })
      .check({ key: keys.byOrder(order), versionstamp: null })
      .set(keys.run(id), record)
      .set(keys.byOrder(order), id)
      .set(keys.byModule(moduleId, order), id)
      .set(keys.byStatus(status, order), id)
      .set(keys.byModuleStatus(moduleId, status, order), id)
      .set(keys.byTrigger(record.trigger, order), id)
      .set(keys.lastRun(moduleId), record.created_at);
    addToCounter(op, keys.countTrigger(record.trigger), 1);
    addToCounter(op, keys.countAll(), 1);
    addToCounter(op, keys.countStatus(status), 1);
    addToCounter(op, keys.countModule(moduleId), 1);
    addToCounter(op, keys.countModuleStatus(moduleId, status), 1);
    if (status === "running") holdPoolSlots(op, id, record.pool_slots, 1);
    prepare?.(op);
    if (!(await op.commit()).ok) return false;
    this.remember(record);
    return true;
  }

  /**
   * Moves a run to `to` with the given changes, atomically against concurrent writers.
   * Returns the new record, or null when the run is missing or the move is not allowed
   * from its current status (for example when it is already final).
   */
  async transition(
    runId: string,
    to: RunStatus,
    changes: RunChanges,
    options: TransitionOptions = {},
  ): Promise<RunRecord | null> {
    for (;;) {
      const entry = await this.kv.get(keys.run(runId));
      if (entry.value === null) return null;
      const current = runRecordSchema.parse(entry.value);
      if (!canTransition(current.status, to)) return null;
      if (options.from !== undefined && current.status !== options.from) return null;
      const { op, next } = this.move(entry, current, to, changes);
      options.prepare?.(op, current);
      if ((await op.commit()).ok) return this.remember(next);
    }
  }

  /**
   * Claims a queued run for a server (see runs/claim.ts): the run moved to running, "gone" when
   * it is no longer queued, or why a limit has no room, checked in the write that starts it.
   */
  async claim(
    runId: string,
    changes: RunChanges,
    limits: StartLimits,
  ): Promise<RunRecord | "gone" | StartRefusal> {
    const claimed = await claimRun(this.kv, runId, changes, limits);
    return typeof claimed === "object" && "run_id" in claimed ? this.remember(claimed) : claimed;
  }

  /** The counters a new run's start is checked against (module and pools), in one read. */
  async startCounters(limits: StartLimits): Promise<StartCounters> {
    return (await readStartCounters(this.kv, limits)).counters;
  }

  /** The running counter of a module, to be checked in the atomic write that starts a run. */
  async runningOf(moduleId: string): Promise<{ count: number; entry: Deno.KvEntryMaybe<unknown> }> {
    const entry = await this.kv.get(keys.countModuleStatus(moduleId, "running"));
    return { count: counterValue(entry), entry };
  }

  /** The atomic write of a status move, checked against the entry it was read from. */
  private move(
    entry: Deno.KvEntryMaybe<unknown>,
    current: RunRecord,
    to: RunStatus,
    changes: RunChanges,
  ): { op: Deno.AtomicOperation; next: RunRecord } {
    return statusWrite(this.kv, entry, current, to, changes);
  }

  /**
   * Changes fields of a run that is not final without moving its status (progress, a result);
   * null when the run is missing or already final (a final record never changes).
   */
  async update(runId: string, changes: RunChanges): Promise<RunRecord | null> {
    for (;;) {
      const entry = await this.kv.get(keys.run(runId));
      if (entry.value === null) return null;
      const current = runRecordSchema.parse(entry.value);
      if (isFinal(current.status)) return null;
      const next: RunRecord = { ...current, ...changes };
      const result = await this.kv.atomic().check(entry).set(keys.run(runId), next).commit();
      if (result.ok) return this.remember(next);
    }
  }

  /** One page of runs, newest first, and how many runs match the filters. */
  list(query: RunQuery): Promise<RunPage> {
    return listRuns(this.kv, this, query);
  }

  /** The records of these ids that are stored (final ones from the cache), by id. */
  async getMany(ids: string[]): Promise<Map<string, RunRecord>> {
    const out = new Map<string, RunRecord>();
    const missing = ids.filter((id) => {
      const cached = this.cached(id);
      if (cached) out.set(id, cached);
      return !cached;
    });
    const entries = missing.length === 0 ? [] : await getAll(this.kv, missing.map(keys.run));
    for (const e of entries) {
      const record = readable(String(e.key[1]), e.value);
      if (record !== null) out.set(record.run_id, this.remember(record));
    }
    return out;
  }

  /** Every run with this status, in submission order (used at start for recovery and the queue). */
  async allWithStatus(status: RunStatus): Promise<RunRecord[]> {
    const ids = await Array.fromAsync(
      this.kv.list<string>({ prefix: keys.byStatusPrefix(status) }),
      (entry) => entry.value,
    );
    const entries = await getAll(this.kv, ids.map(keys.run));
    return entries.filter((e) => e.value !== null).map((e) => runRecordSchema.parse(e.value));
  }

  /** The highest submission order stored, or 0. */
  lastOrder(): Promise<number> {
    return lastOrder(this.kv);
  }

  /** Counts of one module's runs. */
  moduleStats(moduleId: string): Promise<ModuleStats> {
    return moduleStats(this.kv, moduleId);
  }

  /** Ids of finished runs completed before `cutoff` (epoch ms), oldest first. */
  finishedBefore(cutoff: number, limit: number): Promise<{ runId: string; completedAt: number }[]> {
    return finishedBefore(this.kv, cutoff, limit);
  }

  /** Deletes a finished run's record, indexes and counts (not its log chunks). */
  async delete(record: RunRecord): Promise<void> {
    const { run_id: id, module_id: moduleId, status, order } = record;
    const entry = await this.kv.get(keys.run(id));
    this.cache.delete(id);
    // Gone already (another server's sweep): its counters were counted down then.
    if (entry.versionstamp === null) return;
    const op = this.kv.atomic()
      .check(entry)
      .delete(keys.run(id))
      .delete(keys.byOrder(order))
      .delete(keys.byModule(moduleId, order))
      .delete(keys.byStatus(status, order))
      .delete(keys.byModuleStatus(moduleId, status, order))
      .delete(keys.finished(record.completed_at ?? 0, id))
      .delete(keys.byTrigger(record.trigger, order));
    addToCounter(op, keys.countAll(), -1);
    addToCounter(op, keys.countTrigger(record.trigger), -1);
    addToCounter(op, keys.countStatus(status), -1);
    addToCounter(op, keys.countModule(moduleId), -1);
    addToCounter(op, keys.countModuleStatus(moduleId, status), -1);
    await op.commit();
    this.cache.delete(id);
  }

  /** Drops a finished-index entry whose run is already gone. */
  async forgetFinished(runId: string, completedAt: number): Promise<void> {
    await this.kv.delete(keys.finished(completedAt, runId));
  }
}
