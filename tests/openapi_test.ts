// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON documents
import assert from "node:assert/strict";
import type { ErrorCode } from "../src/errors.ts";
import { HTTP_STATUS as ERROR_STATUS } from "../src/http/errors.ts";
import { startServer, type TestServer } from "./helpers.ts";

const MODULES = [{ id: "echo", script: "echo_args.py" }];
const METHODS = ["get", "post", "put", "patch", "delete"];

/**
 * The routes the document must cover: the API and the document's own. The web UI's pages and
 * assets are not API and stay out of it.
 */
const DOCUMENTED = /^\/api\/|^\/openapi\.json$|^\/metrics$|^\/docs(\/|$)/;

/** Every (METHOD path) of the API the Hono app serves, in OpenAPI's `{param}` form. */
function appOperations(server: TestServer): Set<string> {
  const ops = new Set<string>();
  for (const route of server.app.routes) {
    if (route.method === "ALL") continue; // middleware
    if (!DOCUMENTED.test(route.path)) continue;
    ops.add(`${route.method.toUpperCase()} ${route.path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}")}`);
  }
  return ops;
}

function documentedOperations(doc: any): Map<string, any> {
  const ops = new Map<string, any>();
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      if (METHODS.includes(method)) ops.set(`${method.toUpperCase()} ${path}`, op);
    }
  }
  return ops;
}

/** The error codes an operation documents, by HTTP status. */
function documentedErrors(op: any): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const [status, response] of Object.entries<any>(op.responses)) {
    if (Number(status) < 400) continue;
    const schema = response.content?.["application/json"]?.schema;
    const codes = schema?.allOf?.[1]?.properties?.error_code?.enum ?? [];
    out.set(Number(status), codes);
  }
  return out;
}

async function openapi(server: TestServer): Promise<any> {
  const res = await server.request("/openapi.json");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^application\/json/);
  return await res.json();
}

Deno.test("/openapi.json is an OpenAPI 3 document that documents exactly the routes the app serves", async () => {
  const server = await startServer(MODULES);
  try {
    const doc = await openapi(server);
    assert.match(doc.openapi, /^3\./);
    assert.equal(doc.info.version, server.runner.services.version);
    assert.equal(typeof doc.info.title, "string");
    assert.ok(Object.keys(doc.paths).length > 0);

    const served = appOperations(server);
    const documented = documentedOperations(doc);
    assert.ok(served.size >= 15, `expected every route, got ${[...served].join(", ")}`);
    const undocumented = [...served].filter((op) => !documented.has(op));
    assert.deepEqual(undocumented, [], "routes the app serves but the document lacks");
    const phantom = [...documented.keys()].filter((op) => !served.has(op));
    assert.deepEqual(phantom, [], "documented operations the app does not serve");
    const outside = [...documented.keys()].filter((op) => !DOCUMENTED.test(op.split(" ")[1]));
    assert.deepEqual(outside, [], "the UI's pages are not in the document");
    const ui = server.app.routes.filter((r) => r.method === "GET" && !DOCUMENTED.test(r.path));
    assert.ok(ui.some((r) => r.path === "/"), "the UI is served, outside the document");

    // Every path parameter of a path is declared as such.
    for (const [key, op] of documented) {
      const names = [...key.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? []).filter((p: any) => p.in === "path")
        .map((p: any) => p.name).sort();
      assert.deepEqual(declared, names, `path parameters of ${key}`);
      assert.ok(op.summary, `summary of ${key}`);
      assert.ok(op.operationId, `operationId of ${key}`);
    }
  } finally {
    await server.close();
  }
});

