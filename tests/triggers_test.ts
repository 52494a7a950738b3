// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES, startServer, type TestServer, waitFinal, waitFor } from "./helpers.ts";

const MODULES = [
  {
    id: "nap",
    script: "nap.py",
    parameters: [{ name: "seconds", type: "number", default: 0 }, {
      name: "secret",
      type: "password",
    }],
  },
  {
    id: "flaky",
    script: "flaky.py",
    retries: 3,
    retry_delay_seconds: 1,
    parameters: [
      { name: "state", type: "text", required: true },
      { name: "fails", type: "number", default: 2 },
    ],
  },
  { id: "gone", script: "missing_script.py" },
  {
    id: "napretry",
    script: "nap.py",
    retries: 2,
    retry_delay_seconds: 1,
    parameters: [{ name: "seconds", type: "number", default: 0 }],
  },
];

async function runsOf(server: TestServer, query: string): Promise<any[]> {
  return (await server.json(`/api/runs?limit=100&${query}`)).body.runs;
}

Deno.test("a schedule every 2 s fires on time three times, then stops when deleted", async () => {
  const server = await startServer(MODULES);
  try {
    const created = await server.post("/api/schedules", {
      module_id: "nap",
      cron: "*/2 * * * * *",
      overlap: "queue",
    });
    assert.equal(created.status, 201);
    const id = created.body.schedule_id;
    assert.equal(created.body.timezone, "UTC");
    assert.equal(created.body.enabled, true);
    assert.equal(created.body.overlap, "queue");
    const firstDue = Date.parse(created.body.next_run_at);
    assert.ok(firstDue > Date.now() - 100 && firstDue <= Date.now() + 2000);
    const runs = await waitFor(
      async () => {
        const list = await runsOf(server, "trigger=schedule");
        return list.length >= 3 ? list : null;
      },
      10_000,
      "three fires",
    );
    for (const run of runs) {
      assert.equal(run.trigger, "schedule");
      assert.equal(run.schedule_id, id);
      const created = Date.parse(run.created_at);
      // Due times are even seconds: each fire lands within 1 s of one.
      assert.ok(created % 2000 < 1000, `fired ${created % 2000} ms after its due time`);
    }
    const deleted = await server.json(`/api/schedules/${id}`, { method: "DELETE" });
    assert.equal(deleted.status, 200);
    const count = (await runsOf(server, "trigger=schedule")).length;
    const gone = await server.json(`/api/schedules/${id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error_code, "SCHEDULE_NOT_FOUND");
    // Three more due times pass: nothing fires.
    const until = Date.now() + 4500;
    await waitFor(() => Date.now() > until, 6000, "three due times");
    assert.equal((await runsOf(server, "trigger=schedule")).length, count);
  } finally {
    await server.close();
  }
});

Deno.test("overlap skip never has two runs of one schedule waiting or running; counts the skips", async () => {
  const server = await startServer(MODULES);
  try {
    const { body } = await server.post("/api/schedules", {
      module_id: "nap",
      cron: "* * * * * *",
      parameters: { seconds: 2.5 },
    });
    assert.equal(body.overlap, "skip");
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const live = [
        ...await runsOf(server, "trigger=schedule&status=queued"),
        ...await runsOf(server, "trigger=schedule&status=running"),
      ];
      assert.ok(live.length <= 1, `${live.length} runs of the schedule at once`);
      await waitFor(() => true, 100);
    }
    await server.json(`/api/schedules/${body.schedule_id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ enabled: false }),
    });
    const after = (await server.json(`/api/schedules/${body.schedule_id}`)).body;
    assert.equal(after.enabled, false);
    assert.equal(after.next_run_at, null, "a disabled schedule is never due");
    assert.ok(after.skipped_fires >= 1, `${after.skipped_fires} skipped fires`);
    assert.ok(after.last_run_id);
  } finally {
    await server.close();
  }
});

