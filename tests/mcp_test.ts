// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startServer, type TestServer, waitFor } from "./helpers.ts";

const MODULES = [
  {
    id: "exit",
    script: "exit_code.py",
    parameters: [{ name: "code", type: "number", default: 0, min: 0, max: 100 }],
  },
  {
    id: "sleeper",
    script: "sleeper.py",
    parameters: [{ name: "seconds", type: "number", default: 30 }],
  },
];

/** An MCP client of the SDK, connected to the server's /mcp over HTTP. */
async function connect(server: TestServer, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: "prismq-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
    requestInit: { headers },
  });
  await client.connect(transport);
  return client;
}

async function withClient(fn: (client: Client, server: TestServer) => Promise<void>) {
  const server = await startServer(MODULES);
  try {
    const client = await connect(server);
    try {
      await fn(client, server);
    } finally {
      await client.close();
    }
  } finally {
    await server.close();
  }
}

const call = (client: Client, name: string, args: Record<string, unknown>) =>
  client.callTool({ name, arguments: args }) as Promise<any>;

Deno.test("MCP: the tools are listed with input schemas from the routes' own zod schemas", async () => {
  await withClient(async (client) => {
    const { tools }: { tools: any[] } = await client.listTools() as any;
    assert.deepEqual(tools.map((t) => t.name).sort(), [
      "cancel_run",
      "get_logs",
      "get_pipeline_run",
      "get_run",
      "list_artifacts",
      "list_modules",
      "list_runs",
      "run_module",
      "run_pipeline",
    ]);
    const byName = new Map(tools.map((t) => [t.name, t]));
    const run: any = byName.get("run_module")!.inputSchema;
    assert.deepEqual(run.required, ["module_id"]);
    assert.deepEqual(Object.keys(run.properties).sort(), [
      "input",
      "module_id",
      "parameters",
      "save_config",
      "wait_seconds",
    ]);
    const logs: any = byName.get("get_logs")!.inputSchema;
    assert.equal(logs.properties.tail.type, "integer");
    assert.deepEqual(logs.properties.level.enum, ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]);
    const runs: any = byName.get("list_runs")!.inputSchema;
    assert.deepEqual(runs.properties.status.enum, [
      "queued",
      "running",
      "completed",
      "failed",
      "cancelled",
    ]);
    assert.equal(byName.get("get_run")!.annotations?.readOnlyHint, true);

    const listed = await call(client, "list_modules", {});
    assert.equal(listed.isError, undefined);
    const exit = listed.structuredContent.modules.find((m: any) => m.id === "exit");
    assert.deepEqual(exit.parameters.properties.code, {
      type: "number",
      minimum: 0,
      maximum: 100,
      default: 0,
    });
    assert.deepEqual(JSON.parse(listed.content[0].text), listed.structuredContent);
  });
});

Deno.test("MCP: run_module waits for the run, then get_run, get_logs, list_runs, list_artifacts read it", async () => {
  await withClient(async (client) => {
    const ran = await call(client, "run_module", {
      module_id: "exit",
      parameters: { code: 3 },
      wait_seconds: 60,
    });
    assert.equal(ran.isError, undefined, JSON.stringify(ran));
    const run = ran.structuredContent;
    assert.equal(run.status, "failed");
    assert.equal(run.exit_code, 3);
    assert.deepEqual(JSON.parse(ran.content[0].text), run);

    const got = await call(client, "get_run", { run_id: run.run_id });
    assert.equal(got.structuredContent.exit_code, 3);
    const logs = await call(client, "get_logs", { run_id: run.run_id, tail: 3 });
    assert.equal(logs.structuredContent.logs.length, 3);
    assert.ok(logs.structuredContent.logs.some((l: any) => l.message === "exiting with 3"));
    const errors = await call(client, "get_logs", { run_id: run.run_id, level: "ERROR" });
    assert.deepEqual(errors.structuredContent.logs.map((l: any) => l.message), ["to stderr"]);
    const runs = await call(client, "list_runs", { module_id: "exit", limit: 5 });
    assert.deepEqual(runs.structuredContent.runs.map((r: any) => r.run_id), [run.run_id]);
    const artifacts = await call(client, "list_artifacts", { run_id: run.run_id });
    assert.deepEqual(artifacts.structuredContent, {
      run_id: run.run_id,
      artifacts: [],
      next_cursor: null,
    });

    const quick = await call(client, "run_module", { module_id: "exit" });
    assert.ok(["queued", "running"].includes(quick.structuredContent.status));
  });
});

