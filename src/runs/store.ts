import { addToCounter, counterValue, getAll, keys } from "../kv/keys.ts";
import { dropSecrets } from "../modules/secrets.ts";
import {
  isFinal,
  type RunRecord,
  runRecordSchema,
  type RunStatus,
  type RunTrigger,
} from "./model.ts";
import { canTransition } from "./transitions.ts";
import { listRuns } from "./listing.ts";

/** The shape of every run id (see RunService). */
export const RUN_ID_PATTERN = /^[0-9a-z]{16}$/;

/** Filters and paging of a run listing. */
export interface RunQuery {
  moduleId?: string;
  status?: RunStatus;
  limit: number;
  /** Submission order of the last run of the previous page. */
  before?: number;
  /** Runs to skip first (after `before`). */
  offset?: number;
  trigger?: RunTrigger;
}

/** Fields that may change with a run's status (never its id, status, order or module). */
export type RunChanges = Partial<Omit<RunRecord, "run_id" | "status" | "order" | "module_id">>;

/** Per-module counts for the module view. */
export interface ModuleStats {
  total: number;
  completed: number;
  failed: number;
  cancelled: number;
  finished: number;
  lastRunAt: number | null;
}

/**
 * Run records and their indexes in Deno KV; every status change goes through `transition` (or
 * `claim`, its guarded form). Several servers may share the KV, so only final records, which
 * never change, are cached; the cache spares KV and zod on the hot read paths of history.
 */
export class RunStore {
  private readonly cache = new Map<string, RunRecord>();

  constructor(private readonly kv: Deno.Kv, private readonly cacheSize = 10_000) {}

  /** The stored run, or null. */
  async get(runId: string): Promise<RunRecord | null> {
    const cached = this.cache.get(runId);
    if (cached) return cached;
    // Not an id this service makes: no need to ask KV (whose keys are limited to 2 KiB).
    if (!RUN_ID_PATTERN.test(runId)) return null;
    const entry = await this.kv.get(keys.run(runId));
    return entry.value === null ? null : this.remember(runRecordSchema.parse(entry.value));
  }

  private remember(record: RunRecord): RunRecord {
    this.cache.delete(record.run_id);
    // Only a final record can be cached: a live one may be changed by another server.
    if (!isFinal(record.status)) return record;
    this.cache.set(record.run_id, record);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return record;
  }

  /**
   * Keeps a final record that is not stored yet (its write waits for disk space) where reads
   * find it, until the write lands and replaces it (runs/final_write.ts).
   */
  hold(record: RunRecord): void {
    this.remember(record);
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
    prepare?: (op: Deno.AtomicOperation, current: RunRecord) => void,
  ): Promise<RunRecord | null> {
    for (;;) {
      const entry = await this.kv.get(keys.run(runId));
      if (entry.value === null) return null;
      const current = runRecordSchema.parse(entry.value);
      if (!canTransition(current.status, to)) return null;
      const { op, next } = this.move(entry, current, to, changes);
      prepare?.(op, current);
      if ((await op.commit()).ok) return this.remember(next);
    }
  }