Deno.test("schedules are validated like runs: bad cron, unknown zone, bad parameters, unknown module", async () => {
  const server = await startServer(MODULES);
  try {
    const bad = await server.post("/api/schedules", {
      module_id: "nap",
      cron: "61 * * * *",
      timezone: "Mars/Base",
      parameters: { seconds: "soon", nope: 1 },
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error_code, "VALIDATION_ERROR");
    const fields = bad.body.errors.map((e: any) => e.field).sort();
    assert.deepEqual(fields, ["parameters.nope", "parameters.seconds", "timezone"]);
    const cron = await server.post("/api/schedules", { module_id: "nap", cron: "* * *" });
    assert.equal(cron.body.errors[0].field, "cron");
    const unknown = await server.post("/api/schedules", { module_id: "nope", cron: "* * * * *" });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error_code, "MODULE_NOT_FOUND");
    const ok = await server.post("/api/schedules", {
      module_id: "nap",
      cron: "30 2 * * *",
      timezone: "Europe/Berlin",
      parameters: { secret: "hunter2" },
    });
    assert.equal(ok.status, 201);
    assert.equal(ok.body.parameters.secret, "********");
    const list = await server.json("/api/schedules?module_id=nap");
    assert.equal(list.body.total, 1);
  } finally {
    await server.close();
  }
});

Deno.test("a schedule survives a restart and fires after it; an unavailable module records a failed run", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-test-" });
  // "gone" can run when its schedule is made (one for an unavailable module is refused) and
  // loses its script before the restart.
  const script = join(dir, "gone.py");
  Deno.copyFileSync(join(FIXTURES, "nap.py"), script);
  const modules = MODULES.map((m) => m.id === "gone" ? { ...m, script } : m);
  let server = await startServer(modules, {}, { dir });
  let ids: string[];
  try {
    const a = await server.post("/api/schedules", { module_id: "nap", cron: "* * * * * *" });
    const b = await server.post("/api/schedules", { module_id: "gone", cron: "* * * * * *" });
    ids = [a.body.schedule_id, b.body.schedule_id];
    await server.json(`/api/schedules/${ids[0]}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ enabled: false }),
    });
  } finally {
    await server.close();
  }
  Deno.removeSync(script);
  server = await startServer(modules, {}, { dir });
  try {
    assert.equal((await server.json("/api/schedules")).body.total, 2);
    const enable = (id: string) =>
      server.json(`/api/schedules/${id}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ enabled: true }),
      });
    assert.equal((await enable(ids[0])).status, 200);
    const refused = await enable(ids[1]);
    assert.equal(refused.status, 422, "enabling a schedule of an unavailable module");
    assert.equal(refused.body.error_code, "MODULE_UNAVAILABLE");
    const failed = await waitFor(
      async () => {
        const list = await runsOf(server, "trigger=schedule&module_id=gone");
        return list.find((r) => r.status === "failed");
      },
      5000,
      "the unavailable module's fire",
    );
    assert.match(failed.error_message, /script not found/);
    await waitFor(
      async () => (await runsOf(server, "trigger=schedule&module_id=nap")).length > 0,
      5000,
      "a fire after the restart",
    );
    const kept = (await server.json(`/api/schedules/${ids[1]}`)).body;
    assert.equal(kept.module_id, "gone", "the schedule keeps its definition");
  } finally {
    await server.close();
  }
});

