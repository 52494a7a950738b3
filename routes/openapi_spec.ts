import { z } from "zod";
import type { ErrorCode } from "../src/errors.ts";
import { buildDocument, type JsonObject, type RouteSpec } from "../src/openapi/document.ts";
import { parameterSchema } from "../src/modules/schema.ts";
import {
  configBodySchema,
  errorSchema,
  healthSchema,
  listRunsQuerySchema,
  logLineSchema,
  logPageSchema,
  logsQuerySchema,
  messageSchema,
  moduleListSchema,
  moduleViewSchema,
  presetSchema,
  runBodySchema,
  runListSchema,
  runViewSchema,
  streamQuerySchema,
} from "./schemas.ts";

// Path and header parameters: the routes read these with c.req.param()/c.req.header().
const moduleIdParams = z.object({ id: z.string().min(1) });
const runIdParams = z.object({ run_id: z.string().min(1) });
const streamHeaders = z.object({ "Last-Event-ID": z.string().regex(/^\d+$/).optional() });

const MODULE_ID_DOC = "The module's `id` from the module file.";
const RUN_ID_DOC = "The `run_id` the run was created with.";

const MODULE_NOT_FOUND = {
  code: "MODULE_NOT_FOUND",
  when: "No module has this id.",
} as const;
const RUN_NOT_FOUND = { code: "RUN_NOT_FOUND", when: "No run has this id." } as const;

