import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Services } from "../../services.ts";
import type { McpHandler } from "./server.ts";

/**
 * POST /mcp: the Model Context Protocol server (Streamable HTTP, stateless). The SDK is loaded
 * on the first request, so a server nobody asks over MCP does not hold it in memory. GET (a
 * stream for server-sent messages) and DELETE (ending a session) have no use without sessions:
 * 405, as the transport's specification allows.
 */
export function mcpRoutes(app: OpenAPIHono, s: Services): void {
  let handler: Promise<McpHandler> | null = null;
  app.post("/mcp", async (c) => {
    handler ??= import("./server.ts").then((m) => m.createMcpHandler(s));
    return await (await handler)(c.req.raw);
  });
  app.on(["GET", "DELETE"], "/mcp", (c) =>
    c.json(
      {
        jsonrpc: "2.0",
        error: { code: -32000, message: "Method not allowed: this server is stateless." },
        id: null,
      },
      405,
      { Allow: "POST" },
    ));
}