Deno.test("a module that fails twice then succeeds gives attempts 1, 2, 3 linked by retry_of, spaced by the delay", async () => {
  const server = await startServer(MODULES);
  try {
    const state = join(server.dir, "flaky-state");
    const { body } = await server.post("/api/modules/flaky/run", { parameters: { state } });
    const chain = await waitFor(
      async () => {
        const list = await runsOf(server, "module_id=flaky");
        return list.some((r) => r.status === "completed") ? list : null;
      },
      15_000,
      "the third attempt",
    );
    const byAttempt = chain.sort((a, b) => a.attempt - b.attempt);
    assert.deepEqual(byAttempt.map((r) => [r.attempt, r.status]), [
      [1, "failed"],
      [2, "failed"],
      [3, "completed"],
    ]);
    assert.equal(byAttempt[0].run_id, body.run_id);
    assert.equal(byAttempt[0].retry_of, null);
    assert.equal(byAttempt[0].trigger, "api");
    for (const retry of byAttempt.slice(1)) {
      assert.equal(retry.trigger, "retry");
      assert.equal(retry.retry_of, body.run_id);
    }
    for (let i = 1; i < 3; i++) {
      const gap = Date.parse(byAttempt[i].created_at) - Date.parse(byAttempt[i - 1].completed_at);
      assert.ok(gap >= 950 && gap < 3000, `attempt ${i + 1} came ${gap} ms after the failure`);
    }
  } finally {
    await server.close();
  }
});

Deno.test("a retry due while the server is stopped is submitted after the restart; a cancelled run is not retried", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-test-" });
  const modules = MODULES.map((m) => m.id === "flaky" ? { ...m, retry_delay_seconds: 2 } : m);
  let server = await startServer(modules, {}, { dir });
  const state = join(dir, "flaky-state");
  let first: string;
  try {
    const { body } = await server.post("/api/modules/flaky/run", {
      parameters: { state, fails: 1 },
    });
    first = body.run_id;
    await waitFinal(server, first);
  } finally {
    await server.close(); // the retry is due in 2 s: while the server is down
  }
  const downUntil = Date.now() + 2500;
  await waitFor(() => Date.now() > downUntil, 4000, "the retry's due time to pass");
  server = await startServer(modules, {}, { dir });
  try {
    const retry = await waitFor(
      async () => {
        const list = await runsOf(server, "trigger=retry");
        return list.find((r) => r.status === "completed");
      },
      15_000,
      "the retry after the restart",
    );
    assert.equal(retry.retry_of, first);
    assert.equal(retry.attempt, 2);

    // A cancelled run is not retried, though its module has retries left.
    const slow = await server.post("/api/modules/napretry/run", { parameters: { seconds: 30 } });
    assert.equal(slow.body.status, "running");
    const cancelled = await server.json(`/api/runs/${slow.body.run_id}`, { method: "DELETE" });
    assert.equal(cancelled.body.status, "cancelled");
    const wait = Date.now() + 2000;
    await waitFor(() => Date.now() > wait, 4000, "twice the retry delay");
    assert.equal((await runsOf(server, "module_id=napretry")).length, 1, "no retry after a cancel");
  } finally {
    await server.close();
  }
});

Deno.test("re-run merges parameters, validates them, and asks again for passwords", async () => {
  const server = await startServer(MODULES);
  try {
    const { body } = await server.post("/api/modules/nap/run", {
      parameters: { seconds: 0.1, secret: "hunter2" },
    });
    await waitFinal(server, body.run_id);
    const again = await server.post(`/api/runs/${body.run_id}/rerun`, {
      parameters: { seconds: 0.2 },
    });
    assert.equal(again.status, 202);
    assert.equal(again.body.trigger, "rerun");
    assert.equal(again.body.attempt, 1);
    assert.equal(again.body.retry_of, null);
    assert.deepEqual(again.body.parameters, { seconds: 0.2 }, "the password is not carried over");
    const bad = await server.post(`/api/runs/${body.run_id}/rerun`, {
      parameters: { seconds: "x" },
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].field, "seconds");
    const missing = await server.post(`/api/runs/zzzzzzzzzzzzzzzz/rerun`, {});
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error_code, "RUN_NOT_FOUND");
    assert.equal((await runsOf(server, "trigger=rerun")).length, 1);
    await waitFinal(server, again.body.run_id);
  } finally {
    await server.close();
  }
});
