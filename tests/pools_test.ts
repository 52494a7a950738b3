// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer, type TestServer, waitFinal } from "./helpers.ts";

/** A module that appends its run id and its own start and end times (ns) to `file`. */
function appender(id: string, file: string, seconds: number, extra: Record<string, unknown> = {}) {
  return {
    id,
    script: "append_id.py",
    parameters: [
      { name: "file", type: "text", default: file },
      { name: "seconds", type: "number", default: seconds },
    ],
    ...extra,
  };
}

/** The spans the scripts wrote, by run id: [start, end] in ns. */
function spans(file: string): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const line of Deno.readTextFileSync(file).trim().split("\n")) {
    const [id, start, end] = line.split(" ");
    out.set(id, [Number(start), Number(end)]);
  }
  return out;
}

/** Largest sum of weights of spans open at one instant (a weight is a run's slots). */
function peak(spanList: { span: [number, number]; weight: number }[]): number {
  const events = spanList.flatMap(({ span, weight }) => [
    [span[0], weight],
    [span[1], -weight],
  ]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of events) max = Math.max(max, now += d);
  return max;
}

/** Every run of the server in submission order (the listing is newest first by that order). */
async function inSubmissionOrder(server: TestServer): Promise<any[]> {
  const out: any[] = [];
  let cursor = "";
  for (;;) {
    const page = (await server.json(`/api/runs?limit=100${cursor}`)).body;
    out.push(...page.runs);
    if (page.next_cursor === null) return out.reverse();
    cursor = `&cursor=${page.next_cursor}`;
  }
}

Deno.test("five modules sharing a one-slot pool: 20 runs submitted at once never overlap, all end, in submission order", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-pools-" });
  const file = join(dir, "spans.txt");
  const ids = ["m1", "m2", "m3", "m4", "m5"];
  const server = await startServer(
    ids.map((id) => appender(id, file, 0.05, { uses: ["gpu"] })),
    { PRISMQ_MAX_CONCURRENT_RUNS: "10" },
    { dir, top: { pools: { gpu: 1 } } },
  );
  try {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => server.post(`/api/modules/${ids[i % 5]}/run`, {})),
    );
    assert.ok(answers.every((a) => a.status === 202), JSON.stringify(answers.map((a) => a.status)));
    const finals = await Promise.all(answers.map((a) => waitFinal(server, a.body.run_id, 60_000)));
    assert.ok(finals.every((r) => r.status === "completed"), "every run completed");
    const written = spans(file);
    assert.equal(written.size, 20, "each run ran once");
    assert.equal(peak([...written.values()].map((span) => ({ span, weight: 1 }))), 1);
    const submitted = (await inSubmissionOrder(server)).map((r) => r.run_id);
    const started = [...written].sort((a, b) => a[1][0] - b[1][0]).map(([id]) => id);
    assert.deepEqual(started, submitted, "runs started in submission order");
    const pools = (await server.json("/api/pools")).body.pools;
    assert.deepEqual(pools, [{ name: "gpu", slots: 1, in_use: 0, queued: 0, runs: [] }]);
  } finally {
    await server.close();
  }
});

Deno.test("a two-slot pool with uses of 1 and 2: a 2-slot run is not overtaken by later 1-slot runs; another module runs while the pool is full", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-pools-" });
  const file = join(dir, "spans.txt");
  const server = await startServer(
    [
      appender("one", file, 0.6, { uses: { gpu: 1 } }),
      appender("two", file, 0.3, { uses: { gpu: 2 } }),
      appender("free", file, 0, {}),
    ],
    { PRISMQ_MAX_CONCURRENT_RUNS: "10" },
    { dir, top: { pools: { gpu: 2 } } },
  );
  try {
    const a = (await server.post("/api/modules/one/run", {})).body;
    assert.equal(a.status, "running");
    assert.equal(a.waiting_for, null);
    const b = (await server.post("/api/modules/two/run", {})).body;
    assert.equal(b.status, "queued");
    assert.equal(b.waiting_for, "pool gpu: 1 of 2 slots in use");
    // A free slot, but the earlier 2-slot run waits for it: the later 1-slot run waits too.
    const c = (await server.post("/api/modules/one/run", {})).body;
    assert.equal(c.status, "queued");
    assert.equal(c.waiting_for, "pool gpu: 1 of 2 slots in use");
    assert.deepEqual([b.queue_position, c.queue_position], [1, 2]);
    // A run that needs nothing of the pool starts at once.
    const free = (await server.post("/api/modules/free/run", {})).body;
    assert.equal(free.status, "running");
    const pools = (await server.json("/api/pools")).body.pools;
    assert.deepEqual(pools, [{ name: "gpu", slots: 2, in_use: 1, queued: 2, runs: [a.run_id] }]);
    const finals = await Promise.all([a, b, c, free].map((r) => waitFinal(server, r.run_id)));
    assert.ok(finals.every((r) => r.status === "completed" && r.waiting_for === null));
    const written = spans(file);
    const weight: Record<string, number> = { [a.run_id]: 1, [b.run_id]: 2, [c.run_id]: 1 };
    assert.equal(
      peak([a, b, c].map((r) => ({ span: written.get(r.run_id)!, weight: weight[r.run_id] }))),
      2,
    );
    assert.ok(written.get(b.run_id)![0] >= written.get(a.run_id)![1], "b waited for a");
    assert.ok(written.get(c.run_id)![0] >= written.get(b.run_id)![1], "c did not overtake b");
    assert.ok(written.get(free.run_id)![1] < written.get(a.run_id)![1], "free ran meanwhile");
  } finally {
    await server.close();
  }
});

