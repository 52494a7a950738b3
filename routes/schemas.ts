import { z } from "zod";
import { logLineSchema } from "../src/logs/line.ts";
import { RUN_STATUSES } from "../src/runs/model.ts";
import { runViewSchema } from "../src/runs/view.ts";
import { parameterSchema, paramValueSchema as paramValue } from "../src/modules/schema.ts";

/** Body of POST /api/modules/{id}/run. */
export const runBodySchema = z.object({
  parameters: z.record(z.string(), paramValue.nullable()).default({}),
  save_config: z.boolean().default(false),
});

/** Body of POST /api/modules/{id}/config. */
export const configBodySchema = z.object({
  parameters: z.record(z.string(), paramValue.nullable()),
});

const intParam = (min: number, max: number) =>
  z.string().regex(/^\d+$/, "must be a whole number").transform(Number).pipe(
    z.number().int().min(min).max(max),
  );

/** Query of GET /api/runs. */
export const listRunsQuerySchema = z.object({
  module_id: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, "is not a module id").optional(),
  status: z.enum(RUN_STATUSES).optional(),
  limit: intParam(1, 100).default(50),
  cursor: z.string().min(1).optional(),
  offset: intParam(0, 10_000).optional(),
});

/** Query of GET /api/runs/{id}/logs. */
export const logsQuerySchema = z.object({
  tail: intParam(1, 10000).optional(),
  after: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
  limit: intParam(1, 10000).default(1000),
});

/** Query of GET /api/runs/{id}/logs/stream. */
export const streamQuerySchema = z.object({
  after: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
});

export const errorSchema = z.object({
  detail: z.string(),
  error_code: z.string(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

export const healthSchema = z.object({
  status: z.literal("healthy"),
  version: z.string(),
  uptime_seconds: z.number(),
  active_runs: z.number().int(),
  queued_runs: z.number().int(),
  total_modules: z.number().int(),
});

export const moduleViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  script_path: z.string(),
  version: z.string(),
  parameters: z.array(parameterSchema),
  tags: z.array(z.string()),
  status: z.enum(["active", "inactive", "maintenance"]),
  enabled: z.boolean(),
  interpreter: z.string().optional(),
  timeout_seconds: z.number().optional(),
  max_concurrent_runs: z.number().int().optional(),
  env: z.record(z.string(), z.string()).optional(),
  available: z.boolean(),
  unavailable_reason: z.string().nullable(),
  last_run: z.string().nullable(),
  total_runs: z.number().int(),
  success_rate: z.number().nullable(),
});

export const moduleListSchema = z.object({
  modules: z.array(moduleViewSchema),
  total: z.number().int(),
});

export const presetSchema = z.object({
  module_id: z.string(),
  parameters: z.record(z.string(), paramValue.nullable()),
  updated_at: z.string().nullable(),
});

export const messageSchema = z.object({ message: z.string() });

export const runListSchema = z.object({
  runs: z.array(runViewSchema),
  total: z.number().int(),
  limit: z.number().int(),
  next_cursor: z.string().nullable(),
});

export const logPageSchema = z.object({
  run_id: z.string(),
  logs: z.array(logLineSchema),
  next_after: z.number().int(),
  total_lines: z.number().int(),
  truncated: z.boolean(),
});

export { logLineSchema, runViewSchema };
