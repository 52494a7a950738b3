import type { ScheduleRecord } from "../../src/schedules/model.ts";

/** A stored schedule of module "m", every minute, enabled, no input; `changes` on top. */
export function scheduleRecord(changes: Partial<ScheduleRecord> = {}): ScheduleRecord {
  return {
    schedule_id: "s1",
    module_id: "m",
    pipeline_id: null,
    cron: "* * * * *",
    timezone: "UTC",
    parameters: {},
    enabled: true,
    overlap: "queue",
    last_run_at: null,
    last_run_id: null,
    created_at: 0,
    updated_at: 0,
    skipped_fires: 0,
    refused_fires: 0,
    input_bytes: null,
    input_type: null,
    input_version: null,
    ...changes,
  };
}
