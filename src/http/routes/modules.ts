import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Services } from "../../services.ts";
import { encodeInput } from "../../runs/mod.ts";
import { takenInput } from "../input_body.ts";
import { answerSent } from "../answer_sent.ts";
import { BODY_ERRORS, errorResponses, GUARD_ERRORS, jsonContent, SECURED } from "../openapi.ts";
import {
  ConfigBody,
  Message,
  ModuleIdParam,
  ModuleList,
  ModuleView,
  Preset,
  Run,
  RunBody,
} from "../schemas.ts";

const common = { tags: ["modules"], security: SECURED };

const listModules = createRoute({
  ...common,
  method: "get",
  path: "/api/modules",
  operationId: "listModules",
  summary: "Every module with availability and run statistics",
  responses: { 200: jsonContent(ModuleList, "The modules"), ...errorResponses(...GUARD_ERRORS) },
});

const getModule = createRoute({
  ...common,
  method: "get",
  path: "/api/modules/{id}",
  operationId: "getModule",
  summary: "One module",
  request: { params: ModuleIdParam },
  responses: {
    200: jsonContent(ModuleView, "The module"),
    ...errorResponses(...GUARD_ERRORS, "MODULE_NOT_FOUND"),
  },
});

const getConfig = createRoute({
  ...common,
  method: "get",
  path: "/api/modules/{id}/config",
  operationId: "getModuleConfig",
  summary: "Saved parameters: the defaults merged with the saved values",
  request: { params: ModuleIdParam },
  responses: {
    200: jsonContent(Preset, "The saved parameters"),
    ...errorResponses(...GUARD_ERRORS, "MODULE_NOT_FOUND"),
  },
});

const saveConfig = createRoute({
  ...common,
  method: "post",
  path: "/api/modules/{id}/config",
  operationId: "saveModuleConfig",
  summary: "Save parameters (validated like a run; passwords are never saved)",
  request: {
    params: ModuleIdParam,
    body: { content: { "application/json": { schema: ConfigBody } }, required: true },
  },
  responses: {
    200: jsonContent(Preset, "The saved parameters"),
    ...errorResponses(...GUARD_ERRORS, ...BODY_ERRORS, "MODULE_NOT_FOUND", "STORAGE_FULL"),
  },
});

const deleteConfig = createRoute({
  ...common,
  method: "delete",
  path: "/api/modules/{id}/config",
  operationId: "deleteModuleConfig",
  summary: "Forget the saved parameters",
  request: { params: ModuleIdParam },
  responses: {
    200: jsonContent(Message, "Forgotten"),
    ...errorResponses(...GUARD_ERRORS, "FORBIDDEN_ORIGIN", "MODULE_NOT_FOUND", "STORAGE_FULL"),
  },
});

const submitRun = createRoute({
  ...common,
  method: "post",
  path: "/api/modules/{id}/run",
  operationId: "runModule",
  summary: "Start a run (202: running at once, or queued)",
  request: {
    params: ModuleIdParam,
    body: { content: { "application/json": { schema: RunBody } }, required: true },
  },
  responses: {
    202: jsonContent(Run, "Accepted: the run is running or queued"),
    ...errorResponses(
      ...GUARD_ERRORS,
      ...BODY_ERRORS,
      "MODULE_NOT_FOUND",
      "MODULE_UNAVAILABLE",
      "INPUT_TOO_LARGE",
      "QUEUE_FULL",
      "STORAGE_FULL",
      "SHUTTING_DOWN",
    ),
  },
});

/** Module catalog, presets and run submission. */
export function moduleRoutes(app: OpenAPIHono, s: Services): void {
  app.openapi(listModules, async (c) => {
    const modules = await s.moduleViews.list();
    return c.json({ modules, total: modules.length }, 200);
  });
  app.openapi(
    getModule,
    async (c) => c.json(await s.moduleViews.view(c.req.valid("param").id), 200),
  );
  app.openapi(getConfig, async (c) => c.json(await s.configs.get(c.req.valid("param").id), 200));
  app.openapi(saveConfig, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await s.configs.save(id, c.req.valid("json").parameters), 200);
  });
  app.openapi(deleteConfig, async (c) => {
    const id = await s.configs.reset(c.req.valid("param").id);
    return c.json({ message: `Saved parameters of "${id}" were deleted.` }, 200);
  });
  app.openapi(submitRun, async (c) => {
    const body = c.req.valid("json");
    const input = takenInput(c) ?? encodeInput(body.input, s.settings.maxInputBytes);
    const { id } = c.req.valid("param");
    // Its process is spawned once Deno has taken this answer (RunRequest.launchAfter).
    const run = await s.runs.submit({
      moduleId: id,
      parameters: body.parameters,
      saveConfig: body.save_config,
      input,
      launchAfter: answerSent(c),
    });
    return c.json(run, 202);
  });
}
