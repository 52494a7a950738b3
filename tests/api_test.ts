// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { startServer, waitFinal } from "./helpers.ts";

const MODULES = [
  {
    id: "echo",
    script: "echo_args.py",
    parameters: [
      { name: "word", type: "text", default: "hi", required: true },
      { name: "n", type: "number", default: 2, min: 1, max: 10 },
      { name: "mode", type: "select", options: ["a", "b"], default: "a" },
      { name: "b_only", type: "text", conditional_display: { field: "mode", value: "b" } },
      { name: "secret", type: "password" },
    ],
  },
  {
    id: "other",
    script: "exit_code.py",
    parameters: [{ name: "code", type: "number", default: 0 }],
  },
  { id: "off", script: "echo_args.py", enabled: false },
  { id: "gone", script: "does_not_exist.py" },
];

Deno.test("health, module list and module detail", async () => {
  const server = await startServer(MODULES);
  try {
    const health = await server.json("/api/health");
    assert.equal(health.status, 200);
    assert.equal(health.body.status, "healthy");
    assert.equal(health.body.total_modules, 4);
    assert.equal(health.body.active_runs, 0);
    assert.equal(health.body.queued_runs, 0);
    assert.equal(typeof health.body.version, "string");
    assert.equal(typeof health.body.uptime_seconds, "number");

    const list = await server.json("/api/modules");
    assert.equal(list.body.total, 4);
    const byId = Object.fromEntries(list.body.modules.map((m: any) => [m.id, m]));
    assert.equal(byId.echo.available, true);
    assert.equal(byId.echo.unavailable_reason, null);
    assert.equal(byId.echo.version, "1.0.0");
    assert.equal(byId.echo.status, "active");
    assert.equal(byId.echo.total_runs, 0);
    assert.equal(byId.echo.success_rate, null);
    assert.equal(byId.echo.last_run, null);
    assert.equal(byId.off.available, false);
    assert.match(byId.off.unavailable_reason, /disabled/);
    assert.equal(byId.gone.available, false);
    assert.match(byId.gone.unavailable_reason, /not found/);

    const missing = await server.json("/api/modules/nope");
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error_code, "MODULE_NOT_FOUND");
    assert.equal(typeof missing.body.detail, "string");

    // Stats follow runs: one completed, one failed.
    const ok = (await server.post("/api/modules/other/run", { parameters: { code: 0 } })).body;
    const bad = (await server.post("/api/modules/other/run", { parameters: { code: 1 } })).body;
    await waitFinal(server, ok.run_id);
    await waitFinal(server, bad.run_id);
    const other = (await server.json("/api/modules/other")).body;
    assert.equal(other.total_runs, 2);
    assert.equal(other.success_rate, 50);
    assert.equal(other.last_run, bad.created_at);
  } finally {
    await server.close();
  }
});

Deno.test("run submission validates every field and refuses unavailable modules", async () => {
  const server = await startServer(MODULES);
  try {
    const bad = await server.post("/api/modules/echo/run", {
      parameters: { word: "", n: "abc", mode: "c", b_only: 5, extra: 1 },
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error_code, "VALIDATION_ERROR");
    const fields = bad.body.errors.map((e: any) => e.field).sort();
    // b_only is ignored: its condition (mode = b) does not hold.
    assert.deepEqual(fields, ["extra", "mode", "n", "word"]);
    for (const e of bad.body.errors) assert.equal(typeof e.message, "string");

    const off = await server.post("/api/modules/off/run", {});
    assert.equal(off.status, 422);
    assert.equal(off.body.error_code, "MODULE_UNAVAILABLE");
    const gone = await server.post("/api/modules/gone/run", {});
    assert.equal(gone.body.error_code, "MODULE_UNAVAILABLE");
    const unknown = await server.post("/api/modules/nope/run", {});
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error_code, "MODULE_NOT_FOUND");

    const wrongBody = await server.post("/api/modules/echo/run", {
      parameters: [],
      save_config: "yes",
    });
    assert.equal(wrongBody.status, 422);
    assert.deepEqual(wrongBody.body.errors.map((e: any) => e.field).sort(), [
      "parameters",
      "save_config",
    ]);

    const ok = await server.post("/api/modules/echo/run", {
      parameters: { n: "3", secret: "hunter2" },
    });
    assert.equal(ok.status, 202);
    assert.deepEqual(ok.body.parameters, { word: "hi", n: 3, mode: "a", secret: "********" });
    const run = await waitFinal(server, ok.body.run_id);
    const logs = (await server.json(`/api/runs/${run.run_id}/logs`)).body.logs;
    const argv = JSON.parse(logs.find((l: any) => l.stream === "stdout").message).argv;
    assert.deepEqual(argv, ["--word", "hi", "--n", "3", "--mode", "a", "--secret", "hunter2"]);
    assert.ok(!logs.some((l: any) => l.stream === "system" && l.message.includes("hunter2")));
  } finally {
    await server.close();
  }
});