Deno.test("waiting_for names the global limit, the module limit, a pool and a host label; GET /api/pools and /metrics show the pool", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-pools-" });
  const file = join(dir, "spans.txt");
  const server = await startServer(
    [
      appender("solo", file, 30, { max_concurrent_runs: 1 }),
      appender("gpu", file, 30, { uses: ["gpu"] }),
      appender("labelled", file, 30, { host_labels: ["gpu"] }),
      appender("free", file, 30),
    ],
    { PRISMQ_MAX_CONCURRENT_RUNS: "3" },
    { dir, top: { pools: { gpu: 1 } } },
  );
  const post = async (id: string) => (await server.post(`/api/modules/${id}/run`, {})).body;
  const reason = async (run: any) =>
    (await server.json(`/api/runs/${run.run_id}`)).body.waiting_for;
  try {
    const solo1 = await post("solo");
    const solo2 = await post("solo");
    assert.equal(solo1.waiting_for, null);
    assert.equal(solo2.waiting_for, "module limit: 1 of 1 running");
    const gpu1 = await post("gpu");
    const gpu2 = await post("gpu");
    assert.equal(gpu1.status, "running");
    assert.equal(gpu2.waiting_for, "pool gpu: 1 of 1 slots in use");
    const labelled = await post("labelled");
    assert.equal(labelled.status, "queued");
    assert.equal(labelled.waiting_for, "a host labelled gpu");
    const free1 = await post("free");
    assert.equal(free1.status, "running");
    const free2 = await post("free");
    assert.equal(free2.waiting_for, "global limit: 3 of 3 running");
    // The global limit is the first that holds for every run this server could start.
    assert.equal(await reason(solo2), "global limit: 3 of 3 running");
    assert.equal(await reason(gpu2), "global limit: 3 of 3 running");
    assert.equal(await reason(labelled), "a host labelled gpu", "no server here may run it");
    const listed = (await server.json("/api/runs?status=queued")).body.runs;
    assert.ok(listed.every((r: any) => typeof r.waiting_for === "string"));
    const pools = (await server.json("/api/pools")).body.pools;
    assert.deepEqual(pools, [{ name: "gpu", slots: 1, in_use: 1, queued: 1, runs: [gpu1.run_id] }]);
    const metrics = await (await server.request("/metrics")).text();
    assert.match(metrics, /^prismq_pool_slots\{pool="gpu"\} 1$/m);
    assert.match(metrics, /^prismq_pool_slots_in_use\{pool="gpu"\} 1$/m);
    // Freeing a global slot: the module and pool reasons show again.
    for (const run of [free2, free1]) {
      const res = await server.request(`/api/runs/${run.run_id}`, { method: "DELETE" });
      assert.equal((await res.json()).status, "cancelled");
    }
    assert.equal(await reason(solo2), "module limit: 1 of 1 running");
    assert.equal(await reason(gpu2), "pool gpu: 1 of 1 slots in use");
    for (const run of [solo1, solo2, gpu1, gpu2, labelled]) {
      const res = await server.request(`/api/runs/${run.run_id}`, { method: "DELETE" });
      const body = await res.json();
      assert.equal(body.waiting_for, null, "null once not queued");
    }
    const after = (await server.json("/api/pools")).body.pools;
    assert.deepEqual(after, [{ name: "gpu", slots: 1, in_use: 0, queued: 0, runs: [] }]);
  } finally {
    await server.close();
  }
});
