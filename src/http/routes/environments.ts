import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Services } from "../../services.ts";
import { BODY_ERRORS, errorResponses, GUARD_ERRORS, jsonContent, SECURED } from "../openapi.ts";
import { Message, ModuleIdParam } from "../schemas.ts";

/** The contract's answer of the environment routes. */
export const Environment = z.object({
  module_id: z.string(),
  status: z.enum(["none", "building", "ready", "failed"]),
  env_id: z.string().nullable(),
  python_version: z.string().nullable(),
  built_at: z.string().nullable(),
  build_seconds: z.number().nullable(),
  packages: z.array(z.object({ name: z.string(), version: z.string() })),
  error: z.string().nullable(),
}).openapi("Environment");

const BuildBody = z.object({
  rebuild: z.boolean().default(false).describe("build again even when it is ready"),
}).openapi("EnvironmentBuildBody");

const EnvironmentLog = z.object({
  module_id: z.string(),
  lines: z.array(z.string()),
}).openapi("EnvironmentLog");

const common = { tags: ["modules"], security: SECURED };
const ERRORS = [...GUARD_ERRORS, "MODULE_NOT_FOUND", "NO_ENVIRONMENT"] as const;

const getEnvironment = createRoute({
  ...common,
  method: "get",
  path: "/api/modules/{id}/environment",
  operationId: "getModuleEnvironment",
  summary: "The module's built Python environment on this server",
  request: { params: ModuleIdParam },
  responses: {
    200: jsonContent(Environment, "Its status, Python version and packages"),
    ...errorResponses(...ERRORS),
  },
});

const buildEnvironment = createRoute({
  ...common,
  method: "post",
  path: "/api/modules/{id}/environment",
  operationId: "buildModuleEnvironment",
  summary: "Build the module's environment now (202), unless it is ready (200)",
  request: {
    params: ModuleIdParam,
    body: { content: { "application/json": { schema: BuildBody } }, required: false },
  },
  responses: {
    200: jsonContent(Environment, "Already ready (no rebuild asked)"),
    202: jsonContent(Environment, "Building"),
    ...errorResponses(...ERRORS, ...BODY_ERRORS),
  },
});

const deleteEnvironment = createRoute({
  ...common,
  method: "delete",
  path: "/api/modules/{id}/environment",
  operationId: "deleteModuleEnvironment",
  summary: "Delete the module's environment (runs under way keep their copy)",
  request: { params: ModuleIdParam },
  responses: {
    200: jsonContent(Message, "Deleted"),
    ...errorResponses(...ERRORS, "FORBIDDEN_ORIGIN"),
  },
});

const getEnvironmentLog = createRoute({
  ...common,
  method: "get",
  path: "/api/modules/{id}/environment/log",
  operationId: "getModuleEnvironmentLog",
  summary: "The output of the module's last environment build (or of the one under way)",
  request: { params: ModuleIdParam },
  responses: {
    200: jsonContent(EnvironmentLog, "The build's lines"),
    ...errorResponses(...ERRORS),
  },
});

/** The environment routes of the contract's "Per-module Python environments". */
export function environmentRoutes(app: OpenAPIHono, s: Services): void {
  app.openapi(getEnvironment, (c) => c.json(s.environments.view(c.req.valid("param").id), 200));
  app.openapi(buildEnvironment, (c) => {
    const body: { rebuild?: boolean } | undefined = c.req.valid("json");
    const view = s.environments.build(c.req.valid("param").id, body?.rebuild === true);
    return view.status === "ready" ? c.json(view, 200) : c.json(view, 202);
  });
  app.openapi(deleteEnvironment, async (c) => {
    const message = await s.environments.remove(c.req.valid("param").id);
    return c.json({ message }, 200);
  });
  app.openapi(getEnvironmentLog, (c) => {
    const { id } = c.req.valid("param");
    return c.json({ module_id: id, lines: s.environments.buildLog(id) }, 200);
  });
}
