import type { Progress } from "../logs/markers.ts";
import { NO_PROGRESS } from "../logs/markers.ts";
import { Throttle } from "../timing.ts";
import type { RunParts } from "./parts.ts";
import type { RunChanges } from "./store_types.ts";

/** SSE followers get at most this many progress events a second. */
const EVENTS_PER_SECOND = 10;
/** A running run's progress is stored at most this often (and always with its final status). */
const STORE_EVERY_MS = 1000;

/**
 * What one run reports while it runs, and where it goes: progress to live followers (at most
 * 10 a second) and to the stored record (at most once a second); a result to the result store
 * and the record; the run's output folder created before it starts and counted at its end.
 */
export class RunReport {
  private progress: Progress = NO_PROGRESS;
  private result: unknown = null;
  private resultBytes: number | null = null;
  /** Writes of this run's record and result, one at a time and in order. */
  private writes: Promise<unknown> = Promise.resolve();
  private readonly toFollowers: Throttle<Progress>;
  private readonly toStore: Throttle<Progress>;

  constructor(
    private readonly parts: Pick<RunParts, "store" | "events" | "results" | "artifacts">,
    private readonly runId: string,
  ) {
    this.toFollowers = new Throttle(
      (p) => parts.events.emitProgress(runId, p),
      1000 / EVENTS_PER_SECOND,
    );
    this.toStore = new Throttle((p) => this.write({ ...p }), STORE_EVERY_MS);
  }

  /** Creates the run's output folder; answers its absolute path (PRISMQ_OUTPUT_DIR). */
  async prepareFolder(): Promise<string> {
    try {
      return await this.parts.artifacts.prepare(this.runId);
    } catch (err) {
      // The run still starts; a script that writes there will fail and say so.
      console.error(`run ${this.runId}: could not create its output folder:`, err);
      return this.parts.artifacts.folder(this.runId);
    }
  }

  /** The progress changed. */
  progressChanged(progress: Progress): void {
    this.progress = progress;
    this.toFollowers.push(progress);
    this.toStore.push(progress);
  }

  /** A valid `::result` arrived: the last one wins. */
  resultArrived(json: Uint8Array): void {
    this.result = JSON.parse(new TextDecoder().decode(json));
    this.resultBytes = json.length;
    const size = json.length;
    this.writes = this.writes.then(async () => {
      await this.parts.results.set(this.runId, json);
      await this.parts.store.update(this.runId, { result_bytes: size });
    }).catch((err) => console.error(`run ${this.runId}: its result was not stored:`, err));
  }

  /** What the run reported so far, for its live view. */
  live(): { progress: Progress; result: unknown } {
    return { progress: this.progress, result: this.result };
  }

  /** Sends what waits, and answers the fields of the final record. */
  async finish(): Promise<RunChanges> {
    this.toFollowers.flush();
    this.toStore.flush();
    await this.writes;
    return {
      ...this.progress,
      result_bytes: this.resultBytes,
      artifacts: await this.parts.artifacts.count(this.runId).catch(() => 0),
    };
  }

  /** The hooks an execution reports to. */
  get hooks(): { progress(p: Progress): void; result(json: Uint8Array): void } {
    return { progress: (p) => this.progressChanged(p), result: (json) => this.resultArrived(json) };
  }

  private write(changes: RunChanges): void {
    this.writes = this.writes.then(() => this.parts.store.update(this.runId, changes)).catch(
      (err) => console.error(`run ${this.runId}: its progress was not stored:`, err),
    );
  }
}
