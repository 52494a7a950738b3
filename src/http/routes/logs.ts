import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Services } from "../../services.ts";
import {
  errorResponses,
  GUARD_ERRORS,
  jsonContent,
  SECURED,
  streamedResponse,
} from "../openapi.ts";
import { LogPage, LogsQuery, RunIdParam } from "../schemas.ts";

const common = { tags: ["logs"], security: SECURED };

const getLogs = createRoute({
  ...common,
  method: "get",
  path: "/api/runs/{run_id}/logs",
  operationId: "getRunLogs",
  summary: "Stored lines: the last `tail`, or those after `after` (at most `limit`)",
  request: { params: RunIdParam, query: LogsQuery },
  responses: {
    200: jsonContent(LogPage, "A page of lines"),
    ...errorResponses(...GUARD_ERRORS, "RUN_NOT_FOUND", "VALIDATION_ERROR"),
  },
});

const downloadLogs = createRoute({
  ...common,
  method: "get",
  path: "/api/runs/{run_id}/logs/download",
  operationId: "downloadRunLogs",
  summary: "Every line as text: `TIMESTAMP [stream] message`",
  request: { params: RunIdParam },
  responses: {
    200: {
      content: { "text/plain; charset=utf-8": { schema: z.string() } },
      description: "An attachment RUN_ID.log",
    },
    ...errorResponses(...GUARD_ERRORS, "RUN_NOT_FOUND"),
  },
});

/** Stored log pages, tails and download. */
export function logRoutes(app: OpenAPIHono, s: Services): void {
  app.openapi(getLogs, async (c) => {
    const { run_id } = c.req.valid("param");
    return c.json(await s.logReader.page(run_id, c.req.valid("query")), 200);
  });
  app.openapi(downloadLogs, async (c) => {
    const { run_id } = c.req.valid("param");
    await s.logReader.summary(run_id);
    return streamedResponse(
      new Response(s.logReader.download(run_id), {
        headers: {
          "content-type": "text/plain; charset=utf-8",
          "content-disposition": `attachment; filename="${run_id}.log"`,
        },
      }),
    );
  });
}
