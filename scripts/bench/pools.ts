/**
 * Row: resource pools. 500 trivial runs across 10 modules that share a 4-slot pool, against the
 * same 500 runs of 10 modules without a pool, held to 4 at a time by the global limit instead:
 * the same concurrency either way, so the ratio is what the pool's bookkeeping costs (a counter
 * read and checked in each start, given back in each final write, the order among pool runs).
 */
import { join } from "node:path";
import type { Context } from "./context.ts";
import { HttpError, statusCounts, submit, waitIdle } from "./http.ts";
import { pool } from "./load.ts";
import { info, type RowResult, verdict } from "./results.ts";
import { BenchServer } from "./server.ts";
import { fmtRatio, round } from "./stats.ts";

const MODULES = 10;
const SLOTS = 4;

/** A module file of 10 trivial modules, all using the pool when `pooled`. */
function writeModules(ctx: Context, pooled: boolean): string {
  const modules = Array.from({ length: MODULES }, (_, i) => ({
    id: `trivial-${i}`,
    name: `bench trivial ${i}`,
    description: "benchmark module",
    category: "Bench",
    script_path: ctx.scripts.trivial,
    ...(pooled ? { uses: ["shared"] } : {}),
  }));
  const path = join(ctx.tmp, pooled ? "pools-modules.json" : "no-pools-modules.json");
  const body = pooled ? { pools: { shared: SLOTS }, modules } : { modules };
  Deno.writeTextFileSync(path, JSON.stringify(body, null, 2));
  return path;
}

/** Submits `count` runs round-robin over the modules, then waits until none is left. */
async function measure(server: BenchServer, count: number, conns: number) {
  let submitted = 0;
  let refused = 0;
  const start = performance.now();
  await pool(conns, async () => {
    while (submitted < count) {
      const moduleId = `trivial-${submitted++ % MODULES}`;
      try {
        await submit(server.url, moduleId);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        refused++;
      }
    }
  });
  await waitIdle(server.url, { timeoutMs: 120_000 + count * 200, everyMs: 20 });
  const seconds = (performance.now() - start) / 1000;
  const counts = await statusCounts(server.url);
  return { seconds, rate: counts.completed / seconds, counts, refused };
}

/** One server of the row, measured once, then stopped. */
async function measureOnce(ctx: Context, row: RowResult, pooled: boolean) {
  const n = ctx.size.throughputRuns;
  const server = await BenchServer.start(ctx, pooled ? "pool" : "no-pool", {
    env: {
      PRISMQ_MODULES: writeModules(ctx, pooled),
      PRISMQ_MAX_CONCURRENT_RUNS: pooled ? "10" : String(SLOTS),
      PRISMQ_MAX_QUEUED_RUNS: String(n + 100),
    },
  });
  const result = await measure(server, n, ctx.size.throughputConnections);
  const pools = pooled ? await (await fetch(`${server.url}/api/pools`)).json() : null;
  await server.stop();
  server.noteStderr(row);
  return { ...result, pools };
}

/** Sums the rounds of one kind: runs per second over all of them. */
function total(rounds: { seconds: number; counts: Record<string, number>; refused: number }[]) {
  const seconds = rounds.reduce((a, r) => a + r.seconds, 0);
  const completed = rounds.reduce((a, r) => a + (r.counts.completed ?? 0), 0);
  return {
    seconds,
    completed,
    refused: rounds.reduce((a, r) => a + r.refused, 0),
    rate: completed / seconds,
    rates: rounds.map((r) => round(r.counts.completed / r.seconds, 1)),
  };
}

/**
 * Measures the pools row into `row`: without, with, with, without (so a machine that slows down
 * or speeds up during the row weighs on both alike).
 */
export async function benchPools(ctx: Context, row: RowResult): Promise<void> {
  const n = ctx.size.throughputRuns;
  const order = [false, true, true, false];
  const rounds = [];
  for (const pooled of order) rounds.push({ pooled, ...await measureOnce(ctx, row, pooled) });
  const without = total(rounds.filter((r) => !r.pooled));
  const withPool = total(rounds.filter((r) => r.pooled));
  const pools = rounds.findLast((r) => r.pooled)?.pools;
  const conns = ctx.size.throughputConnections;
  const ratio = withPool.rate / without.rate;
  const clean = without.completed === 2 * n && withPool.completed === 2 * n &&
    without.refused + withPool.refused === 0;
  row.details = {
    runs: n,
    modules: MODULES,
    slots: SLOTS,
    connections: conns,
    rounds: order.map((pooled) => (pooled ? "pool" : "no pool")),
    without_pool: {
      seconds: round(without.seconds),
      runs_per_s: round(without.rate, 1),
      rounds: without.rates,
    },
    with_pool: {
      seconds: round(withPool.seconds),
      runs_per_s: round(withPool.rate, 1),
      rounds: withPool.rates,
    },
    pools_after: pools,
  };
  row.measures.push({
    measure: `throughput, ${n} trivial runs over ${MODULES} modules sharing a ${SLOTS}-slot pool ` +
      `(twice each, interleaved)`,
    server: `${withPool.rate.toFixed(1)} runs/s (${withPool.rates.join(", ")})`,
    raw: `${without.rate.toFixed(1)} runs/s (${without.rates.join(", ")}; no pool, limit ${SLOTS})`,
    compare: fmtRatio(ratio),
    target: "≥ 0.90× without a pool",
    result: verdict(ratio >= 0.9 && clean),
    values: {
      pool_runs_per_s: round(withPool.rate, 1),
      no_pool_runs_per_s: round(without.rate, 1),
    },
  });
  if (!clean) {
    row.notes.push(
      `pools: without a pool ${without.completed} of ${2 * n} completed ` +
        `(${without.refused} refused), with ${withPool.completed} (${withPool.refused} refused)`,
    );
  }
  row.measures.push(info("slots in use after the pool run", String(pools?.pools?.[0]?.in_use)));
}
