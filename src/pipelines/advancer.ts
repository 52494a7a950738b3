import { AppError } from "../errors.ts";
import type { RunRecord, RunRequest } from "../runs/mod.ts";
import type { CatalogPipeline } from "./catalog.ts";
import { isPipelineFinal, type PipelineRunRecord, SETTLED, type StepState } from "./model.ts";
import { finalStatus, refreshStep, stepDecision } from "./plan.ts";
import { refusalMessage, type StepValues } from "./step_inputs.ts";
import { finishRun, stepRequest } from "./step_request.ts";
import type { PipelineRunStore, VersionedRun } from "./store.ts";

/** What the advancer needs of the run service. */
export interface StepRuns extends StepValues {
  submit(request: RunRequest): Promise<RunRecord>;
  cancel(runId: string): Promise<unknown>;
  /** A failed run that its module will retry (the step stays running). */
  retryExpected(run: RunRecord): boolean;
}

/** What the advancer is built with. */
export interface AdvancerDeps {
  store: PipelineRunStore;
  pipeline(id: string): CatalogPipeline | undefined;
  runs: StepRuns;
  /** Called after each stored change of a pipeline run, and once more when it is final. */
  changed(record: PipelineRunRecord): void;
  finished(record: PipelineRunRecord): void;
  /** Adds to the write that makes a pipeline run final (its webhook deliveries). */
  finalPlan?(op: Deno.AtomicOperation, record: PipelineRunRecord): void;
  /** How often every server looks at the outbox and the unfinished pipeline runs. */
  tickMs?: number;
}

/** A step to submit once the record that names its run id is stored. */
interface Submission {
  stepId: string;
  request: RunRequest;
}

/**
 * Moves pipeline runs along. Any server may advance any pipeline run at any time: each pass reads
 * the record and its step runs, stores what changed with one checked write (losers read again),
 * and only then submits the steps it started, under ids picked from the pipeline run and step, so
 * a repeated or concurrent pass submits nothing twice and a pass cut short by a crash is finished
 * by the next one (a step whose run id is stored but whose run is not is submitted again).
 */
export class PipelineAdvancer {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Map<string, Set<string>>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private ticking = false;

  constructor(private readonly deps: AdvancerDeps) {}

  /** Starts the tick (outbox entries and unfinished runs) and runs it once now. */
  start(): void {
    this.timer = setInterval(() => void this.tick(), this.deps.tickMs ?? 1000);
    void this.tick();
  }

