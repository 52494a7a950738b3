// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { maxOverlap, startServer, type TestServer, waitFinal, waitFor } from "./helpers.ts";

const nap = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  script: "nap.py",
  parameters: [{ name: "seconds", type: "number", default: 1 }],
  ...extra,
});

async function sampleRunning(
  server: TestServer,
  until: () => boolean,
  moduleId?: string,
): Promise<number> {
  let max = 0;
  while (!until()) {
    const q = moduleId ? `&module_id=${moduleId}` : "";
    max = Math.max(max, (await server.json(`/api/runs?status=running&limit=1${q}`)).body.total);
  }
  return max;
}

/** Submits `count` runs of the "nap" module at once; each is accepted. */
async function submitNaps(server: TestServer, count: number, seconds: number): Promise<any[]> {
  const answers = await Promise.all(
    Array.from(
      { length: count },
      () => server.post("/api/modules/nap/run", { parameters: { seconds } }),
    ),
  );
  assert.ok(answers.every((s) => s.status === 202));
  return answers.map((a) => a.body);
}

/** Waits for every run to be final; `done()` says whether they all are yet. */
function allFinal(
  server: TestServer,
  runs: any[],
): { finals: Promise<any[]>; done: () => boolean } {
  let done = false;
  const finals = Promise.all(runs.map((r) => waitFinal(server, r.run_id))).then((f) => {
    done = true;
    return f;
  });
  return { finals, done: () => done };
}

Deno.test("limit 2: eight runs never run more than 2 at once, start in submission order, all complete", async () => {
  const server = await startServer([nap("nap")], { PRISMQ_MAX_CONCURRENT_RUNS: "2" });
  try {
    const submitted = await submitNaps(server, 8, 0.5);
    const created = [...submitted].sort((a, b) => a.created_at.localeCompare(b.created_at));
    const queued = submitted.filter((r) => r.status === "queued");
    assert.equal(queued.length, 6);
    assert.deepEqual(queued.map((r) => r.queue_position).sort(), [1, 2, 3, 4, 5, 6]);
    const { finals, done } = allFinal(server, created);
    const sampled = await sampleRunning(server, done);
    const runs = await finals;
    assert.ok(sampled <= 2, `sampled ${sampled} running`);
    assert.ok(runs.every((r) => r.status === "completed"));
    assert.ok(maxOverlap(runs) <= 2, `overlap ${maxOverlap(runs)}`);
    // The queued runs started in the order they were submitted (queue_position 1 first).
    const byPosition = [...queued].sort((a, b) => a.queue_position - b.queue_position).map((r) =>
      r.run_id
    );
    const byStart = runs.filter((r) => byPosition.includes(r.run_id))
      .sort((a, b) => a.started_at.localeCompare(b.started_at) || 0).map((r) => r.run_id);
    assert.deepEqual(byStart, byPosition);
  } finally {
    await server.close();
  }
});

Deno.test("a module limit of 1 under a global limit of 4 keeps that module's order and lets others pass", async () => {
  const server = await startServer([nap("one", { max_concurrent_runs: 1 }), nap("other")], {
    PRISMQ_MAX_CONCURRENT_RUNS: "4",
  });
  try {
    const ones = [];
    for (let i = 0; i < 3; i++) {
      ones.push((await server.post("/api/modules/one/run", { parameters: { seconds: 0.4 } })).body);
    }
    assert.deepEqual(ones.map((r) => r.status), ["running", "queued", "queued"]);
    const others = [];
    for (let i = 0; i < 2; i++) {
      others.push(
        (await server.post("/api/modules/other/run", { parameters: { seconds: 0.4 } })).body,
      );
    }
    // No head-of-line blocking: the other module starts at once although "one" has runs queued.
    assert.deepEqual(others.map((r) => r.status), ["running", "running"]);
    const oneRuns = await Promise.all(ones.map((r) => waitFinal(server, r.run_id)));
    await Promise.all(others.map((r) => waitFinal(server, r.run_id)));
    assert.equal(maxOverlap(oneRuns), 1);
    const starts = oneRuns.map((r) => r.started_at);
    assert.deepEqual(starts, [...starts].sort());
  } finally {
    await server.close();
  }
});

Deno.test("200 parallel submissions at limit 4: each run starts once, all finish, no 5xx", async () => {
  const server = await startServer([nap("fast")], {
    PRISMQ_MAX_CONCURRENT_RUNS: "4",
    PRISMQ_MAX_QUEUED_RUNS: "1000",
  });
  try {
    const answers = await Promise.all(
      Array.from(
        { length: 200 },
        () => server.post("/api/modules/fast/run", { parameters: { seconds: 0 } }),
      ),
    );
    assert.deepEqual([...new Set(answers.map((a) => a.status))], [202]);
    const ids = answers.map((a) => a.body.run_id);
    assert.equal(new Set(ids).size, 200);
    let maxRunning = 0;
    await waitFor(
      async () => {
        const running = (await server.json("/api/runs?status=running&limit=1")).body.total;
        maxRunning = Math.max(maxRunning, running, server.runner.services.runs.activeCount);
        const { body } = await server.json("/api/runs?status=completed&limit=1");
        return body.total === 200;
      },
      60_000,
      "200 completed runs",
    );
    assert.ok(maxRunning <= 4, `sampled ${maxRunning} running at a limit of 4`);
    const runs = await Promise.all(
      ids.map((id) => server.json(`/api/runs/${id}`).then((r) => r.body)),
    );
    assert.ok(maxOverlap(runs) <= 4, `overlap ${maxOverlap(runs)}`);
    const health = await server.json("/api/health");
    assert.equal(health.status, 200);
    assert.equal(health.body.active_runs, 0);
    assert.equal(health.body.queued_runs, 0);
    for (const id of ids) {
      const logs = (await server.json(`/api/runs/${id}/logs`)).body.logs;
      const starts = logs.filter((l: any) => l.message.startsWith("run "));
      assert.deepEqual(starts.map((l: any) => l.message), [`run ${id} started`]);
    }
  } finally {
    await server.close();
  }
});

