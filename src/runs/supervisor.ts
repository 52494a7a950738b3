import type { RunLogWriter } from "../logs/writer.ts";
import type { CatalogModule } from "../modules/catalog.ts";
import type { QueuedRun } from "./admission.ts";
import { cancelQueuedRun } from "./cancel.ts";
import { RunExecution, type StopReason } from "./execution.ts";
import { failStarted, launchRun, untilAnswered } from "./launch.ts";
import type { EnvironmentTicket } from "./environment.ts";
import type { RunRecord } from "./model.ts";
import { moveRun, type RunParts } from "./parts.ts";
import type { RunHandle } from "./registry.ts";
import { finalOutcome } from "./transitions.ts";
import { writeFinal } from "./final_write.ts";
import type { Progress } from "../logs/markers.ts";
import { RunReport } from "./run_report.ts";
import type { PoolFull } from "../pools/holds.ts";
import type { StartLimits, StartRefusal } from "./claim.ts";

/** How a supervised run came to hold its slot. */
export type SupervisedStart =
  /**
   * Submitted while a slot was free: stored for the first time, as running, unless its module
   * turns out full across servers (`moduleFull`); `reorder` gives a fresh submission order when
   * another server took the one it has; `input` is its stored input, given so it is not read back.
   */
  | {
    kind: "new";
    record: RunRecord;
    module: CatalogModule;
    reorder: () => number;
    input?: Uint8Array | null;
    /** The submission's answer is sent (see RunRequest.launchAfter). */
    launchAfter?: Promise<unknown>;
  }
  /** Admitted from the queue: its stored record is claimed, queued to running. */
  | { kind: "queued"; run: QueuedRun };

/** How the start went: running, ended (or left queued) unstarted, or its module had no slot. */
type Begun =
  | { running: RunRecord; execution: RunExecution }
  | { end: RunRecord | null }
  | { full: StartRefusal };

/** Tries at storing a new run before giving up (each lost to another server's write). */
const CREATE_TRIES = 20;

/**
 * Owns one run that holds a slot, from its claim to its final record: stores the run as running
 * on this server (a checked atomic write, so no other server starts it), spawns the process,
 * waits for it to end, records the end, then gives the slot back, leaves the registry and wakes
 * the queue. It is the run's handle all along: a stop before the spawn means the run never
 * starts (cancelled, or left queued at shutdown); after the spawn the execution stops the tree.
 */
export class RunSupervisor implements RunHandle {
  readonly runId: string;
  /** Settles once the run is stored as running (with that record), or with null if it did not start. */
  readonly started: Promise<RunRecord | null>;
  readonly finished: Promise<RunRecord | null>;
  readonly moduleId: string;
  /** True once the store said the module has no slot on any server: the run did not start. */
  moduleFull = false;
  /** Set once the store said a pool it uses has too few free slots: the run did not start. */
  poolFull: PoolFull | null = null;
  /** Why the run could not be stored as running (a full disk, say); null while it could. */
  startError: unknown = null;
  private readonly startedOnce = Promise.withResolvers<RunRecord | null>();
  private execution: RunExecution | null = null;
  private readonly report: RunReport;
  private stopReason: StopReason | null = null;
  private input: Uint8Array | null; // a new run's, until its spawn
  /** Settles when the spawn may happen (see untilAnswered). */
  private readonly answered: () => Promise<void>;
  /** Aborted at the first stop: an environment build under way stops with the run. */
  private readonly aborter = new AbortController();
  /** The run's claim on its environment (null without `requirements`), held until its end. */
  private readonly ticket: EnvironmentTicket | null;
  /** The log writer while the environment is prepared (before the execution exists). */
  private preparing: RunLogWriter | null = null;
  /** The write of the spawned process's pid; the final write waits for it. */
  private pidWritten: Promise<unknown> = Promise.resolve();

  /** Registers itself at once, so that a cancel finds the run, and starts the supervision. */
  constructor(private readonly parts: RunParts, start: SupervisedStart) {
    this.runId = start.kind === "new" ? start.record.run_id : start.run.runId;
    this.moduleId = start.kind === "new" ? start.record.module_id : start.run.moduleId;
    this.input = start.kind === "new" ? start.input ?? null : null;
    // A run admitted from the queue answers nobody now (its 202 was given when it was queued),
    // and a claim's commit came just before: its spawn need not wait for a timer.
    this.answered = start.kind === "new"
      ? () => untilAnswered(start.launchAfter)
      : () => Promise.resolve();
    this.started = this.startedOnce.promise;
    this.report = new RunReport(parts, this.runId);
    // At once, as the slot is taken: other runs of the same environment wait from now on.
    const module = start.kind === "new" ? start.module : parts.catalog.get(this.moduleId);
    this.ticket = module === undefined ? null : parts.environments?.reserve(module) ?? null;
    parts.registry.add(this);
    // Nobody may be awaiting `finished` (a run nobody cancels): it must never reject.
    this.finished = this.supervise(start).catch(async (err) => {
      console.error(`run ${this.runId}: could not record its end:`, err);
      return await parts.store.get(this.runId).catch(() => null);
    });
  }

  /** The live log writer once the process is spawned. */
  get writer(): RunLogWriter | null {
    return this.execution?.writer ?? this.preparing;
  }

  /** The progress and result reported so far. */
  live(): { progress: Progress; result: unknown } {
    return this.report.live();
  }

  /** Asks the run to stop; the first reason wins. */
  stop(reason: StopReason): void {
    if (this.stopReason !== null) return;
    this.stopReason = reason;
    this.aborter.abort();
    // Before the spawn the reason is read where the run would start.
    void this.execution?.stop(reason);
  }

