import { z } from "@hono/zod-openapi";
import { ArtifactsQuery } from "../routes/artifacts.ts";
import { ListRunsQuery, LogsQuery, ModuleIdParam, RunBody, RunIdParam } from "../schemas.ts";

/** Longest `wait_seconds` of run_module; an MCP client's own request timeout is often 60 s. */
export const MAX_WAIT_SECONDS = 600;

/**
 * A query field as a JSON argument: a query's whole numbers arrive as text and are parsed by a
 * pipe (`queryInt`); a tool's arguments are JSON, so the pipe's number side is taken. Everything
 * else (enums, patterns, bounds, defaults) is the route's own schema.
 */
function jsonField(field: z.ZodType): z.ZodType {
  if (field instanceof z.ZodOptional) return jsonField(field.unwrap() as z.ZodType).optional();
  if (field instanceof z.ZodDefault) {
    return jsonField(field.unwrap() as z.ZodType).default(field.def.defaultValue as never);
  }
  if (field instanceof z.ZodPipe && field.out instanceof z.ZodNumber) return field.out;
  return field;
}

/** A route's query schema with its fields as JSON arguments (see jsonField): same values out. */
function jsonArguments<S extends z.ZodRawShape>(
  query: z.ZodObject<S>,
): z.ZodObject<{ [K in keyof S]: z.ZodType<z.output<S[K]>> }> {
  return z.object(
    Object.fromEntries(
      Object.entries(query.shape).map(([name, field]) => [name, jsonField(field as z.ZodType)]),
    ),
  ) as never;
}

/** The run's id, as the run routes take it in their path. */
export const RunIdArgs = z.object({ run_id: RunIdParam.shape.run_id });

/** run_module: the run route's path and body, and how long to wait for the run to end. */
export const RunModuleArgs = RunBody.extend({
  module_id: ModuleIdParam.shape.id,
  wait_seconds: z.number().min(0).max(MAX_WAIT_SECONDS).default(0).describe(
    "Wait up to this long for the run to end (0: answer at once, running or queued)",
  ),
});

/** get_logs: GET /api/runs/{run_id}/logs's path and query. */
export const GetLogsArgs = RunIdArgs.extend(jsonArguments(LogsQuery).shape);

/** list_artifacts: GET /api/runs/{run_id}/artifacts's path and query. */
export const ListArtifactsArgs = RunIdArgs.extend(jsonArguments(ArtifactsQuery).shape);

/** list_runs: GET /api/runs's query. */
export const ListRunsArgs = jsonArguments(ListRunsQuery);
