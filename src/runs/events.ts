import type { Progress } from "../logs/markers.ts";
import type { RunRecord } from "./model.ts";

/** Status and progress changes of runs, for live followers of one run. */
export class RunEvents {
  private readonly listeners = new Map<string, Set<(record: RunRecord) => void>>();
  private readonly progressListeners = new Map<string, Set<(progress: Progress) => void>>();

  /** Calls `listener` with the run's progress as it changes (at most 10 times a second). */
  subscribeProgress(runId: string, listener: (progress: Progress) => void): () => void {
    return addListener(this.progressListeners, runId, listener);
  }

  /** Tells the run's followers its new progress. */
  emitProgress(runId: string, progress: Progress): void {
    for (const listener of this.progressListeners.get(runId) ?? []) listener(progress);
  }

  /** Calls `listener` with the record after each status change of the run. */
  subscribe(runId: string, listener: (record: RunRecord) => void): () => void {
    return addListener(this.listeners, runId, listener);
  }

  private readonly everyRun = new Set<(record: RunRecord) => void>();

  /** Calls `listener` after each status change of any run (metrics). */
  subscribeAll(listener: (record: RunRecord) => void): () => void {
    this.everyRun.add(listener);
    return () => this.everyRun.delete(listener);
  }

  /** Tells the run's followers about its new status. */
  emit(record: RunRecord): void {
    for (const listener of this.listeners.get(record.run_id) ?? []) listener(record);
    for (const listener of this.everyRun) listener(record);
  }
}

function addListener<T>(
  map: Map<string, Set<(value: T) => void>>,
  runId: string,
  listener: (value: T) => void,
): () => void {
  let set = map.get(runId);
  if (!set) map.set(runId, set = new Set());
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0) map.delete(runId);
  };
}
