// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { join } from "node:path";
import { python, waitFor, writeModuleFile } from "./helpers.ts";
import { type ServerProcess, spawnServer } from "./server_process.ts";

const FINAL = ["completed", "failed", "cancelled"];

/** A chain of four steps that each append their run id to one file per pipeline run. */
function moduleFile(dir: string): string {
  const append = (n: number) => ({
    id: `s${n}`,
    module: "append",
    parameters: { file: join(dir, "{{ pipeline_run_id }}.txt"), seconds: 0.2 },
  });
  return writeModuleFile(dir, [{
    id: "append",
    script: "append_id.py",
    retries: 1,
    retry_delay_seconds: 0,
    parameters: [{ name: "file", type: "text", required: true }, {
      name: "seconds",
      type: "number",
    }],
  }], {
    pipelines: [{ id: "appends", name: "Appends", steps: [1, 2, 3, 4].map(append) }],
  });
}

function env(dir: string, modules: string, id = "solo"): Record<string, string> {
  return {
    PRISMQ_MODULES: modules,
    PRISMQ_DATA_DIR: join(dir, `data-${id}`),
    PRISMQ_KV_PATH: join(dir, "shared.kv"),
    PRISMQ_HOST_ID: id,
    PRISMQ_PYTHON: python(),
    PRISMQ_HOST_TIMEOUT_SECONDS: "2",
    PRISMQ_KILL_GRACE_SECONDS: "1",
  };
}

async function call(host: ServerProcess, path: string, init?: RequestInit): Promise<any> {
  const res = await fetch(`${host.url}${path}`, init);
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

const start = (host: ServerProcess) =>
  call(host, "/api/pipelines/appends/run", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });

const finished = (host: ServerProcess, id: string, timeoutMs = 60_000) =>
  waitFor(
    async () => {
      const run = await call(host, `/api/pipeline-runs/${id}`);
      return FINAL.includes(run.status) ? run : null;
    },
    timeoutMs,
    `pipeline run ${id} to end`,
  );

/** First attempts of each step of a pipeline run, as stored. */
async function firstAttempts(host: ServerProcess, id: string): Promise<Map<string, number>> {
  const page = await call(host, "/api/runs?module_id=append&limit=100");
  const counts = new Map<string, number>();
  for (const r of page.runs.filter((r: any) => r.pipeline_run_id === id && r.attempt === 1)) {
    counts.set(r.step_id, (counts.get(r.step_id) ?? 0) + 1);
  }
  return counts;
}

Deno.test("SIGKILL right after a step ends: after the restart the next step is submitted exactly once", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-pipe-kill-" });
  const settings = env(dir, moduleFile(dir));
  const first = await spawnServer(settings);
  const run = await start(first);
  const id = run.pipeline_run_id;
  // Killed as soon as the first step's final write is visible: the advancer is then between
  // that write and the next step's submission, or just past it.
  await waitFor(
    async () => {
      const now = await call(first, `/api/pipeline-runs/${id}`);
      return now.steps[0].status === "completed";
    },
    30_000,
    "the first step to complete",
  );
  await first.stop("SIGKILL");
  const killedAt = Date.now();
  const second = await spawnServer(settings);
  try {
    const done = await finished(second, id);
    assert.equal(done.status, "completed", JSON.stringify(done));
    const counts = await firstAttempts(second, id);
    assert.deepEqual([...counts.entries()].sort(), [["s1", 1], ["s2", 1], ["s3", 1], ["s4", 1]]);
    const lines = Deno.readTextFileSync(join(dir, `${id}.txt`)).trim().split("\n");
    const byRun = new Set(lines.map((l) => l.split(" ")[0]));
    assert.equal(byRun.size, lines.length, "no run appended twice");
    for (const s of done.steps) assert.ok(byRun.has(s.run_id), `step ${s.step_id} ran`);
    const page = await call(second, "/api/runs?module_id=append&limit=100");
    const s2 = page.runs.find((r: any) => r.step_id === "s2" && r.attempt === 1);
    const after = Date.parse(s2.created_at) > killedAt;
    console.log(`step 2 was submitted ${after ? "after the restart" : "before the kill"}`);
  } finally {
    await second.stop("SIGTERM");
  }
});

Deno.test("three hosts on one KV file: 10 pipeline runs at once, each step exactly once", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-pipe-hosts-" });
  const modules = moduleFile(dir);
  const hosts = await Promise.all(["a", "b", "c"].map((h) => spawnServer(env(dir, modules, h))));
  try {
    const runs = await Promise.all(
      Array.from({ length: 10 }, (_, i) => start(hosts[i % 3])),
    );
    for (const run of runs) {
      const done = await finished(hosts[0], run.pipeline_run_id, 120_000);
      assert.equal(done.status, "completed", JSON.stringify(done));
      const lines = Deno.readTextFileSync(join(dir, `${run.pipeline_run_id}.txt`)).trim()
        .split("\n");
      assert.equal(lines.length, 4, `four appends for ${run.pipeline_run_id}: ${lines}`);
      assert.deepEqual(
        new Set(lines.map((l) => l.split(" ")[0])),
        new Set(done.steps.map((s: any) => s.run_id)),
      );
      const counts = await firstAttempts(hosts[0], run.pipeline_run_id);
      assert.deepEqual([...counts.values()], [1, 1, 1, 1]);
    }
    const hostsUsed = new Set<string>();
    const page = await call(hosts[0], "/api/runs?module_id=append&limit=100");
    for (const r of page.runs) hostsUsed.add(r.host_id);
    assert.ok(hostsUsed.size >= 2, `runs spread over hosts: ${[...hostsUsed]}`);
  } finally {
    await Promise.all(hosts.map((h) => h.stop("SIGTERM")));
  }
});