/** Every route the app serves, as documented at /openapi.json and /docs. */
export const ROUTES: RouteSpec[] = [
  {
    method: "get",
    path: "/api/health",
    tag: "Health",
    operationId: "getHealth",
    summary: "Service health",
    description: "Always open: it never needs a bearer token, even when one is configured.",
    public: true,
    success: { status: 200, description: "The service is up.", schema: healthSchema },
    errors: [],
  },
  {
    method: "get",
    path: "/api/modules",
    tag: "Modules",
    operationId: "listModules",
    summary: "List modules",
    description:
      "Every module of the module file, with its availability and run statistics. A module " +
      "whose script or interpreter cannot be found is listed with `available: false` and a reason.",
    success: { status: 200, description: "All modules.", schema: moduleListSchema },
    errors: [],
  },
  {
    method: "get",
    path: "/api/modules/{id}",
    tag: "Modules",
    operationId: "getModule",
    summary: "Get a module",
    pathParams: moduleIdParams,
    paramDocs: { id: MODULE_ID_DOC },
    success: { status: 200, description: "The module.", schema: moduleViewSchema },
    errors: [MODULE_NOT_FOUND],
  },
  {
    method: "get",
    path: "/api/modules/{id}/config",
    tag: "Module config",
    operationId: "getModuleConfig",
    summary: "Get a module's saved parameters",
    description: "The parameters' defaults merged with the saved values. " +
      "`updated_at` is null when nothing was saved.",
    pathParams: moduleIdParams,
    paramDocs: { id: MODULE_ID_DOC },
    success: { status: 200, description: "The merged parameters.", schema: presetSchema },
    errors: [MODULE_NOT_FOUND],
  },
  {
    method: "post",
    path: "/api/modules/{id}/config",
    tag: "Module config",
    operationId: "saveModuleConfig",
    summary: "Save a module's parameters",
    description: "Validates the parameters exactly like a run would, saves them, and answers " +
      "like GET.",
    pathParams: moduleIdParams,
    paramDocs: { id: MODULE_ID_DOC },
    body: {
      schema: configBodySchema,
      description: "The parameter values to save, by parameter name.",
      example: { parameters: { count: 3, mode: "fast" } },
    },
    success: { status: 200, description: "The saved, merged parameters.", schema: presetSchema },
    errors: [MODULE_NOT_FOUND, {
      code: "VALIDATION_ERROR",
      when: "The body or a parameter value is invalid; `errors` lists every bad field.",
    }],
  },
  {
    method: "delete",
    path: "/api/modules/{id}/config",
    tag: "Module config",
    operationId: "deleteModuleConfig",
    summary: "Forget a module's saved parameters",
    pathParams: moduleIdParams,
    paramDocs: { id: MODULE_ID_DOC },
    success: { status: 200, description: "The saved values are gone.", schema: messageSchema },
    errors: [MODULE_NOT_FOUND],
  },
  {
    method: "post",
    path: "/api/modules/{id}/run",
    tag: "Runs",
    operationId: "startRun",
    summary: "Start a run",
    description:
      "Validates the parameters and submits a run. It starts at once when a slot is free " +
      "(status `running`), else it waits in the queue (status `queued`, with `queue_position`). " +
      "With `save_config: true` the parameters are also saved as the module's config.",
    pathParams: moduleIdParams,
    paramDocs: { id: MODULE_ID_DOC },
    body: {
      schema: runBodySchema,
      description: "Parameter values by name; missing ones take their defaults.",
      example: { parameters: { count: 3 }, save_config: false },
    },
    success: {
      status: 202,
      description: "The run was accepted: `queued` or already `running`.",
      schema: runViewSchema,
    },
    errors: [
      MODULE_NOT_FOUND,
      {
        code: "VALIDATION_ERROR",
        when: "The body or a parameter value is invalid; `errors` lists every bad field.",
      },
      {
        code: "MODULE_UNAVAILABLE",
        when: "The module is disabled, not active, or its script or interpreter is missing.",
      },
      {
        code: "QUEUE_FULL",
        when: "PRISMQ_MAX_QUEUED_RUNS runs are already waiting.",
      },
      { code: "SHUTTING_DOWN", when: "The server is shutting down and takes no new runs." },
    ],
  },
  {
    method: "get",
    path: "/api/runs",
    tag: "Runs",
    operationId: "listRuns",
    summary: "List runs",
    description: "Newest first, one page at a time. Pass `next_cursor` back as `cursor` for the " +
      "next page; it is null on the last page. `total` counts the runs matching the filters.",
    query: listRunsQuerySchema,
    paramDocs: {
      module_id: "Only runs of this module.",
      status: "Only runs in this status (combines with `module_id`).",
      limit: "Page size, 1..100.",
      cursor: "The `next_cursor` of the previous page.",
      offset: "Runs to skip (0..10000), after `cursor` if both are given; cost grows with it, " +
        "so prefer `cursor` for deep paging.",
    },
    success: { status: 200, description: "One page of runs.", schema: runListSchema },
    errors: [{
      code: "VALIDATION_ERROR",
      when: "A query value is invalid (e.g. `limit` out of range, an unknown `status`, a " +
        "cursor this server did not give out); `errors` lists them.",
    }],
  },
  {
    method: "get",
    path: "/api/runs/{run_id}",
    tag: "Runs",
    operationId: "getRun",
    summary: "Get a run",
    pathParams: runIdParams,
    paramDocs: { run_id: RUN_ID_DOC },
    success: { status: 200, description: "The run.", schema: runViewSchema },
    errors: [RUN_NOT_FOUND],
  },
  {
    method: "delete",
    path: "/api/runs/{run_id}",
    tag: "Runs",
    operationId: "cancelRun",
    summary: "Cancel a run",
    description: "A `queued` run is cancelled before it starts. A `running` one gets a graceful " +
      "stop signal, then its whole process tree is killed after PRISMQ_KILL_GRACE_SECONDS. " +
      "Answers once the run is final (`cancelled`).",
    pathParams: runIdParams,
    paramDocs: { run_id: RUN_ID_DOC },
    success: { status: 200, description: "The cancelled run.", schema: runViewSchema },
    errors: [RUN_NOT_FOUND, {
      code: "RUN_ALREADY_FINISHED",
      when: "The run is already completed, failed or cancelled.",
    }],
  },
  {
    method: "get",
    path: "/api/runs/{run_id}/logs",
    tag: "Logs",
    operationId: "getRunLogs",
    summary: "Read a run's log lines",
    description: "Either the last `tail` lines, or up to `limit` lines after the line `after` " +
      "(a `seq`; 0 or absent means from the start). `tail` wins when both are given. " +
      "Page on with `after = next_after`.",
    pathParams: runIdParams,
    query: logsQuerySchema,
    paramDocs: {
      run_id: RUN_ID_DOC,
      tail: "The last N lines, 1..10000.",
      after: "Only lines with a greater `seq`.",
      limit: "At most this many lines with `after`, 1..10000.",
    },
    success: { status: 200, description: "A page of lines.", schema: logPageSchema },
    errors: [RUN_NOT_FOUND, {
      code: "VALIDATION_ERROR",
      when: "A query value is invalid; `errors` lists them.",
    }],
  },
  {
    method: "get",
    path: "/api/runs/{run_id}/logs/download",
    tag: "Logs",
    operationId: "downloadRunLogs",
    summary: "Download a run's whole log",
    description: "Every stored line in order, one per line: `TIMESTAMP [STREAM] MESSAGE`.",
    pathParams: runIdParams,
    paramDocs: { run_id: RUN_ID_DOC },
    success: {
      status: 200,
      description: "The log as a text attachment named `RUN_ID.log`.",
      contentType: "text/plain; charset=utf-8",
      headers: {
        "Content-Disposition": {
          description: 'attachment; filename="RUN_ID.log"',
          schema: { type: "string" },
        },
      },
    },
    errors: [RUN_NOT_FOUND],
  },
  {
    method: "get",
    path: "/api/runs/{run_id}/logs/stream",
    tag: "Logs",
    operationId: "streamRunLogs",
    summary: "Stream a run's log live (Server-Sent Events)",
    description: [
      "First the lines already stored (after `Last-Event-ID`, else after `?after=`, else all), " +
      "then new lines as they are printed.",
      "",
      "- A line is a default (unnamed) event: `id: SEQ`, `data: LINE` as JSON " +
      "(`EventSource.onmessage` receives it). Reconnecting with `Last-Event-ID` resumes after it.",
      "- `event: status`, `data: RUN` as JSON, on each status change.",
      "- `event: end`, `data: RUN` as JSON, once the run is final and every line was sent; " +
      "then the server closes the stream.",
      '- `event: error`, `data: {"detail": ..., "error_code": "INTERNAL_ERROR"}`, if the stream fails on the server; then it ' +
      "closes.",
      "- A comment `: keep-alive` every 15 s.",
      "",
      "A `queued` run streams its status events and waits. Streams also end when the server " +
      "shuts down.",
    ].join("\n"),
    pathParams: runIdParams,
    query: streamQuerySchema,
    headers: streamHeaders,
    paramDocs: {
      run_id: RUN_ID_DOC,
      after: "Replay only lines with a greater `seq` (ignored when `Last-Event-ID` is sent).",
      "Last-Event-ID": "The `seq` of the last line received; the stream resumes after it.",
    },
    success: {
      status: 200,
      description: "An event stream of the run's lines and status.",
      contentType: "text/event-stream",
      extensions: {
        "x-sse-events": [
          {
            event: "message",
            id: "the line's seq",
            description: "One log line (default, unnamed event).",
            data: { $ref: "#/components/schemas/LogLine" },
          },
          {
            event: "status",
            description: "The run's status changed.",
            data: { $ref: "#/components/schemas/Run" },
          },
          {
            event: "end",
            description: "The run is final and every line was sent; the stream closes.",
            data: { $ref: "#/components/schemas/Run" },
          },
          {
            event: "error",
            description: "The stream failed on the server; it closes.",
            data: {
              type: "object",
              properties: { detail: { type: "string" } },
              required: ["detail"],
            },
          },
        ],
      },
    },
    errors: [RUN_NOT_FOUND, {
      code: "VALIDATION_ERROR",
      when: "`after` or `Last-Event-ID` is not a whole number.",
    }],
  },
  {
    method: "get",
    path: "/openapi.json",
    tag: "Documentation",
    operationId: "getOpenApi",
    summary: "This OpenAPI document",
    public: true,
    success: {
      status: 200,
      description: "The OpenAPI 3 document.",
      schema: z.record(z.string(), z.unknown()),
    },
    errors: [],
  },
  {
    method: "get",
    path: "/docs",
    tag: "Documentation",
    operationId: "getDocs",
    summary: "API documentation page",
    description: "A self-contained page (no external assets) that renders /openapi.json.",
    public: true,
    success: {
      status: 200,
      description: "The documentation page.",
      contentType: "text/html; charset=utf-8",
    },
    errors: [],
  },
];

