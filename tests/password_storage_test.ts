// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { startServer, type TestServer, waitFinal } from "./helpers.ts";

const MODULES = [
  {
    id: "echo",
    script: "echo_args.py",
    parameters: [
      { name: "word", type: "text", default: "hi" },
      { name: "token", type: "password" },
    ],
  },
  {
    id: "nap",
    script: "nap.py",
    parameters: [{ name: "seconds", type: "number", default: 30 }],
  },
];

/** The run's record exactly as stored in Deno KV, as text. */
async function rawRecord(server: TestServer, runId: string): Promise<string> {
  const entry = await server.runner.kv.get(["run", runId]);
  assert.ok(entry.value, `run ${runId} is stored`);
  return JSON.stringify(entry.value);
}

/** The argv the echo script printed. */
async function argvOf(server: TestServer, runId: string): Promise<string[]> {
  const logs = (await server.json(`/api/runs/${runId}/logs`)).body.logs;
  return JSON.parse(logs.find((l: any) => l.stream === "stdout").message).argv;
}

Deno.test("a completed run's password value is gone from its stored record; the view shows ********", async () => {
  const server = await startServer(MODULES);
  try {
    const secret = "pw-completed-4f1c9e";
    const { body: run } = await server.post("/api/modules/echo/run", {
      parameters: { token: secret },
    });
    const final = await waitFinal(server, run.run_id);
    assert.equal(final.status, "completed");
    assert.deepEqual(await argvOf(server, run.run_id), ["--word", "hi", "--token", secret]);
    assert.ok(!(await rawRecord(server, run.run_id)).includes(secret), "value not in KV");
    assert.deepEqual(final.parameters, { word: "hi", token: "********" });
    const listed = (await server.json("/api/runs?module_id=echo")).body.runs[0];
    assert.equal(listed.parameters.token, "********");
  } finally {
    await server.close();
  }
});

Deno.test("a queued run keeps its password value until it is cancelled, then the value is gone", async () => {
  const server = await startServer(MODULES, { PRISMQ_MAX_CONCURRENT_RUNS: "1" });
  try {
    const secret = "pw-cancelled-7d2a61";
    const blocker = (await server.post("/api/modules/nap/run", {})).body;
    const { body: queued } = await server.post("/api/modules/echo/run", {
      parameters: { token: secret },
    });
    assert.equal(queued.status, "queued");
    // While queued the value is stored: the run needs it to start, also after a restart.
    assert.ok((await rawRecord(server, queued.run_id)).includes(secret));
    const cancelled = await server.json(`/api/runs/${queued.run_id}`, { method: "DELETE" });
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, "cancelled");
    assert.equal(cancelled.body.parameters.token, "********");
    assert.ok(!(await rawRecord(server, queued.run_id)).includes(secret), "value not in KV");
    const view = (await server.json(`/api/runs/${queued.run_id}`)).body;
    assert.deepEqual(view.parameters, { word: "hi", token: "********" });
    await server.json(`/api/runs/${blocker.run_id}`, { method: "DELETE" });
  } finally {
    await server.close();
  }
});

Deno.test("a queued run with a password starts after a restart with its value, which is dropped once it ends", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-test-" });
  const env = { PRISMQ_MAX_CONCURRENT_RUNS: "1" };
  const secret = "pw-restart-19b0d3";
  const first = await startServer(MODULES, env, { dir });
  let queued: any;
  try {
    await first.post("/api/modules/nap/run", {});
    queued = (await first.post("/api/modules/echo/run", { parameters: { token: secret } })).body;
    assert.equal(queued.status, "queued");
  } finally {
    await first.close();
  }
  const second = await startServer(MODULES, env, { dir });
  try {
    const final = await waitFinal(second, queued.run_id);
    assert.equal(final.status, "completed");
    assert.deepEqual(await argvOf(second, queued.run_id), ["--word", "hi", "--token", secret]);
    assert.ok(!(await rawRecord(second, queued.run_id)).includes(secret), "value not in KV");
    assert.equal(final.parameters.token, "********");
  } finally {
    await second.close();
  }
});
