// A run as a caller asks for it, in a file of its own: submission takes it, and retries, schedules,
// pipelines and services make it, without importing submission (or each other).
import type { EncodedInput } from "./input.ts";
import type { RunOrigin } from "./model.ts";

/** A run as a caller asks for it. */
export interface RunRequest {
  moduleId: string;
  /** The parameters as given, not yet validated. */
  parameters: Record<string, unknown>;
  /** Save the values as the module's preset once the run is accepted. */
  saveConfig: boolean;
  /** What submitted it (API when absent). */
  origin?: RunOrigin;
  /**
   * For runs nobody waits on (schedule fires, retries): an unavailable module gives a run stored
   * as failed with the reason, instead of a refusal that would leave no trace.
   */
  recordUnavailable?: boolean;
  /** The run's stdin input (a module with `stdin: "input"` only). */
  input?: EncodedInput | null;
  /** Without `input`: the input of this earlier run (a retry's), if it had one. */
  inputFromRun?: string;
  /**
   * A caller-chosen run id that makes the submission idempotent (pipelines, services): when a run
   * with this id is stored already, by this server or another, that run is answered and nothing
   * more is submitted (see pickedRunId). Such a run is always queued first (the pump starts it
   * within a tick), so the one checked create decides which submission won.
   */
  runId?: string;
  /**
   * Settles once the caller's answer is given (an HTTP response handed to Deno's server): a run
   * that starts at once is spawned only then, as the spawn forks this process and holds the one
   * JS thread for 1 to 4 ms. Without it, the spawn waits one turn of the event loop (about 2 ms of
   * timer here).
   */
  launchAfter?: Promise<unknown>;
}