Deno.test("saved presets: defaults merged, validated like a run, saved by save_config, deleted", async () => {
  const server = await startServer(MODULES);
  try {
    const initial = await server.json("/api/modules/echo/config");
    assert.deepEqual(initial.body, {
      module_id: "echo",
      parameters: { word: "hi", n: 2, mode: "a", b_only: null, secret: null },
      updated_at: null,
    });
    const saved = await server.post("/api/modules/echo/config", {
      parameters: { n: 7, secret: "x" },
    });
    assert.equal(saved.status, 200);
    assert.equal(saved.body.parameters.n, 7);
    assert.equal(saved.body.parameters.secret, null);
    assert.match(saved.body.updated_at, /Z$/);
    const invalid = await server.post("/api/modules/echo/config", { parameters: { n: 99 } });
    assert.equal(invalid.status, 422);
    assert.equal((await server.json("/api/modules/echo/config")).body.parameters.n, 7);

    const run = await server.post("/api/modules/echo/run", {
      parameters: { word: "saved" },
      save_config: true,
    });
    assert.equal(run.status, 202);
    const after = (await server.json("/api/modules/echo/config")).body;
    assert.equal(after.parameters.word, "saved");
    await waitFinal(server, run.body.run_id);

    const deleted = await server.json("/api/modules/echo/config", { method: "DELETE" });
    assert.equal(deleted.status, 200);
    assert.equal(typeof deleted.body.message, "string");
    assert.equal((await server.json("/api/modules/echo/config")).body.updated_at, null);
    assert.equal((await server.json("/api/modules/nope/config")).status, 404);
  } finally {
    await server.close();
  }
});

Deno.test("malformed JSON, unknown routes, oversized bodies and bad queries get the error envelope", async () => {
  const server = await startServer(MODULES);
  try {
    const malformed = await server.json("/api/modules/echo/run", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error_code, "BAD_REQUEST");
    const unknown = await server.json("/api/nothing-here");
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error_code, "NOT_FOUND");
    // A run's body may carry an input (its limit grows with PRISMQ_MAX_INPUT_BYTES); the saved
    // values' route keeps the 1 MiB limit.
    const huge = await server.json("/api/modules/echo/config", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ parameters: { word: "x".repeat(2 * 1024 * 1024) } }),
    });
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error_code, "PAYLOAD_TOO_LARGE");
    for (const q of ["limit=0", "limit=101", "limit=abc", "status=bogus", "cursor=%%%"]) {
      const res = await server.json(`/api/runs?${q}`);
      assert.equal(res.status, 422, q);
      assert.equal(res.body.error_code, "VALIDATION_ERROR", q);
    }
    for (const q of ["tail=0", "tail=10001", "after=-1", "limit=x"]) {
      const res = await server.json(`/api/runs/whatever/logs?${q}`);
      assert.equal(res.status, 422, q);
    }
    assert.equal((await server.json("/api/runs/nope")).body.error_code, "RUN_NOT_FOUND");
    assert.equal((await server.json("/api/runs/nope", { method: "DELETE" })).status, 404);
    assert.equal((await server.json("/api/runs/nope/logs")).status, 404);
    assert.equal((await server.json("/api/runs/nope/logs/download")).status, 404);
  } finally {
    await server.close();
  }
});

