import { PoolGauge } from "../pools/gauge.ts";
import type { PoolFull } from "../pools/holds.ts";
import { NO_NEEDS, type RunNeeds } from "../pools/needs.ts";
import { describeWait } from "../pools/waiting_for.ts";
import { type Hold, holdOf, type QueuedRun, type WalkContext, walkQueue } from "./queue_walk.ts";
export type { QueuedRun } from "./queue_walk.ts";

/** How long a module found full elsewhere stops blocking new runs of other modules here. */
const FULL_HINT_MS = 1000;

/**
 * This server's slots and its mirror of the stored queue. Pure bookkeeping in memory: the caller
 * makes the KV writes, and the store has the last word (a module's limit across servers is
 * checked in the atomic write that starts a run, see RunStore.claim).
 *
 * The queue mirrors the runs whose stored status is `queued`: those submitted here at once, those
 * of other servers through `sync()` with a scan of the store. It is the one source of
 * `queue_position`. A run taken out of the waiting line (admitted to start, or being cancelled)
 * stays in the queue, marked as leaving, until its KV record has moved on: `leave()`.
 */
export class Admission {
  private readonly queue: QueuedRun[] = [];
  /** The queue by run id. */
  private readonly byId = new Map<string, QueuedRun>();
  /** Runs of the queue that no longer wait: their move out of `queued` is being written. */
  private readonly leaving = new Set<string>();
  private active = 0;
  private readonly activeByModule = new Map<string, number>();
  /** When a claim last found each module full on the store (limits counted across servers). */
  private readonly fullAt = new Map<string, number>();
  /** Runs added here whose create is not stored yet: a scan cannot have seen them. */
  private readonly creating = new Set<string>();
  /** Counts scans of the store, so that sync() never undoes a change made after its scan began. */
  private generation = 0;
  /** Runs added here, by the generation they were added in. */
  private readonly addedIn = new Map<string, number>();
  /** Runs that left here, by the generation they left in. */
  private readonly leftIn = new Map<string, number>();
  /** Running runs by module across every server, as the queue poll last read them. */
  private readonly sharedRunning = new Map<string, number>();

  constructor(
    private readonly globalLimit: number,
    private readonly moduleLimit: (moduleId: string) => number,
    private readonly needs: RunNeeds = NO_NEEDS,
    /** Slots in use per pool across servers (see PoolGauge). */
    readonly pools: PoolGauge = new PoolGauge(),
  ) {}

  /** Runs holding a slot. */
  get activeCount(): number {
    return this.active;
  }

  /** Runs queued (as stored), including those whose start or cancel is being written. */
  get queuedCount(): number {
    return this.queue.length;
  }

  /**
   * True when a new run of this module may start at once without overtaking a queued run: a
   * global and a module slot and its pools' slots are free, it may run here, and every waiting
   * run is held back by its own module, or by a host label or pool it does not need.
   */
  canStartNow(moduleId: string): boolean {
    if (!this.hasSlot(moduleId) || holdOf(moduleId, new Set(), this.context(() => false))) {
      return false;
    }
    let overtakes = false;
    const reserved = this.walk(
      (m) => !this.hasModuleSlot(m) || this.seenFull(m),
      (q, hold) => overtakes = q.moduleId === moduleId || hold === null,
    );
    return !overtakes && this.needs.uses(moduleId).every((u) => !reserved.has(u.pool));
  }

  /** Notes that the store found this module full across servers (a claim answered "full"). */
  noteFull(moduleId: string): void {
    this.fullAt.set(moduleId, performance.now());
  }

  /** True when a claim found the module full within the last second. */
  private seenFull(moduleId: string): boolean {
    const at = this.fullAt.get(moduleId);
    return at !== undefined && performance.now() - at < FULL_HINT_MS;
  }

  /** Notes what a claim refused for want of pool slots found stored. */
  notePoolFull(full: PoolFull): void {
    this.pools.set(full.pool, full.inUse);
  }

  /** The stored counters as the queue poll just read them: pools, and modules' running runs. */
  refreshCounts(pools: Map<string, number>, modules: Map<string, number>): void {
    for (const [pool, n] of pools) this.pools.set(pool, n);
    this.sharedRunning.clear();
    for (const [m, n] of modules) this.sharedRunning.set(m, n);
  }

  /** Takes a slot for a run that starts now. */
  claim(moduleId: string): void {
    this.pools.take(this.needs.uses(moduleId));
    this.active++;
    this.activeByModule.set(moduleId, (this.activeByModule.get(moduleId) ?? 0) + 1);
  }

  /** Gives back a slot when a run ends. */
  release(moduleId: string): void {
    this.pools.give(this.needs.uses(moduleId));
    this.active--;
    const n = (this.activeByModule.get(moduleId) ?? 1) - 1;
    if (n > 0) this.activeByModule.set(moduleId, n);
    else this.activeByModule.delete(moduleId);
  }

  /** The module of a run in the queue, or undefined. */
  moduleOf(runId: string): string | undefined {
    return this.byId.get(runId)?.moduleId;
  }

  /** True when the run is in the queue (waiting or leaving). */
  has(runId: string): boolean {
    return this.byId.has(runId);
  }

