/** A queued run as the admission logic sees it. */
export interface QueuedRun {
  runId: string;
  moduleId: string;
  order: number;
}

/**
 * Which runs may start, from slot counts and the queue in submission order. Pure bookkeeping in
 * memory: the caller makes the matching KV writes, and the wake-up that calls it may be anything.
 *
 * The queue mirrors the runs whose stored status is `queued`, and is the one source of their
 * `queue_position`. A run taken out of the waiting line (admitted to start, or being cancelled)
 * therefore stays in the queue, marked as leaving, until its KV record has moved on: `leave()`.
 */
export class Admission {
  private readonly queue: QueuedRun[] = [];
  /** Runs of the queue that no longer wait: their move out of `queued` is being written. */
  private readonly leaving = new Set<string>();
  private active = 0;
  private readonly activeByModule = new Map<string, number>();

  constructor(
    private readonly globalLimit: number,
    private readonly moduleLimit: (moduleId: string) => number,
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
   * True when a new run of this module may start at once without overtaking a queued run:
   * a global and a module slot are free, and every waiting run is held back by its own module.
   */
  canStartNow(moduleId: string): boolean {
    if (!this.hasSlot(moduleId)) return false;
    return this.queue.every((q) =>
      this.leaving.has(q.runId) || (q.moduleId !== moduleId && !this.hasModuleSlot(q.moduleId))
    );
  }

  /** Takes a slot for a run that starts now. */
  claim(moduleId: string): void {
    this.active++;
    this.activeByModule.set(moduleId, (this.activeByModule.get(moduleId) ?? 0) + 1);
  }

  /** Gives back a slot when a run ends. */
  release(moduleId: string): void {
    this.active--;
    const n = (this.activeByModule.get(moduleId) ?? 1) - 1;
    if (n > 0) this.activeByModule.set(moduleId, n);
    else this.activeByModule.delete(moduleId);
  }

  /** Adds a queued run in submission order. */
  enqueue(run: QueuedRun): void {
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1].order > run.order) i--;
    this.queue.splice(i, 0, run);
  }

  /**
   * Takes the first waiting run that may start now (a run held back only by its module's limit
   * does not block other modules) and claims its slot; null when none may. The run keeps its
   * place until `leave()`.
   */
  admitNext(): QueuedRun | null {
    if (this.active >= this.globalLimit) return null;
    const run = this.queue.find((q) =>
      !this.leaving.has(q.runId) && this.hasModuleSlot(q.moduleId)
    );
    if (run === undefined) return null;
    this.leaving.add(run.runId);
    this.claim(run.moduleId);
    return run;
  }

  /** Takes a waiting run out of the line (to cancel it); null when it is not waiting here. */
  take(runId: string): QueuedRun | null {
    if (this.leaving.has(runId)) return null;
    const run = this.queue.find((q) => q.runId === runId);
    if (run === undefined) return null;
    this.leaving.add(runId);
    return run;
  }

  /** Puts a taken or admitted run back in the line (its write failed, or it may not start now). */
  restore(runId: string): void {
    this.leaving.delete(runId);
  }

  /** Forgets a run whose stored status is no longer `queued`. */
  leave(runId: string): void {
    this.leaving.delete(runId);
    const i = this.queue.findIndex((q) => q.runId === runId);
    if (i !== -1) this.queue.splice(i, 1);
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

  private hasSlot(moduleId: string): boolean {
    return this.active < this.globalLimit && this.hasModuleSlot(moduleId);
  }

  private hasModuleSlot(moduleId: string): boolean {
    return (this.activeByModule.get(moduleId) ?? 0) < this.moduleLimit(moduleId);
  }
}
