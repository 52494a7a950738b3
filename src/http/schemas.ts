import { z } from "@hono/zod-openapi";
import { LOG_LEVELS } from "../logs/level.ts";
import { logLineSchema } from "../logs/line.ts";
import { paramValueSchema } from "../modules/schema.ts";
import { moduleViewSchema } from "../modules/views.ts";
import { RUN_STATUSES, RUN_TRIGGERS, runViewSchema } from "../runs/mod.ts";
import { OVERLAP_POLICIES, scheduleViewSchema } from "../schedules/model.ts";
import { queryInt } from "./openapi.ts";
import { nextCursor } from "./paging.ts";
import { hostViewSchema } from "../hosts/model.ts";

/** Components of the document, named once; the routes refer to them. */
export const Run = runViewSchema.openapi("Run");
export const LogLine = logLineSchema.openapi("LogLine");
export const ModuleView = moduleViewSchema.openapi("Module");

const parameterValues = z.record(z.string(), paramValueSchema.nullable());

/** A run's stdin input: a string (written as UTF-8) or any other JSON value (written as JSON). */
export const RunInput = z.unknown().optional().openapi({
  description: 'Written to the stdin of a module with `stdin: "input"`: a string as UTF-8 text, ' +
    "any other JSON value as JSON. At most PRISMQ_MAX_INPUT_BYTES encoded (413 " +
    "INPUT_TOO_LARGE); null or absent means none.",
});

/** Body of POST /api/modules/{id}/run. */
export const RunBody = z.object({
  parameters: parameterValues.default({}),
  save_config: z.boolean().default(false),
  input: RunInput,
}).openapi("RunRequest");

/** Body of POST /api/runs/{run_id}/rerun: values replacing the old run's. */
export const RerunBody = z.object({
  parameters: parameterValues.default({}),
  input: RunInput.openapi({
    description: "A new input for the new run; absent: the old run's input (if any) again; " +
      "null: none.",
  }),
}).openapi("RerunRequest");

/** Body of POST /api/modules/{id}/config. */
export const ConfigBody = z.object({ parameters: parameterValues }).openapi("ConfigRequest");

export const Preset = z.object({
  module_id: z.string(),
  parameters: parameterValues,
  updated_at: z.string().nullable(),
}).openapi("Preset");

export const Message = z.object({ message: z.string() }).openapi("Message");

export const Health = z.object({
  status: z.literal("healthy"),
  version: z.string(),
  uptime_seconds: z.number(),
  active_runs: z.number().int(),
  queued_runs: z.number().int(),
  total_modules: z.number().int(),
  /** This server's `PRISMQ_HOST_ID`. */
  host_id: z.string(),
}).openapi("Health");

export const HostList = z.object({
  hosts: z.array(hostViewSchema.openapi("Host")),
}).openapi("HostList");

export const ModuleList = z.object({ modules: z.array(ModuleView), total: z.number().int() })
  .openapi("ModuleList");

export const RunList = z.object({
  runs: z.array(Run),
  total: z.number().int(),
  limit: z.number().int(),
  next_cursor: z.string().nullable(),
}).openapi("RunList");

export const LogPage = z.object({
  run_id: z.string(),
  logs: z.array(LogLine),
  next_after: z.number().int(),
  total_lines: z.number().int(),
  truncated: z.boolean(),
}).openapi("LogPage");

/** Path of the module routes. */
export const ModuleIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" }, example: "hello" }),
});

/** Path of the run routes. */
export const RunIdParam = z.object({
  run_id: z.string().openapi({ param: { name: "run_id", in: "path" } }),
});

/** Query of GET /api/runs. */
export const ListRunsQuery = z.object({
  module_id: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, "is not a module id").optional(),
  status: z.enum(RUN_STATUSES).optional(),
  trigger: z.enum(RUN_TRIGGERS).optional(),
  limit: queryInt(1, 100).default(50).openapi({ type: "integer", default: 50 }),
  cursor: z.string().min(1).optional(),
  offset: queryInt(0, 10_000).optional(),
});

/** Query of GET /api/runs/{id}/logs. */
export const LogsQuery = z.object({
  tail: queryInt(1, 10_000).optional(),
  after: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
  limit: queryInt(1, 10_000).default(1000).openapi({ type: "integer", default: 1000 }),
  level: z.enum(LOG_LEVELS).optional().openapi({
    description: "Only lines of this level and above",
  }),
});

/** Query and headers of GET /api/runs/{id}/logs/stream. */
export const StreamQuery = z.object({ after: queryInt(0, Number.MAX_SAFE_INTEGER).optional() });
export const StreamHeaders = z.object({
  "last-event-id": z.string().trim().regex(/^\d*$/, "must be a line seq").optional().openapi({
    description: "Resume after this line (what EventSource sends on reconnect).",
  }),
});

export const Schedule = scheduleViewSchema.openapi("Schedule");
export const ScheduleList = z.object({
  schedules: z.array(Schedule),
  total: z.number().int(),
  next_cursor: nextCursor,
}).openapi("ScheduleList");

const scheduleFields = {
  module_id: z.string().min(1).max(200).optional().openapi({
    description: "The module to run; or `pipeline_id` instead (exactly one of them).",
  }),
  pipeline_id: z.string().min(1).max(200).optional().openapi({
    description: "The pipeline to start instead of a module, with pipeline `parameters`.",
  }),
  cron: z.string().min(1).max(200).openapi({ example: "0 * * * *" }),
  parameters: parameterValues.optional(),
  timezone: z.string().min(1).max(100).optional().openapi({ example: "Europe/Prague" }),
  enabled: z.boolean().optional(),
  overlap: z.enum(OVERLAP_POLICIES).optional(),
  input: RunInput.openapi({
    description: "The input each fire gives its run (as a run's `input`); null: none. " +
      "PATCH without it keeps the schedule's.",
  }),
};

/** Body of POST /api/schedules. */
export const ScheduleBody = z.object(scheduleFields).openapi("ScheduleRequest");

/** Body of PATCH /api/schedules/{id}: any of the fields. */
export const SchedulePatch = z.object(scheduleFields).partial().openapi("SchedulePatch");

export const ArtifactList = z.object({
  run_id: z.string(),
  artifacts: z.array(z.object({
    name: z.string(),
    size: z.number().int(),
    modified_at: z.string().nullable(),
  })),
  next_cursor: nextCursor,
}).openapi("ArtifactList");