const ERROR_CODES: Record<ErrorCode, string> = {
  BAD_REQUEST: "The request body is not valid JSON.",
  UNAUTHORIZED: "A token is configured and the request lacks `Authorization: Bearer <token>`.",
  NOT_FOUND: "No route matches the method and path (also a wrong method on a known path).",
  MODULE_NOT_FOUND: "No module has the given id.",
  RUN_NOT_FOUND: "No run has the given id.",
  RUN_ALREADY_FINISHED: "The run to cancel is already final.",
  PAYLOAD_TOO_LARGE: "The request body is larger than 1 MiB.",
  VALIDATION_ERROR: "A body, query or header value is invalid; `errors` lists {field, message}.",
  MODULE_UNAVAILABLE: "The module cannot run: disabled, not active, or script/interpreter missing.",
  QUEUE_FULL: "The run queue is full (PRISMQ_MAX_QUEUED_RUNS).",
  INTERNAL_ERROR: "An unexpected failure on the server.",
  SHUTTING_DOWN: "The server is shutting down and takes no new runs.",
};

const TIMESTAMP_FIELDS = new Set([
  "created_at",
  "started_at",
  "completed_at",
  "updated_at",
  "last_run",
  "timestamp",
]);

/** Timestamps are ISO 8601 UTC strings ending in `Z`. */
function markTimestamps(schema: JsonObject): void {
  const props = schema.properties as Record<string, JsonObject> | undefined;
  if (!props || typeof props !== "object") return;
  for (const [name, prop] of Object.entries(props)) {
    if (TIMESTAMP_FIELDS.has(name) && prop.type === "string") prop.format = "date-time";
  }
}