Deno.test("every operation documents its errors with the envelope and codes that fit their status", async () => {
  const server = await startServer(MODULES);
  try {
    const doc = await openapi(server);
    const envelope = doc.components.schemas.Error;
    assert.deepEqual(envelope.required, ["detail", "error_code"]);
    assert.ok(envelope.properties.errors, "the envelope lists field errors");

    for (const [key, op] of documentedOperations(doc)) {
      const errors = documentedErrors(op);
      assert.ok(errors.size > 0, `${key} documents no error response`);
      for (const [status, codes] of errors) {
        const schema = op.responses[status].content["application/json"].schema;
        assert.equal(schema.allOf[0].$ref, "#/components/schemas/Error", `${key} ${status}`);
        assert.ok(codes.length > 0, `${key} ${status} names its error codes`);
        for (const code of codes) {
          assert.equal(ERROR_STATUS[code as ErrorCode], status, `${key}: ${code} under ${status}`);
        }
      }
      const successes = Object.keys(op.responses).filter((s) => Number(s) < 400 && s !== "204");
      // The contract answers a build 202 (building) or 200 (already ready): both are documented.
      const expected = key === "POST /api/modules/{id}/environment" ? 2 : 1;
      assert.equal(successes.length, expected, `${key} has one success response with a body`);
      const secured = (key.includes(" /api/") && key !== "GET /api/health") ||
        key === "GET /metrics";
      assert.equal(op.security.length > 0, secured, `security of ${key}`);
      if (secured) assert.ok(errors.get(401)?.includes("UNAUTHORIZED"), `${key} documents 401`);
    }

    const ops = documentedOperations(doc);
    const run = ops.get("POST /api/modules/{id}/run");
    assert.ok(run.responses["202"], "a run is accepted with 202");
    const runErrors = documentedErrors(run);
    for (
      const code of [
        "BAD_REQUEST",
        "MODULE_NOT_FOUND",
        "PAYLOAD_TOO_LARGE",
        "VALIDATION_ERROR",
        "MODULE_UNAVAILABLE",
        "QUEUE_FULL",
        "STORAGE_FULL",
        "SHUTTING_DOWN",
      ]
    ) {
      assert.ok(runErrors.get(ERROR_STATUS[code as ErrorCode])?.includes(code), code);
    }
    assert.ok(
      documentedErrors(ops.get("DELETE /api/runs/{run_id}")).get(409)?.includes(
        "RUN_ALREADY_FINISHED",
      ),
    );
    assert.ok(run.requestBody.content["application/json"].schema.$ref);
    assert.ok(
      ops.get("GET /api/runs/{run_id}/logs/stream").responses["200"].content["text/event-stream"],
    );
    assert.ok(
      ops.get("GET /api/runs/{run_id}/logs/download").responses["200"].content[
        "text/plain; charset=utf-8"
      ],
    );
    const listQuery = ops.get("GET /api/runs").parameters.filter((p: any) => p.in === "query");
    assert.deepEqual(listQuery.map((p: any) => p.name).sort(), [
      "cursor",
      "limit",
      "module_id",
      "offset",
      "status",
      "trigger",
    ]);
    const limit = listQuery.find((p: any) => p.name === "limit");
    assert.deepEqual([limit.schema.minimum, limit.schema.maximum, limit.schema.default], [
      1,
      100,
      50,
    ]);

    // Every $ref points at a component that exists.
    const refs = JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g);
    for (const [, name] of refs) assert.ok(doc.components.schemas[name], `missing schema ${name}`);
  } finally {
    await server.close();
  }
});

Deno.test("the errors the routes answer are the ones the document lists", async () => {
  const server = await startServer(MODULES, { PRISMQ_API_TOKEN: "secret-token" });
  try {
    const doc = await openapi(server);
    const ops = documentedOperations(doc);
    const auth = { authorization: "Bearer secret-token" };
    const cases: [string, string, RequestInit][] = [
      ["GET /api/modules/{id}", "/api/modules/nope", { headers: auth }],
      ["GET /api/modules/{id}/config", "/api/modules/nope/config", { headers: auth }],
      ["GET /api/runs/{run_id}", "/api/runs/nope", { headers: auth }],
      ["DELETE /api/runs/{run_id}", "/api/runs/nope", { method: "DELETE", headers: auth }],
      ["GET /api/runs/{run_id}/logs", "/api/runs/nope/logs", { headers: auth }],
      ["GET /api/runs/{run_id}/logs/download", "/api/runs/nope/logs/download", { headers: auth }],
      ["GET /api/runs/{run_id}/logs/stream", "/api/runs/nope/logs/stream?after=x", {
        headers: auth,
      }],
      ["GET /api/runs", "/api/runs?limit=0", { headers: auth }],
      ["GET /api/runs", "/api/runs", {}],
      ["POST /api/modules/{id}/run", "/api/modules/echo/run", {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: "{not json",
      }],
      ["POST /api/modules/{id}/config", "/api/modules/echo/config", {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ parameters: 7 }),
      }],
    ];
    for (const [op, path, init] of cases) {
      const res = await server.request(path, init);
      const body = await res.json();
      const codes = documentedErrors(ops.get(op)).get(res.status);
      assert.ok(
        codes?.includes(body.error_code),
        `${op} answered ${res.status} ${body.error_code}, not documented`,
      );
    }
    const health = await server.json("/api/health");
    assert.equal(health.status, 200, "health stays open with a token");
    assert.deepEqual(ops.get("GET /api/health").security, []);
    assert.ok(doc.components.securitySchemes.bearerAuth);
  } finally {
    await server.close();
  }
});

Deno.test("/docs renders the document with the server's own assets: nothing remote, no inline script", async () => {
  const server = await startServer(MODULES);
  try {
    const res = await server.request("/docs");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/html/);
    const html = await res.text();
    assert.match(html, /<html/);
    assert.doesNotMatch(html, /https?:\/\//, "no absolute URL at all");
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(assets.length >= 3, "a renderer, its style and the start script");
    let scripts = "";
    for (const asset of assets) {
      assert.match(asset, /^\/[^/]/, `${asset} is a path on this server`);
      const file = await server.request(asset);
      assert.equal(file.status, 200, asset);
      assert.match(file.headers.get("content-type")!, /^text\/(javascript|css)/, asset);
      const text = await file.text();
      if (asset.endsWith(".js")) scripts += text;
    }
    assert.ok(scripts.includes("/openapi.json"), "the page loads the document");
    assert.ok(scripts.includes("SwaggerUIBundle"), "the maintained renderer is served");
    const missing = await server.json("/docs/assets/nope.js");
    assert.equal(missing.status, 404, "only the listed assets are served");
    assert.equal(missing.body.error_code, "NOT_FOUND");
  } finally {
    await server.close();
  }
});
