import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Services } from "../../services.ts";
import { errorResponses, GUARD_ERRORS, jsonContent, SECURED } from "../openapi.ts";
import { HostList } from "../schemas.ts";

const listHosts = createRoute({
  method: "get",
  path: "/api/hosts",
  operationId: "listHosts",
  summary: "The servers sharing this server's store, with their heartbeats (this one first)",
  tags: ["server"],
  security: SECURED,
  responses: {
    200: jsonContent(HostList, "Every server seen within the last day; `alive` while it beats"),
    ...errorResponses(...GUARD_ERRORS),
  },
});

/** GET /api/hosts. */
export function hostRoutes(app: OpenAPIHono, s: Services): void {
  app.openapi(listHosts, async (c) => c.json({ hosts: await s.hosts.list() }, 200));
}
