// The run core's public face: everything outside src/runs/ (HTTP, schedules, pipelines, services,
// webhooks, metrics, environments, the CLI and MCP, the composition root src/runner.ts) imports the
// run core from this file only, never one of its parts (tests/unit/architecture_test.ts checks it).
// What a run is and how it moves stays inside: submission, admission and the queue, the supervisor
// of each live run, cancel, the final write and the retries it plans are reached through
// RunService's operations. docs/development.md has the table of them.

// The operations: submit (submitRequest, submit, rerun), read (get, record, requireRecord, list,
// view, input), stop (cancel), and the service's start and shutdown (init, shutdown).
export { type ListQuery, RunService, type RunServiceDeps } from "./service.ts";
export type { RunServiceOptions } from "./parts.ts";
/** A run as a caller asks for it (schedules, retries, pipelines and services submit these). */
export type { RunRequest } from "./request.ts";
export { pickedRunId } from "./picked_id.ts";

// What a run is.
export {
  FINAL_STATUSES,
  isFinal,
  RUN_STATUSES,
  RUN_TRIGGERS,
  type RunOrigin,
  type RunRecord,
  type RunStatus,
  type RunTrigger,
} from "./model.ts";
export { type RunView, runViewSchema } from "./view.ts";
export { checkInputSize, type EncodedInput, encodeInput } from "./input.ts";

// Hearing of runs: every stored change, a run's end, its live log and changes as a stream.
export { RunEvents } from "./events.ts";
export { waitForFinal } from "./wait.ts";
export { followRun } from "./follow.ts";

// What the run core asks of the environments (src/envs/ provides it).
export type {
  EnvironmentProvider,
  EnvironmentTicket,
  Prepared,
  PrepareOptions,
} from "./environment.ts";

// Built once by the composition root (src/runner.ts) and handed to RunService and the others.
export { RunStore } from "./store.ts";
export { ResultStore } from "./results.ts";
export { InputStore } from "./input.ts";
export { OrphanInputSweeper } from "./input_orphans.ts";
export { RetentionSweeper } from "./retention.ts";
export { settleFinalWrites } from "./final_write.ts";