const DESCRIPTION = [
  "Runs PrismQ modules (Python and other scripts) as child processes, queues them, stores " +
  "their output in Deno KV and streams it live.",
  "",
  "All bodies are JSON; every timestamp is ISO 8601 in UTC ending in `Z`. Every error answers " +
  '`{"detail": "...", "error_code": "UPPER_SNAKE", "errors": [{field, message}]?}`; ' +
  "`errors` lists the fields of a validation failure. An unknown path answers 404 " +
  "`NOT_FOUND`.",
  "",
  "When PRISMQ_API_TOKEN is set, every `/api` route but `/api/health` needs " +
  "`Authorization: Bearer <token>`.",
].join("\n");

/** The OpenAPI document of the service, generated from the routes' zod schemas. */
export function buildOpenApiDocument(version: string): JsonObject {
  return buildDocument({
    title: "PrismQ Module Runner",
    version,
    description: DESCRIPTION,
    tags: [
      { name: "Health", description: "Is the service up." },
      { name: "Modules", description: "The module catalog from the module file." },
      { name: "Module config", description: "Saved parameter values of a module." },
      { name: "Runs", description: "Starting, listing and cancelling runs." },
      { name: "Logs", description: "A run's output: pages, download, live stream." },
      { name: "Documentation", description: "This document and its page." },
    ],
    routes: ROUTES,
    errorSchema,
    outputSchemas: {
      Health: healthSchema,
      ModuleList: moduleListSchema,
      ModuleView: moduleViewSchema,
      Parameter: parameterSchema,
      Preset: presetSchema,
      Message: messageSchema,
      Run: runViewSchema,
      RunList: runListSchema,
      LogLine: logLineSchema,
      LogPage: logPageSchema,
    },
    inputSchemas: { RunRequest: runBodySchema, ConfigRequest: configBodySchema },
    errorCodes: ERROR_CODES,
    authDescription: "Only enforced when the server has PRISMQ_API_TOKEN set; `/api/health`, " +
      "`/openapi.json` and `/docs` never need it.",
    decorate: markTimestamps,
  });
}
