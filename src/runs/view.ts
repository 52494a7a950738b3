import { z } from "zod";
import { type ParameterDef, paramValueSchema } from "../modules/schema.ts";
import { maskSecrets, secretNames } from "../modules/secrets.ts";
import type { Progress } from "../logs/markers.ts";
import { RUN_STATUSES, RUN_TRIGGERS, type RunRecord } from "./model.ts";

/** The contract's RUN. */
export const runViewSchema = z.object({
  run_id: z.string(),
  module_id: z.string(),
  module_name: z.string(),
  status: z.enum(RUN_STATUSES),
  parameters: z.record(z.string(), paramValueSchema),
  created_at: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  duration_seconds: z.number().nullable(),
  exit_code: z.number().nullable(),
  error_message: z.string().nullable(),
  queue_position: z.number().int().nullable(),
  log_lines: z.number().int(),
  progress_percent: z.number().min(0).max(100).nullable(),
  items_processed: z.number().int().nullable(),
  items_total: z.number().int().nullable(),
  progress_message: z.string().nullable(),
  /** The last `::result` the run printed (any JSON value), or null. */
  result: z.unknown().nullable(),
  /** Files in the run's output folder once it is final; null before. */
  artifacts: z.number().int().nullable(),
  trigger: z.enum(RUN_TRIGGERS),
  schedule_id: z.string().nullable(),
  attempt: z.number().int(),
  retry_of: z.string().nullable(),
  /** A service run's replica (1-based); null for other runs. */
  replica: z.number().int().nullable(),
  /** The server that started the run (`PRISMQ_HOST_ID`), or null while queued. */
  host_id: z.string().nullable(),
  /** While queued: why it waits (one sentence), or null when it is next in line; else null. */
  waiting_for: z.string().nullable(),
  /** Bytes of the run's stdin input (`GET /api/runs/{id}/input`), or null when none. */
  input_bytes: z.number().int().nullable(),
  /** The pipeline run and step this run belongs to, or null. */
  pipeline_run_id: z.string().nullable(),
  step_id: z.string().nullable(),
});
export type RunView = z.infer<typeof runViewSchema>;

const iso = (ms: number | null) => ms === null ? null : new Date(ms).toISOString();

/** Renders a stored run for callers; password parameters read "********". */
export function toRunView(
  record: RunRecord,
  live: {
    queuePosition: number | null;
    /** Why a queued run waits (Admission.waitingFor). */
    waitingFor?: string | null;
    logLines: number | null;
    /** The progress of a running run as it stands now (the record's may be a second old). */
    progress?: Progress | null;
    result: unknown;
  },
  parameterDefs: readonly ParameterDef[] = [],
): RunView {
  // The record's own list covers a finished run whose values are gone; the module's definitions
  // cover records stored before that list existed.
  const parameters = maskSecrets(
    record.parameters,
    new Set([...record.secret_parameters, ...secretNames(parameterDefs, record.parameters)]),
  );
  const duration = record.started_at !== null && record.completed_at !== null
    ? (record.completed_at - record.started_at) / 1000
    : null;
  return {
    run_id: record.run_id,
    module_id: record.module_id,
    module_name: record.module_name,
    status: record.status,
    parameters,
    created_at: iso(record.created_at)!,
    started_at: iso(record.started_at),
    completed_at: iso(record.completed_at),
    duration_seconds: duration,
    exit_code: record.exit_code,
    error_message: record.error_message,
    queue_position: record.status === "queued" ? live.queuePosition : null,
    log_lines: live.logLines ?? record.log_lines,
    ...(live.progress ?? progressOf(record)),
    result: live.result ?? null,
    artifacts: record.artifacts,
    trigger: record.trigger,
    schedule_id: record.schedule_id,
    attempt: record.attempt,
    retry_of: record.retry_of,
    replica: record.replica,
    host_id: record.host_id,
    waiting_for: record.status === "queued" ? live.waitingFor ?? null : null,
    input_bytes: record.input_bytes,
    pipeline_run_id: record.pipeline_run_id,
    step_id: record.step_id,
  };
}

/** The four progress fields of a stored run. */
export function progressOf(record: RunRecord): Progress {
  return {
    progress_percent: record.progress_percent,
    items_processed: record.items_processed,
    items_total: record.items_total,
    progress_message: record.progress_message,
  };
}
