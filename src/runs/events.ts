import type { RunRecord } from "./model.ts";

/** Status changes of runs, for live followers of one run. */
export class RunEvents {
  private readonly listeners = new Map<string, Set<(record: RunRecord) => void>>();

  /** Calls `listener` with the record after each status change of the run. */
  subscribe(runId: string, listener: (record: RunRecord) => void): () => void {
    let set = this.listeners.get(runId);
    if (!set) this.listeners.set(runId, set = new Set());
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(runId);
    };
  }

  /** Tells the run's followers about its new status. */
  emit(record: RunRecord): void {
    for (const listener of this.listeners.get(record.run_id) ?? []) listener(record);
  }
}
