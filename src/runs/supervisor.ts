import type { RunLogWriter } from "../logs/writer.ts";
import type { CatalogModule } from "../modules/catalog.ts";
import type { QueuedRun } from "./admission.ts";
import { cancelQueuedRun } from "./cancel.ts";
import { RunExecution, type StopReason } from "./execution.ts";
import { launchSpec } from "./launch_spec.ts";
import type { RunRecord } from "./model.ts";
import { moveRun, type RunParts } from "./parts.ts";
import type { RunHandle } from "./registry.ts";
import { finalOutcome } from "./transitions.ts";
import { writeFinal } from "./final_write.ts";
import type { Progress } from "../logs/markers.ts";
import { RunReport } from "./run_report.ts";

/** How a supervised run came to hold its slot. */
export type SupervisedStart =
  /** Submitted while a slot was free: stored for the first time, as running. */
  | { kind: "new"; record: RunRecord; module: CatalogModule }
  /** Admitted from the queue: its stored record moves from queued to running. */
  | { kind: "queued"; run: QueuedRun };

/** How the start went: the run is stored as running, or it ended (or stays queued) unstarted. */
type Begun =
  | { running: RunRecord; execution: RunExecution }
  | { end: RunRecord | null };

/**
 * Owns one run that holds a slot, from spawn to final record: spawns the process, stores the
 * run as running, waits for the process to end, records the end, then gives the slot back,
 * leaves the registry and wakes the queue. It is the run's handle all along: a stop before the
 * spawn means the run never starts (cancelled, or left queued at shutdown); after the spawn the
 * execution stops the process tree.
 */
export class RunSupervisor implements RunHandle {
  readonly runId: string;
  /** Settles once the run is stored as running (with that record), or with null if it did not start. */
  readonly started: Promise<RunRecord | null>;
  readonly finished: Promise<RunRecord | null>;
  readonly moduleId: string;
  /** Why the run could not be stored as running (a full disk, say); null while it could. */
  startError: unknown = null;
  private readonly startedOnce = Promise.withResolvers<RunRecord | null>();
  private execution: RunExecution | null = null;
  private readonly report: RunReport;
  private stopReason: StopReason | null = null;

  /** Registers itself at once, so that a cancel finds the run, and starts the supervision. */
  constructor(private readonly parts: RunParts, start: SupervisedStart) {
    this.runId = start.kind === "new" ? start.record.run_id : start.run.runId;
    this.moduleId = start.kind === "new" ? start.record.module_id : start.run.moduleId;
    this.started = this.startedOnce.promise;
    this.report = new RunReport(parts, this.runId);
    parts.registry.add(this);
    // Nobody may be awaiting `finished` (a run nobody cancels): it must never reject.
    this.finished = this.supervise(start).catch(async (err) => {
      console.error(`run ${this.runId}: could not record its end:`, err);
      return await parts.store.get(this.runId).catch(() => null);
    });
  }

  /** The live log writer once the process is spawned. */
  get writer(): RunLogWriter | null {
    return this.execution?.writer ?? null;
  }

  /** The progress and result reported so far. */
  live(): { progress: Progress; result: unknown } {
    return this.report.live();
  }

  /** Asks the run to stop; the first reason wins. */
  stop(reason: StopReason): void {
    if (this.stopReason !== null) return;
    this.stopReason = reason;
    // Before the spawn the reason is read where the run would start.
    void this.execution?.stop(reason);
  }

  private async supervise(start: SupervisedStart): Promise<RunRecord | null> {
    try {
      const begun = start.kind === "new"
        ? await this.spawn(start.record, start.module)
        : await this.startQueued(start.run);
      if ("end" in begun) return begun.end;
      this.startedOnce.resolve(begun.running);
      return await this.recordEnd(begun.execution);
    } finally {
      this.startedOnce.resolve(null);
      this.parts.registry.remove(this);
      this.parts.admission.release(this.moduleId);
      this.parts.wakeQueue();
    }
  }

