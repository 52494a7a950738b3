// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { join } from "node:path";
import { pidAlive, python, waitFor, writeModuleFile } from "./helpers.ts";
import { type ServerProcess, spawnServer } from "./server_process.ts";

const FINAL = ["completed", "failed", "cancelled"];

async function call(host: ServerProcess, path: string, init?: RequestInit): Promise<any> {
  const res = await fetch(`${host.url}${path}`, init);
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

const post = (host: ServerProcess, moduleId: string) =>
  call(host, `/api/modules/${moduleId}/run`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });

const cancel = (host: ServerProcess, runId: string) =>
  call(host, `/api/runs/${runId}`, { method: "DELETE" });

/** One server process on the shared KV file, with its own data dir and settings. */
function startHost(dir: string, modulesPath: string, id: string, env: Record<string, string> = {}) {
  return spawnServer({
    PRISMQ_MODULES: modulesPath,
    PRISMQ_DATA_DIR: join(dir, `data-${id}`),
    PRISMQ_KV_PATH: join(dir, "shared.kv"),
    PRISMQ_HOST_ID: id,
    PRISMQ_PYTHON: python(),
    PRISMQ_MAX_CONCURRENT_RUNS: "2",
    PRISMQ_HOST_TIMEOUT_SECONDS: "2",
    PRISMQ_KILL_GRACE_SECONDS: "1",
    ...env,
  });
}

/** The pid of a run, from its `started ... (pid N)` line. */
function pidOf(host: ServerProcess, runId: string): Promise<number> {
  return waitFor(
    async () => {
      const logs = (await call(host, `/api/runs/${runId}/logs`)).logs;
      return Number(/\(pid (\d+)\)/.exec(logs[0]?.message ?? "")?.[1] ?? 0);
    },
    5000,
    "the run's pid",
  );
}

/** Largest number of the scripts' own [start, end] spans open at one instant. */
function peakFromFile(file: string): { peak: number; ids: string[] } {
  const lines = Deno.readTextFileSync(file).trim().split("\n").map((l) => l.split(" "));
  const events = lines.flatMap(([, s, e]) => [[Number(s), 1], [Number(e), -1]])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, d] of events) peak = Math.max(peak, now += d);
  return { peak, ids: lines.map(([id]) => id) };
}

Deno.test({
  name:
    "three hosts on one KV file, one pool of 2 slots: never more than 2 at once across hosts; host labels; a SIGKILLed host's slot comes back",
  ignore: Deno.build.os === "windows",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const dir = Deno.makeTempDirSync({ prefix: "prismq-pool-hosts-" });
    const spansFile = join(dir, "spans.txt");
    const gpuFile = join(dir, "gpu.txt");
    const modulesPath = writeModuleFile(dir, [
      {
        id: "pooled",
        script: "append_id.py",
        uses: ["shared"],
        parameters: [
          { name: "file", type: "text", default: spansFile },
          { name: "seconds", type: "number", default: 0.2 },
        ],
      },
      { id: "hold", script: "clock.py", uses: { shared: 1 } },
      {
        id: "gpu_only",
        script: "append_id.py",
        host_labels: ["gpu"],
        parameters: [{ name: "file", type: "text", default: gpuFile }],
      },
    ], { pools: { shared: 2 } });
    const labelled = { PRISMQ_HOST_LABELS: "gpu" };
    const hosts = await Promise.all([
      startHost(dir, modulesPath, "a", labelled),
      startHost(dir, modulesPath, "b"),
      startHost(dir, modulesPath, "c"),
    ]);
    let [a] = hosts;
    const [, b, c] = hosts;
    const orphans: number[] = [];
    try {
      await t.step("24 runs of a pooled module across three hosts: at most 2 at once", async () => {
        const answers = await Promise.all(
          Array.from({ length: 24 }, (_, i) => post(hosts[i % 3], "pooled")),
        );
        const submitted = answers.map((r) => r.run_id).sort();
        assert.equal(new Set(submitted).size, 24);
        const runs = await waitFor(
          async () => {
            const page = await call(b, "/api/runs?module_id=pooled&limit=100");
            return page.runs.length === 24 && page.runs.every((r: any) => FINAL.includes(r.status))
              ? page.runs
              : null;
          },
          90_000,
          "24 final runs",
        );
        assert.ok(runs.every((r: any) => r.status === "completed"));
        const { peak, ids } = peakFromFile(spansFile);
        assert.deepEqual(ids.sort(), submitted, "every run ran exactly once");
        assert.ok(peak <= 2, `${peak} runs of the pool at once`);
        // Which hosts ran them is left to the race for slots: under load one host may win all.
        const pools = (await call(c, "/api/pools")).pools;
        assert.deepEqual(pools, [{ name: "shared", slots: 2, in_use: 0, queued: 0, runs: [] }]);
      });

      await t.step(
        "host_labels: runs only on the labelled host, and waits while it is down",
        async () => {
          const listed = (await call(b, "/api/hosts")).hosts;
          const labels = Object.fromEntries(listed.map((h: any) => [h.host_id, h.labels]));
          assert.deepEqual(labels, { a: ["gpu"], b: [], c: [] });
          const runs = await Promise.all([post(b, "gpu_only"), post(c, "gpu_only")]);
          const done = await Promise.all(runs.map((r) =>
            waitFor(
              async () => {
                const run = await call(b, `/api/runs/${r.run_id}`);
                return FINAL.includes(run.status) ? run : null;
              },
              10_000,
              "a labelled run",
            )
          ));
          assert.deepEqual(done.map((r) => [r.status, r.host_id]), [
            ["completed", "a"],
            ["completed", "a"],
          ]);
          assert.equal((await a.stop("SIGTERM")).code, 0);
          const waiting = await post(b, "gpu_only");
          assert.equal(waiting.status, "queued");
          await waitFor(
            async () =>
              (await call(c, `/api/runs/${waiting.run_id}`)).waiting_for === "a host labelled gpu",
            5000,
            "waiting_for to name the label",
          );
          a = hosts[0] = await startHost(dir, modulesPath, "a", labelled);
          const ran = await waitFor(
            async () => {
              const run = await call(b, `/api/runs/${waiting.run_id}`);
              return FINAL.includes(run.status) ? run : null;
            },
            10_000,
            "the waiting labelled run to run once its host is back",
          );
          assert.deepEqual([ran.status, ran.host_id, ran.waiting_for], ["completed", "a", null]);
        },
      );

      await t.step(
        "SIGKILL of a host holding a slot: the slot is given back within the host timeout",
        async () => {
          const held = await post(c, "hold");
          assert.deepEqual([held.status, held.host_id], ["running", "c"]);
          orphans.push(await pidOf(a, held.run_id));
          const other = await post(b, "hold");
          assert.equal(other.status, "running");
          const third = await post(a, "hold");
          assert.equal(third.status, "queued");
          assert.equal(third.waiting_for, "pool shared: 2 of 2 slots in use");
          const pools = (await call(a, "/api/pools")).pools;
          assert.equal(pools[0].in_use, 2);
          assert.deepEqual(pools[0].runs.sort(), [held.run_id, other.run_id].sort());
          await c.stop("SIGKILL");
          const killedAt = performance.now();
          const started = await waitFor(
            async () => {
              const run = await call(a, `/api/runs/${third.run_id}`);
              return run.status === "running" ? run : null;
            },
            10_000,
            "the waiting run to get the lost host's slot",
          );
          const tookMs = performance.now() - killedAt;
          // 2 s timeout, a heartbeat (400 ms) of the host that notices, a queue poll.
          assert.ok(tookMs < 4500, `the slot came back after ${Math.round(tookMs)} ms`);
          assert.ok(["a", "b"].includes(started.host_id));
          const lost = await call(a, `/api/runs/${held.run_id}`);
          assert.equal(lost.status, "failed");
          assert.match(lost.error_message, /host "c" stopped/);
          const after = (await call(b, "/api/pools")).pools[0];
          assert.deepEqual(after.runs.sort(), [other.run_id, third.run_id].sort());
          for (const id of [other.run_id, third.run_id]) {
            assert.equal((await cancel(b, id)).status, "cancelled");
          }
          assert.equal((await call(a, "/api/pools")).pools[0].in_use, 0);
        },
      );
    } finally {
      for (const pid of orphans) if (pidAlive(pid)) Deno.kill(-pid, "SIGKILL");
      await Promise.all(hosts.map((h) => h.stop("SIGTERM").catch(() => {})));
    }
  },
});