  /**
   * Claims a queued run for a server: moves it to running with `changes` unless the run is no
   * longer queued ("gone": another server took it, or it was cancelled) or its module already
   * has `slot.max` runs running across every server ("full"). The module's running counter is
   * checked in the same atomic write, so two servers can never both take the last slot.
   */
  async claim(
    runId: string,
    changes: RunChanges,
    slot: { moduleId: string; max: number },
  ): Promise<RunRecord | "gone" | "full"> {
    const counterKey = keys.countModuleStatus(slot.moduleId, "running");
    for (;;) {
      const [entry, counter] = await this.kv.getMany([keys.run(runId), counterKey]);
      if (entry.value === null) return "gone";
      const current = runRecordSchema.parse(entry.value);
      if (current.status !== "queued") return "gone";
      if (counterValue(counter) >= slot.max) return "full";
      const { op, next } = this.move(entry, current, "running", changes);
      if (Number.isFinite(slot.max)) op.check(counter);
      if ((await op.commit()).ok) return this.remember(next);
    }
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
    const runId = current.run_id;
    const next: RunRecord = { ...current, ...changes, status: to };
    // The one place secrets leave storage: a final run never needs its password values again.
    if (isFinal(to)) next.parameters = dropSecrets(next.parameters, next.secret_parameters);
    const { module_id: moduleId, order } = current;
    const op = this.kv.atomic()
      .check(entry)
      .set(keys.run(runId), next)
      .delete(keys.byStatus(current.status, order))
      .delete(keys.byModuleStatus(moduleId, current.status, order))
      .set(keys.byStatus(to, order), runId)
      .set(keys.byModuleStatus(moduleId, to, order), runId);
    addToCounter(op, keys.countStatus(current.status), -1);
    addToCounter(op, keys.countStatus(to), 1);
    addToCounter(op, keys.countModuleStatus(moduleId, current.status), -1);
    addToCounter(op, keys.countModuleStatus(moduleId, to), 1);
    if (isFinal(to)) op.set(keys.finished(next.completed_at ?? Date.now(), runId), runId);
    return { op, next };
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
  list(query: RunQuery): Promise<{ runs: RunRecord[]; total: number; hasMore: boolean }> {
    return listRuns(this.kv, this, query);
  }

  /** The records of these ids that are stored (final ones from the cache), by id. */
  async getMany(ids: string[]): Promise<Map<string, RunRecord>> {
    const out = new Map<string, RunRecord>();
    const missing = ids.filter((id) => {
      const cached = this.cache.get(id);
      if (cached) out.set(id, cached);
      return !cached;
    });
    const entries = missing.length === 0 ? [] : await getAll(this.kv, missing.map(keys.run));
    for (const e of entries) {
      if (e.value === null) continue;
      const record = this.remember(runRecordSchema.parse(e.value));
      out.set(record.run_id, record);
    }
    return out;
  }

  /** Every run with this status, in submission order (used at start for recovery and the queue). */
  async allWithStatus(status: RunStatus): Promise<RunRecord[]> {
    const ids: string[] = [];
    for await (const entry of this.kv.list<string>({ prefix: keys.byStatusPrefix(status) })) {
      ids.push(entry.value);
    }
    const entries = await getAll(this.kv, ids.map(keys.run));
    return entries.filter((e) => e.value !== null).map((e) => runRecordSchema.parse(e.value));
  }

  /** The highest submission order stored, or 0. */
  async lastOrder(): Promise<number> {
    for await (
      const entry of this.kv.list({ prefix: keys.byOrderPrefix() }, { reverse: true, limit: 1 })
    ) {
      return entry.key[1] as number;
    }
    return 0;
  }

  /** Counts of one module's runs. */
  async moduleStats(moduleId: string): Promise<ModuleStats> {
    const [total, completed, failed, cancelled, last] = await this.kv.getMany([
      keys.countModule(moduleId),
      keys.countModuleStatus(moduleId, "completed"),
      keys.countModuleStatus(moduleId, "failed"),
      keys.countModuleStatus(moduleId, "cancelled"),
      keys.lastRun(moduleId),
    ]);
    const done = counterValue(completed);
    return {
      total: counterValue(total),
      completed: done,
      failed: counterValue(failed),
      cancelled: counterValue(cancelled),
      finished: done + counterValue(failed) + counterValue(cancelled),
      lastRunAt: typeof last.value === "number" ? last.value : null,
    };
  }

  /** Ids of finished runs completed before `cutoff` (epoch ms), oldest first. */
  async finishedBefore(
    cutoff: number,
    limit: number,
  ): Promise<{ runId: string; completedAt: number }[]> {
    const out: { runId: string; completedAt: number }[] = [];
    const selector = { prefix: keys.finishedPrefix(), end: [...keys.finishedPrefix(), cutoff] };
    for await (const entry of this.kv.list<string>(selector, { limit })) {
      out.push({ runId: entry.value, completedAt: entry.key[1] as number });
    }
    return out;
  }

  /** Deletes a finished run's record, indexes and counts (not its log chunks). */
  async delete(record: RunRecord): Promise<void> {
    const { run_id: id, module_id: moduleId, status, order } = record;
    const op = this.kv.atomic()
      .check({ key: keys.run(id), versionstamp: (await this.kv.get(keys.run(id))).versionstamp })
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
