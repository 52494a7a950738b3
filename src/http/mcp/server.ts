import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Services } from "../../services.ts";
import { errorEnvelope, toAppError } from "../errors.ts";
import { TOOLS, type ToolSpec } from "./tools.ts";

/** Answers one POST /mcp (a JSON-RPC message or batch) with a Response. */
export type McpHandler = (request: Request) => Promise<Response>;

/**
 * The MCP server, stateless: each request gets a server and a transport of its own (the SDK's
 * stateless pattern), answered as plain JSON rather than an SSE stream.
 */
export function createMcpHandler(s: Services): McpHandler {
  return async (request) => {
    const server = new McpServer(
      { name: "prismq-runner", version: s.version },
      { capabilities: { tools: {} } },
    );
    // Not request.signal: Deno aborts it after every answer too, and says so on the console.
    const signal = s.lifecycle.signal;
    for (const spec of TOOLS) registerTool(server, s, spec, signal);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request);
    } finally {
      await server.close();
    }
  };
}

function registerTool(server: McpServer, s: Services, spec: ToolSpec, signal: AbortSignal) {
  server.registerTool(
    spec.name,
    {
      title: spec.title,
      description: spec.description,
      inputSchema: spec.input,
      outputSchema: spec.output,
      annotations: { readOnlyHint: spec.readOnly, openWorldHint: false },
    },
    async (args: unknown, extra: { signal: AbortSignal }): Promise<CallToolResult> => {
      try {
        const value = await spec.call(s, args as never, AbortSignal.any([signal, extra.signal]));
        return {
          content: [{ type: "text", text: JSON.stringify(value) }],
          structuredContent: value,
        };
      } catch (err) {
        const appError = toAppError(err);
        if (appError.code === "INTERNAL_ERROR") console.error(`MCP ${spec.name} failed:`, err);
        const envelope = errorEnvelope(appError);
        return { content: [{ type: "text", text: JSON.stringify(envelope) }], isError: true };
      }
    },
  );
}
