import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Services } from "../../services.ts";
import { paramValueSchema } from "../../modules/schema.ts";
import { serviceViewSchema } from "../../supervision/model.ts";
import { BODY_ERRORS, errorResponses, GUARD_ERRORS, jsonContent, SECURED } from "../openapi.ts";

const Service = serviceViewSchema.openapi("Service");
const ServiceList = z.object({ services: z.array(Service) }).openapi("ServiceList");
const ServiceIdParam = z.object({
  module_id: z.string().openapi({ param: { name: "module_id", in: "path" }, example: "worker" }),
});
const StartBody = z.object({
  parameters: z.record(z.string(), paramValueSchema.nullable()).default({}),
}).openapi("ServiceStartRequest");

const common = { tags: ["services"], security: SECURED };
const FOUND_ERRORS = ["MODULE_NOT_FOUND", "NOT_A_SERVICE"] as const;

const listServices = createRoute({
  ...common,
  method: "get",
  path: "/api/services",
  operationId: "listServices",
  summary: "Every service module: desired state, replicas and their runs",
  responses: {
    200: jsonContent(ServiceList, "The services"),
    ...errorResponses(...GUARD_ERRORS),
  },
});

const getService = createRoute({
  ...common,
  method: "get",
  path: "/api/services/{module_id}",
  operationId: "getService",
  summary: "One service",
  request: { params: ServiceIdParam },
  responses: {
    200: jsonContent(Service, "The service"),
    ...errorResponses(...GUARD_ERRORS, ...FOUND_ERRORS),
  },
});

const startService = createRoute({
  ...common,
  method: "post",
  path: "/api/services/{module_id}/start",
  operationId: "startService",
  summary: "Set the service running and start its replicas (answers once they are started)",
  request: {
    params: ServiceIdParam,
    body: { content: { "application/json": { schema: StartBody } }, required: false },
  },
  responses: {
    200: jsonContent(Service, "The service, its replicas started"),
    ...errorResponses(
      ...GUARD_ERRORS,
      ...BODY_ERRORS,
      ...FOUND_ERRORS,
      "VALIDATION_ERROR",
      "MODULE_UNAVAILABLE",
      "CONFLICT",
      "QUEUE_FULL",
      "STORAGE_FULL",
      "SHUTTING_DOWN",
    ),
  },
});

const stopService = createRoute({
  ...common,
  method: "post",
  path: "/api/services/{module_id}/stop",
  operationId: "stopService",
  summary: "Set the service stopped and stop its replicas (answers once their runs are final)",
  request: { params: ServiceIdParam },
  responses: {
    200: jsonContent(Service, "The service, its replicas stopped"),
    ...errorResponses(...GUARD_ERRORS, "FORBIDDEN_ORIGIN", ...FOUND_ERRORS, "CONFLICT"),
  },
});

const restartService = createRoute({
  ...common,
  method: "post",
  path: "/api/services/{module_id}/restart",
  operationId: "restartService",
  summary: "Stop the service's replicas, then start them again with its parameters",
  request: { params: ServiceIdParam },
  responses: {
    200: jsonContent(Service, "The service, its replicas started again"),
    ...errorResponses(
      ...GUARD_ERRORS,
      "FORBIDDEN_ORIGIN",
      ...FOUND_ERRORS,
      "VALIDATION_ERROR",
      "MODULE_UNAVAILABLE",
      "CONFLICT",
      "SHUTTING_DOWN",
    ),
  },
});

/** GET /api/services, GET /api/services/{module_id}, POST .../start, .../stop, .../restart. */
export function serviceRoutes(app: OpenAPIHono, s: Services): void {
  const control = s.serviceControl;
  app.openapi(listServices, async (c) => c.json({ services: await control.list() }, 200));
  app.openapi(
    getService,
    async (c) => c.json(await control.get(c.req.valid("param").module_id), 200),
  );
  app.openapi(startService, async (c) => {
    const { module_id } = c.req.valid("param");
    const body = c.req.valid("json") ?? { parameters: {} };
    return c.json(await control.start(module_id, body.parameters ?? {}), 200);
  });
  app.openapi(
    stopService,
    async (c) => c.json(await control.stop(c.req.valid("param").module_id), 200),
  );
  app.openapi(
    restartService,
    async (c) => c.json(await control.restart(c.req.valid("param").module_id), 200),
  );
}
