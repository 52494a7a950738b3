import { RunLogWriter } from "../logs/writer.ts";
import type { CatalogModule } from "../modules/catalog.ts";
import { venvInterpreter } from "../process/venv.ts";
import type { EnvironmentTicket } from "./environment.ts";
import { RunExecution, type StopReason } from "./execution.ts";
import { readRunInput } from "./input.ts";
import { escapeControls, type Launch, LaunchError, launchSpec } from "./launch_spec.ts";
import type { RunRecord } from "./model.ts";
import { moveRun, type RunParts } from "./parts.ts";
import type { RunReport } from "./run_report.ts";
import { type Ending, finalOutcome } from "./transitions.ts";

/** What the launch of one run reads and tells of its supervisor. */
export interface LaunchContext {
  parts: RunParts;
  runId: string;
  report: RunReport;
  /** Why the run was asked to stop, or null. */
  stopReason(): StopReason | null;
  /** Settles once the answer of the submission that started the run is sent (untilAnswered). */
  answered(): Promise<void>;
  /** Aborted when the run is asked to stop (its environment's build stops with it). */
  signal: AbortSignal;
  /** Asks the run to stop (its timeout ran out during the build). */
  stop(reason: StopReason): void;
  /** A new run's input, given once (null when it is to be read back). */
  takeInput(): Uint8Array | null;
  /** The run's claim on its module's environment, or null for a module without requirements. */
  ticket: EnvironmentTicket | null;
  /**
   * The run's environment is prepared now (it may take minutes): `record` is the running run, and
   * `writer` its log writer, which the build writes to before the execution exists.
   */
  preparing(record: RunRecord, writer: RunLogWriter): void;
  /** The execution, as soon as it exists (a stop then stops its tree). */
  spawned(execution: RunExecution): void;
  /** The write of the spawned process's pid, under way: the run's final write waits for it. */
  pidWriting(write: Promise<unknown>): void;
}

/** A launch's outcome: running, or ended unstarted. */
export type Launched = { running: RunRecord; execution: RunExecution } | { end: RunRecord | null };

/**
 * Spawns the process of a run stored as running here and adds its pid to the record (a restart
 * stops what a crash left by it). A module with `requirements` gets its environment first (built
 * now if need be: the build's lines go to the run's log and its time counts toward the timeout).
 * A stop asked before the spawn ends the run unstarted.
 */
export async function launchRun(
  ctx: LaunchContext,
  record: RunRecord,
  module: CatalogModule,
): Promise<Launched> {
  const { store, logs, options } = ctx.parts;
  const timeoutSeconds = module.def.timeout_seconds ?? options.runTimeoutSeconds;
  // The 202 of a run answered just now (see supervisor.ts) is given before the output folder is
  // made and the process forked (1 to 4 ms of the one JS thread): see untilAnswered.
  await ctx.answered();
  const stopped = ctx.stopReason();
  if (stopped !== null) {
    return { end: await endBeforeSpawn(ctx, stopEnding(stopped, timeoutSeconds)) };
  }
  let outputDir: string;
  try {
    outputDir = await ctx.report.prepareFolder();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { end: await failStarted(ctx, `its output folder could not be made: ${why}`) };
  }
  let writer: RunLogWriter | undefined;
  let spentMs = 0;
  if (ctx.ticket !== null) {
    writer = new RunLogWriter(ctx.runId, logs, {
      maxBytes: options.logMaxBytes,
      rolling: record.trigger === "service",
    });
    ctx.preparing(record, writer);
    const began = performance.now();
    const prepared = await prepareEnvironment(ctx, ctx.ticket, writer, timeoutSeconds);
    spentMs = performance.now() - began;
    const stop = ctx.stopReason();
    if (stop !== null) {
      return { end: await endBeforeSpawn(ctx, stopEnding(stop, timeoutSeconds), writer) };
    }
    if (!prepared.ok) {
      const ending = { kind: "env_failed" as const, reason: prepared.reason };
      return { end: await endBeforeSpawn(ctx, ending, writer) };
    }
    module = inEnvironment(module, prepared.venv);
  }
  let launch: Launch;
  try {
    launch = launchSpec(module, record, outputDir);
  } catch (err) {
    if (!(err instanceof LaunchError)) throw err;
    if (writer !== undefined) {
      writer.system(`could not start: ${err.message}`);
      return {
        end: await endBeforeSpawn(ctx, { kind: "start_failed", reason: err.message }, writer),
      };
    }
    return { end: await failStarted(ctx, err.message) };
  }
  const { spec, display, notices } = launch;
  if (module.def.stdin === "input") {
    spec.stdin = ctx.takeInput() ?? (await readRunInput(ctx.parts.inputs, record))?.bytes ?? null;
  }
  const execution = new RunExecution({
    runId: ctx.runId,
    spec,
    displayCommand: display,
    notices,
    logs,
    killGraceSeconds: options.killGraceSeconds,
    timeoutSeconds,
    logMaxBytes: options.logMaxBytes,
    // A service's log keeps its newest output (see logs/rolling.ts).
    rollingLog: record.trigger === "service",
    report: ctx.report.hooks,
    taskkill: options.taskkill,
    outputEncoding: module.def.output_encoding,
    writer,
    spentMs,
  });
  ctx.spawned(execution);
  // A stop that came while the folder was made found no execution to stop.
  const late = ctx.stopReason();
  if (late !== null) void execution.stop(late);
  if (execution.pid === null) return { running: record, execution };
  // The caller is answered once the process runs; the pid is stored meanwhile (a crash before
  // it lands leaves the same record it would have left a moment before the answer).
  ctx.pidWriting(
    store.update(ctx.runId, { pid: execution.pid }).catch((err) => {
      console.error(`run ${ctx.runId}: its pid could not be stored:`, err);
    }),
  );
  return { running: { ...record, pid: execution.pid }, execution };
}

