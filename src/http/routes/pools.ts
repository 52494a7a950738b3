import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Services } from "../../services.ts";
import { poolViewSchema } from "../../pools/service.ts";
import { errorResponses, GUARD_ERRORS, jsonContent, SECURED } from "../openapi.ts";

/** Body of GET /api/pools. */
export const PoolList = z.object({
  pools: z.array(poolViewSchema.openapi("Pool")),
}).openapi("PoolList");

const listPools = createRoute({
  method: "get",
  path: "/api/pools",
  operationId: "listPools",
  summary: "The resource pools of the module file: slots, slots in use, queued runs, holders",
  tags: ["server"],
  security: SECURED,
  responses: {
    200: jsonContent(PoolList, "Every declared pool, counted across every server"),
    ...errorResponses(...GUARD_ERRORS),
  },
});

/** GET /api/pools. */
export function poolRoutes(app: OpenAPIHono, s: Services): void {
  app.openapi(listPools, async (c) => c.json({ pools: await s.pools.list() }, 200));
}
