import { z } from "zod";
import { paramValueSchema } from "../modules/schema.ts";

export const RUN_STATUSES = ["queued", "running", "completed", "failed", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINAL_STATUSES: readonly RunStatus[] = ["completed", "failed", "cancelled"];
export const RUN_TRIGGERS = ["api", "schedule", "retry", "rerun", "pipeline", "service"] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/** A run as stored in Deno KV; times are epoch milliseconds. */
export const runRecordSchema = z.object({
  run_id: z.string(),
  module_id: z.string(),
  module_name: z.string(),
  status: z.enum(RUN_STATUSES),
  /**
   * Applicable values, as passed to the script. Password values are here only while the run is
   * queued or running (a queued run needs its value to start, also after a restart); the move
   * to a final status drops the names listed in `secret_parameters`.
   */
  parameters: z.record(z.string(), paramValueSchema),
  /**
   * Names of the password parameters the run was given, fixed at submission, so that dropping
   * and masking them never depends on the module file of a later day. Records stored before this
   * field existed read as [] (the view then also masks by the module's definitions).
   */
  secret_parameters: z.array(z.string()).default([]),
  /** Submission order: unique, increasing; the queue and listings sort by it. */
  order: z.number(),
  created_at: z.number(),
  started_at: z.number().nullable(),
  completed_at: z.number().nullable(),
  exit_code: z.number().nullable(),
  error_message: z.string().nullable(),
  /**
   * Process id of the run's leader, which also leads its process group on POSIX; stored with
   * the running status so a restart can stop what a crash left behind.
   */
  pid: z.number().nullable(),
  log_lines: z.number(),
  log_truncated: z.boolean(),
  /**
   * What the run reported of its progress (`::progress` lines, `tqdm` bars): stored at most once
   * a second while it runs and with its final status, so it survives a restart. Records stored
   * before these fields existed read as null.
   */
  progress_percent: z.number().nullable().default(null),
  items_processed: z.number().nullable().default(null),
  items_total: z.number().nullable().default(null),
  progress_message: z.string().nullable().default(null),
  /** Bytes of the run's `::result` JSON, stored under its own key (results.ts); null when none. */
  result_bytes: z.number().nullable().default(null),
  /** Files the run left in its output folder, counted once it is final; null before. */
  artifacts: z.number().nullable().default(null),
  /** What submitted the run; runs stored before triggers existed were API runs. */
  trigger: z.enum(RUN_TRIGGERS).default("api"),
  schedule_id: z.string().nullable().default(null),
  /** 1 for a first run, n + 1 for the retry of attempt n. */
  attempt: z.number().int().default(1),
  /** The first run's id for a retry, else null. */
  retry_of: z.string().nullable().default(null),
  /**
   * The server (`PRISMQ_HOST_ID`) that started the run; null while queued, and for runs stored
   * before several servers could share a store (those belong to whichever server recovers them).
   */
  host_id: z.string().nullable().default(null),
  /**
   * The pool slots the run took when it started (pool -> slots), given back by the write that
   * moves it out of `running`; {} while queued, and for runs stored before pools existed.
   */
  pool_slots: z.record(z.string(), z.number()).default({}),
  /**
   * Bytes of the run's `input` (stored in parts under its own keys, input.ts) and how it was
   * given; null when it has none.
   */
  input_bytes: z.number().int().nullable().default(null),
  input_type: z.enum(["text", "json"]).nullable().default(null),
  /** The pipeline run and step the run is a step run of (its retries too); null otherwise. */
  pipeline_run_id: z.string().nullable().default(null),
  step_id: z.string().nullable().default(null),
  /** A service run's replica (1-based); null for other runs and runs stored before services. */
  replica: z.number().int().nullable().default(null),
});

export type RunRecord = z.infer<typeof runRecordSchema>;

/** A just-submitted run: `running` when it starts at once, else `queued`. */
export function newRunRecord(fields: {
  run_id: string;
  module_id: string;
  module_name: string;
  parameters: RunRecord["parameters"];
  secret_parameters: string[];
  order: number;
  created_at: number;
  /** The server starting it now, or null when it is queued. */
  startsOn: string | null;
  origin?: RunOrigin;
  /** The stored input's size and type, when the run has one. */
  input?: { bytes: number; type: "text" | "json" } | null;
}): RunRecord {
  const { startsOn, origin, input, ...rest } = fields;
  const startsNow = startsOn !== null;
  return {
    ...rest,
    trigger: origin?.trigger ?? "api",
    schedule_id: origin?.schedule_id ?? null,
    attempt: origin?.attempt ?? 1,
    retry_of: origin?.retry_of ?? null,
    pipeline_run_id: origin?.pipeline_run_id ?? null,
    step_id: origin?.step_id ?? null,
    replica: origin?.replica ?? null,
    status: startsNow ? "running" : "queued",
    started_at: startsNow ? fields.created_at : null,
    completed_at: null,
    exit_code: null,
    error_message: null,
    pid: null,
    log_lines: 0,
    log_truncated: false,
    progress_percent: null,
    items_processed: null,
    items_total: null,
    progress_message: null,
    result_bytes: null,
    artifacts: null,
    host_id: startsOn,
    pool_slots: {},
    input_bytes: input?.bytes ?? null,
    input_type: input?.type ?? null,
  };
}

/** Where a run came from: RUN's `trigger`, `schedule_id`, `attempt` and `retry_of`. */
export interface RunOrigin {
  trigger: RunTrigger;
  schedule_id?: string | null;
  attempt?: number;
  retry_of?: string | null;
  /** A pipeline's step run (and its retries): its pipeline run and step. */
  pipeline_run_id?: string | null;
  step_id?: string | null;
  /** A service run's replica (trigger "service"). */
  replica?: number | null;
}

/** True for completed, failed and cancelled. */
export function isFinal(status: RunStatus): boolean {
  return FINAL_STATUSES.includes(status);
}
