// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { join } from "node:path";
import { python, waitFor, writeModuleFile } from "./helpers.ts";
import { type ServerProcess, spawnServer } from "./server_process.ts";

async function call(host: ServerProcess, path: string, init?: RequestInit): Promise<any> {
  const res = await fetch(`${host.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

function post(host: ServerProcess, path: string, body: unknown): Promise<any> {
  return call(host, path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function runsOf(host: ServerProcess): Promise<any[]> {
  return (await call(host, "/api/runs?module_id=workers&limit=100")).body.runs;
}

Deno.test({
  name: "services on two hosts sharing one KV file: each replica once; a killed host's move over",
  ignore: Deno.build.os === "windows",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const dir = Deno.makeTempDirSync({ prefix: "prismq-service-hosts-" });
    const modulesPath = writeModuleFile(dir, [{
      id: "workers",
      script: "service_worker.py",
      command: ["{python}", "{script}", "--worker-id", "{replica}"],
      service: { replicas: 4, restart_delay_seconds: 0.2 },
    }]);
    const hosts = await Promise.all(["a", "b"].map((id) =>
      spawnServer({
        PRISMQ_MODULES: modulesPath,
        PRISMQ_DATA_DIR: join(dir, `data-${id}`),
        PRISMQ_KV_PATH: join(dir, "shared.kv"),
        PRISMQ_HOST_ID: id,
        PRISMQ_PYTHON: python(),
        PRISMQ_MAX_CONCURRENT_RUNS: "4",
        PRISMQ_HOST_TIMEOUT_SECONDS: "2",
        PRISMQ_KILL_GRACE_SECONDS: "1",
      })
    ));
    const [a, b] = hosts;
    const orphans: number[] = [];
    try {
      await t.step("4 replicas started through both hosts at once: each runs once", async () => {
        const answers = await Promise.all([
          post(a, "/api/services/workers/start", {}),
          post(b, "/api/services/workers/start", {}),
        ]);
        assert.deepEqual(answers.map((x) => x.status), [200, 200]);
        await waitFor(
          async () => {
            const runs = await runsOf(a);
            return runs.filter((r) => r.status === "running").length === 4;
          },
          30_000,
          "4 running replicas",
        );
        // Both loops keep looking at the replicas: still exactly one run each a while later.
        await new Promise((r) => setTimeout(r, 1500));
        const runs = await runsOf(b);
        assert.equal(runs.length, 4, JSON.stringify(runs.map((r) => [r.replica, r.host_id])));
        assert.deepEqual(runs.map((r) => r.replica).sort(), [1, 2, 3, 4]);
        assert.ok(runs.every((r) => r.status === "running"));
      });

      await t.step("SIGKILL of one host: its replicas start on the other one", async () => {
        const runs = await runsOf(b);
        const onA = runs.filter((r) => r.host_id === "a").map((r) => r.replica).sort();
        for (const run of runs.filter((r) => r.host_id === "a")) {
          const logs = (await call(b, `/api/runs/${run.run_id}/logs`)).body.logs;
          orphans.push(Number(/\(pid (\d+)\)/.exec(logs[0]?.message ?? "")?.[1] ?? 0));
        }
        const t0 = performance.now();
        await a.stop("SIGKILL");
        const moved = await waitFor(
          async () => {
            const service = (await call(b, "/api/services/workers")).body;
            const running = service.replicas.filter((r: any) => r.status === "running");
            if (running.length !== 4) return null;
            const all = await runsOf(b);
            return all.filter((r) => r.status === "running").every((r) => r.host_id === "b")
              ? all
              : null;
          },
          20_000,
          "every replica running on b",
        );
        const seconds = (performance.now() - t0) / 1000;
        console.log(`replicas of the killed host running on b after ${seconds.toFixed(1)} s`);
        // The host timeout is 2 s; the sweep runs on b's heartbeat: generous for a loaded machine.
        assert.ok(seconds < 10, `took ${seconds} s`);
        for (const replica of onA) {
          const of = moved.filter((r) => r.replica === replica);
          // The lost run (failed, not retried) and exactly one new run.
          assert.equal(of.filter((r) => r.status === "running").length, 1);
          assert.ok(of.some((r) => r.status === "failed" && /host "a"/.test(r.error_message)));
        }
        const stopped = await post(b, "/api/services/workers/stop", {});
        assert.equal(stopped.status, 200);
        assert.ok(stopped.body.replicas.every((r: any) => r.status !== "running"));
      });
    } finally {
      for (const host of hosts) await host.stop("SIGTERM");
      // The killed host could not stop its children: their process groups are stopped here.
      for (const pid of orphans.filter((p) => p > 0)) {
        try {
          Deno.kill(-pid, "SIGKILL");
        } catch {
          // gone already
        }
      }
    }
  },
});