  /**
   * Adds a queued run in submission order; `creating` while its create is not stored yet (call
   * `created()` once it is, or `leave()` when it fails).
   */
  enqueue(run: QueuedRun, creating = false): void {
    if (creating) this.creating.add(run.runId);
    if (this.has(run.runId)) return;
    this.addedIn.set(run.runId, this.generation);
    this.byId.set(run.runId, run);
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1].order > run.order) i--;
    this.queue.splice(i, 0, run);
  }

  /**
   * Takes the first waiting run that may start now and claims its slot; null when none may. A
   * run held back by its module's limit or a host label does not block other runs; one held back
   * by a pool blocks only later runs that need one of its pools. The run keeps its place until
   * `leave()`.
   */
  admitNext(blocked: ReadonlySet<string> = new Set()): QueuedRun | null {
    if (this.active >= this.globalLimit) return null;
    let run: QueuedRun | null = null;
    this.walk(
      (m) => blocked.has(m) || !this.hasModuleSlot(m),
      (q, hold) => hold === null && (run = q) !== null,
    );
    if (run === null) return null;
    const admitted: QueuedRun = run;
    this.leaving.add(admitted.runId);
    this.claim(admitted.moduleId);
    return admitted;
  }

  /**
   * Why a queued run waits (the contract's `waiting_for`), worded from what this server knows;
   * null when it is next in line, or not waiting here.
   */
  waitingFor(runId: string): string | null {
    const run = this.byId.get(runId);
    if (run === undefined || this.leaving.has(runId)) return null;
    const m = run.moduleId;
    const reserved = this.walk(
      (id) => !this.hasModuleSlot(id) || this.seenFull(id),
      (q) => q.runId === runId,
    );
    return describeWait({
      runsHere: this.needs.runsHere(m),
      global: { running: this.active, limit: this.globalLimit },
      module: {
        running: Math.max(this.activeByModule.get(m) ?? 0, this.sharedRunning.get(m) ?? 0),
        limit: this.moduleLimit(m),
        full: this.seenFull(m),
      },
      pools: this.needs.uses(m).map((use) => ({
        use,
        slots: this.pools.slots(use.pool),
        inUse: this.pools.used(use.pool),
        short: reserved.has(use.pool) || !this.pools.fits(use),
      })),
      labels: { wanted: this.needs.labels(m), carried: this.needs.liveHostCarries(m) },
      awaitsBuild: this.needs.awaitsBuild(m),
    });
  }

  /** The module of each queued run, in submission order. */
  queuedModules(): string[] {
    return this.queue.map((q) => q.moduleId);
  }

  /** Walks the waiting runs (queue_walk.ts), counting module limits with `moduleHeld`. */
  private walk(
    moduleHeld: (moduleId: string) => boolean,
    visit: (run: QueuedRun, hold: Hold) => boolean,
  ): Set<string> {
    return walkQueue(this.queue, this.context(moduleHeld), visit);
  }

  private context(moduleHeld: (moduleId: string) => boolean): WalkContext {
    return { needs: this.needs, pools: this.pools, moduleHeld, leaving: this.leaving };
  }

  /** Takes a waiting run out of the line (to cancel it); null when it is not waiting here. */
  take(runId: string): QueuedRun | null {
    if (this.leaving.has(runId)) return null;
    const run = this.byId.get(runId);
    if (run === undefined) return null;
    this.leaving.add(runId);
    return run;
  }

  /** Puts a taken or admitted run back in the line (its write failed, or it may not start now). */
  restore(runId: string): void {
    this.leaving.delete(runId);
  }

  /** The run's create is stored: from now on a scan of the store lists it. */
  created(runId: string): void {
    this.creating.delete(runId);
  }

  /** Forgets a run whose stored status is no longer `queued`. */
  leave(runId: string): void {
    this.leaving.delete(runId);
    this.creating.delete(runId);
    this.leftIn.set(runId, this.generation);
    const run = this.byId.get(runId);
    if (run === undefined) return;
    this.byId.delete(runId);
    // Orders are unique: the lower bound of the run's order is its place.
    const at = this.positionFor(run.order) - 1;
    const i = this.queue[at]?.runId === runId ? at : this.queue.indexOf(run);
    if (i !== -1) this.queue.splice(i, 1);
  }

  /** Marks the start of a scan of the stored queue; hand the mark to `sync()` with its result. */
  scanStarts(): number {
    return ++this.generation;
  }

  /**
   * Brings the queue in line with a scan of the stored queue begun at `mark`: adds the runs other
   * servers queued and drops those they started or cancelled. A run added here after the scan
   * began, or leaving here, stays; a run that left here after the scan began is not added back.
   */
  sync(scanned: readonly QueuedRun[], mark: number): void {
    const stored = new Set(scanned.map((r) => r.runId));
    for (const q of [...this.queue]) {
      const recent = (this.addedIn.get(q.runId) ?? -1) >= mark;
      const unsure = recent || this.leaving.has(q.runId) || this.creating.has(q.runId);
      if (!stored.has(q.runId) && !unsure) this.leave(q.runId);
    }
    for (const run of scanned) {
      if ((this.leftIn.get(run.runId) ?? -1) >= mark) continue;
      if (!this.has(run.runId)) this.enqueue(run);
    }
    for (const [id, g] of this.addedIn) if (g < mark) this.addedIn.delete(id);
    for (const [id, g] of this.leftIn) if (g < mark) this.leftIn.delete(id);
  }

  /**
   * 1-based place of a queued run with this submission order: one more than the runs queued
   * before it. Counting by order rather than looking the run up means a record read as `queued`
   * an instant before its move was written still gets a place, never none.
   */
  positionFor(order: number): number {
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.queue[mid].order < order) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }

  /** True when this server has a slot free (its own limit, not counting modules). */
  hasFreeSlot(): boolean {
    return this.active < this.globalLimit;
  }

  private hasSlot(moduleId: string): boolean {
    return this.active < this.globalLimit && this.hasModuleSlot(moduleId);
  }

  private hasModuleSlot(moduleId: string): boolean {
    return (this.activeByModule.get(moduleId) ?? 0) < this.moduleLimit(moduleId);
  }
}