  /** Stops the tick and waits for passes under way. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.running.values()]);
  }

  /** Advances one pipeline run soon; `hints` are step run ids that changed. */
  poke(pipelineRunId: string, hints: string[] = []): Promise<void> {
    const pending = this.again.get(pipelineRunId) ?? new Set();
    for (const h of hints) pending.add(h);
    this.again.set(pipelineRunId, pending);
    const current = this.running.get(pipelineRunId);
    if (current) return current.then(() => this.running.get(pipelineRunId));
    const loop = (async () => {
      while (this.again.has(pipelineRunId)) {
        const batch = [...this.again.get(pipelineRunId)!];
        this.again.delete(pipelineRunId);
        try {
          await this.pass(pipelineRunId, batch);
        } catch (err) {
          console.error(`pipeline run ${pipelineRunId} could not be advanced:`, err);
        }
      }
    })().finally(() => this.running.delete(pipelineRunId));
    this.running.set(pipelineRunId, loop);
    return loop;
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const outbox = await this.deps.store.outbox();
      for (const [id, runIds] of outbox) void this.poke(id, runIds);
      for (const id of await this.deps.store.activeIds()) {
        if (!outbox.has(id)) void this.poke(id);
      }
    } catch (err) {
      if (this.timer !== null) console.error("pipeline tick failed:", err);
    } finally {
      this.ticking = false;
    }
  }

  /** One pass over a pipeline run: refresh, decide, store, submit, clear its outbox. */
  private async pass(id: string, hints: string[]): Promise<void> {
    for (let tries = 0; tries < 20; tries++) {
      const before = await this.deps.store.get(id);
      if (before === null || isPipelineFinal(before.record.status)) {
        await this.deps.store.clearOutbox(id, hints);
        return;
      }
      const planned = await this.plan(before, hints);
      if (planned === null) continue;
      const { record, submissions } = planned;
      const changed = JSON.stringify(record) !== JSON.stringify(before.record);
      const prepare = isPipelineFinal(record.status)
        ? (op: Deno.AtomicOperation) => this.deps.finalPlan?.(op, record)
        : undefined;
      if (changed && !await this.deps.store.replace(before, record, prepare)) continue;
      if (changed) this.deps.changed(record);
      const refused = await this.submitAll(record, submissions);
      await this.deps.store.clearOutbox(id, hints);
      if (refused.size > 0) {
        hints = [];
        await this.markRefused(id, refused);
        continue;
      }
      if (changed && isPipelineFinal(record.status)) this.deps.finished(record);
      if (record.cancel_requested) await this.cancelSteps(record);
      return;
    }
    throw new Error(`pipeline run ${id}: too many conflicting writes`);
  }

  /** The record as it should be now, and the steps to submit; null to read again. */
  private async plan(
    before: VersionedRun,
    hints: string[],
  ): Promise<{ record: PipelineRunRecord; submissions: Submission[] } | null> {
    const { runs } = this.deps;
    const pipeline = this.deps.pipeline(before.record.pipeline_id);
    const record: PipelineRunRecord = structuredClone(before.record);
    if (pipeline === undefined) {
      return {
        record: finishRun(record, "failed", "the pipeline is no longer in the module file"),
        submissions: [],
      };
    }
    const latest = await this.latestAttempts(record, hints);
    const submissions: Submission[] = [];
    const byId = new Map<string, StepState>();
    const unsent: string[] = [];
    for (let i = 0; i < record.steps.length; i++) {
      const state = record.steps[i];
      const run = latest.get(state.step_id) ??
        (state.run_id === null ? null : await runs.record(state.run_id));
      let next = refreshStep(state, run, (r) => runs.retryExpected(r));
      if (record.cancel_requested && !SETTLED.includes(next.status) && run === null) {
        // Never started, and now never will: the contract leaves such a step `pending`, no run.
        next = { ...next, status: "pending", run_id: null, started_at: null, completed_at: null };
      }
      record.steps[i] = next;
      byId.set(next.step_id, next);
      if (run === null && next.status === "queued" && next.run_id !== null) {
        unsent.push(next.step_id);
      }
    }
    for (const stepId of unsent) {
      // Stored by a pass that did not get to submit it (a crash): submitted now.
      const def = pipeline.def.steps.find((s) => s.id === stepId)!;
      const request = await stepRequest(record, def, byId, this.deps.runs);
      if (typeof request !== "string") submissions.push({ stepId, request });
    }
    for (let progress = true; progress && !record.cancel_requested;) {
      progress = false;
      for (const def of pipeline.def.steps) {
        const i = record.steps.findIndex((s) => s.step_id === def.id);
        if (record.steps[i].status !== "pending") continue;
        const decision = stepDecision(def, byId);
        if (decision === "wait") continue;
        progress = true;
        let next: StepState;
        if (decision === "skip") {
          next = { ...record.steps[i], status: "skipped", completed_at: Date.now() };
        } else {
          const request = await stepRequest(record, def, byId, this.deps.runs);
          if (typeof request === "string") {
            next = {
              ...record.steps[i],
              status: "failed",
              error_message: request,
              completed_at: Date.now(),
            };
          } else {
            next = { ...record.steps[i], status: "queued", run_id: request.runId! };
            submissions.push({ stepId: def.id, request });
          }
        }
        record.steps[i] = next;
        byId.set(def.id, next);
      }
    }
    if (record.status === "queued") {
      record.status = "running";
      record.started_at = Date.now();
    }
    const final = finalStatus(record, pipeline.def.steps);
    return {
      record: final === null ? record : finishRun(record, final.status, final.error),
      submissions,
    };
  }

  /** Runs named by hints that are later attempts of a step than the one stored. */
  private async latestAttempts(
    record: PipelineRunRecord,
    hints: string[],
  ): Promise<Map<string, RunRecord>> {
    const out = new Map<string, RunRecord>();
    for (const runId of hints) {
      const run = await this.deps.runs.record(runId);
      if (run === null || run.pipeline_run_id !== record.pipeline_run_id) continue;
      const state = record.steps.find((s) => s.step_id === run.step_id);
      if (state === undefined || state.run_id === run.run_id) continue;
      const stored = state.run_id === null ? null : await this.deps.runs.record(state.run_id);
      if (stored === null || run.attempt > stored.attempt) out.set(state.step_id, run);
    }
    return out;
  }

  /** Submits the started steps; answers the refused ones with why. */
  private async submitAll(
    record: PipelineRunRecord,
    submissions: Submission[],
  ): Promise<Map<string, string>> {
    const refused = new Map<string, string>();
    await Promise.all(submissions.map(async ({ stepId, request }) => {
      try {
        await this.deps.runs.submit(request);
      } catch (err) {
        if (err instanceof AppError && err.code === "SHUTTING_DOWN") return;
        refused.set(stepId, refusalMessage(err));
      }
    }));
    if (record.cancel_requested) await this.cancelSteps(record);
    return refused;
  }

  private async markRefused(id: string, refused: Map<string, string>): Promise<void> {
    for (let tries = 0; tries < 20; tries++) {
      const before = await this.deps.store.get(id);
      if (before === null) return;
      const record = structuredClone(before.record);
      for (const s of record.steps) {
        const why = refused.get(s.step_id);
        if (why === undefined || s.status !== "queued") continue;
        if (s.run_id !== null && await this.deps.runs.record(s.run_id) !== null) continue;
        Object.assign(s, { status: "failed", run_id: null, error_message: why });
        s.completed_at = Date.now();
      }
      if (await this.deps.store.replace(before, record)) {
        this.deps.changed(record);
        void this.poke(id);
        return;
      }
    }
  }

  /** Cancels the step runs of a cancelled pipeline run that are not final. */
  private async cancelSteps(record: PipelineRunRecord): Promise<void> {
    await Promise.all(record.steps.map(async (s) => {
      if (s.run_id === null) return;
      const run = await this.deps.runs.record(s.run_id);
      if (run === null || (run.status !== "queued" && run.status !== "running")) return;
      await this.deps.runs.cancel(s.run_id).catch(() => {});
    }));
  }
}
