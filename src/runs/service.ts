import { setTimeout as delay } from "node:timers/promises";
import { customAlphabet } from "nanoid";
import { AppError, runNotFound, validationError } from "../errors.ts";
import type { CatalogModule, ModuleCatalog } from "../modules/catalog.ts";
import type { PresetStore } from "../modules/presets.ts";
import type { LogStore } from "../logs/store.ts";
import { secretNames } from "../modules/secrets.ts";
import type { RunLogWriter } from "../logs/writer.ts";
import { Admission } from "./admission.ts";
import type { RunEvents } from "./events.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { RunExecution } from "./execution.ts";
import { launchSpec } from "./launch_spec.ts";
import { recoverLostRun } from "./recovery.ts";
import { isFinal, newRunRecord, type RunRecord, type RunStatus } from "./model.ts";
import type { RunStore } from "./store.ts";
import { finalOutcome } from "./transitions.ts";
import { type RunView, toRunView } from "./view.ts";
import type { WakeSource } from "./wake.ts";

const newRunId = customAlphabet("0123456789abcdefghijklmnopqrstuvwxyz", 16);

/** Settings the run service needs. */
export interface RunServiceOptions {
  maxConcurrentRuns: number;
  maxQueuedRuns: number;
  killGraceSeconds: number;
  runTimeoutSeconds: number;
  logMaxBytes: number;
}

/** Everything the run service is built from. */
export interface RunServiceDeps {
  store: RunStore;
  logs: LogStore;
  catalog: ModuleCatalog;
  presets: PresetStore;
  events: RunEvents;
  wake: WakeSource;
  options: RunServiceOptions;
}

/** Query of a run listing. */
export interface ListQuery {
  moduleId?: string;
  status?: RunStatus;
  limit: number;
  cursor?: string;
  offset?: number;
}

/**
 * Submits, admits, tracks and cancels runs. One server process owns the runs of its KV: the
 * in-memory admission state is authoritative while it runs and is rebuilt from KV at start.
 */
export class RunService {
  private readonly admission: Admission;
  private readonly executions = new Map<string, RunExecution>();
  /** Queued runs the pump took and is starting; cancels wait for them. */
  private readonly starting = new Map<string, Promise<void>>();
  private readonly cancels = new Map<string, Promise<RunView>>();
  /** Ends of running runs, resolved once the final record is written. */
  private readonly finishing = new Map<string, Promise<void>>();
  private lastOrder = 0;
  private pumping = false;
  private pumpAgain = false;
  private shuttingDown = false;

  constructor(private readonly deps: RunServiceDeps) {
    const { catalog, options } = deps;
    this.admission = new Admission(
      options.maxConcurrentRuns,
      (id) => catalog.get(id)?.def.max_concurrent_runs ?? Infinity,
    );
  }

  /** Runs holding a slot now. */
  get activeCount(): number {
    return this.admission.activeCount;
  }

  /** Runs waiting in the queue. */
  get queuedCount(): number {
    return this.admission.queuedCount;
  }

  /** Recovers from a crash and loads the queue; call once before serving. */
  async init(): Promise<void> {
    const { store } = this.deps;
    this.lastOrder = await store.lastOrder();
    for (const record of await store.allWithStatus("running")) {
      await recoverLostRun(record, store, this.deps.logs);
    }
    for (const record of await store.allWithStatus("queued")) {
      this.admission.enqueue({
        runId: record.run_id,
        moduleId: record.module_id,
        order: record.order,
      });
    }
    this.deps.wake.start(() => void this.pump());
    void this.pump();
  }

  /** Validates and submits a run: it starts at once when a slot is free, else it is queued. */
  async submit(
    moduleId: string,
    given: Record<string, unknown>,
    saveConfig: boolean,
  ): Promise<RunView> {
    const module = this.deps.catalog.require(moduleId);
    const availability = this.deps.catalog.availability(module);
    if (!availability.available) {
      throw new AppError(
        "MODULE_UNAVAILABLE",
        `Module "${moduleId}" is unavailable: ${availability.reason}.`,
      );
    }
    const checked = module.validator.validate(given);
    if (!checked.ok) throw validationError(checked.errors);
    if (this.shuttingDown) throw new AppError("SHUTTING_DOWN", "The server is shutting down.");
    // Presets are saved only for a run that was accepted (not for a 429 or 503).
    const savePreset = () =>
      saveConfig
        ? this.deps.presets.save(moduleId, module.def.parameters, checked.values)
        : Promise.resolve();

    const startNow = this.admission.canStartNow(moduleId);
    if (!startNow && this.admission.queuedCount >= this.deps.options.maxQueuedRuns) {
      throw new AppError(
        "QUEUE_FULL",
        `The queue is full (${this.deps.options.maxQueuedRuns} runs wait).`,
      );
    }
    const now = Date.now();
    const record = newRunRecord({
      run_id: newRunId(),
      module_id: moduleId,
      module_name: module.def.name,
      parameters: checked.values,
      secret_parameters: secretNames(module.def.parameters, checked.values),
      order: this.nextOrder(now),
      created_at: now,
      startsNow: startNow,
    });
    if (startNow) {
      this.admission.claim(moduleId);
      // Spawn first and store the record with its pid while the process starts up.
      const started = await this.launch(record, module, async (run) => {
        await this.deps.store.create(run);
        return true;
      });
      if (started === null) throw new Error(`run ${record.run_id} could not be stored`);
      await savePreset();
      return this.view(started);
    }
    this.admission.enqueue({ runId: record.run_id, moduleId, order: record.order });
    try {
      await this.deps.store.create(record, (op) => this.deps.wake.attach(op));
    } catch (err) {
      this.admission.leave(record.run_id);
      this.deps.wake.disarm();
      throw err;
    }
    this.deps.events.emit(record);
    await savePreset();
    return this.view(record);
  }

