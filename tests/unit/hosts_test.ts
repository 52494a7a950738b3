import assert from "node:assert/strict";
import { join } from "node:path";
import { defaultHostId, heartbeatIntervalMs } from "../../src/hosts/host_id.ts";
import { type HostRecord, isAlive, toHostView } from "../../src/hosts/model.ts";
import { claimOnce } from "../../src/hosts/once.ts";
import { backoffMs, isBusy, retryWhileBusy } from "../../src/kv/busy_retry.ts";
import { newRunRecord } from "../../src/runs/model.ts";
import { RunStore } from "../../src/runs/store.ts";
import { RunEvents } from "../../src/runs/events.ts";
import { cancelQueuedRun } from "../../src/runs/cancel.ts";

/** A run of module "m" with this id and order, queued (`startsOn` null) or running there. */
function runOfM(id: string, order: number, startsOn: string | null) {
  return newRunRecord({
    run_id: id,
    module_id: "m",
    module_name: "M",
    parameters: {},
    secret_parameters: [],
    order,
    created_at: order,
    startsOn,
  });
}

Deno.test("defaultHostId: the host name and the port, made safe for keys", () => {
  assert.equal(defaultHostId("gpu-box", 8000), "gpu-box:8000");
  assert.equal(defaultHostId("Bad Name/é", 1), "Bad-Name--:1");
  assert.equal(defaultHostId(" ", 80), "localhost:80");
});

Deno.test("heartbeatIntervalMs: five beats in the timeout, between 200 ms and 3 s", () => {
  assert.equal(heartbeatIntervalMs(15), 3000);
  assert.equal(heartbeatIntervalMs(2), 400);
  assert.equal(heartbeatIntervalMs(0.5), 200);
  assert.equal(heartbeatIntervalMs(600), 3000);
});

Deno.test("a host is alive while it beats within the timeout, and not once stopped or lost", () => {
  const record: HostRecord = {
    host_id: "a",
    data_dir_id: "x",
    started_at: 0,
    last_seen_at: 10_000,
    running_runs: 3,
    max_concurrent_runs: 4,
    stopped_at: null,
    lost_at: null,
    labels: [],
  };
  assert.equal(isAlive(record, 14_999, 5000), true);
  assert.equal(isAlive(record, 15_000, 5000), false);
  assert.equal(isAlive({ ...record, stopped_at: 12_000 }, 12_001, 5000), false);
  const lost = toHostView({ ...record, lost_at: 20_000 }, 20_001, 5000);
  assert.deepEqual([lost.alive, lost.running_runs], [false, 0]);
  assert.equal(toHostView(record, 11_000, 5000).last_seen_at, "1970-01-01T00:00:10.000Z");
});

Deno.test("isBusy: SQLite's lock errors only; the backoff grows and stays bounded", () => {
  assert.equal(isBusy(new TypeError("database is locked")), true);
  assert.equal(isBusy(new Error("disk I/O error")), false);
  assert.equal(isBusy("database is locked"), false);
  assert.ok(backoffMs(0) < backoffMs(3));
  assert.equal(backoffMs(100), backoffMs(9));
});

Deno.test("retryWhileBusy: a call that finds the file locked is made again; other errors pass", async () => {
  let calls = 0;
  const fake = {
    get: () => {
      calls++;
      return calls < 3 ? Promise.reject(new TypeError("database is locked")) : Promise.resolve(7);
    },
    set: () => Promise.reject(new Error("quota")),
  };
  const kv = retryWhileBusy(fake as unknown as Deno.Kv);
  assert.equal(await kv.get(["k"]) as unknown, 7);
  assert.equal(calls, 3);
  await assert.rejects(kv.set(["k"], 1), /quota/);
});

Deno.test("two stores on one KV file: only one claims a queued run; a full module is refused", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-claim-" });
  const path = join(dir, "shared.kv");
  const [kv1, kv2] = [await Deno.openKv(path), await Deno.openKv(path)].map(retryWhileBusy);
  try {
    const [one, two] = [new RunStore(kv1), new RunStore(kv2)];
    const record = (id: string, order: number) => runOfM(id, order, null);
    assert.equal(await one.create(record("q000000000000001", 1)), true);
    assert.equal(await two.create(record("q000000000000099", 1)), false, "order taken");
    assert.equal(await two.create(record("q000000000000002", 2)), true);
    const slot = { moduleId: "m", max: 1 };
    const claims = await Promise.all([
      one.claim("q000000000000001", { host_id: "a" }, slot),
      two.claim("q000000000000001", { host_id: "b" }, slot),
    ]);
    const won = claims.filter((c) => typeof c === "object");
    assert.equal(won.length, 1, JSON.stringify(claims));
    assert.ok(claims.includes("gone"));
    assert.equal(await two.claim("q000000000000002", { host_id: "b" }, slot), "full");
    assert.equal((await one.runningOf("m")).count, 1);
    // Two servers racing for the last slot of a module with different runs: one gets it.
    for (let i = 3; i <= 4; i++) await one.create(record(`q00000000000000${i}`, i));
    const raced = await Promise.all([
      one.claim("q000000000000003", { host_id: "a" }, { moduleId: "m", max: 2 }),
      two.claim("q000000000000004", { host_id: "b" }, { moduleId: "m", max: 2 }),
    ]);
    assert.deepEqual(raced.filter((c) => typeof c === "object").length, 1, JSON.stringify(raced));
    assert.ok(raced.includes("full"));
    assert.equal((await one.runningOf("m")).count, 2);
  } finally {
    kv1.close();
    kv2.close();
  }
});

Deno.test("claimOnce: one claim per key across connections", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-once-" });
  const path = join(dir, "shared.kv");
  const kvs = [await Deno.openKv(path), await Deno.openKv(path)].map(retryWhileBusy);
  try {
    const results = await Promise.all(
      kvs.map((kv, i) => claimOnce(kv, ["once", "x", 1], { hostId: `h${i}`, keepMs: 60_000 })),
    );
    assert.deepEqual(results.sort(), [false, true]);
  } finally {
    for (const kv of kvs) kv.close();
  }
});

Deno.test("a queued run's cancel never cancels the run another server has just started", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = new RunStore(kv);
    const run = runOfM("q000000000000001", 1, null);
    await store.create(run);
    assert.equal(
      typeof await store.claim(run.run_id, { host_id: "b" }, { moduleId: "m", max: 1 }),
      "object",
    );
    const parts = { store, events: new RunEvents(), finalHooks: { plan: () => {} } };
    assert.equal(await cancelQueuedRun(parts, run.run_id), null);
    assert.equal((await store.get(run.run_id))?.status, "running");
    assert.equal((await store.runningOf("m")).count, 1, "its slot is still counted");
  } finally {
    kv.close();
  }
});

Deno.test("deleting a run twice (two servers' sweeps) counts it down once", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const store = new RunStore(kv);
    const make = (id: string, order: number) => runOfM(id, order, "a");
    for (const [id, order] of [["r000000000000001", 1], ["r000000000000002", 2]] as const) {
      await store.create(make(id, order));
      await store.transition(id, "completed", { completed_at: order });
    }
    const first = (await store.get("r000000000000001"))!;
    await store.delete(first);
    await store.delete(first);
    assert.equal((await store.list({ limit: 10 })).total, 1);
  } finally {
    kv.close();
  }
});
