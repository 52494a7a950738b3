import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Services } from "../../services.ts";
import type { CatalogPipeline } from "../../pipelines/catalog.ts";
import { BODY_ERRORS, errorResponses, GUARD_ERRORS, jsonContent, SECURED } from "../openapi.ts";
import {
  ListPipelineRunsQuery,
  PipelineIdParam,
  PipelineList,
  PipelineResumeBody,
  PipelineRun,
  PipelineRunBody,
  PipelineRunIdParam,
  PipelineRunList,
  PipelineView,
} from "./pipeline_schemas.ts";
import { pipelineEventRoute } from "./pipeline_events.ts";

const common = { tags: ["pipelines"], security: SECURED };
const RUN_ERRORS = ["QUEUE_FULL", "STORAGE_FULL", "SHUTTING_DOWN"] as const;

const listPipelines = createRoute({
  ...common,
  method: "get",
  path: "/api/pipelines",
  operationId: "listPipelines",
  summary: "The pipelines of the module file",
  responses: {
    200: jsonContent(PipelineList, "Every pipeline"),
    ...errorResponses(...GUARD_ERRORS),
  },
});

const getPipeline = createRoute({
  ...common,
  method: "get",
  path: "/api/pipelines/{id}",
  operationId: "getPipeline",
  summary: "One pipeline",
  request: { params: PipelineIdParam },
  responses: {
    200: jsonContent(PipelineView, "The pipeline"),
    ...errorResponses(...GUARD_ERRORS, "PIPELINE_NOT_FOUND"),
  },
});

const runPipeline = createRoute({
  ...common,
  method: "post",
  path: "/api/pipelines/{id}/run",
  operationId: "runPipeline",
  summary: "Start a pipeline run; its first steps are submitted at once",
  request: {
    params: PipelineIdParam,
    body: { content: { "application/json": { schema: PipelineRunBody } }, required: true },
  },
  responses: {
    202: jsonContent(PipelineRun, "Accepted: the new pipeline run"),
    ...errorResponses(...GUARD_ERRORS, ...BODY_ERRORS, "PIPELINE_NOT_FOUND", ...RUN_ERRORS),
  },
});

const listRuns = createRoute({
  ...common,
  method: "get",
  path: "/api/pipeline-runs",
  operationId: "listPipelineRuns",
  summary: "Pipeline runs, newest first, filtered by pipeline and status, paged by cursor",
  request: { query: ListPipelineRunsQuery },
  responses: {
    200: jsonContent(PipelineRunList, "A page of pipeline runs"),
    ...errorResponses(...GUARD_ERRORS, "VALIDATION_ERROR"),
  },
});

const getRun = createRoute({
  ...common,
  method: "get",
  path: "/api/pipeline-runs/{id}",
  operationId: "getPipelineRun",
  summary: "One pipeline run with its steps",
  request: { params: PipelineRunIdParam },
  responses: {
    200: jsonContent(PipelineRun, "The pipeline run"),
    ...errorResponses(...GUARD_ERRORS, "PIPELINE_RUN_NOT_FOUND"),
  },
});

const cancelRun = createRoute({
  ...common,
  method: "delete",
  path: "/api/pipeline-runs/{id}",
  operationId: "cancelPipelineRun",
  summary:
    "Cancel a pipeline run: running and queued steps are cancelled, pending ones never start",
  request: { params: PipelineRunIdParam },
  responses: {
    200: jsonContent(PipelineRun, "The cancelled pipeline run, final"),
    ...errorResponses(
      ...GUARD_ERRORS,
      "FORBIDDEN_ORIGIN",
      "PIPELINE_RUN_NOT_FOUND",
      "PIPELINE_RUN_ALREADY_FINISHED",
      "CONFLICT",
    ),
  },
});

const resumeRun = createRoute({
  ...common,
  method: "post",
  path: "/api/pipeline-runs/{id}/resume",
  operationId: "resumePipelineRun",
  summary: "Start a new run of a failed or cancelled pipeline run; completed steps are reused",
  request: {
    params: PipelineRunIdParam,
    body: { content: { "application/json": { schema: PipelineResumeBody } }, required: true },
  },
  responses: {
    202: jsonContent(PipelineRun, "Accepted: the new pipeline run"),
    ...errorResponses(
      ...GUARD_ERRORS,
      ...BODY_ERRORS,
      "PIPELINE_RUN_NOT_FOUND",
      "PIPELINE_NOT_FOUND",
      "CONFLICT",
      ...RUN_ERRORS,
    ),
  },
});

/** The PIPELINE_VIEW of a pipeline. */
export async function pipelineView(
  s: Services,
  p: CatalogPipeline,
): Promise<z.infer<typeof PipelineView>> {
  const { id, name, description, parameters, steps } = p.def;
  return {
    id,
    name,
    description,
    parameters,
    steps: steps.map((st) => ({
      id: st.id,
      module: st.module,
      parameters: st.parameters,
      ...(st.input === undefined ? {} : { input: st.input }),
      needs: st.needs,
      when: st.when,
    })),
    ...await s.pipelines.stats(id),
  };
}

/** The pipeline routes: listing, start, runs, cancel, resume, events. */
export function pipelineRoutes(app: OpenAPIHono, s: Services): void {
  app.openapi(listPipelines, async (c) => {
    const pipelines = await Promise.all(s.pipelines.pipelines.map((p) => pipelineView(s, p)));
    return c.json({ pipelines, total: pipelines.length }, 200);
  });
  app.openapi(getPipeline, async (c) => {
    const p = s.pipelines.require(c.req.valid("param").id);
    return c.json(await pipelineView(s, p), 200);
  });
  app.openapi(runPipeline, async (c) => {
    const { id } = c.req.valid("param");
    const { parameters } = c.req.valid("json");
    return c.json(await s.pipelines.start({ pipelineId: id, parameters }), 202);
  });
  app.openapi(listRuns, async (c) => {
    const q = c.req.valid("query");
    const page = await s.pipelines.list({
      pipelineId: q.pipeline_id,
      status: q.status,
      limit: q.limit,
      cursor: q.cursor,
    });
    return c.json({ ...page, limit: q.limit }, 200);
  });
  app.openapi(getRun, async (c) => c.json(await s.pipelines.get(c.req.valid("param").id), 200));
  app.openapi(cancelRun, async (c) => {
    return c.json(await s.pipelines.cancel(c.req.valid("param").id), 200);
  });
  app.openapi(resumeRun, async (c) => {
    const { id } = c.req.valid("param");
    const { parameters } = c.req.valid("json");
    return c.json(await s.pipelines.resume(id, parameters), 202);
  });
  pipelineEventRoute(app, s);
}
