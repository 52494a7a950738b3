import { ArtifactStore } from "../../src/artifacts/store.ts";
import { InputStore } from "../../src/runs/input.ts";
import { ResultStore } from "../../src/runs/results.ts";
import assert from "node:assert/strict";
import { LogStore } from "../../src/logs/store.ts";
import { parseCatalog } from "../../src/modules/catalog.ts";
import { Admission } from "../../src/runs/admission.ts";
import { cancelRun } from "../../src/runs/cancel.ts";
import { RunEvents } from "../../src/runs/events.ts";
import { newRunRecord, type RunRecord } from "../../src/runs/model.ts";
import type { RunParts } from "../../src/runs/parts.ts";
import { RunRegistry } from "../../src/runs/registry.ts";
import { RunStore } from "../../src/runs/store.ts";
import { RunSupervisor } from "../../src/runs/supervisor.ts";

/** Shared parts on an in-memory KV, with one queued run stored and waiting in the queue. */
async function setup(): Promise<{ parts: RunParts; kv: Deno.Kv; run: RunRecord }> {
  const kv = await Deno.openKv(":memory:");
  const catalog = parseCatalog(
    JSON.stringify({
      modules: [{ id: "m", name: "M", description: "", category: "", script_path: "nap.py" }],
    }),
    "/nowhere/modules.json",
    "python3",
  );
  const parts: RunParts = {
    store: new RunStore(kv),
    logs: new LogStore(kv),
    catalog,
    events: new RunEvents(),
    results: new ResultStore(kv),
    inputs: new InputStore(kv),
    artifacts: new ArtifactStore(Deno.makeTempDirSync({ prefix: "prismq-artifacts-" })),
    admission: new Admission(1, () => Infinity),
    registry: new RunRegistry(),
    options: {
      maxConcurrentRuns: 1,
      maxQueuedRuns: 10,
      killGraceSeconds: 1,
      runTimeoutSeconds: 0,
      logMaxBytes: 1_000_000,
      maxInputBytes: 1024,
    },
    wakeQueue: () => {},
    retries: { plan: () => undefined },
    finalHooks: { plan: () => {} },
    hostId: () => "h1",
    remote: { cancel: () => Promise.reject(new Error("no other server in this test")) },
  };
  const run = newRunRecord({
    run_id: "q000000000000001",
    module_id: "m",
    module_name: "M",
    parameters: {},
    secret_parameters: [],
    order: 1,
    created_at: Date.now(),
    startsOn: null,
  });
  await parts.store.create(run);
  parts.admission.enqueue({ runId: run.run_id, moduleId: "m", order: 1 });
  return { parts, kv, run };
}

/** Holds the store's reads until `open()`, to stop a run between its admission and its start. */
function gateReads(store: RunStore): { open(): void } {
  const gate = Promise.withResolvers<void>();
  const read = store.get.bind(store);
  store.get = async (runId) => {
    await gate.promise;
    return await read(runId);
  };
  return { open: () => gate.resolve() };
}

Deno.test("supervisor: a cancel between admission and start awaits the handle; the run never starts", async () => {
  const { parts, kv, run } = await setup();
  try {
    const gate = gateReads(parts.store);
    const admitted = parts.admission.admitNext()!;
    const supervisor = new RunSupervisor(parts, { kind: "queued", run: admitted });
    assert.equal(parts.registry.get(run.run_id), supervisor);
    const answer = cancelRun(parts, run.run_id);
    gate.open();
    const final = await answer;
    assert.equal(final.status, "cancelled");
    assert.equal(final.started_at, null);
    assert.equal(await supervisor.started, null);
    assert.equal(parts.registry.get(run.run_id), undefined);
    assert.deepEqual([parts.admission.activeCount, parts.admission.queuedCount], [0, 0]);
    assert.equal(await parts.logs.lastSeq(run.run_id), 0, "no process wrote a line");
  } finally {
    kv.close();
  }
});

Deno.test("supervisor: shutdown before the start leaves the run queued and waiting, its slot given back", async () => {
  const { parts, kv, run } = await setup();
  try {
    const gate = gateReads(parts.store);
    const supervisor = new RunSupervisor(parts, {
      kind: "queued",
      run: parts.admission.admitNext()!,
    });
    supervisor.stop("shutdown");
    gate.open();
    assert.equal((await supervisor.finished)?.status, "queued");
    assert.equal(parts.admission.activeCount, 0);
    assert.equal(parts.admission.positionFor(run.order), 1);
    assert.equal(parts.admission.take(run.run_id)?.runId, run.run_id, "waiting again");
  } finally {
    kv.close();
  }
});

Deno.test("cancel: two cancels of a waiting run share one write; a failed write puts the run back", async () => {
  const { parts, kv, run } = await setup();
  try {
    const transition = parts.store.transition.bind(parts.store);
    let writes = 0;
    parts.store.transition = (...args) => {
      if (++writes === 1) return Promise.reject(new Error("KV is down"));
      return transition(...args);
    };
    await assert.rejects(cancelRun(parts, run.run_id), /KV is down/);
    assert.equal(parts.registry.get(run.run_id), undefined);
    assert.equal(parts.admission.queuedCount, 1);
    const [a, b] = await Promise.all([cancelRun(parts, run.run_id), cancelRun(parts, run.run_id)]);
    assert.equal(writes, 2, "one write for both cancels");
    assert.equal(a, b);
    assert.equal(a.status, "cancelled");
    assert.equal(parts.admission.queuedCount, 0);
    await assert.rejects(cancelRun(parts, run.run_id), /already cancelled/);
  } finally {
    kv.close();
  }
});
