/** Row 6: API read rate under load, against a bare Deno.serve answering the same bytes. */
import { startBare } from "./bare.ts";
import type { Context } from "./context.ts";
import { request, submit, waitFinal } from "./http.ts";
import { load, type LoadResult } from "./load.ts";
import { type Measure, type RowResult, verdict } from "./results.ts";
import { BenchServer } from "./server.ts";
import { fmtInt, fmtMs, fmtRatio, round, roundSummary } from "./stats.ts";

/** Measures the reads row into `row`. */
export async function benchReads(ctx: Context, row: RowResult): Promise<void> {
  const seconds = ctx.size.readsSeconds;
  const conns = ctx.size.readsConnections;
  const server = await BenchServer.start(ctx, "reads");
  const base = server.url;
  const run = await submit(base, "trivial");
  await waitFinal(base, run.run_id);
  const runPath = `/api/runs/${run.run_id}`;
  const runBody = (await request(base, "GET", runPath)).body;
  const healthBody = (await request(base, "GET", "/api/health")).body;
  const bare = await startBare(ctx, JSON.stringify(runBody), JSON.stringify(healthBody));

  const results: Record<string, { server: LoadResult; bare: LoadResult }> = {};
  try {
    for (const [name, path] of [["run", runPath], ["health", "/api/health"]] as const) {
      await load(base + path, 0.5, conns); // warm-up
      const s = await load(base + path, seconds, conns);
      await load(bare.url + path, 0.5, conns);
      const b = await load(bare.url + path, seconds, conns);
      results[name] = { server: s, bare: b };
    }
  } finally {
    bare.child.kill("SIGTERM");
    await bare.child.status;
  }
  const mem = await server.memory();
  await server.stop();
  server.noteStderr(row);

  const toJson = (r: LoadResult) => ({
    ok: r.ok,
    errors: r.bad,
    seconds: round(r.seconds),
    rps: round(r.rps, 0),
    latency_ms: roundSummary(r.latency),
  });
  row.details = {
    seconds,
    connections: conns,
    run: { server: toJson(results.run.server), bare: toJson(results.run.bare) },
    health: { server: toJson(results.health.server), bare: toJson(results.health.bare) },
    server_peak_rss_mb: mem ? round(mem.hwm, 1) : null,
  };
  const line = (name: "run" | "health", label: string, min: number | null): Measure => {
    const { server: s, bare: b } = results[name];
    const errors = s.bad > 0 ? `, ${s.bad} errors` : "";
    return {
      measure: `${label} (${conns} connections, ${seconds} s)`,
      server: `${fmtInt(s.rps)} req/s (p50 ${fmtMs(s.latency.p50)}, p99 ${
        fmtMs(s.latency.p99)
      }${errors})`,
      raw: `bare Deno.serve: ${fmtInt(b.rps)} req/s`,
      compare: fmtRatio(s.rps / b.rps),
      target: min === null ? "—" : `≥ ${fmtInt(min)} req/s`,
      result: min === null ? "INFO" : verdict(s.rps >= min && s.bad === 0),
      values: { server_rps: round(s.rps, 0), bare_rps: round(b.rps, 0), errors: s.bad },
    };
  };
  row.measures.push(
    line("run", "GET /api/runs/{id}", 15_000),
    line("health", "GET /api/health", null),
  );
  row.notes.push(
    `reads: the load generator runs inside the bench process on the same ${navigator.hardwareConcurrency} cores as the server; "raw" is a bare Deno.serve answering the same bytes, i.e. the ceiling ` +
      "this load generator can reach on this machine",
  );
}
