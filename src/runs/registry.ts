import type { RunLogWriter } from "../logs/writer.ts";
import type { StopReason } from "./execution.ts";
import type { RunRecord } from "./model.ts";
import type { Progress } from "../logs/markers.ts";

/**
 * A run this process is working on: one being supervised from its start to its final record, or
 * a queued one whose cancel is being written. Cancel and shutdown ask it to stop and await
 * `finished`; nothing polls.
 */
export interface RunHandle {
  readonly runId: string;
  /** The live log writer while the process runs; null before the spawn and for runs never spawned. */
  readonly writer: RunLogWriter | null;
  /** Asks the run to stop; the first reason wins and later calls do nothing. Never throws. */
  stop(reason: StopReason): void;
  /**
   * Settles once the handle is done and has left the registry, with the run's last stored
   * record: final, or still `queued` when shutdown stopped it before it started; null when the
   * run is gone or its start could not be written (the run is then dropped from memory, as a
   * failed KV write leaves it). Rejects only when a queued run's cancel could not be written.
   */
  readonly finished: Promise<RunRecord | null>;
  /** The run's module, where known (metrics of live runs). */
  readonly moduleId?: string;
  /** What a running run reported so far (fresher than its record, which is written once a second). */
  live?(): { progress: Progress; result: unknown };
}

/** The live run handles by run id: the one place in-process run state is looked up. */
export class RunRegistry {
  private readonly handles = new Map<string, RunHandle>();

  /** Adds a handle; a run has at most one at a time. */
  add(handle: RunHandle): void {
    if (this.handles.has(handle.runId)) {
      throw new Error(`run ${handle.runId} already has a live handle`);
    }
    this.handles.set(handle.runId, handle);
  }

  /** Removes this handle (not a newer one of the same run). */
  remove(handle: RunHandle): void {
    if (this.handles.get(handle.runId) === handle) this.handles.delete(handle.runId);
  }

  /** The run's live handle, if any. */
  get(runId: string): RunHandle | undefined {
    return this.handles.get(runId);
  }

  /** Every live handle. */
  all(): RunHandle[] {
    return [...this.handles.values()];
  }
}