  /** The run as callers see it; 404 when unknown. */
  async get(runId: string): Promise<RunView> {
    return this.view(await this.requireRecord(runId));
  }

  /** The stored record, or null. */
  record(runId: string): Promise<RunRecord | null> {
    return this.deps.store.get(runId);
  }

  /** The stored record; 404 RUN_NOT_FOUND when there is none. */
  async requireRecord(runId: string): Promise<RunRecord> {
    const record = await this.deps.store.get(runId);
    if (record === null) throw runNotFound(runId);
    return record;
  }

  /** A page of runs, newest first. */
  async list(
    query: ListQuery,
  ): Promise<{ runs: RunView[]; total: number; next_cursor: string | null }> {
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const page = await this.deps.store.list({ ...query, before });
    const last = page.runs[page.runs.length - 1];
    return {
      runs: page.runs.map((r) => this.view(r)),
      total: page.total,
      next_cursor: page.hasMore && last ? encodeCursor(last.order) : null,
    };
  }

  /** Cancels a queued or running run and answers with the final run; 409 when already final. */
  cancel(runId: string): Promise<RunView> {
    const pending = this.cancels.get(runId);
    if (pending) return pending;
    const work = this.cancelOnce(runId).finally(() => this.cancels.delete(runId));
    this.cancels.set(runId, work);
    return work;
  }

  /** The live log writer of a running run, or null. */
  liveWriter(runId: string): RunLogWriter | null {
    return this.executions.get(runId)?.writer ?? null;
  }

  /** Renders a record with its live queue position and line count. */
  view(record: RunRecord): RunView {
    const writer = record.status === "running" ? this.liveWriter(record.run_id) : null;
    return toRunView(
      record,
      {
        queuePosition: record.status === "queued" ? this.admission.positionFor(record.order) : null,
        logLines: writer ? writer.flushedSeq : null,
      },
      this.deps.catalog.get(record.module_id)?.def.parameters,
    );
  }

  /** Refuses new runs, stops every running tree (grace, then kill) and records them cancelled. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    this.deps.wake.stop();
    await Promise.all([...this.starting.values()]);
    await Promise.all(
      [...this.executions.values()].map((e) =>
        e.stop("shutdown").then(() => this.settled(e.runId))
      ),
    );
  }

  private async cancelOnce(runId: string): Promise<RunView> {
    // Each pass either answers or waits for a start that is between two steps; that is short.
    for (let pass = 0; pass < 500; pass++) {
      const queued = this.admission.take(runId);
      if (queued) {
        let record: RunRecord | null;
        try {
          record = await this.deps.store.transition(runId, "cancelled", {
            completed_at: Date.now(),
            error_message: finalOutcome({ kind: "cancelled" }).error_message,
          });
        } catch (err) {
          this.admission.restore(runId);
          throw err;
        }
        this.admission.leave(runId);
        if (record) {
          this.deps.events.emit(record);
          return this.view(record);
        }
      }
      const starting = this.starting.get(runId);
      if (starting) {
        await starting;
        continue;
      }
      const execution = this.executions.get(runId);
      if (execution) {
        await execution.stop("cancelled");
        const record = await this.settled(runId);
        if (record.status !== "cancelled") throw alreadyFinished(record);
        return this.view(record);
      }
      const record = await this.deps.store.get(runId);
      if (record === null) throw runNotFound(runId);
      if (isFinal(record.status)) throw alreadyFinished(record);
      await delay(10);
    }
    throw new Error(`run ${runId}: its state did not settle for a cancel`);
  }

  /** Waits until the run's execution has written its final record. */
  private async settled(runId: string): Promise<RunRecord> {
    await this.finishing.get(runId);
    const record = await this.deps.store.get(runId);
    if (record === null) throw runNotFound(runId);
    return record;
  }

