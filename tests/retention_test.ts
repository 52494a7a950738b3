// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import type { ArtifactStore } from "../src/artifacts/store.ts";
import { keys } from "../src/kv/keys.ts";
import type { LogStore } from "../src/logs/store.ts";
import { RetentionSweeper } from "../src/runs/retention.ts";
import type { RunStore } from "../src/runs/store.ts";
import { startServer, waitFinal } from "./helpers.ts";

Deno.test("the retention sweep deletes finished runs older than the retention time with their logs; counters stay right", async () => {
  const server = await startServer([
    {
      id: "exit",
      script: "exit_code.py",
      parameters: [{ name: "code", type: "number", default: 0 }],
    },
    { id: "nap", script: "nap.py", parameters: [{ name: "seconds", type: "number", default: 30 }] },
  ], { PRISMQ_RETENTION_DAYS: "1" });
  try {
    const done = [];
    for (const code of [0, 1, 0]) {
      done.push(
        await waitFinal(
          server,
          (await server.post("/api/modules/exit/run", { parameters: { code } })).body.run_id,
        ),
      );
    }
    const running = (await server.post("/api/modules/nap/run", {})).body;
    const { retention, kv } = server.runner;
    // Nothing is old enough yet.
    assert.equal(await retention.sweep(), 0);
    assert.equal((await server.json("/api/runs")).body.total, 4);
    // Two days later every finished run is past the retention time; the running one stays.
    const deleted = await retention.sweep(Date.now() + 2 * 24 * 60 * 60 * 1000);
    assert.equal(deleted, 3);
    const list = (await server.json("/api/runs")).body;
    assert.equal(list.total, 1);
    assert.deepEqual(list.runs.map((r: any) => r.run_id), [running.run_id]);
    assert.equal((await server.json("/api/runs?status=completed")).body.total, 0);
    assert.equal((await server.json("/api/runs?module_id=exit")).body.total, 0);
    assert.equal((await server.json("/api/runs?module_id=exit&status=failed")).body.total, 0);
    const exit = (await server.json("/api/modules/exit")).body;
    assert.equal(exit.total_runs, 0);
    assert.equal(exit.success_rate, null);
    for (const run of done) {
      assert.equal((await server.json(`/api/runs/${run.run_id}`)).status, 404);
      const left = [];
      for await (const entry of kv.list({ prefix: keys.logPrefix(run.run_id) })) left.push(entry);
      assert.equal(left.length, 0);
    }
    await server.json(`/api/runs/${running.run_id}`, { method: "DELETE" });
  } finally {
    await server.close();
  }
});

Deno.test("stop waits for the sweep under way to end its folder walk, and sweeps no environment after", async () => {
  // A shutdown that returned while the start's sweep still read the artifact folder left that
  // read (and the KV reads after it) running past the closed store.
  const listing = Promise.withResolvers<string[]>();
  let environmentSweeps = 0;
  const sweeper = new RetentionSweeper({
    store: { getMany: () => Promise.resolve(new Map()) } as unknown as RunStore,
    logs: {} as LogStore,
    artifacts: { runIds: () => listing.promise } as unknown as ArtifactStore,
    environments: { sweep: () => Promise.resolve(void environmentSweeps++) },
  }, { retentionDays: 1, once: { claim: () => Promise.resolve(false) } });
  sweeper.start();
  let stopped = false;
  const stopping = sweeper.stop().then(() => stopped = true);
  // One turn of the event loop: every promise that can settle without the listing has settled.
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(stopped, false, "stop returned while the folder walk was under way");
  listing.resolve([]);
  await stopping;
  assert.equal(environmentSweeps, 0);
});
