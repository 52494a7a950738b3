import assert from "node:assert/strict";
import { ConfigError } from "../../src/errors.ts";
import { parseCatalog } from "../../src/modules/catalog.ts";
import { PoolGauge } from "../../src/pools/gauge.ts";
import { describeWait } from "../../src/pools/waiting_for.ts";
import { parseSettings } from "../../src/settings.ts";
import { Admission } from "../../src/runs/admission.ts";
import type { RunNeeds } from "../../src/pools/needs.ts";

const mod = (extra: Record<string, unknown>) => ({
  id: "ollama-32b",
  name: "n",
  description: "d",
  category: "c",
  script_path: "x.py",
  ...extra,
});

function load(file: unknown) {
  return parseCatalog(JSON.stringify(file), "/tmp/modules.json", "python3");
}

function refusal(file: unknown): string {
  try {
    load(file);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  assert.fail("the module file was accepted");
}

Deno.test("module file: pools and uses are read, as a list (one slot each) or as slots by pool", () => {
  const catalog = load({
    pools: { gpu: 2, "ollama-32b": 1 },
    modules: [
      mod({ uses: ["gpu", "ollama-32b"], host_labels: ["gpu"] }),
      mod({ id: "b", uses: { gpu: 2 } }),
      mod({ id: "c" }),
    ],
  });
  assert.deepEqual(catalog.pools, { gpu: 2, "ollama-32b": 1 });
  assert.deepEqual(catalog.get("ollama-32b")!.uses, [
    { pool: "gpu", slots: 1 },
    { pool: "ollama-32b", slots: 1 },
  ]);
  assert.deepEqual(catalog.get("b")!.uses, [{ pool: "gpu", slots: 2 }]);
  assert.deepEqual(catalog.get("c")!.uses, []);
  assert.deepEqual(catalog.get("ollama-32b")!.def.host_labels, ["gpu"]);
});

Deno.test("module file: refused naming the module and pool (undeclared, 0, too large, more than 4)", () => {
  assert.match(
    refusal({ modules: [mod({ uses: ["gpu"] })] }),
    /module "ollama-32b", field uses\.gpu: pool "gpu" is not declared/,
  );
  assert.match(
    refusal({ pools: { gpu: 1 }, modules: [mod({ uses: { gpu: 0 } })] }),
    /module "ollama-32b", field uses\.gpu: uses 0 slots of pool "gpu", which has 1/,
  );
  assert.match(
    refusal({ pools: { gpu: 1 }, modules: [mod({ uses: { gpu: 2 } })] }),
    /module "ollama-32b", field uses\.gpu: uses 2 slots of pool "gpu", which has 1/,
  );
  assert.match(
    refusal({
      pools: { a: 1, b: 1, c: 1, d: 1, e: 1 },
      modules: [mod({ uses: ["a", "b", "c", "d", "e"] })],
    }),
    /module "ollama-32b", field uses: uses 5 pools \(a, b, c, d, e\); at most 4/,
  );
  assert.match(refusal({ pools: { gpu: 0 }, modules: [] }), /field pools, pool "gpu":/);
  assert.match(refusal({ pools: { gpu: 1001 }, modules: [] }), /field pools, pool "gpu":/);
  assert.match(refusal({ pools: { gpu: 1.5 }, modules: [] }), /field pools, pool "gpu":/);
  assert.match(
    refusal({ pools: { gpu: 1 }, modules: [mod({ host_labels: "gpu" })] }),
    /module "ollama-32b", field host_labels/,
  );
});

Deno.test("PRISMQ_HOST_LABELS: comma-separated, default none", () => {
  const base = { PRISMQ_MODULES: "/tmp/m.json" };
  assert.deepEqual(parseSettings(base).hostLabels, []);
  assert.deepEqual(parseSettings({ ...base, PRISMQ_HOST_LABELS: "gpu, cuda,,gpu" }).hostLabels, [
    "gpu",
    "cuda",
  ]);
  assert.throws(() => parseSettings({ ...base, PRISMQ_HOST_LABELS: "a b" }), /PRISMQ_HOST_LABELS/);
});

Deno.test("waiting_for: the first reason that holds, worded as the contract's examples", () => {
  const facts = {
    runsHere: true,
    global: { running: 10, limit: 10 },
    module: { running: 2, limit: 2, full: false },
    pools: [{ use: { pool: "gpu", slots: 1 }, slots: 1, inUse: 1, short: true }],
    labels: { wanted: ["gpu"], carried: false },
    awaitsBuild: true,
  };
  assert.equal(describeWait(facts), "global limit: 10 of 10 running");
  const noGlobal = { ...facts, global: { running: 3, limit: 10 } };
  assert.equal(describeWait(noGlobal), "module limit: 2 of 2 running");
  const noModule = { ...noGlobal, module: { running: 1, limit: 2, full: false } };
  assert.equal(describeWait(noModule), "pool gpu: 1 of 1 slots in use");
  const noPool = { ...noModule, pools: [] };
  assert.equal(describeWait(noPool), "a host labelled gpu");
  const labelled = { ...noPool, labels: { wanted: ["gpu"], carried: true } };
  assert.equal(describeWait(labelled), "environment build");
  assert.equal(describeWait({ ...labelled, awaitsBuild: false }), null);
});

function needs(uses: Record<string, Record<string, number>>): RunNeeds {
  return {
    uses: (m) => Object.entries(uses[m] ?? {}).map(([pool, slots]) => ({ pool, slots })),
    labels: () => [],
    runsHere: () => true,
    liveHostCarries: () => true,
    awaitsBuild: () => false,
  };
}

Deno.test("Admission with pools: a run waiting for a pool blocks only later runs needing that pool", () => {
  const a = new Admission(
    10,
    () => Infinity,
    needs({ big: { gpu: 2 }, small: { gpu: 1 }, cpu: { cpu: 1 } }),
    new PoolGauge({ gpu: 2, cpu: 1 }),
  );
  a.claim("small");
  const q = (runId: string, moduleId: string, order: number) => ({ runId, moduleId, order });
  a.enqueue(q("big1", "big", 1));
  a.enqueue(q("small2", "small", 2));
  a.enqueue(q("cpu3", "cpu", 3));
  assert.equal(a.waitingFor("big1"), "pool gpu: 1 of 2 slots in use");
  assert.equal(a.waitingFor("small2"), "pool gpu: 1 of 2 slots in use", "behind big1");
  assert.equal(a.waitingFor("cpu3"), null);
  assert.equal(a.admitNext()?.runId, "cpu3", "another pool's run passes");
  assert.equal(a.admitNext(), null, "small2 does not overtake big1");
  assert.equal(a.canStartNow("small"), false);
  a.release("small");
  assert.equal(a.admitNext()?.runId, "big1");
  assert.equal(a.admitNext(), null);
  a.release("big");
  assert.equal(a.admitNext()?.runId, "small2");
});

Deno.test("Admission with host labels: a run this server may not start never blocks it; waiting_for names the label only while no live server carries it", () => {
  let labelledHostAlive = false;
  const a = new Admission(
    10,
    () => Infinity,
    {
      ...needs({ gpu: { gpu: 1 }, other: { gpu: 1 } }),
      labels: (m) => m === "gpu" ? ["gpu"] : [],
      runsHere: (m) => m !== "gpu",
      liveHostCarries: (m) => m !== "gpu" || labelledHostAlive,
    },
    new PoolGauge({ gpu: 1 }),
  );
  a.enqueue({ runId: "g1", moduleId: "gpu", order: 1 });
  a.enqueue({ runId: "o2", moduleId: "other", order: 2 });
  assert.equal(a.waitingFor("g1"), "a host labelled gpu");
  assert.equal(a.canStartNow("gpu"), false, "not on this server");
  // No live server may run it: it holds nothing back here.
  assert.equal(a.waitingFor("o2"), null);
  labelledHostAlive = true;
  // The labelled server will start it: a later run needing its pool does not overtake it here.
  assert.equal(a.waitingFor("g1"), null);
  assert.equal(a.waitingFor("o2"), "pool gpu: 0 of 1 slots in use");
  assert.equal(a.admitNext(), null);
  labelledHostAlive = false;
  assert.equal(a.admitNext()?.runId, "o2");
});
