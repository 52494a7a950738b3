import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Services } from "../../services.ts";
import { encodeInput } from "../../runs/mod.ts";
import { takenInput } from "../input_body.ts";
import { answerSent } from "../answer_sent.ts";
import {
  BODY_ERRORS,
  errorResponses,
  GUARD_ERRORS,
  jsonContent,
  SECURED,
  streamedResponse,
} from "../openapi.ts";
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
      "INPUT_NOT_FOUND",
      "INPUT_TOO_LARGE",
      "QUEUE_FULL",
      "STORAGE_FULL",
      "SHUTTING_DOWN",
    ),
  },
});

const getInput = createRoute({
  ...common,
  method: "get",
  path: "/api/runs/{run_id}/input",
  operationId: "getRunInput",
  summary: "The run's stdin input, as it was given",
  request: { params: RunIdParam },
  responses: {
    200: {
      description: "The input: JSON when given as a JSON value, text when given as a string",
      content: {
        "application/json": { schema: z.unknown() },
        "text/plain; charset=utf-8": { schema: z.string() },
      },
    },
    ...errorResponses(...GUARD_ERRORS, "RUN_NOT_FOUND", "INPUT_NOT_FOUND"),
  },
});

/** One page of runs, as `GET /api/runs` answers it (also MCP's list_runs). */
export async function runPage(s: Services, q: z.infer<typeof ListRunsQuery>) {
  const page = await s.runs.list({
    moduleId: q.module_id,
    status: q.status,
    trigger: q.trigger,
    limit: q.limit,
    cursor: q.cursor,
    offset: q.offset,
  });
  return { ...page, limit: q.limit };
}

/** Run listing, detail, cancel, re-run and input. */
export function runRoutes(app: OpenAPIHono, s: Services): void {
  app.openapi(listRuns, async (c) => c.json(await runPage(s, c.req.valid("query")), 200));
  app.openapi(getRun, async (c) => c.json(await s.runs.get(c.req.valid("param").run_id), 200));
  app.openapi(rerun, async (c) => {
    const { run_id } = c.req.valid("param");
    const body = c.req.valid("json");
    // Absent: the old run's input again; null: none; else the new one.
    const input = takenInput(c) ??
      ("input" in body ? encodeInput(body.input, s.settings.maxInputBytes) : undefined);
    const given = { parameters: body.parameters, input, launchAfter: answerSent(c) };
    return c.json(await s.runs.rerun(run_id, given), 202);
  });
  app.openapi(getInput, async (c) => {
    const input = await s.runs.input(c.req.valid("param").run_id);
    const type = input.type === "json" ? "application/json" : "text/plain; charset=utf-8";
    return streamedResponse(
      new Response(input.bytes as Uint8Array<ArrayBuffer>, {
        status: 200,
        headers: { "content-type": type },
      }),
    );
  });
  app.openapi(
    cancelRun,
    async (c) => c.json(await s.runs.cancel(c.req.valid("param").run_id), 200),
  );
}
