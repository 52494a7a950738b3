/** Row 2: throughput of trivial runs, 10 at a time, against raw spawns at the same concurrency. */
import type { Context } from "./context.ts";
import { statusCounts, waitIdle } from "./http.ts";
import { pool, submitMany } from "./load.ts";
import { spawnRaw } from "./raw.ts";
import { info, type RowResult, verdict } from "./results.ts";
import { BenchServer } from "./server.ts";
import { fmtRatio, round } from "./stats.ts";

/** Measures the throughput row into `row`. */
export async function benchThroughput(ctx: Context, row: RowResult): Promise<void> {
  const n = ctx.size.throughputRuns;
  const conns = ctx.size.throughputConnections;

  // Raw: n spawns, 10 at a time, output piped and read like the server does.
  let next = 0;
  let rawFailed = 0;
  const rawStart = performance.now();
  await pool(conns, async () => {
    while (next < n) {
      next++;
      const out = await spawnRaw(ctx, ctx.scripts.trivial, { output: "piped" }).output();
      if (!out.success) rawFailed++;
    }
  });
  const rawSeconds = (performance.now() - rawStart) / 1000;
  const rawRate = n / rawSeconds;

  const server = await BenchServer.start(ctx, "throughput", {
    env: { PRISMQ_MAX_CONCURRENT_RUNS: "10", PRISMQ_MAX_QUEUED_RUNS: String(n + 100) },
  });
  const base = server.url;
  const start = performance.now();
  const { ids, refusals } = await submitMany(base, "trivial", { count: n, conns });
  const submitEnd = performance.now();
  await waitIdle(base, { timeoutMs: 120_000 + n * 200, everyMs: 20 });
  const seconds = (performance.now() - start) / 1000;
  const counts = await statusCounts(base);
  await server.stop();
  server.noteStderr(row);

  const rate = counts.completed / seconds;
  const ratio = rate / rawRate;
  const refused = Object.values(refusals).reduce((a, b) => a + b, 0);
  const clean = refused === 0 && counts.completed === n && rawFailed === 0;
  row.details = {
    runs: n,
    connections: conns,
    raw: { seconds: round(rawSeconds), runs_per_s: round(rawRate, 1), failed: rawFailed },
    server: {
      seconds: round(seconds),
      submit_seconds: round((submitEnd - start) / 1000),
      runs_per_s: round(rate, 1),
      counts,
      refusals,
    },
  };
  row.measures.push({
    measure: `throughput (${n} trivial runs, 10 connections, limit 10)`,
    server: `${rate.toFixed(1)} runs/s`,
    raw: `${rawRate.toFixed(1)} runs/s`,
    compare: fmtRatio(ratio),
    target: "≥ 0.90× raw",
    result: verdict(ratio >= 0.9 && clean),
    values: { server_runs_per_s: round(rate, 1), raw_runs_per_s: round(rawRate, 1) },
  });
  if (!clean) {
    row.notes.push(
      `throughput: of ${n} submitted, ${ids.length} accepted (refusals ${
        JSON.stringify(refusals)
      }), ` +
        `${counts.completed} completed, ${counts.failed} failed, ${counts.cancelled} cancelled; ` +
        `raw failures ${rawFailed}; only completed runs are counted`,
    );
  }
  row.measures.push(
    info("submitting all runs (POSTs done)", `${((submitEnd - start) / 1000).toFixed(2)} s`),
  );
}
