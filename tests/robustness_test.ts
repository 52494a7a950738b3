// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { startServer, waitFinal, waitFor } from "./helpers.ts";

const MODULES = [
  {
    id: "echo",
    script: "echo_args.py",
    parameters: [{ name: "word", type: "text", default: "hi" }, { name: "more", type: "text" }],
  },
  { id: "nap", script: "nap.py", parameters: [{ name: "seconds", type: "number", default: 30 }] },
  {
    id: "exit",
    script: "exit_code.py",
    parameters: [{ name: "code", type: "number", default: 0 }],
  },
];

Deno.test("oversized parameters and ids get 4xx answers, never a 500, and nothing is stored", async () => {
  const server = await startServer(MODULES);
  try {
    const one = await server.post("/api/modules/echo/run", {
      parameters: { word: "x".repeat(70_000) },
    });
    assert.equal(one.status, 422);
    assert.deepEqual(one.body.errors.map((e: any) => e.field), ["word"]);
    const total = await server.post("/api/modules/echo/run", {
      parameters: { word: "x".repeat(9_000), more: "y".repeat(9_000) + "z".repeat(3_000) },
    });
    assert.equal(total.status, 422);
    const preset = await server.post("/api/modules/echo/config", {
      parameters: { word: "x".repeat(70_000) },
    });
    assert.equal(preset.status, 422);
    assert.equal((await server.json("/api/runs")).body.total, 0);

    const longId = "a".repeat(3000);
    for (
      const path of [
        `/api/runs/${longId}`,
        `/api/runs/${longId}/logs`,
        `/api/runs/${longId}/logs/download`,
      ]
    ) {
      const res = await server.json(path);
      assert.equal(res.status, 404, path);
      assert.equal(res.body.error_code, "RUN_NOT_FOUND");
    }
    assert.equal((await server.json(`/api/runs/${longId}`, { method: "DELETE" })).status, 404);
    assert.equal((await server.json(`/api/runs/${longId}/logs/stream`)).status, 404);
    assert.equal((await server.json(`/api/runs?module_id=${longId}`)).status, 422);
    assert.equal((await server.json(`/api/modules/${longId}`)).status, 404);
  } finally {
    await server.close();
  }
});

Deno.test("save_config saves the preset only for an accepted run (not on 429)", async () => {
  const server = await startServer(MODULES, {
    PRISMQ_MAX_CONCURRENT_RUNS: "1",
    PRISMQ_MAX_QUEUED_RUNS: "0",
  });
  try {
    const running = await server.post("/api/modules/nap/run", {
      parameters: { seconds: 30 },
      save_config: true,
    });
    assert.equal(running.status, 202);
    assert.equal((await server.json("/api/modules/nap/config")).body.parameters.seconds, 30);
    const refused = await server.post("/api/modules/nap/run", {
      parameters: { seconds: 7 },
      save_config: true,
    });
    assert.equal(refused.status, 429);
    assert.equal((await server.json("/api/modules/nap/config")).body.parameters.seconds, 30);
    await server.json(`/api/runs/${running.body.run_id}`, { method: "DELETE" });
  } finally {
    await server.close();
  }
});

Deno.test("offset pages like cursor, and the two combine", async () => {
  const server = await startServer(MODULES);
  try {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push((await server.post("/api/modules/exit/run", {})).body.run_id);
    }
    for (const id of ids) await waitFinal(server, id);
    const newest = [...ids].reverse();
    const page = (await server.json("/api/runs?limit=3&offset=2")).body;
    assert.deepEqual(page.runs.map((r: any) => r.run_id), newest.slice(2, 5));
    assert.equal(page.total, 7);
    const first = (await server.json("/api/runs?limit=2")).body;
    const next = (await server.json(`/api/runs?limit=2&cursor=${first.next_cursor}&offset=1`)).body;
    assert.deepEqual(next.runs.map((r: any) => r.run_id), newest.slice(3, 5));
    assert.equal((await server.json("/api/runs?offset=-1")).status, 422);
  } finally {
    await server.close();
  }
});

Deno.test("a cancel racing the natural exit leaves exactly one final state", async () => {
  const server = await startServer(MODULES);
  try {
    for (let i = 0; i < 8; i++) {
      const { body: run } = await server.post("/api/modules/exit/run", {});
      // Cancel at varying moments around the exit of a process that lives a few tens of ms.
      await new Promise((r) => setTimeout(r, i * 8));
      const answer = await server.json(`/api/runs/${run.run_id}`, { method: "DELETE" });
      const final = await waitFinal(server, run.run_id);
      if (answer.status === 200) {
        assert.equal(answer.body.status, "cancelled");
        assert.equal(final.status, "cancelled");
      } else {
        assert.equal(answer.status, 409);
        assert.equal(final.status, "completed");
      }
      const again = await server.json(`/api/runs/${run.run_id}`);
      assert.equal(again.body.status, final.status);
      assert.equal(again.body.completed_at, final.completed_at);
    }
  } finally {
    await server.close();
  }
});

Deno.test("the child inherits the server's environment", async () => {
  const server = await startServer([{ id: "env", script: "print_env.py" }]);
  try {
    const { body } = await server.post("/api/modules/env/run", {});
    await waitFinal(server, body.run_id);
    const logs = (await server.json(`/api/runs/${body.run_id}/logs`)).body.logs;
    const env = JSON.parse(logs.find((l: any) => l.stream === "stdout").message);
    assert.equal(env.PATH, Deno.env.get("PATH"));
    assert.equal(env.HOME, Deno.env.get("HOME"));
  } finally {
    await server.close();
  }
});

Deno.test("a queued run whose module became unavailable fails with the reason instead of starting", async () => {
  const dir = Deno.makeTempDirSync();
  const env = { PRISMQ_MAX_CONCURRENT_RUNS: "1", PRISMQ_KILL_GRACE_SECONDS: "1" };
  const first = await startServer(MODULES, env, { dir });
  const blocker = (await first.post("/api/modules/nap/run", {})).body;
  const queued = (await first.post("/api/modules/echo/run", {})).body;
  assert.equal(queued.status, "queued");
  await first.close();
  const second = await startServer([{ ...MODULES[0], enabled: false }, MODULES[1]], env, {
    dir,
  });
  try {
    const final = await waitFinal(second, queued.run_id);
    assert.equal(final.status, "failed");
    assert.match(final.error_message, /could not be started: the module is disabled/);
    assert.equal((await second.json(`/api/runs/${blocker.run_id}`)).body.status, "cancelled");
    await waitFor(async () => (await second.json("/api/health")).body.queued_runs === 0);
  } finally {
    await second.close();
  }
});