/** Gets the run's environment, its timeout running; the build's lines are `system` lines. */
async function prepareEnvironment(
  ctx: LaunchContext,
  ticket: EnvironmentTicket,
  writer: RunLogWriter,
  timeoutSeconds: number,
) {
  const timer = timeoutSeconds > 0
    ? setTimeout(() => ctx.stop("timeout"), timeoutSeconds * 1000)
    : null;
  try {
    return await ticket.prepare({
      say: (line) => writer.system(escapeControls(line)),
      signal: ctx.signal,
    });
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}

/** The module as it runs in a built environment: its interpreter is the environment's. */
function inEnvironment(module: CatalogModule, venv: string): CatalogModule {
  const python = venvInterpreter(venv);
  return { ...module, venv, python, interpreter: module.interpreter === null ? null : python };
}

function stopEnding(reason: StopReason, timeoutSeconds: number): Ending {
  if (reason === "timeout") return { kind: "timeout", seconds: timeoutSeconds };
  return reason === "shutdown" ? { kind: "shutdown" } : { kind: "cancelled" };
}

/**
 * Ends a run stored as running here before its spawn, with the lines it wrote (its build's):
 * failed (a failed build or start earns its retry), timed out, or cancelled.
 */
async function endBeforeSpawn(
  ctx: LaunchContext,
  ending: Ending,
  writer?: RunLogWriter,
): Promise<RunRecord | null> {
  const { status, error_message } = finalOutcome(ending);
  if (writer !== undefined && error_message !== null) writer.system(error_message);
  await writer?.close();
  const final = await moveRun(ctx.parts, ctx.runId, {
    to: status,
    changes: {
      completed_at: Date.now(),
      error_message,
      artifacts: 0,
      ...(writer === undefined ? {} : {
        log_lines: writer.lastSeq,
        log_truncated: writer.truncated || writer.lost.count > 0,
      }),
    },
    prepare: status === "failed" ? ctx.parts.retries.plan(ending) : undefined,
  });
  return final ?? await ctx.parts.store.get(ctx.runId);
}

/** A run stored as running here whose process could not be started: failed, with why. */
export async function failStarted(
  ctx: Pick<LaunchContext, "parts" | "runId">,
  reason: string,
): Promise<RunRecord | null> {
  const ending = { kind: "start_failed" as const, reason };
  const { status, error_message } = finalOutcome(ending);
  const final = await moveRun(ctx.parts, ctx.runId, {
    to: status,
    changes: { completed_at: Date.now(), error_message, artifacts: 0 },
    prepare: ctx.parts.retries.plan(ending),
  });
  return final ?? await ctx.parts.store.get(ctx.runId);
}

/** Longest wait for an answer to be sent before a run is spawned anyway. */
const ANSWER_WAIT_MS = 1000;

/**
 * Settles once `sent` does (Deno's `completed` of the HTTP answer of the run's submission: the
 * response was handed to its HTTP server, or the connection failed), and within a second in any
 * case. Without `sent` (a run from the queue, a schedule's, MCP's), after one turn of the event
 * loop, which lets an answer just given go out first. That turn is a timer, about 2 ms here, and
 * every run started from a request waited for it; waiting for `completed` starts the process
 * those 2 ms sooner. The price, on this 2-core machine: the answer's bytes often leave after the
 * fork, so its client sees the 202 1.5 to 2 ms later (docs/performance.md, "Launch gate").
 */
export async function untilAnswered(sent: Promise<unknown> | undefined): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const turn = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, sent === undefined ? 0 : ANSWER_WAIT_MS);
  });
  try {
    await (sent === undefined ? turn : Promise.race([sent.then(() => {}, () => {}), turn]));
  } finally {
    clearTimeout(timer);
  }
}