Deno.test({
  name: "a body sent in chunks (no content-length) is counted as it is read: 413 over the limit",
  // The server answers 413 before the client has sent the whole body; the client's upload then
  // ends on its own, after the test, which the resource sanitizer would count as a leak.
  sanitizeResources: false,
  fn: async () => {
    const server = await startServer(MODULES);
    try {
      const streamed = (text: string) =>
        server.json("/api/modules/echo/config", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: new Blob([text]).stream(),
        });
      const small = await streamed(JSON.stringify({ parameters: { word: "hi" } }));
      assert.equal(small.status, 200, JSON.stringify(small.body));
      const huge = await streamed(
        JSON.stringify({ parameters: { word: "x".repeat(2 * 1024 * 1024) } }),
      );
      assert.equal(huge.status, 413);
      assert.equal(huge.body.error_code, "PAYLOAD_TOO_LARGE");
    } finally {
      await server.close();
    }
  },
});

Deno.test("bearer token guards every /api route but health; CORS allows the configured origins", async () => {
  const server = await startServer(MODULES, {
    PRISMQ_API_TOKEN: "s3cret-token",
    PRISMQ_CORS_ORIGINS: "http://app.example:5173",
  });
  try {
    assert.equal((await server.json("/api/health")).status, 200);
    const none = await server.json("/api/modules");
    assert.equal(none.status, 401);
    assert.equal(none.body.error_code, "UNAUTHORIZED");
    const wrong = await server.json("/api/modules", { headers: { authorization: "Bearer nope" } });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error_code, "UNAUTHORIZED");
    const right = await server.json("/api/modules", {
      headers: { authorization: "Bearer s3cret-token" },
    });
    assert.equal(right.status, 200);
    const run = await server.json("/api/runs", { method: "GET" });
    assert.equal(run.status, 401);

    const preflight = await server.request("/api/modules", {
      method: "OPTIONS",
      headers: { origin: "http://app.example:5173", "access-control-request-method": "POST" },
    });
    await preflight.body?.cancel();
    assert.equal(preflight.headers.get("access-control-allow-origin"), "http://app.example:5173");
    const other = await server.request("/api/health", {
      headers: { origin: "http://evil.example" },
    });
    await other.body?.cancel();
    assert.equal(other.headers.get("access-control-allow-origin"), null);
  } finally {
    await server.close();
  }
});

Deno.test("listing 30 runs by pages of 10 returns each once, newest first; filters combine", async () => {
  const server = await startServer(MODULES);
  try {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const module = i % 3 === 0 ? "echo" : "other";
      const params = module === "other" ? { code: i % 2 } : {};
      ids.push(
        (await server.post(`/api/modules/${module}/run`, { parameters: params })).body.run_id,
      );
    }
    for (const id of ids) await waitFinal(server, id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `&cursor=${cursor}` : "";
      const page: any = (await server.json(`/api/runs?limit=10${q}`)).body;
      assert.equal(page.total, 30);
      assert.equal(page.limit, 10);
      seen.push(...page.runs.map((r: any) => r.run_id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    assert.deepEqual(seen, [...ids].reverse());

    const failedOther =
      (await server.json("/api/runs?module_id=other&status=failed&limit=100")).body;
    const expected = ids.filter((_, i) => i % 3 !== 0 && i % 2 === 1);
    assert.equal(failedOther.total, expected.length);
    assert.deepEqual(failedOther.runs.map((r: any) => r.run_id), [...expected].reverse());
    assert.ok(failedOther.runs.every((r: any) => r.module_id === "other" && r.status === "failed"));
    const echo = (await server.json("/api/runs?module_id=echo")).body;
    assert.equal(echo.total, 10);
    const completed = (await server.json("/api/runs?status=completed&limit=5")).body;
    assert.equal(completed.total, 30 - expected.length);
    assert.equal(completed.runs.length, 5);
    assert.notEqual(completed.next_cursor, null);
  } finally {
    await server.close();
  }
});

Deno.test("while shutting down, new runs are refused with 503 SHUTTING_DOWN", async () => {
  const server = await startServer([{
    id: "nap",
    script: "nap.py",
    parameters: [{ name: "seconds", type: "number", default: 30 }],
  }]);
  try {
    const running = (await server.post("/api/modules/nap/run", {})).body;
    assert.equal(running.status, "running");
    const closing = server.close();
    const refused = await server.post("/api/modules/nap/run", {});
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error_code, "SHUTTING_DOWN");
    await closing;
  } finally {
    await server.close();
  }
});
