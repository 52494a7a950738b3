import { z } from "@hono/zod-openapi";
import { parameterSchema, paramValueSchema } from "../../modules/schema.ts";
import { PIPELINE_RUN_STATUSES, pipelineRunViewSchema } from "../../pipelines/model.ts";
import { STEP_WHEN } from "../../pipelines/schema.ts";
import { queryInt } from "../openapi.ts";

/** The contract's PIPELINE_RUN. */
export const PipelineRun = pipelineRunViewSchema.openapi("PipelineRun");

/** The contract's PIPELINE_VIEW. */
export const PipelineView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  parameters: z.array(parameterSchema),
  steps: z.array(z.object({
    id: z.string(),
    module: z.string(),
    parameters: z.record(z.string(), z.unknown()),
    input: z.unknown().optional(),
    needs: z.array(z.string()),
    when: z.enum(STEP_WHEN),
  })),
  last_run_at: z.string().nullable(),
  total_runs: z.number().int(),
}).openapi("Pipeline");

export const PipelineList = z.object({
  pipelines: z.array(PipelineView),
  total: z.number().int(),
}).openapi("PipelineList");

export const PipelineRunList = z.object({
  pipeline_runs: z.array(PipelineRun),
  total: z.number().int(),
  limit: z.number().int(),
  next_cursor: z.string().nullable(),
}).openapi("PipelineRunList");

export const PipelineIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" } }),
});

export const PipelineRunIdParam = z.object({
  id: z.string().openapi({ param: { name: "id", in: "path" } }),
});

const parameterValues = z.record(z.string(), paramValueSchema.nullable());

/** Body of POST /api/pipelines/{id}/run (and of the MCP tool run_pipeline). */
export const PipelineRunBody = z.object({
  parameters: parameterValues.default({}),
}).openapi("PipelineRunRequest");

/** Body of POST /api/pipeline-runs/{id}/resume. */
export const PipelineResumeBody = z.object({
  parameters: parameterValues.optional(),
}).openapi("PipelineResumeRequest");

/** Query of GET /api/pipeline-runs. */
export const ListPipelineRunsQuery = z.object({
  pipeline_id: z.string().optional(),
  status: z.enum(PIPELINE_RUN_STATUSES).optional(),
  limit: queryInt(1, 100).default(50).openapi({ type: "integer", default: 50 }),
  // A cursor is a pipeline run id (see newPipelineRunId); anything else is a bad query value.
  cursor: z.string().regex(/^[0-9a-z]{16}$/, "is not a cursor this server gave out").optional(),
});