  private async supervise(start: SupervisedStart): Promise<RunRecord | null> {
    try {
      const begun = start.kind === "new"
        ? await this.startNew(start.record, start.module, start.reorder)
        : await this.startQueued(start.run);
      if ("full" in begun) {
        if (begun.full === "full") this.moduleFull = true;
        else this.poolFull = begun.full;
        return null;
      }
      // A new run was answered once stored (startNew); one that ended before (or was never
      // stored) leaves `started` to the null below.
      if ("end" in begun) return begun.end;
      this.startedOnce.resolve(begun.running);
      return await this.recordEnd(begun.execution);
    } finally {
      this.startedOnce.resolve(null);
      this.ticket?.release();
      this.parts.registry.remove(this);
      this.parts.admission.release(this.moduleId);
      // A run that found its module or a pool full freed no slot: waking the queue would spin.
      if (!this.moduleFull && this.poolFull === null) this.parts.wakeQueue();
    }
  }

  /**
   * Stores a new run as running on this server, with the module's running counter checked in
   * the same write; "full" when the module has no slot left on any server.
   */
  private async startNew(
    record: RunRecord,
    module: CatalogModule,
    reorder: () => number,
  ): Promise<Begun> {
    const { store, events } = this.parts;
    const limits = this.limits(module);
    const limited = Number.isFinite(limits.max) || module.uses.length > 0;
    try {
      for (let tries = 1;; tries++) {
        const counters = limited ? await store.startCounters(limits) : null;
        if (counters?.refusal) return { full: counters.refusal };
        if (await store.create(record, (op) => counters?.checks.forEach((c) => op.check(c)))) {
          break;
        }
        if (tries >= CREATE_TRIES) throw new Error(`run ${this.runId} could not be stored`);
        record = { ...record, order: reorder() };
      }
    } catch (err) {
      // Nothing was stored or started; the submission answers with why (a full disk: 507).
      console.error(`run ${this.runId}: could not be stored as running:`, err);
      this.startError = err;
      return { end: null };
    }
    events.emit(record);
    // Answered now: the run is stored as running, which is all a 202 promises. The spawn (a fork
    // of this process, 1 to 4 ms) and the output folder follow the answer instead of delaying
    // it; a spawn that fails moves the run on to failed, as it would a moment later anyway.
    this.startedOnce.resolve(record);
    return await this.launch(record, module);
  }

  /**
   * Moves an admitted run out of `queued`: claimed as running here, or to its end when it may not
   * start (cancelled meanwhile, or its module is gone or unavailable since it was queued); left
   * queued when another server took it, at shutdown, or when its module is full.
   */
  private async startQueued(run: QueuedRun): Promise<Begun> {
    const { store, catalog, events, hostId } = this.parts;
    let staysQueued = false;
    try {
      const record = await store.get(run.runId);
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
      const module = catalog.get(run.moduleId);
      const why = module === undefined
        ? `the module "${run.moduleId}" is no longer in the module file`
        : catalog.availability(module).reason;
      if (module === undefined || why !== null) {
        return { end: await this.failToStart(record, why ?? "the module is unavailable") };
      }
      const claimed = await store.claim(run.runId, {
        started_at: Date.now(),
        host_id: hostId(),
      }, this.limits(module));
      if (claimed === "gone") return { end: await store.get(run.runId) };
      if (claimed === "full" || !("run_id" in claimed)) {
        staysQueued = true;
        return { full: claimed };
      }
      events.emit(claimed);
      return await this.launch(claimed, module);
    } finally {
      // Only now is the stored record no longer queued (or its write failed, and the run is
      // dropped from memory as before): until here it kept its place, so positions stay exact.
      if (staysQueued) this.parts.admission.restore(run.runId);
      else this.parts.admission.leave(run.runId);
    }
  }

  /** The limits a run of this module starts under: its module's, and its pools' slots. */
  private limits(module: CatalogModule): StartLimits {
    const { pools } = this.parts.catalog;
    return {
      moduleId: module.def.id,
      max: module.def.max_concurrent_runs ?? Infinity,
      uses: module.uses,
      capacity: (pool) => Object.hasOwn(pools, pool) ? pools[pool] : 0,
    };
  }

  /** Spawns the run's process (its environment built first if need be): see launch.ts. */
  private launch(record: RunRecord, module: CatalogModule): Promise<Begun> {
    return launchRun(
      {
        parts: this.parts,
        runId: this.runId,
        report: this.report,
        stopReason: () => this.stopReason,
        answered: this.answered,
        signal: this.aborter.signal,
        stop: (reason) => this.stop(reason),
        takeInput: () => {
          const input = this.input;
          this.input = null;
          return input;
        },
        ticket: this.ticket,
        preparing: (running, writer) => {
          this.preparing = writer;
          // The submission answers now, not after the build: the run is running.
          this.startedOnce.resolve(running);
        },
        spawned: (execution) => this.execution = execution,
        pidWriting: (write) => this.pidWritten = write,
      },
      record,
      module,
    );
  }

  /** Waits for the process to end and stores the final status it earned. */
  private async recordEnd(execution: RunExecution): Promise<RunRecord | null> {
    const result = await execution.result;
    await this.pidWritten;
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
    const running = await moveRun(this.parts, record.run_id, {
      to: "running",
      changes: { started_at: Date.now(), host_id: this.parts.hostId() },
    });
    if (running === null) return await this.parts.store.get(record.run_id);
    return await failStarted({ parts: this.parts, runId: this.runId }, reason) ?? running;
  }
}