  /**
   * Moves an admitted run out of `queued`: to running, or to its end when it may not start
   * (cancelled meanwhile, or its module is gone or unavailable since it was queued).
   */
  private async startQueued(run: QueuedRun): Promise<Begun> {
    let staysQueued = false;
    try {
      const record = await this.parts.store.get(run.runId);
      if (record === null || record.status !== "queued") return { end: record };
      if (this.stopReason === "cancelled") {
        return { end: await cancelQueuedRun(this.parts, run.runId) };
      }
      if (this.stopReason !== null) {
        // Shutdown: queued runs stay queued for the next start.
        staysQueued = true;
        return { end: record };
      }
      // The module may have changed since the run was queued (a restart with a new module file).
      const module = this.parts.catalog.get(run.moduleId);
      const why = module === undefined
        ? `the module "${run.moduleId}" is no longer in the module file`
        : this.parts.catalog.availability(module).reason;
      if (module === undefined || why !== null) {
        return { end: await this.failToStart(record, why ?? "the module is unavailable") };
      }
      return await this.spawn(record, module);
    } finally {
      // Only now is the stored record no longer queued (or its write failed, and the run is
      // dropped from memory as before): until here it kept its place, so positions stay exact.
      if (staysQueued) this.parts.admission.restore(run.runId);
      else this.parts.admission.leave(run.runId);
    }
  }

  /**
   * Spawns the process, then stores the run as running with its pid: a new record, or the queued
   * one moved. When that write fails, the process is stopped and its lines deleted.
   */
  private async spawn(record: RunRecord, module: CatalogModule): Promise<Begun> {
    const { store, logs, events, options } = this.parts;
    const outputDir = await this.report.prepareFolder();
    const { spec, display } = launchSpec(module, record, outputDir);
    const execution = this.execution = new RunExecution({
      runId: this.runId,
      spec,
      displayCommand: display,
      logs,
      killGraceSeconds: options.killGraceSeconds,
      timeoutSeconds: module.def.timeout_seconds ?? options.runTimeoutSeconds,
      logMaxBytes: options.logMaxBytes,
      report: this.report.hooks,
    });
    const started: RunRecord = {
      ...record,
      status: "running",
      started_at: record.started_at ?? Date.now(),
      pid: execution.pid,
    };
    let stored: RunRecord | null = null;
    try {
      if (record.status === "queued") {
        stored = await store.transition(this.runId, "running", {
          started_at: started.started_at,
          pid: started.pid,
        });
      } else {
        await store.create(started);
        stored = started;
      }
    } catch (err) {
      console.error(`run ${this.runId}: could not be stored as running:`, err);
      this.startError = err;
    }
    if (stored !== null) {
      events.emit(stored);
      return { running: stored, execution };
    }
    void execution.stop("cancelled");
    // A run that could not be stored must not leave chunks that a later start would reuse.
    await execution.result.catch(() => {});
    await logs.deleteAll(this.runId);
    return { end: null };
  }

  /** Waits for the process to end and stores the final status it earned. */
  private async recordEnd(execution: RunExecution): Promise<RunRecord | null> {
    const result = await execution.result;
    const outcome = finalOutcome(result.ending);
    // Final at once even when the disk is full: kept in memory and written once space returns.
    return await writeFinal(this.parts, this.runId, {
      to: outcome.status,
      changes: {
        completed_at: result.finishedAt,
        exit_code: result.exitCode,
        error_message: outcome.error_message,
        log_lines: result.logLines,
        log_truncated: result.logTruncated,
        ...await this.report.finish(),
      },
      prepare: this.parts.retries.plan(result.ending, result.exitCode),
    }, execution.writer);
  }

  /** A queued run that cannot start moves forward like any failed start: running, then failed. */
  private async failToStart(record: RunRecord, reason: string): Promise<RunRecord | null> {
    const now = Date.now();
    const running = await moveRun(this.parts, record.run_id, {
      to: "running",
      changes: { started_at: now },
    });
    if (running === null) return await this.parts.store.get(record.run_id);
    const ending = { kind: "start_failed" as const, reason };
    const { status, error_message } = finalOutcome(ending);
    const final = await moveRun(this.parts, record.run_id, {
      to: status,
      changes: { completed_at: now, error_message, artifacts: 0 },
      prepare: this.parts.retries.plan(ending),
    });
    return final ?? running;
  }
}