  /**
   * Spawns the process of a run that holds a slot, then stores it as running with `persist`
   * (a create or a queued -> running transition; false when the run may not start after all,
   * which stops the process at once). Resolves with the stored running record, or null.
   */
  private async launch(
    record: RunRecord,
    module: CatalogModule,
    persist: (started: RunRecord) => Promise<boolean>,
  ): Promise<RunRecord | null> {
    const { options } = this.deps;
    const { spec, display } = launchSpec(module, record);
    const execution = new RunExecution(
      record.run_id,
      spec,
      display,
      this.deps.logs,
      {
        killGraceSeconds: options.killGraceSeconds,
        timeoutSeconds: module.def.timeout_seconds ?? options.runTimeoutSeconds,
        logMaxBytes: options.logMaxBytes,
      },
    );
    const started: RunRecord = {
      ...record,
      status: "running",
      started_at: record.started_at ?? Date.now(),
      pid: execution.pid,
    };
    this.executions.set(record.run_id, execution);
    const persisted = persist(started).catch((err) => {
      console.error(`run ${record.run_id}: could not be stored as running:`, err);
      return false;
    });
    const finished = (async () => {
      try {
        const stored = await persisted;
        if (stored) this.deps.events.emit(started);
        else {
          void execution.stop("cancelled");
          // A run that could not be stored must not leave chunks that a later start would reuse.
          await execution.result.catch(() => {});
          await this.deps.logs.deleteAll(record.run_id);
          return;
        }
        const result = await execution.result;
        const outcome = finalOutcome(result.ending);
        const final = await this.deps.store.transition(record.run_id, outcome.status, {
          completed_at: result.finishedAt,
          exit_code: result.exitCode,
          error_message: outcome.error_message,
          log_lines: result.logLines,
          log_truncated: result.logTruncated,
        });
        if (final) this.deps.events.emit(final);
      } finally {
        this.executions.delete(record.run_id);
        this.admission.release(record.module_id);
        void this.pump();
      }
    })().catch((err) => {
      console.error(`run ${record.run_id}: could not record its end:`, err);
    }).finally(() => this.finishing.delete(record.run_id));
    this.finishing.set(record.run_id, finished);
    return await persisted ? started : null;
  }

  /** Starts queued runs while slots allow, in submission order. Safe to call any time. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        for (;;) {
          if (this.shuttingDown) return;
          const next = this.admission.admitNext();
          if (next === null) break;
          const started = this.startQueued(next.runId, next.moduleId);
          this.starting.set(next.runId, started);
          await started;
          this.starting.delete(next.runId);
        }
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private async startQueued(runId: string, moduleId: string): Promise<void> {
    try {
      const record = await this.deps.store.get(runId);
      if (record === null || record.status !== "queued") {
        this.admission.release(moduleId);
        return;
      }
      // The module may have changed since the run was queued (a restart with a new module file).
      const module = this.deps.catalog.get(moduleId);
      const why = module === undefined
        ? `the module "${moduleId}" is no longer in the module file`
        : this.deps.catalog.availability(module).reason;
      if (module === undefined || why !== null) {
        this.admission.release(moduleId);
        await this.failQueued(record, why ?? "the module is unavailable");
        return;
      }
      await this.launch(record, module, async (run) => {
        const moved = await this.deps.store.transition(runId, "running", {
          started_at: run.started_at,
          pid: run.pid,
        });
        return moved !== null;
      });
    } catch (err) {
      this.admission.release(moduleId);
      console.error(`run ${runId}: could not start:`, err);
    } finally {
      // Only now is the stored record no longer queued: until here it keeps its queue place.
      this.admission.leave(runId);
    }
  }

  /** A queued run that cannot start moves forward like any failed start: running, then failed. */
  private async failQueued(record: RunRecord, reason: string): Promise<void> {
    const now = Date.now();
    const running = await this.deps.store.transition(record.run_id, "running", { started_at: now });
    if (!running) return;
    this.deps.events.emit(running);
    const outcome = finalOutcome({ kind: "start_failed", reason });
    const final = await this.deps.store.transition(record.run_id, outcome.status, {
      completed_at: now,
      error_message: outcome.error_message,
    });
    if (final) this.deps.events.emit(final);
  }

  private nextOrder(now: number): number {
    this.lastOrder = Math.max(now * 1000, this.lastOrder + 1);
    return this.lastOrder;
  }
}

function alreadyFinished(record: RunRecord): AppError {
  return new AppError(
    "RUN_ALREADY_FINISHED",
    `Run "${record.run_id}" is already ${record.status}.`,
  );
}
