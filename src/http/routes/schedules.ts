import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Services } from "../../services.ts";
import { encodeInput } from "../../runs/mod.ts";
import { BODY_ERRORS, errorResponses, GUARD_ERRORS, jsonContent, SECURED } from "../openapi.ts";
import { pageQuery } from "../paging.ts";
import { SCHEDULE_ID_PATTERN } from "../../schedules/store.ts";
import { Message, Schedule, ScheduleBody, ScheduleList, SchedulePatch } from "../schemas.ts";

const common = { tags: ["schedules"], security: SECURED };
const ScheduleIdParam = z.object({
  schedule_id: z.string().openapi({ param: { name: "schedule_id", in: "path" } }),
});

const createSchedule = createRoute({
  ...common,
  method: "post",
  path: "/api/schedules",
  operationId: "createSchedule",
  summary: "Create a cron schedule of a module (parameters validated as a run's)",
  request: { body: { content: { "application/json": { schema: ScheduleBody } }, required: true } },
  responses: {
    201: jsonContent(Schedule, "The schedule, with its next_run_at"),
    ...errorResponses(
      ...GUARD_ERRORS,
      ...BODY_ERRORS,
      "MODULE_NOT_FOUND",
      "PIPELINE_NOT_FOUND",
      "MODULE_UNAVAILABLE",
      "INPUT_TOO_LARGE",
      "STORAGE_FULL",
    ),
  },
});

const listSchedules = createRoute({
  ...common,
  method: "get",
  path: "/api/schedules",
  operationId: "listSchedules",
  summary: "Schedules in id order, optionally of one module, paged by cursor",
  request: {
    query: z.object({
      module_id: z.string().max(200).optional(),
      ...pageQuery(z.string().regex(SCHEDULE_ID_PATTERN, "must be a next_cursor")),
    }),
  },
  responses: {
    200: jsonContent(ScheduleList, "The schedules"),
    ...errorResponses(...GUARD_ERRORS, "VALIDATION_ERROR"),
  },
});

const getSchedule = createRoute({
  ...common,
  method: "get",
  path: "/api/schedules/{schedule_id}",
  operationId: "getSchedule",
  summary: "One schedule",
  request: { params: ScheduleIdParam },
  responses: {
    200: jsonContent(Schedule, "The schedule"),
    ...errorResponses(...GUARD_ERRORS, "SCHEDULE_NOT_FOUND"),
  },
});

const patchSchedule = createRoute({
  ...common,
  method: "patch",
  path: "/api/schedules/{schedule_id}",
  operationId: "updateSchedule",
  summary: "Change any of a schedule's fields",
  request: {
    params: ScheduleIdParam,
    body: { content: { "application/json": { schema: SchedulePatch } }, required: true },
  },
  responses: {
    200: jsonContent(Schedule, "The changed schedule"),
    ...errorResponses(
      ...GUARD_ERRORS,
      ...BODY_ERRORS,
      "SCHEDULE_NOT_FOUND",
      "MODULE_NOT_FOUND",
      "PIPELINE_NOT_FOUND",
      "MODULE_UNAVAILABLE",
      "CONFLICT",
      "INPUT_TOO_LARGE",
      "STORAGE_FULL",
    ),
  },
});

const deleteSchedule = createRoute({
  ...common,
  method: "delete",
  path: "/api/schedules/{schedule_id}",
  operationId: "deleteSchedule",
  summary: "Delete a schedule: it never fires again",
  request: { params: ScheduleIdParam },
  responses: {
    200: jsonContent(Message, "Deleted"),
    ...errorResponses(
      ...GUARD_ERRORS,
      "FORBIDDEN_ORIGIN",
      "SCHEDULE_NOT_FOUND",
      "CONFLICT",
      "STORAGE_FULL",
    ),
  },
});

/** Cron schedules of modules. */
export function scheduleRoutes(app: OpenAPIHono, s: Services): void {
  app.openapi(
    createSchedule,
    async (c) => {
      const body = c.req.valid("json");
      const input = encodeInput(body.input, s.settings.maxInputBytes);
      return c.json(await s.schedules.create({ ...body, input }), 201);
    },
  );
  app.openapi(listSchedules, async (c) => {
    const { module_id: moduleId, limit, cursor } = c.req.valid("query");
    return c.json(await s.schedules.list({ moduleId, limit, cursor }), 200);
  });
  app.openapi(
    getSchedule,
    async (c) => c.json(await s.schedules.get(c.req.valid("param").schedule_id), 200),
  );
  app.openapi(patchSchedule, async (c) => {
    const { schedule_id } = c.req.valid("param");
    const body = c.req.valid("json");
    // Absent: the schedule keeps its input; null: none.
    const input = "input" in body ? encodeInput(body.input, s.settings.maxInputBytes) : undefined;
    return c.json(await s.schedules.update(schedule_id, { ...body, input }), 200);
  });
  app.openapi(
    deleteSchedule,
    async (c) =>
      c.json({ message: await s.schedules.delete(c.req.valid("param").schedule_id) }, 200),
  );
}
