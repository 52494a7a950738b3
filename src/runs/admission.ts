/** A queued run as the admission logic sees it. */
export interface QueuedRun {
  runId: string;
  moduleId: string;
  order: number;
}

/**
 * Which runs may start, from slot counts and the queue in submission order. Pure bookkeeping in
 * memory: the caller makes the matching KV writes, and the wake-up that calls it may be anything.
 */
export class Admission {
  private readonly queue: QueuedRun[] = [];
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

  /** Runs waiting. */
  get queuedCount(): number {
    return this.queue.length;
  }

  /**
   * True when a new run of this module may start at once without overtaking a queued run:
   * a global and a module slot are free, and every queued run is held back by its own module.
   */
  canStartNow(moduleId: string): boolean {
    if (!this.hasSlot(moduleId)) return false;
    return this.queue.every((q) => q.moduleId !== moduleId && !this.hasModuleSlot(q.moduleId));
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

  /** Removes a queued run and returns it; null when it is not (or no longer) queued here. */
  remove(runId: string): QueuedRun | null {
    const i = this.queue.findIndex((q) => q.runId === runId);
    if (i === -1) return null;
    return this.queue.splice(i, 1)[0];
  }

  /** 1-based place of a queued run, or null. */
  position(runId: string): number | null {
    const i = this.queue.findIndex((q) => q.runId === runId);
    return i === -1 ? null : i + 1;
  }

  /**
   * Takes the first queued run that may start now (a run held back only by its module's limit
   * does not block other modules) and claims its slot; null when none may.
   */
  admitNext(): QueuedRun | null {
    if (this.active >= this.globalLimit) return null;
    const i = this.queue.findIndex((q) => this.hasModuleSlot(q.moduleId));
    if (i === -1) return null;
    const [run] = this.queue.splice(i, 1);
    this.claim(run.moduleId);
    return run;
  }

  private hasSlot(moduleId: string): boolean {
    return this.active < this.globalLimit && this.hasModuleSlot(moduleId);
  }

  private hasModuleSlot(moduleId: string): boolean {
    return (this.activeByModule.get(moduleId) ?? 0) < this.moduleLimit(moduleId);
  }
}
