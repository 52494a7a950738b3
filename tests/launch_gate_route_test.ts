// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import { startServer, waitFinal, waitFor } from "./helpers.ts";

Deno.test("POST .../run spawns its run once Deno has taken the 202 (info.completed), not before", async () => {
  const server = await startServer([{ id: "sleeper", script: "sleeper.py" }]);
  try {
    // The app called as Deno.serve calls it, with an answer Deno has not taken yet.
    const taken = Promise.withResolvers<void>();
    const res = await server.app.fetch(
      new Request(`${server.url}/api/modules/sleeper/run`, {
        method: "POST",
        // A request that came through Deno.serve carries its Host header (the host guard).
        headers: { "content-type": "application/json", host: new URL(server.url).host },
        body: JSON.stringify({ parameters: {} }),
      }),
      {
        completed: taken.promise,
        remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
      },
    );
    assert.equal(res.status, 202, await res.clone().text());
    const run = await res.json();
    assert.equal(run.status, "running");
    const lines = async () => (await server.json(`/api/runs/${run.run_id}/logs`)).body.logs;
    // Without the gate the process starts one timer turn (about 2 ms) after the answer, and its
    // first log line says so; with it, nothing starts while the answer is not taken (the gate
    // opens by itself only after a second).
    await delay(300);
    assert.deepEqual(await lines(), []);
    taken.resolve();
    await waitFor(
      async () => (await lines()).some((l: any) => l.message.startsWith("started ")),
      10_000,
      "the run's process to start",
    );
    await server.json(`/api/runs/${run.run_id}`, { method: "DELETE" });
    assert.equal((await waitFinal(server, run.run_id)).status, "cancelled");
  } finally {
    await server.close();
  }
});
