// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { join } from "node:path";
import { pidAlive, startServer, type TestModule, type TestServer, waitFor } from "./helpers.ts";

const FINAL = ["completed", "failed", "cancelled"];

/** A worker module: `replicas` copies, the replica passed as `--worker-id {replica}`. */
function worker(id: string, service: Record<string, unknown>, childDir = ""): TestModule {
  return {
    id,
    script: "service_worker.py",
    command: ["{python}", "{script}", "--worker-id", "{replica}", "{params}"],
    parameters: [
      { name: "mode", type: "text", default: "work" },
      { name: "child_dir", type: "text", default: childDir },
    ],
    service,
  };
}

/** Every run of a module, oldest first. */
async function runsOf(server: TestServer, moduleId: string): Promise<any[]> {
  const page = await server.json(`/api/runs?module_id=${moduleId}&limit=100`);
  return [...page.body.runs].reverse();
}

/** The pid of a run's process, from its first log line. */
function pidOf(server: TestServer, runId: string): Promise<number> {
  return waitFor(
    async () => {
      const logs = (await server.json(`/api/runs/${runId}/logs`)).body.logs;
      return Number(/\(pid (\d+)\)/.exec(logs[0]?.message ?? "")?.[1] ?? 0);
    },
    10_000,
    "the run's pid",
  );
}

/** Waits until every replica of the service has a running run; answers the SERVICE. */
function allRunning(server: TestServer, moduleId: string, count: number): Promise<any> {
  return waitFor(
    async () => {
      const service = (await server.json(`/api/services/${moduleId}`)).body;
      return service.replicas.length === count &&
          service.replicas.every((r: any) => r.status === "running")
        ? service
        : null;
    },
    20_000,
    `${count} running replicas of ${moduleId}`,
  );
}

Deno.test({
  name: "services: replicas, restarts after a kill, stop, the store's state after a server restart",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const dir = Deno.makeTempDirSync({ prefix: "prismq-services-" });
    const childDir = join(dir, "children");
    Deno.mkdirSync(childDir);
    const modules = [
      worker("workers", { replicas: 3, restart_delay_seconds: 0.5 }, childDir),
      worker("plain", {}),
      { id: "not_service", script: "service_worker.py" },
    ];
    let server = await startServer(modules, {}, { dir });
    try {
      await t.step(
        "errors: 404 unknown module, 409 NOT_A_SERVICE, 422 bad parameters",
        async () => {
          assert.equal((await server.post("/api/services/nope/start", {})).status, 404);
          const notService = await server.post("/api/services/not_service/start", {});
          assert.equal(notService.status, 409);
          assert.equal(notService.body.error_code, "NOT_A_SERVICE");
          const bad = await server.post("/api/services/workers/start", {
            parameters: { mode: 5 },
          });
          assert.equal(bad.status, 422);
          const listed = await server.json("/api/services");
          assert.deepEqual(listed.body.services.map((s: any) => s.module_id), ["workers", "plain"]);
          assert.equal(listed.body.services[0].desired, "stopped");
        },
      );

      let first: any;
      await t.step("start: three runs with replicas 1, 2, 3 printing their replica", async () => {
        const started = await server.post("/api/services/workers/start", {});
        assert.equal(started.status, 200);
        assert.equal(started.body.desired, "running");
        assert.deepEqual(started.body.replicas.map((r: any) => r.replica), [1, 2, 3]);
        assert.ok(started.body.replicas.every((r: any) => typeof r.run_id === "string"));
        // Answered once the replicas are started: none still waits in the queue.
        assert.ok(started.body.replicas.every((r: any) => r.status !== "queued"));
        first = await allRunning(server, "workers", 3);
        await waitFor(
          async () => {
            const metrics = await (await server.request("/metrics")).text();
            return /prismq_service_replicas_running\{module="workers"\} 3/.test(metrics);
          },
          10_000,
          "the running replicas in /metrics",
        );
        const runs = await runsOf(server, "workers");
        assert.equal(runs.length, 3);
        assert.deepEqual(runs.map((r) => r.replica).sort(), [1, 2, 3]);
        assert.ok(runs.every((r) => r.trigger === "service"));
        for (const run of runs) {
          await waitFor(
            async () => {
              const logs = (await server.json(`/api/runs/${run.run_id}/logs`)).body.logs;
              return logs.some((l: any) =>
                l.message.startsWith(`worker ${run.replica} replica ${run.replica} of 3`)
              );
            },
            10_000,
            `replica ${run.replica}'s line`,
          );
        }
        const again = await server.post("/api/services/workers/start", {});
        assert.deepEqual(
          again.body.replicas.map((r: any) => r.run_id),
          first.replicas.map((r: any) => r.run_id),
          "start with the same parameters changes nothing",
        );
      });

      await t.step("a replica killed from outside runs again after the delay, alone", async () => {
        const victim = first.replicas[1];
        Deno.kill(await pidOf(server, victim.run_id), "SIGKILL");
        const service = await waitFor(
          async () => {
            const s = (await server.json("/api/services/workers")).body;
            return s.replicas[1].run_id !== victim.run_id && s.replicas[1].status === "running"
              ? s
              : null;
          },
          20_000,
          "replica 2's new run",
        );
        assert.equal(service.replicas[1].restarts, 1);
        assert.equal(service.restarts_total, 1, JSON.stringify(service));
        assert.equal(service.replicas[0].run_id, first.replicas[0].run_id);
        assert.equal(service.replicas[2].run_id, first.replicas[2].run_id);
        assert.equal(service.last_exit.run_id, victim.run_id);
        const old = (await server.json(`/api/runs/${victim.run_id}`)).body;
        const next = (await server.json(`/api/runs/${service.replicas[1].run_id}`)).body;
        assert.equal(next.replica, 2);
        const gap = Date.parse(next.created_at) - Date.parse(old.completed_at);
        assert.ok(gap >= 450, `restarted after ${gap} ms, not after the 0.5 s delay`);
        const metrics = await (await server.request("/metrics")).text();
        assert.match(metrics, /prismq_service_restarts_total\{module="workers"\} 1/);
      });

      await t.step(
        "server restart: replicas run again; shutdown kept the desired state",
        async () => {
          const before = (await server.json("/api/services/workers")).body;
          await server.close();
          server = await startServer(modules, {}, { dir });
          const after = await allRunning(server, "workers", 3);
          assert.equal(after.desired, "running");
          for (let i = 0; i < 3; i++) {
            assert.notEqual(after.replicas[i].run_id, before.replicas[i].run_id);
          }
        },
      );

      await t.step("stop: every replica's tree is gone and no new run starts", async () => {
        const running = (await server.json("/api/services/workers")).body;
        const pids = await Promise.all(running.replicas.map((r: any) => pidOf(server, r.run_id)));
        const children = await waitFor(
          () => {
            const mine = [...Deno.readDirSync(childDir)].filter((e) =>
              pids.some((p) => e.name.endsWith(`-${p}`))
            );
            return mine.length === 3 ? mine : null;
          },
          10_000,
          "the workers' children",
        );
        const childPids = children.map((e) =>
          Number(Deno.readTextFileSync(join(childDir, e.name)))
        );
        const stopped = await server.post("/api/services/workers/stop", {});
        assert.equal(stopped.status, 200);
        assert.equal(stopped.body.desired, "stopped");
        assert.ok(stopped.body.replicas.every((r: any) => r.status === "cancelled"));
        await waitFor(() => [...pids, ...childPids].every((p) => !pidAlive(p)), 10_000, "trees");
        const count = (await runsOf(server, "workers")).length;
        // Absence can only be shown by waiting: twice the restart delay and more.
        await new Promise((r) => setTimeout(r, 2000));
        const runs = await runsOf(server, "workers");
        assert.equal(runs.length, count);
        assert.ok(runs.every((r) => FINAL.includes(r.status)));
      });

      await t.step(
        "a service module can still run once: an ordinary run, replica null",
        async () => {
          const run = await server.post("/api/modules/plain/run", { parameters: { mode: "fail" } });
          assert.equal(run.status, 202);
          assert.equal(run.body.replica, null);
          assert.equal(run.body.trigger, "api");
        },
      );
    } finally {
      await server.close();
    }
  },
});

