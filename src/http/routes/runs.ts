import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Services } from "../../services.ts";
import { BODY_ERRORS, errorResponses, GUARD_ERRORS, jsonContent, SECURED } from "../openapi.ts";
import { ListRunsQuery, RerunBody, Run, RunIdParam, RunList } from "../schemas.ts";

const common = { tags: ["runs"], security: SECURED };

const listRuns = createRoute({
  ...common,
  method: "get",
  path: "/api/runs",
  operationId: "listRuns",
  summary: "Runs, newest first, filtered by module and status, paged by cursor",
  request: { query: ListRunsQuery },
  responses: {
    200: jsonContent(RunList, "A page of runs"),
    ...errorResponses(...GUARD_ERRORS, "VALIDATION_ERROR"),
  },
});

const getRun = createRoute({
  ...common,
  method: "get",
  path: "/api/runs/{run_id}",
  operationId: "getRun",
  summary: "One run",
  request: { params: RunIdParam },
  responses: {
    200: jsonContent(Run, "The run"),
    ...errorResponses(...GUARD_ERRORS, "RUN_NOT_FOUND"),
  },
});

const cancelRun = createRoute({
  ...common,
  method: "delete",
  path: "/api/runs/{run_id}",
  operationId: "cancelRun",
  summary: "Cancel a queued or running run; answers once it is cancelled",
  request: { params: RunIdParam },
  responses: {
    200: jsonContent(Run, "The cancelled run"),
    ...errorResponses(
      ...GUARD_ERRORS,
      "FORBIDDEN_ORIGIN",
      "RUN_NOT_FOUND",
      "RUN_ALREADY_FINISHED",
      "STORAGE_FULL",
    ),
  },
});

const rerun = createRoute({
  ...common,
  method: "post",
  path: "/api/runs/{run_id}/rerun",
  operationId: "rerunRun",
  summary: "Run the same module again with the old values, the given ones replacing them",
  request: {
    params: RunIdParam,
    body: { content: { "application/json": { schema: RerunBody } }, required: true },
  },
  responses: {
    202: jsonContent(Run, "Accepted: the new run, running or queued"),
    ...errorResponses(
      ...GUARD_ERRORS,
      ...BODY_ERRORS,
      "RUN_NOT_FOUND",
      "MODULE_NOT_FOUND",
      "MODULE_UNAVAILABLE",
      "QUEUE_FULL",
      "STORAGE_FULL",
      "SHUTTING_DOWN",
    ),
  },
});

/** Run listing, detail, cancel and re-run. */
export function runRoutes(app: OpenAPIHono, s: Services): void {
  app.openapi(listRuns, async (c) => {
    const q = c.req.valid("query");
    const page = await s.runs.list({
      moduleId: q.module_id,
      status: q.status,
      trigger: q.trigger,
      limit: q.limit,
      cursor: q.cursor,
      offset: q.offset,
    });
    return c.json({ ...page, limit: q.limit }, 200);
  });
  app.openapi(getRun, async (c) => c.json(await s.runs.get(c.req.valid("param").run_id), 200));
  app.openapi(rerun, async (c) => {
    const { run_id } = c.req.valid("param");
    return c.json(await s.runs.rerun(run_id, c.req.valid("json").parameters), 202);
  });
  app.openapi(
    cancelRun,
    async (c) => c.json(await s.runs.cancel(c.req.valid("param").run_id), 200),
  );
}
