// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { join } from "node:path";
import { maxOverlap, pidAlive, python, waitFor, writeModuleFile } from "./helpers.ts";
import { type ServerProcess, spawnServer } from "./server_process.ts";
import { SseReader } from "./sse_client.ts";

/** Three real server processes on one KV file, each with its own data dir. */
async function startHosts(
  dir: string,
  modulesPath: string,
  ids: string[],
  env: Record<string, string> = {},
) {
  const kvPath = join(dir, "shared.kv");
  return await Promise.all(ids.map((id) =>
    spawnServer({
      PRISMQ_MODULES: modulesPath,
      PRISMQ_DATA_DIR: join(dir, `data-${id}`),
      PRISMQ_KV_PATH: kvPath,
      PRISMQ_HOST_ID: id,
      PRISMQ_PYTHON: python(),
      PRISMQ_MAX_CONCURRENT_RUNS: "2",
      PRISMQ_HOST_TIMEOUT_SECONDS: "2",
      PRISMQ_KILL_GRACE_SECONDS: "1",
      ...env,
    })
  ));
}

async function call(host: ServerProcess, path: string, init?: RequestInit) {
  const res = await fetch(`${host.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null } as {
    status: number;
    body: any;
  };
}

function post(host: ServerProcess, path: string, body: unknown) {
  return call(host, path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

const FINAL = ["completed", "failed", "cancelled"];

/** The pid of a run, from its `started ... (pid N)` line, read through `host`. */
function pidOf(host: ServerProcess, runId: string): Promise<number> {
  return waitFor(
    async () => {
      const logs = (await call(host, `/api/runs/${runId}/logs`)).body.logs;
      return Number(/\(pid (\d+)\)/.exec(logs[0]?.message ?? "")?.[1] ?? 0);
    },
    5000,
    "the run's pid",
  );
}

/** Every run of a module, read through `host`. */
async function runsOf(host: ServerProcess, moduleId: string): Promise<any[]> {
  const out: any[] = [];
  let cursor = "";
  for (;;) {
    const page = await call(host, `/api/runs?module_id=${moduleId}&limit=100${cursor}`);
    out.push(...page.body.runs);
    if (page.body.next_cursor === null) return out;
    cursor = `&cursor=${page.body.next_cursor}`;
  }
}

Deno.test({
  name:
    "three hosts on one KV file: exactly-once starts, limits across hosts, cancel, SSE, a lost host, a schedule",
  ignore: Deno.build.os === "windows",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const dir = Deno.makeTempDirSync({ prefix: "prismq-hosts-" });
    const idsFile = join(dir, "ids.txt");
    const soloFile = join(dir, "solo.txt");
    const modulesPath = writeModuleFile(dir, [
      {
        id: "append",
        script: "append_id.py",
        parameters: [
          { name: "file", type: "text", default: idsFile },
          { name: "seconds", type: "number", default: 0.05 },
        ],
      },
      {
        id: "solo",
        script: "append_id.py",
        max_concurrent_runs: 1,
        parameters: [
          { name: "file", type: "text", default: soloFile },
          { name: "seconds", type: "number", default: 0.2 },
        ],
      },
      { id: "clock", script: "clock.py", retries: 1, retry_delay_seconds: 0 },
    ]);
    const hosts = await startHosts(dir, modulesPath, ["a", "b", "c"]);
    const [a, b, c] = hosts;
    const orphans: number[] = [];
    try {
      await t.step("health and GET /api/hosts name every host", async () => {
        assert.equal((await call(b, "/api/health")).body.host_id, "b");
        const listed = await call(a, "/api/hosts");
        assert.equal(listed.status, 200);
        assert.deepEqual(listed.body.hosts.map((h: any) => h.host_id), ["a", "b", "c"]);
        assert.ok(listed.body.hosts.every((h: any) => h.alive && h.max_concurrent_runs === 2));
      });

      await t.step(
        "45 runs submitted round-robin: each started exactly once, no host over its limit",
        async () => {
          const answers = await Promise.all(
            Array.from({ length: 45 }, (_, i) => post(hosts[i % 3], "/api/modules/append/run", {})),
          );
          assert.ok(
            answers.every((r) => r.status === 202),
            JSON.stringify(answers.map((r) => r.status)),
          );
          const submitted = answers.map((r) => r.body.run_id).sort();
          assert.equal(new Set(submitted).size, 45);
          const runs = await waitFor(
            async () => {
              const all = await runsOf(c, "append");
              return all.length === 45 && all.every((r) => FINAL.includes(r.status)) ? all : null;
            },
            60_000,
            "45 final runs",
          );
          assert.ok(runs.every((r) => r.status === "completed"), "every run completed");
          const appended = Deno.readTextFileSync(idsFile).trim().split("\n").map((l) =>
            l.split(" ")[0]
          );
          assert.deepEqual(appended.sort(), submitted, "every id exactly once");
          for (const id of ["a", "b", "c"]) {
            const mine = runs.filter((r) => r.host_id === id);
            assert.ok(maxOverlap(mine) <= 2, `host ${id} ran ${maxOverlap(mine)} at once`);
          }
          assert.ok(new Set(runs.map((r) => r.host_id)).size >= 2, "more than one host worked");
        },
      );

      await t.step("a module limited to 1 never overlaps across hosts", async () => {
        const answers = await Promise.all(
          Array.from({ length: 9 }, (_, i) => post(hosts[i % 3], "/api/modules/solo/run", {})),
        );
        assert.ok(answers.every((r) => r.status === 202));
        await waitFor(
          async () => {
            const all = await runsOf(a, "solo");
            return all.length === 9 && all.every((r) => r.status === "completed");
          },
          60_000,
          "9 solo runs",
        );
        const spans = Deno.readTextFileSync(soloFile).trim().split("\n")
          .map((l) => l.split(" ").slice(1).map(Number)).sort((x, y) => x[0] - y[0]);
        assert.equal(spans.length, 9);
        for (let i = 1; i < spans.length; i++) {
          assert.ok(spans[i][0] >= spans[i - 1][1], `run ${i} started before run ${i - 1} ended`);
        }
      });

      await t.step(
        "SSE through another host gets lines within 1 s; cancel through a third",
        async () => {
          const started = await post(a, "/api/modules/clock/run", {});
          assert.equal(started.body.status, "running");
          assert.equal(started.body.host_id, "a");
          const runId = started.body.run_id;
          const stream = new SseReader(await fetch(`${b.url}/api/runs/${runId}/logs/stream`));
          const lags: number[] = [];
          while (lags.length < 8) {
            const e = await stream.next();
            assert.ok(e !== null);
            if (e.event !== "message") continue;
            const m = /^at (\d+)$/.exec(JSON.parse(e.data).message);
            if (m) lags.push(Date.now() - Number(m[1]));
          }
          // The first lines may be read as already stored; every later one arrives live.
          assert.ok(Math.max(...lags.slice(2)) < 1000, `lags ${lags.join(", ")} ms`);
          const cancelled = await call(c, `/api/runs/${runId}`, { method: "DELETE" });
          assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
          assert.equal(cancelled.body.status, "cancelled");
          assert.equal(cancelled.body.host_id, "a");
          const rest = await stream.all();
          assert.equal(rest.at(-1)?.event, "end");
          assert.equal(JSON.parse(rest.at(-1)!.data).status, "cancelled");
          const again = await call(b, `/api/runs/${runId}`, { method: "DELETE" });
          assert.equal(again.status, 409);
        },
      );

      await t.step("a schedule on three hosts fires once per due time", async () => {
        const created = await post(b, "/api/schedules", {
          module_id: "append",
          cron: "* * * * * *",
          parameters: {},
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const scheduleId = created.body.schedule_id;
        const fired = (all: any[]) => all.filter((r) => r.schedule_id === scheduleId);
        // Long enough for every host to have read the schedule (they read them every 2 s).
        await waitFor(async () => fired(await runsOf(a, "append")).length >= 6, 20_000, "6 fires");
        assert.equal(
          (await call(b, `/api/schedules/${scheduleId}`, { method: "DELETE" })).status,
          200,
        );
        const runs = fired(await runsOf(a, "append"));
        const seconds = runs.map((r) => Date.parse(r.created_at)).sort((x, y) => x - y);
        for (let i = 1; i < seconds.length; i++) {
          assert.ok(
            seconds[i] - seconds[i - 1] >= 500,
            `two fires ${seconds[i] - seconds[i - 1]} ms apart`,
          );
        }
      });

      await t.step("a host paused past the timeout stops its run when it wakes", async () => {
        const started = await post(b, "/api/modules/clock/run", {});
        assert.equal(started.body.host_id, "b");
        const runId = started.body.run_id;
        const pid = await pidOf(a, runId);
        orphans.push(pid);
        Deno.kill(b.child.pid, "SIGSTOP");
        try {
          const failed = await waitFor(
            async () => {
              const run = (await call(a, `/api/runs/${runId}`)).body;
              return FINAL.includes(run.status) ? run : null;
            },
            // Generous: three test files run at once on two cores (a timeout of 2 s, the sweep's
            // turn, then its write); it failed once at 10 s in a loaded parallel run.
            30_000,
            "the paused host's run to fail",
          );
          assert.match(failed.error_message, /host "b" stopped/);
        } finally {
          Deno.kill(b.child.pid, "SIGCONT");
        }
        await waitFor(() => !pidAlive(pid), 10_000, "the paused host to stop its run");
        await waitFor(
          async () => {
            const hosts = (await call(c, "/api/hosts")).body.hosts;
            return hosts.find((h: any) => h.host_id === "b")?.alive;
          },
          10_000,
          "host b alive again",
        );
        // Its retry (the module has one) runs somewhere: stop it.
        const retry = await waitFor(
          async () =>
            (await runsOf(a, "clock")).find((r) =>
              r.retry_of === runId && !FINAL.includes(r.status)
            ),
          10_000,
          "the retry",
        );
        const stopped = await call(c, `/api/runs/${retry.run_id}`, { method: "DELETE" });
        assert.equal(stopped.body.status, "cancelled", JSON.stringify(stopped.body));
      });

      await t.step(
        "SIGKILL of a host mid-run: another host fails its run within the timeout",
        async () => {
          const started = await post(c, "/api/modules/clock/run", {});
          assert.equal(started.body.host_id, "c");
          const runId = started.body.run_id;
          const pid = await pidOf(a, runId);
          orphans.push(pid);
          await c.stop("SIGKILL");
          const killedAt = performance.now();
          const failed = await waitFor(
            async () => {
              const run = (await call(a, `/api/runs/${runId}`)).body;
              return FINAL.includes(run.status) ? run : null;
            },
            10_000,
            "the lost host's run to fail",
          );
          const tookMs = performance.now() - killedAt;
          assert.equal(failed.status, "failed");
          assert.match(failed.error_message, /host "c" stopped/);
          // 2 s timeout, then at most one heartbeat (400 ms) of the host that notices it.
          assert.ok(tookMs < 4000, `failed after ${Math.round(tookMs)} ms`);
          const listed = (await call(b, "/api/hosts")).body.hosts;
          const lost = listed.find((h: any) => h.host_id === "c");
          assert.equal(lost.alive, false);
          assert.equal(lost.running_runs, 0);
          const logs = (await call(b, `/api/runs/${runId}/logs?tail=1`)).body.logs;
          assert.match(logs[0].message, /host "c" stopped/);
          // The module has a retry left: it runs again on a live host.
          const retry = await waitFor(
            async () => {
              const runs = await runsOf(a, "clock");
              return runs.find((r) => r.retry_of === runId && r.status === "running");
            },
            10_000,
            "the retry of the lost run",
          );
          assert.ok(["a", "b"].includes(retry.host_id), retry.host_id);
          assert.equal(retry.attempt, 2);
          const stopped = await call(a, `/api/runs/${retry.run_id}`, { method: "DELETE" });
          assert.equal(stopped.body.status, "cancelled");
        },
      );
    } finally {
      for (const pid of orphans) {
        if (pidAlive(pid)) Deno.kill(-pid, "SIGKILL");
      }
      await Promise.all(hosts.map((h) => h.stop("SIGTERM")));
    }
  },
});

Deno.test({
  name:
    "a second server with the same PRISMQ_HOST_ID on the store refuses to start; a restart of the same one does not wait",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = Deno.makeTempDirSync({ prefix: "prismq-hosts-" });
    const modulesPath = writeModuleFile(dir, [{ id: "clock", script: "clock.py" }]);
    const [first] = await startHosts(dir, modulesPath, ["same"]);
    try {
      const second = await spawnServer({
        PRISMQ_MODULES: modulesPath,
        PRISMQ_DATA_DIR: join(dir, "data-other"),
        PRISMQ_KV_PATH: join(dir, "shared.kv"),
        PRISMQ_HOST_ID: "same",
        PRISMQ_PYTHON: python(),
        PRISMQ_HOST_TIMEOUT_SECONDS: "2",
      }).then(() => null, (err) => err);
      assert.ok(second !== null, "the second server started");
      assert.match(second.stderr, /PRISMQ_HOST_ID="same": another server with this id is running/);
      assert.equal(second.stderr.trim().split("\n").length, 1);
    } finally {
      await first.stop("SIGKILL");
    }
    // The same data dir after a crash: its own fresh heartbeat, taken over at once. Another data
    // dir would wait 2.5 heartbeats first: 7.5 s with a 30 s timeout.
    const [again] = await startHosts(dir, modulesPath, ["same"], {
      PRISMQ_HOST_TIMEOUT_SECONDS: "30",
    });
    try {
      assert.ok(again.startMs < 5000, `listening after ${Math.round(again.startMs)} ms`);
      assert.equal((await call(again, "/api/health")).body.host_id, "same");
    } finally {
      await again.stop("SIGTERM");
    }
  },
});

Deno.test({
  name: "a server restarted on its data dir under another host id recovers its runs at start",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = Deno.makeTempDirSync({ prefix: "prismq-hosts-" });
    const modulesPath = writeModuleFile(dir, [{ id: "clock", script: "clock.py" }]);
    const [first] = await startHosts(dir, modulesPath, ["old"]);
    const runId = (await post(first, "/api/modules/clock/run", {})).body.run_id;
    const pid = await pidOf(first, runId);
    await first.stop("SIGKILL");
    const renamed = await spawnServer({
      PRISMQ_MODULES: modulesPath,
      PRISMQ_DATA_DIR: join(dir, "data-old"),
      PRISMQ_KV_PATH: join(dir, "shared.kv"),
      PRISMQ_HOST_ID: "renamed",
      PRISMQ_PYTHON: python(),
    });
    try {
      const run = (await call(renamed, `/api/runs/${runId}`)).body;
      assert.equal(run.status, "failed");
      assert.match(run.error_message, /server stopped during this run/);
      await waitFor(() => !pidAlive(pid), 5000, "the old run's process to be gone");
    } finally {
      if (pidAlive(pid)) Deno.kill(-pid, "SIGKILL");
      await renamed.stop("SIGTERM");
    }
  },
});