Deno.test("MCP: cancel_run cancels a running run, and a run_module waiting on it answers at once", async () => {
  await withClient(async (client, server) => {
    const started = Date.now();
    const waiting = call(client, "run_module", { module_id: "sleeper", wait_seconds: 120 });
    const running = await waitFor(async () => {
      const { body } = await server.json("/api/runs?status=running");
      return body.runs[0];
    });
    const other = await connect(server);
    try {
      const cancelled = await call(other, "cancel_run", { run_id: running.run_id });
      assert.equal(cancelled.structuredContent.status, "cancelled");
    } finally {
      await other.close();
    }
    const answer = await waiting;
    assert.equal(answer.structuredContent.run_id, running.run_id);
    assert.equal(answer.structuredContent.status, "cancelled");
    assert.ok(Date.now() - started < 60_000);
    const again = await call(client, "cancel_run", { run_id: running.run_id });
    assert.equal(again.isError, true);
    assert.equal(JSON.parse(again.content[0].text).error_code, "RUN_ALREADY_FINISHED");
  });
});

Deno.test("MCP: errors are tool results with isError and the server's detail", async () => {
  await withClient(async (client) => {
    const unknown = await call(client, "run_module", { module_id: "nope" });
    assert.equal(unknown.isError, true);
    assert.deepEqual(JSON.parse(unknown.content[0].text), {
      detail: 'Module "nope" was not found.',
      error_code: "MODULE_NOT_FOUND",
    });
    const invalid = await call(client, "run_module", {
      module_id: "exit",
      parameters: { code: 1000 },
    });
    assert.equal(invalid.isError, true);
    const body = JSON.parse(invalid.content[0].text);
    assert.equal(body.error_code, "VALIDATION_ERROR");
    assert.equal(body.errors[0].field, "code");
    const badArgs = await call(client, "get_logs", { run_id: "x", tail: 0 });
    assert.equal(badArgs.isError, true);
    const noRun = await call(client, "get_run", { run_id: "missing" });
    assert.equal(JSON.parse(noRun.content[0].text).detail, 'Run "missing" was not found.');
  });
});

Deno.test("MCP: a foreign Origin is refused; GET /mcp answers 405", async () => {
  const server = await startServer(MODULES);
  try {
    await assert.rejects(
      connect(server, { Origin: "http://evil.example" }),
      /403|FORBIDDEN_ORIGIN|may not change anything/,
    );
    const get = await server.request("/mcp", { headers: { accept: "text/event-stream" } });
    await get.body?.cancel();
    assert.equal(get.status, 405);
    const own = await connect(server, { Origin: server.url });
    await own.close();
  } finally {
    await server.close();
  }
});

Deno.test("MCP: with PRISMQ_API_TOKEN, no token (or a wrong one) is refused", async () => {
  const server = await startServer(MODULES, { PRISMQ_API_TOKEN: "s3cret" });
  try {
    await assert.rejects(connect(server), /401|bearer token/i);
    await assert.rejects(connect(server, { Authorization: "Bearer wrong" }), /401|bearer token/i);
    const client = await connect(server, { Authorization: "Bearer s3cret" });
    try {
      const { tools }: { tools: any[] } = await client.listTools() as any;
      assert.equal(tools.length, 9);
    } finally {
      await client.close();
    }
  } finally {
    await server.close();
  }
});