Deno.test({
  name: "services: a worker exiting 1 at once restarts with doubling delays up to the cap",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const server = await startServer([
      worker("crasher", { replicas: 1, restart_delay_seconds: 0.2 }),
    ], { PRISMQ_SERVICE_MAX_RESTART_DELAY_SECONDS: "0.8" });
    try {
      const started = await server.post("/api/services/crasher/start", {
        parameters: { mode: "fail" },
      });
      assert.equal(started.status, 200);
      const runs = await waitFor(
        async () => {
          const all = await runsOf(server, "crasher");
          const done = all.filter((r) => FINAL.includes(r.status));
          return done.length >= 6 ? done : null;
        },
        30_000,
        "six runs",
      );
      await server.post("/api/services/crasher/stop", {});
      const gaps = runs.slice(1, 6).map((r, i) =>
        Date.parse(r.created_at) - Date.parse(runs[i].completed_at)
      );
      const expected = [200, 400, 800, 800, 800];
      console.log(`restart gaps (ms): ${gaps.join(", ")}; expected ${expected.join(", ")}`);
      gaps.forEach((gap, i) => {
        assert.ok(
          gap >= expected[i] - 30 && gap < expected[i] + 1500,
          `gap ${i + 1} was ${gap} ms, expected ${expected[i]} (all: ${gaps})`,
        );
      });
      assert.ok(runs.every((r) => r.exit_code === 1 && r.replica === 1 && r.attempt === 1));
    } finally {
      await server.close();
    }
  },
});

Deno.test({
  name: 'services: restart "never" leaves an ended replica ended',
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const server = await startServer([
      // Module retries never apply to service runs: only the service restarts a replica.
      {
        ...worker("once", { replicas: 2, restart: "never", restart_delay_seconds: 0.1 }),
        retries: 2,
        retry_delay_seconds: 0,
      },
    ]);
    try {
      await server.post("/api/services/once/start", { parameters: { mode: "fail" } });
      await waitFor(
        async () => {
          const runs = await runsOf(server, "once");
          return runs.length === 2 && runs.every((r) => FINAL.includes(r.status));
        },
        15_000,
        "both runs to end",
      );
      await new Promise((r) => setTimeout(r, 1000));
      const service = (await server.json("/api/services/once")).body;
      assert.equal((await runsOf(server, "once")).length, 2);
      assert.equal(service.desired, "running");
      assert.equal(service.restarts_total, 0);
      assert.ok(
        service.replicas.every((r: any) => r.status === "failed" && r.next_start_at === null),
      );
      assert.equal(service.last_exit.exit_code, 1);
      // Start with other parameters: restarted with them.
      const again = await server.post("/api/services/once/start", { parameters: { mode: "work" } });
      assert.equal(again.status, 200);
      assert.equal(again.body.parameters.mode, "work");
      assert.ok(
        again.body.replicas.every((r: any) =>
          !service.replicas.some((old: any) => old.run_id === r.run_id)
        ),
      );
      await allRunning(server, "once", 2);
      await server.post("/api/services/once/stop", {});
    } finally {
      await server.close();
    }
  },
});
