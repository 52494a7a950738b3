import { z } from "zod";
import { paramValueSchema } from "../modules/schema.ts";
import type { EncodedInput } from "../runs/mod.ts";

export const OVERLAP_POLICIES = ["skip", "queue"] as const;

/** A schedule as stored in Deno KV; times are epoch milliseconds. */
export const scheduleRecordSchema = z.object({
  schedule_id: z.string(),
  /** The module it runs; null for a schedule of a pipeline. */
  module_id: z.string().nullable(),
  /** The pipeline it starts instead of a module (null for a module's schedule). */
  pipeline_id: z.string().nullable().default(null),
  cron: z.string(),
  timezone: z.string(),
  /** Validated values, as a run's; password values are kept (each fire needs them). */
  parameters: z.record(z.string(), paramValueSchema),
  enabled: z.boolean(),
  overlap: z.enum(OVERLAP_POLICIES),
  last_run_at: z.number().nullable(),
  last_run_id: z.string().nullable(),
  created_at: z.number(),
  updated_at: z.number(),
  /** Fires left out because the previous run was still queued or running (overlap "skip"). */
  skipped_fires: z.number().int().default(0),
  /** Fires the submission refused (queue full, shutting down). */
  refused_fires: z.number().int().default(0),
  /** The input each fire gives its run (schedules/input.ts); null when none. */
  input_bytes: z.number().int().nullable().default(null),
  input_type: z.enum(["text", "json"]).nullable().default(null),
  /** Which stored version of the input is the schedule's. */
  input_version: z.string().nullable().default(null),
});
export type ScheduleRecord = z.infer<typeof scheduleRecordSchema>;

/** The contract's SCHEDULE: the record with ISO times and the next due time. */
export const scheduleViewSchema = scheduleRecordSchema.omit({ input_version: true }).extend({
  next_run_at: z.string().nullable(),
  last_run_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  skipped_fires: z.number().int(),
  refused_fires: z.number().int(),
});
export type ScheduleView = z.infer<typeof scheduleViewSchema>;

/** What a caller may set on a schedule (all of it at creation, any of it with PATCH). */
export interface ScheduleInput {
  module_id?: string;
  pipeline_id?: string;
  cron?: string;
  timezone?: string;
  parameters?: Record<string, unknown>;
  enabled?: boolean;
  overlap?: (typeof OVERLAP_POLICIES)[number];
  /** Undefined: unchanged (none for a new schedule); null: none. */
  input?: EncodedInput | null;
}
