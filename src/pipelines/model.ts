import { z } from "zod";
import { paramValueSchema } from "../modules/schema.ts";
import { maskSecrets } from "../modules/secrets.ts";

export const PIPELINE_RUN_STATUSES = [
  "queued",
  "running",
  "completed",
  "failed",
  "cancelled",
] as const;
export type PipelineRunStatus = (typeof PIPELINE_RUN_STATUSES)[number];

export const STEP_STATUSES = [
  "pending",
  "queued",
  "running",
  "completed",
  "failed",
  "cancelled",
  "skipped",
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
/** A step status after which nothing more happens to the step. */
export const SETTLED: readonly StepStatus[] = ["completed", "failed", "cancelled", "skipped"];

export const PIPELINE_TRIGGERS = ["api", "schedule", "resume"] as const;

/** One step as stored in its pipeline run; times are epoch milliseconds. */
export const stepStateSchema = z.object({
  step_id: z.string(),
  module_id: z.string(),
  status: z.enum(STEP_STATUSES),
  /** The step's latest attempt, or null (not started, skipped, or failed before a run). */
  run_id: z.string().nullable(),
  started_at: z.number().nullable(),
  completed_at: z.number().nullable(),
  error_message: z.string().nullable(),
});
export type StepState = z.infer<typeof stepStateSchema>;

/** A pipeline run as stored in Deno KV. */
export const pipelineRunRecordSchema = z.object({
  pipeline_run_id: z.string(),
  pipeline_id: z.string(),
  status: z.enum(PIPELINE_RUN_STATUSES),
  /** Values as validated; password values are dropped once the pipeline run is final. */
  parameters: z.record(z.string(), paramValueSchema),
  secret_parameters: z.array(z.string()),
  created_at: z.number(),
  started_at: z.number().nullable(),
  completed_at: z.number().nullable(),
  error_message: z.string().nullable(),
  trigger: z.enum(PIPELINE_TRIGGERS),
  schedule_id: z.string().nullable().default(null),
  resumed_from: z.string().nullable(),
  /** Set by a cancel: pending steps never start, and the run ends `cancelled`. */
  cancel_requested: z.boolean(),
  steps: z.array(stepStateSchema),
});
export type PipelineRunRecord = z.infer<typeof pipelineRunRecordSchema>;

/** True once the pipeline run is completed, failed or cancelled. */
export function isPipelineFinal(status: PipelineRunStatus): boolean {
  return status === "completed" || status === "failed" || status === "cancelled";
}

/** The contract's PIPELINE_RUN. */
export const pipelineRunViewSchema = z.object({
  pipeline_run_id: z.string(),
  pipeline_id: z.string(),
  status: z.enum(PIPELINE_RUN_STATUSES),
  parameters: z.record(z.string(), paramValueSchema),
  created_at: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  duration_seconds: z.number().nullable(),
  error_message: z.string().nullable(),
  trigger: z.enum(PIPELINE_TRIGGERS),
  resumed_from: z.string().nullable(),
  steps: z.array(z.object({
    step_id: z.string(),
    module_id: z.string(),
    status: z.enum(STEP_STATUSES),
    run_id: z.string().nullable(),
    started_at: z.string().nullable(),
    completed_at: z.string().nullable(),
    error_message: z.string().nullable(),
  })),
});
export type PipelineRunView = z.infer<typeof pipelineRunViewSchema>;

const iso = (ms: number | null) => ms === null ? null : new Date(ms).toISOString();

/** Renders a record (its steps as given: the caller may have refreshed them from their runs). */
export function pipelineRunView(record: PipelineRunRecord, steps = record.steps): PipelineRunView {
  // Every secret name is masked, also once its value is dropped (final): as a RUN's view does.
  const parameters = maskSecrets(record.parameters, record.secret_parameters);
  return {
    pipeline_run_id: record.pipeline_run_id,
    pipeline_id: record.pipeline_id,
    status: record.status,
    parameters,
    created_at: iso(record.created_at)!,
    started_at: iso(record.started_at),
    completed_at: iso(record.completed_at),
    duration_seconds: record.started_at !== null && record.completed_at !== null
      ? (record.completed_at - record.started_at) / 1000
      : null,
    error_message: record.error_message,
    trigger: record.trigger,
    resumed_from: record.resumed_from,
    steps: steps.map((s) => ({
      ...s,
      started_at: iso(s.started_at),
      completed_at: iso(s.completed_at),
    })),
  };
}
