/**
 * Row: per-module Python environments. The launch (request to the script's first line) of a module
 * with one local wheel in `requirements`: its first run on a fresh server (the environment is
 * built), then its runs once the environment is ready, against the same script as a plain module.
 */
import { join } from "node:path";
import { writeWheel } from "../../tests/env_wheels.ts";
import { parseTimestampMs, wallMs } from "./clock.ts";
import type { Context } from "./context.ts";
import { firstStdoutLine, submit, waitFinal } from "./http.ts";
import { info, type RowResult } from "./results.ts";
import { BenchServer } from "./server.ts";
import { fmtMs, fmtSigned, round, roundSummary, summarize } from "./stats.ts";

/** Writes the wheel the environment module installs; answers pip's settings for the module. */
export function benchWheelEnv(tmp: string, python: string): Record<string, string> {
  const wheels = join(tmp, "wheels");
  Deno.mkdirSync(wheels, { recursive: true });
  writeWheel(wheels, { name: "prismq_bench_probe", version: "1.0", value: "x", python });
  return { PIP_NO_INDEX: "1", PIP_FIND_LINKS: wheels, PIP_DISABLE_PIP_VERSION_CHECK: "1" };
}

/** Request to first stdout line of one run of `moduleId`, in ms. */
async function launchMs(base: string, moduleId: string): Promise<number> {
  const t0 = wallMs();
  const run = await submit(base, moduleId);
  const final = await waitFinal(base, run.run_id, { everyMs: 5, timeoutMs: 300_000 });
  if (final.status !== "completed") {
    throw new Error(`run ${run.run_id} ${final.status}: ${final.error_message}`);
  }
  return parseTimestampMs(await firstStdoutLine(base, run.run_id)) - t0;
}

/** Measures the environments row into `row`: a fresh server (and data dir) per round. */
export async function benchEnvs(ctx: Context, row: RowResult): Promise<void> {
  const rounds = ctx.options.quick ? 2 : 3;
  const readyRuns = 5;
  const first: number[] = [];
  const ready: number[] = [];
  const plain: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const server = await BenchServer.start(ctx, `envs-${i}`);
    first.push(await launchMs(server.url, "env-first-line"));
    for (let j = 0; j < readyRuns; j++) {
      ready.push(await launchMs(server.url, "env-first-line"));
      plain.push(await launchMs(server.url, "first-line"));
    }
    await server.stop();
    server.noteStderr(row);
  }
  const f = summarize(first);
  const r = summarize(ready);
  const p = summarize(plain);
  row.details = {
    rounds,
    first_run: roundSummary(f),
    ready_runs: roundSummary(r),
    plain_runs: roundSummary(p),
    first_run_each: first.map((v) => round(v)),
  };
  row.measures.push({
    ...info(
      `environment module, first run (builds: venv + pip, 1 local wheel), p50 of ${rounds} ` +
        "fresh servers",
      fmtMs(f.p50),
    ),
    raw: `plain: ${fmtMs(p.p50)}`,
    compare: `${fmtSigned((f.p50 - p.p50) / 1000, " s")} (${fmtMs(f.min)}–${fmtMs(f.max)})`,
  });
  row.measures.push({
    ...info(
      `environment module, runs once ready, p50 of ${ready.length} (first line − request)`,
      fmtMs(r.p50),
    ),
    raw: `plain: ${fmtMs(p.p50)}`,
    compare: fmtSigned(r.p50 - p.p50),
  });
}
