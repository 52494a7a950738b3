import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { moduleFileJsonSchema } from "../../modules/file_schema.ts";
import { errorResponses, GUARD_ERRORS, jsonContent, SECURED } from "../openapi.ts";

const getSchema = createRoute({
  tags: ["modules"],
  security: SECURED,
  method: "get",
  path: "/api/module-file.schema.json",
  operationId: "getModuleFileSchema",
  summary: "The module file's JSON Schema (generated from the server's own checks)",
  responses: {
    200: jsonContent(z.record(z.string(), z.unknown()), "A JSON Schema (draft 2020-12)"),
    ...errorResponses(...GUARD_ERRORS),
  },
});

/** The module file's JSON Schema, for editors. */
export function moduleFileRoutes(app: OpenAPIHono): void {
  app.openapi(getSchema, (c) => c.json(moduleFileJsonSchema(), 200));
}