Deno.test("a full queue answers 429 QUEUE_FULL and stores nothing; a cancelled queued run never starts", async () => {
  const server = await startServer([nap("nap")], {
    PRISMQ_MAX_CONCURRENT_RUNS: "1",
    PRISMQ_MAX_QUEUED_RUNS: "2",
  });
  try {
    const first = (await server.post("/api/modules/nap/run", { parameters: { seconds: 30 } })).body;
    const second = (await server.post("/api/modules/nap/run", {})).body;
    const third = (await server.post("/api/modules/nap/run", {})).body;
    assert.deepEqual([first.status, second.status, third.status], ["running", "queued", "queued"]);
    assert.deepEqual([second.queue_position, third.queue_position], [1, 2]);
    const refused = await server.post("/api/modules/nap/run", {});
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error_code, "QUEUE_FULL");
    assert.equal((await server.json("/api/runs")).body.total, 3);

    const cancelled = await server.json(`/api/runs/${second.run_id}`, { method: "DELETE" });
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, "cancelled");
    assert.equal(cancelled.body.started_at, null);
    assert.equal((await server.json(`/api/runs/${third.run_id}`)).body.queue_position, 1);
    await server.json(`/api/runs/${first.run_id}`, { method: "DELETE" });
    const thirdFinal = await waitFinal(server, third.run_id);
    assert.equal(thirdFinal.status, "completed");
    const secondFinal = (await server.json(`/api/runs/${second.run_id}`)).body;
    assert.equal(secondFinal.status, "cancelled");
    assert.equal(secondFinal.started_at, null);
    assert.equal((await server.json(`/api/runs/${second.run_id}/logs`)).body.logs.length, 0);
  } finally {
    await server.close();
  }
});

Deno.test("while a module limit of 2 drains 12 queued runs, every listed queued run has its 1-based queue_position", async () => {
  const server = await startServer([nap("nap", { max_concurrent_runs: 2 })]);
  try {
    const { finals, done } = allFinal(server, await submitNaps(server, 12, 0.05));
    let listings = 0;
    let listed = 0;
    const bad: unknown[] = [];
    while (!done()) {
      const { status, body } = await server.json("/api/runs?status=queued&limit=100");
      assert.equal(status, 200);
      listings++;
      for (const run of body.runs) {
        if (run.status !== "queued") continue;
        listed++;
        const p = run.queue_position;
        if (!Number.isInteger(p) || p < 1) bad.push({ run_id: run.run_id, queue_position: p });
      }
    }
    const runs = await finals;
    assert.ok(runs.every((r) => r.status === "completed"));
    assert.ok(listings >= 10 && listed > 0, `${listings} listings, ${listed} queued runs seen`);
    assert.deepEqual(bad, [], `queued runs without a position (of ${listed} seen)`);
  } finally {
    await server.close();
  }
});

Deno.test("cancels racing the queue as it drains, two per run: each answers the cancelled run or 409, the final status agrees, no slot leaks", async () => {
  const server = await startServer([nap("nap", { max_concurrent_runs: 1 })]);
  try {
    const submitted = [];
    for (let i = 0; i < 10; i++) {
      submitted.push(
        (await server.post("/api/modules/nap/run", { parameters: { seconds: 0.05 } })).body,
      );
    }
    const cancel = (id: string) => server.json(`/api/runs/${id}`, { method: "DELETE" });
    // Every run but the first is cancelled twice at once while the pump starts them one by one.
    const answers = await Promise.all(
      submitted.slice(1).map((r) => Promise.all([cancel(r.run_id), cancel(r.run_id)])),
    );
    const finals = await Promise.all(submitted.map((r) => waitFinal(server, r.run_id)));
    for (const [i, pair] of answers.entries()) {
      const final = finals[i + 1];
      for (const { status, body } of pair) {
        assert.ok([200, 409].includes(status), `status ${status}: ${JSON.stringify(body)}`);
        // A 200 is the one final run; a 409 came after it was final (cancelled or completed).
        if (status === 200) assert.deepEqual(body, final);
        else assert.equal(body.error_code, "RUN_ALREADY_FINISHED");
      }
      const cancelled = pair.some((a) => a.status === 200);
      assert.equal(final.status, cancelled ? "cancelled" : "completed");
    }
    const health = (await server.json("/api/health")).body;
    assert.deepEqual([health.active_runs, health.queued_runs], [0, 0]);
    const after = (await server.post("/api/modules/nap/run", { parameters: { seconds: 0 } })).body;
    assert.equal(after.status, "running", "the module's one slot is free again");
    await waitFinal(server, after.run_id);
  } finally {
    await server.close();
  }
});
