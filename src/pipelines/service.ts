import { AppError, validationError } from "../errors.ts";
import type { RunRecord } from "../runs/mod.ts";
import { secretNames } from "../modules/secrets.ts";
import type { CatalogPipeline } from "./catalog.ts";
import type { PipelineAdvancer } from "./advancer.ts";
import {
  isPipelineFinal,
  PIPELINE_TRIGGERS,
  type PipelineRunRecord,
  type PipelineRunView,
  pipelineRunView,
} from "./model.ts";
import { refreshStep } from "./plan.ts";
import { newPipelineRunId, type PipelineRunStore } from "./store.ts";

/** What the pipeline service is built with. */
export interface PipelineServiceDeps {
  pipelines: readonly CatalogPipeline[];
  store: PipelineRunStore;
  advancer: PipelineAdvancer;
  runs: {
    record(runId: string): Promise<RunRecord | null>;
    retryExpected(run: RunRecord): boolean;
  };
}

/** How a pipeline run is started. */
export interface StartPipeline {
  pipelineId: string;
  parameters: Record<string, unknown>;
  trigger?: (typeof PIPELINE_TRIGGERS)[number];
  scheduleId?: string | null;
}

/** Pipelines and their runs: start, read, cancel, resume. */
export class PipelineService {
  constructor(private readonly deps: PipelineServiceDeps) {}

  /** Every pipeline of the module file. */
  get pipelines(): readonly CatalogPipeline[] {
    return this.deps.pipelines;
  }

  /** The pipeline; 404 PIPELINE_NOT_FOUND when there is none. */
  require(id: string): CatalogPipeline {
    const p = this.deps.pipelines.find((x) => x.def.id === id);
    if (!p) throw new AppError("PIPELINE_NOT_FOUND", `Pipeline "${id}" was not found.`);
    return p;
  }

  /** Validates the parameters and starts a pipeline run (its first steps are submitted). */
  async start(request: StartPipeline, resumed?: PipelineRunRecord): Promise<PipelineRunView> {
    const pipeline = this.require(request.pipelineId);
    const checked = pipeline.validator.validate(request.parameters);
    if (!checked.ok) throw validationError(checked.errors);
    const now = Date.now();
    const id = newPipelineRunId(now);
    const record: PipelineRunRecord = {
      pipeline_run_id: id,
      pipeline_id: pipeline.def.id,
      status: "queued",
      parameters: checked.values,
      secret_parameters: secretNames(pipeline.def.parameters, checked.values),
      created_at: now,
      started_at: null,
      completed_at: null,
      error_message: null,
      trigger: request.trigger ?? "api",
      schedule_id: request.scheduleId ?? null,
      resumed_from: resumed?.pipeline_run_id ?? null,
      cancel_requested: false,
      steps: pipeline.def.steps.map((s) => {
        const old = resumed?.steps.find((o) => o.step_id === s.id);
        return old?.status === "completed" ? { ...old } : {
          step_id: s.id,
          module_id: s.module,
          status: "pending" as const,
          run_id: null,
          started_at: null,
          completed_at: null,
          error_message: null,
        };
      }),
    };
    await this.deps.store.create(record);
    await this.deps.advancer.poke(id);
    return await this.get(id);
  }

  /** The stored run; 404 PIPELINE_RUN_NOT_FOUND. */
  async record(id: string): Promise<PipelineRunRecord> {
    const found = await this.deps.store.get(id);
    if (found === null) {
      throw new AppError("PIPELINE_RUN_NOT_FOUND", `Pipeline run "${id}" was not found.`);
    }
    return found.record;
  }

  /** The PIPELINE_RUN, its steps as their runs are now. */
  async get(id: string): Promise<PipelineRunView> {
    return await this.view(await this.record(id));
  }

  /** Renders a record with each unsettled step read from its run. */
  async view(record: PipelineRunRecord): Promise<PipelineRunView> {
    const steps = await Promise.all(record.steps.map(async (s) => {
      if (s.run_id === null || isPipelineFinal(record.status)) return s;
      const run = await this.deps.runs.record(s.run_id);
      return refreshStep(s, run, (r) => this.deps.runs.retryExpected(r));
    }));
    return pipelineRunView(record, steps);
  }

  /** A page of pipeline runs, newest first. */
  async list(q: { pipelineId?: string; status?: string; limit: number; cursor?: string }) {
    const page = await this.deps.store.list({ ...q, before: q.cursor });
    const last = page.records[page.records.length - 1];
    return {
      pipeline_runs: await Promise.all(page.records.map((r) => this.view(r))),
      total: page.total,
      next_cursor: page.hasMore && last ? last.pipeline_run_id : null,
    };
  }

  /** Pipeline view fields: its last run's time and how many runs it has. */
  async stats(pipelineId: string): Promise<{ last_run_at: string | null; total_runs: number }> {
    const page = await this.deps.store.list({ pipelineId, limit: 1 });
    const last = page.records[0];
    return {
      last_run_at: last ? new Date(last.created_at).toISOString() : null,
      total_runs: page.total,
    };
  }

  /** Asks for a cancel; resolves once the pipeline run is final. 409 when it already was. */
  async cancel(id: string): Promise<PipelineRunView> {
    for (let tries = 0;; tries++) {
      const before = await this.deps.store.get(id);
      if (before === null) await this.record(id);
      if (isPipelineFinal(before!.record.status)) {
        throw new AppError(
          "PIPELINE_RUN_ALREADY_FINISHED",
          `Pipeline run "${id}" is already ${before!.record.status}.`,
        );
      }
      const record = { ...before!.record, cancel_requested: true };
      if (await this.deps.store.replace(before!, record)) break;
      if (tries > 20) throw new AppError("CONFLICT", "The pipeline run kept changing; try again.");
    }
    for (let waited = 0; waited < 600; waited++) {
      await this.deps.advancer.poke(id);
      const now = await this.record(id);
      if (isPipelineFinal(now.status)) return await this.view(now);
      await new Promise((r) => setTimeout(r, 100));
    }
    return await this.get(id);
  }

  /** Starts a new run of a failed or cancelled one; its completed steps keep their runs. */
  async resume(id: string, parameters: Record<string, unknown> | undefined) {
    const old = await this.record(id);
    if (old.status !== "failed" && old.status !== "cancelled") {
      throw new AppError(
        "CONFLICT",
        `Pipeline run "${id}" is ${old.status}: only a failed or cancelled one resumes.`,
      );
    }
    const given = { ...old.parameters, ...parameters ?? {} };
    const pipeline = this.require(old.pipeline_id);
    const missing = pipeline.def.parameters.filter((p) =>
      p.type === "password" && !Object.hasOwn(parameters ?? {}, p.name) &&
      old.secret_parameters.includes(p.name)
    );
    if (missing.length > 0) {
      throw validationError(
        missing.map((p) => ({ field: p.name, message: "must be given again" })),
      );
    }
    return await this.start(
      { pipelineId: old.pipeline_id, parameters: given, trigger: "resume" },
      old,
    );
  }
}
