// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { join } from "node:path";
import { pidAlive, python, waitFor, writeModuleFile } from "./helpers.ts";
import { runServerToExit, spawnServer } from "./server_process.ts";

function settingsFor(dir: string, extra: Record<string, string> = {}) {
  const modules = writeModuleFile(dir, [
    { id: "nap", script: "nap.py", parameters: [{ name: "seconds", type: "number", default: 1 }] },
    { id: "tree", script: "tree.py" },
  ]);
  return {
    PRISMQ_MODULES: modules,
    PRISMQ_DATA_DIR: join(dir, "data"),
    PRISMQ_PYTHON: python(),
    PRISMQ_KILL_GRACE_SECONDS: "1",
    ...extra,
  };
}

async function api(url: string, path: string, init?: RequestInit): Promise<any> {
  const res = await fetch(url + path, init);
  return await res.json();
}

const post = (url: string, path: string, body: unknown) =>
  api(url, path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

Deno.test("server SIGKILLed with one run running and two queued: on restart the running one failed, the queued ones run in order", async () => {
  const dir = Deno.makeTempDirSync();
  const env = settingsFor(dir, { PRISMQ_MAX_CONCURRENT_RUNS: "1" });
  const first = await spawnServer(env);
  const running = await post(first.url, "/api/modules/tree/run", {});
  const queued1 = await post(first.url, "/api/modules/nap/run", { parameters: { seconds: 0.2 } });
  const queued2 = await post(first.url, "/api/modules/nap/run", { parameters: { seconds: 0.2 } });
  assert.deepEqual([running.status, queued1.status, queued2.status], [
    "running",
    "queued",
    "queued",
  ]);
  const pids = await waitFor(async () => {
    const logs = (await api(first.url, `/api/runs/${running.run_id}/logs`)).logs;
    const p: number[] = logs.flatMap((l: any) =>
      /^(leader|child|grandchild) (\d+)/.exec(l.message)?.[2] ?? []
    )
      .map(Number);
    return p.length === 3 ? p : null;
  });
  await first.stop("SIGKILL");

  const second = await spawnServer(env);
  try {
    const lost = await api(second.url, `/api/runs/${running.run_id}`);
    assert.equal(lost.status, "failed");
    assert.match(lost.error_message, /server stopped during this run/);
    // The tree the crash left behind was stopped at start.
    await waitFor(() => pids.every((p) => !pidAlive(p)), 5000, "the orphaned tree to be gone");
    const finals = await waitFor(
      async () => {
        const runs = await Promise.all(
          [queued1, queued2].map((r) => api(second.url, `/api/runs/${r.run_id}`)),
        );
        return runs.every((r) => r.status === "completed") ? runs : null;
      },
      10_000,
      "the queued runs to complete",
    );
    assert.ok(finals[0].started_at < finals[1].started_at);
    assert.ok(finals[0].completed_at <= finals[1].started_at);
    const listing = await api(second.url, "/api/runs?status=running");
    assert.equal(listing.total, 0);
  } finally {
    assert.equal((await second.stop("SIGTERM")).code, 0);
  }
});

Deno.test("SIGTERM shuts down gracefully: running runs are cancelled, queued ones stay queued and start after restart", async () => {
  const dir = Deno.makeTempDirSync();
  const env = settingsFor(dir, { PRISMQ_MAX_CONCURRENT_RUNS: "1" });
  const first = await spawnServer(env);
  const running = await post(first.url, "/api/modules/nap/run", { parameters: { seconds: 60 } });
  const queued = await post(first.url, "/api/modules/nap/run", { parameters: { seconds: 0.1 } });
  await waitFor(async () =>
    (await api(first.url, `/api/runs/${running.run_id}/logs`)).logs.length > 1
  );
  const t0 = performance.now();
  const status = await first.stop("SIGTERM");
  assert.equal(status.code, 0);
  assert.ok(performance.now() - t0 < 1000 + 2000, "shutdown within grace + 2 s");

  const second = await spawnServer(env);
  try {
    const cancelled = await api(second.url, `/api/runs/${running.run_id}`);
    assert.equal(cancelled.status, "cancelled");
    assert.match(cancelled.error_message, /shut down/);
    const t1 = performance.now();
    await waitFor(
      async () => (await api(second.url, `/api/runs/${queued.run_id}`)).status !== "queued",
      1000,
    );
    assert.ok(performance.now() - t1 < 1000);
    const done = await waitFor(async () => {
      const run = await api(second.url, `/api/runs/${queued.run_id}`);
      return run.status === "completed" ? run : null;
    });
    assert.equal(done.exit_code, 0);
  } finally {
    await second.stop("SIGTERM");
  }
});

Deno.test("a second server on the same data dir is refused and leaves the first one's runs alone", async () => {
  const dir = Deno.makeTempDirSync();
  const env = settingsFor(dir);
  const first = await spawnServer(env);
  try {
    const running = await post(first.url, "/api/modules/nap/run", { parameters: { seconds: 60 } });
    await waitFor(async () =>
      (await api(first.url, `/api/runs/${running.run_id}/logs`)).logs.length > 1
    );
    for (const port of [new URL(first.url).port, "0"]) {
      const second = await runServerToExit({ ...env, PRISMQ_PORT: port });
      assert.notEqual(second.code, 0);
      assert.match(
        second.stderr.trim(),
        /^error: .*(PRISMQ_DATA_DIR.*another server|PRISMQ_PORT.*in use)/,
      );
      assert.equal(second.stderr.trim().split("\n").length, 1);
    }
    const still = await api(first.url, `/api/runs/${running.run_id}`);
    assert.equal(still.status, "running");
    const cancelled = await api(first.url, `/api/runs/${running.run_id}`, { method: "DELETE" });
    assert.equal(cancelled.status, "cancelled");
  } finally {
    assert.equal((await first.stop("SIGTERM")).code, 0);
  }
});
