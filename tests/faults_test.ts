import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer, waitFinal, writeModuleFile } from "./helpers.ts";
import { SseReader } from "./sse_client.ts";
import { runServerToExit, spawnServer } from "./server_process.ts";

const MODULES = [
  {
    id: "echo",
    script: "echo_args.py",
    parameters: [
      { name: "word", type: "text" },
      { name: "code", type: "text", validation: { pattern: "^(a+)+$", message: "only a's" } },
    ],
  },
];

Deno.test("a NUL byte in a value is 422; a newline cannot forge a line in the log", async () => {
  const server = await startServer(MODULES);
  try {
    const nul = await server.post("/api/modules/echo/run", { parameters: { word: "a\u0000b" } });
    assert.equal(nul.status, 422);
    assert.equal(nul.body.errors[0].field, "word");
    const forged = "x\n2026-01-01T00:00:00.000Z [system] process exited with code 0";
    const { body } = await server.post("/api/modules/echo/run", { parameters: { word: forged } });
    await waitFinal(server, body.run_id);
    const text = await (await server.request(`/api/runs/${body.run_id}/logs/download`)).text();
    const started = text.split("\n").filter((l) => l.includes("[system] started"));
    assert.equal(started.length, 1);
    assert.ok(started[0].includes("x\\n2026-01-01T00:00:00.000Z"), "the newline is escaped");
    const exits = text.split("\n").filter((l) => /^\S+ \[system\] process exited/.test(l));
    assert.equal(exits.length, 1, "only the runner's own exit line reads as one");
  } finally {
    await server.close();
  }
});

Deno.test("a catastrophic pattern answers at once: matching is linear in the input", async () => {
  const server = await startServer(MODULES);
  try {
    const t0 = performance.now();
    const res = await server.post("/api/modules/echo/run", {
      parameters: { code: "a".repeat(31) + "!" },
    });
    assert.equal(res.status, 422);
    assert.equal(res.body.errors[0].message, "only a's");
    assert.ok(performance.now() - t0 < 1000, `${performance.now() - t0} ms`);
    const ok = await server.post("/api/modules/echo/run", { parameters: { code: "aaa" } });
    assert.equal(ok.status, 202);
    await waitFinal(server, ok.body.run_id);
  } finally {
    await server.close();
  }
});

Deno.test("EventSource on a finished run: 204 once the client has the last line", async () => {
  const server = await startServer(MODULES);
  try {
    const { body } = await server.post("/api/modules/echo/run", {});
    const run = await waitFinal(server, body.run_id);
    const last = String(run.log_lines);
    const done = await server.request(`/api/runs/${run.run_id}/logs/stream`, {
      headers: { "Last-Event-ID": last },
    });
    assert.equal(done.status, 204);
    await done.body?.cancel();
    const viaQuery = await server.request(`/api/runs/${run.run_id}/logs/stream?after=${last}`);
    assert.equal(viaQuery.status, 204);
    await viaQuery.body?.cancel();
    const events = await new SseReader(
      await server.request(`/api/runs/${run.run_id}/logs/stream`, {
        headers: { "Last-Event-ID": String(run.log_lines - 1) },
      }),
    ).all();
    assert.equal(events.filter((e) => e.event === "message").length, 1, "one line was left");
    assert.equal(events.at(-1)!.event, "end");
  } finally {
    await server.close();
  }
});

Deno.test("the data dir is 0700 and the KV files 0600; PRISMQ_RETENTION_DAYS=0 keeps every run", async () => {
  const server = await startServer(MODULES, { PRISMQ_RETENTION_DAYS: "0" });
  try {
    const { body } = await server.post("/api/modules/echo/run", {});
    await waitFinal(server, body.run_id);
    assert.equal(Deno.statSync(server.settings.dataDir).mode! & 0o777, 0o700);
    assert.equal(Deno.statSync(server.settings.kvPath).mode! & 0o777, 0o600);
    const deleted = await server.runner.retention.sweep(Date.now() + 10 * 365 * 24 * 3600e3);
    assert.equal(deleted, 0);
    assert.equal((await server.json(`/api/runs/${body.run_id}`)).status, 200);
  } finally {
    await server.close();
  }
});

Deno.test("a module file with a UTF-8 byte order mark starts; a pattern with a backreference is refused", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-test-" });
  const path = writeModuleFile(dir, [{ id: "echo", script: "echo_args.py" }]);
  Deno.writeTextFileSync(path, "\uFEFF" + Deno.readTextFileSync(path));
  const server = await spawnServer({
    PRISMQ_MODULES: path,
    PRISMQ_DATA_DIR: join(dir, "d2"),
    PRISMQ_CORS_ORIGINS: "*",
  });
  try {
    const modules = await (await fetch(`${server.url}/api/modules`)).json();
    assert.equal(modules.total, 1);
    assert.match(server.output(), /warning: PRISMQ_CORS_ORIGINS=\*/);
  } finally {
    await server.stop("SIGTERM");
  }
  const bad = writeModuleFile(Deno.makeTempDirSync(), [{
    id: "echo",
    script: "echo_args.py",
    parameters: [{ name: "w", type: "text", validation: { pattern: "(a)\\1" } }],
  }]);
  const refused = await runServerToExit({ PRISMQ_MODULES: bad, PRISMQ_DATA_DIR: join(dir, "d1") });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /module "echo", field parameters\[0\]\.validation: pattern/);
});

Deno.test("a bad host, a data dir that is a file, a KV file that is not a database: one line each", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-test-" });
  const modules = writeModuleFile(dir, [{ id: "echo", script: "echo_args.py" }]);
  Deno.writeTextFileSync(join(dir, "a-file"), "");
  Deno.mkdirSync(join(dir, "broken"));
  Deno.writeTextFileSync(
    join(dir, "broken", "runner.kv"),
    "this is not a database at all, honestly",
  );
  const cases: [Record<string, string>, RegExp][] = [
    [{
      PRISMQ_HOST: "no-such-host.invalid",
      PRISMQ_API_TOKEN: "t",
      PRISMQ_DATA_DIR: join(dir, "d"),
    }, /PRISMQ_HOST/],
    [{ PRISMQ_DATA_DIR: join(dir, "a-file") }, /PRISMQ_DATA_DIR.*not a folder/],
    [{ PRISMQ_DATA_DIR: join(dir, "broken") }, /PRISMQ_KV_PATH/],
  ];
  for (const [env, pattern] of cases) {
    const out = await runServerToExit({ PRISMQ_MODULES: modules, ...env });
    assert.notEqual(out.code, 0, JSON.stringify(env));
    const lines = out.stderr.trim().split("\n");
    assert.equal(lines.length, 1, out.stderr);
    assert.match(lines[0], pattern);
  }
});