Deno.test({
  name: "a restart after a crash gives back the slots of the run that held them",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = Deno.makeTempDirSync({ prefix: "prismq-pool-restart-" });
    const spansFile = join(dir, "spans.txt");
    const modulesPath = writeModuleFile(dir, [
      { id: "hold", script: "clock.py", uses: ["gpu"] },
      {
        id: "quick",
        script: "append_id.py",
        uses: ["gpu"],
        parameters: [{ name: "file", type: "text", default: spansFile }],
      },
    ], { pools: { gpu: 1 } });
    const first = await startHost(dir, modulesPath, "solo");
    const held = await post(first, "hold");
    assert.equal(held.status, "running");
    const pid = await pidOf(first, held.run_id);
    const queued = await post(first, "quick");
    assert.equal(queued.waiting_for, "pool gpu: 1 of 1 slots in use");
    await first.stop("SIGKILL");
    const second = await startHost(dir, modulesPath, "solo");
    try {
      const lost = await call(second, `/api/runs/${held.run_id}`);
      assert.equal(lost.status, "failed");
      const ran = await waitFor(
        async () => {
          const run = await call(second, `/api/runs/${queued.run_id}`);
          return FINAL.includes(run.status) ? run : null;
        },
        10_000,
        "the queued run to run after the restart",
      );
      assert.equal(ran.status, "completed");
      const pools = (await call(second, "/api/pools")).pools;
      assert.deepEqual(pools, [{ name: "gpu", slots: 1, in_use: 0, queued: 0, runs: [] }]);
    } finally {
      if (pidAlive(pid)) Deno.kill(-pid, "SIGKILL");
      await second.stop("SIGTERM");
    }
  },
});

Deno.test({
  name: "a module file with a use larger than its pool refuses the start naming module and pool",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = Deno.makeTempDirSync({ prefix: "prismq-pool-refusal-" });
    const modulesPath = writeModuleFile(dir, [
      { id: "ollama-32b", script: "clock.py", uses: { gpu: 2 } },
    ], { pools: { gpu: 1 } });
    const err = await startHost(dir, modulesPath, "x").then(() => null, (e) => e);
    assert.ok(err !== null, "the server started");
    assert.match(err.stderr, /module "ollama-32b", field uses\.gpu: uses 2 slots of pool "gpu"/);
  },
});
