/**
 * Row: pipelines. A chain of 10 trivial steps: from each step's end (its run's `completed_at`) to
 * the next step's start (`started_at`), p50 and p95 over every gap of a few chains; and 100
 * pipeline runs of 3 trivial steps started at once: all complete, and how long that takes.
 */
import type { Context } from "./context.ts";
import { getJson, request } from "./http.ts";
import { info, type RowResult, verdict } from "./results.ts";
import { BenchServer } from "./server.ts";
import { fmtMs, round, roundSummary, summarize } from "./stats.ts";

interface Step {
  step_id: string;
  status: string;
  run_id: string | null;
}
interface PipelineRun {
  pipeline_run_id: string;
  status: string;
  steps: Step[];
}
interface Run {
  started_at: string | null;
  completed_at: string | null;
}

const FINAL = new Set(["completed", "failed", "cancelled"]);

async function start(url: string, pipelineId: string): Promise<PipelineRun> {
  const res = await request(url, "POST", `/api/pipelines/${pipelineId}/run`, { parameters: {} });
  if (res.status !== 202) throw new Error(`POST run of ${pipelineId} answered ${res.status}`);
  return res.body as PipelineRun;
}

async function waitFinal(url: string, id: string, timeoutMs: number): Promise<PipelineRun> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const run = await getJson<PipelineRun>(url, `/api/pipeline-runs/${id}`);
    if (FINAL.has(run.status)) return run;
    if (performance.now() > deadline) throw new Error(`pipeline run ${id} did not end`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits (one listing every 200 ms, not one poll per run) until every run is final. */
async function waitAll(url: string, ids: string[], timeoutMs: number): Promise<PipelineRun[]> {
  const deadline = performance.now() + timeoutMs;
  const wanted = new Set(ids);
  for (;;) {
    const page = await getJson<{ pipeline_runs: PipelineRun[] }>(
      url,
      `/api/pipeline-runs?pipeline_id=three&limit=100`,
    );
    const mine = page.pipeline_runs.filter((r) => wanted.has(r.pipeline_run_id));
    if (mine.length === ids.length && mine.every((r) => FINAL.has(r.status))) return mine;
    if (performance.now() > deadline) throw new Error("the pipeline runs did not end");
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Gaps (ms) between each step's end and the next step's start of one finished chain. */
async function gaps(url: string, run: PipelineRun): Promise<number[]> {
  const runs = await Promise.all(run.steps.map((s) => getJson<Run>(url, `/api/runs/${s.run_id}`)));
  const out: number[] = [];
  for (let i = 1; i < runs.length; i++) {
    out.push(Date.parse(runs[i].started_at!) - Date.parse(runs[i - 1].completed_at!));
  }
  return out;
}

/** Measures the pipelines row into `row`. */
export async function benchPipelines(ctx: Context, row: RowResult): Promise<void> {
  const server = await BenchServer.start(ctx, "pipelines");
  try {
    const chains = ctx.options.quick ? 3 : 8;
    const all: number[] = [];
    for (let i = 0; i < chains; i++) {
      const run = await waitFinal(
        server.url,
        (await start(server.url, "chain10")).pipeline_run_id,
        120_000,
      );
      if (run.status !== "completed") throw new Error(`chain ${run.pipeline_run_id} ${run.status}`);
      all.push(...await gaps(server.url, run));
    }
    const g = summarize(all);
    row.measures.push({
      measure: `10-step chain: a step's end to the next step's start, p50 (${all.length} gaps)`,
      server: fmtMs(g.p50),
      raw: "—",
      compare: "—",
      target: "≤ 50 ms",
      result: verdict(g.p50 <= 50),
      values: { p50_ms: round(g.p50), p95_ms: round(g.p95) },
    });
    row.measures.push(info("of which p95 / max", `${fmtMs(g.p95)} / ${fmtMs(g.max)}`));

    const count = 100;
    const t0 = performance.now();
    const started = await Promise.all(
      Array.from({ length: count }, () => start(server.url, "three")),
    );
    const ended = await waitAll(server.url, started.map((r) => r.pipeline_run_id), 600_000);
    const seconds = (performance.now() - t0) / 1000;
    const completed = ended.filter((r) => r.status === "completed").length;
    row.measures.push({
      measure: `${count} pipeline runs of 3 trivial steps started at once: all complete`,
      server: `${completed} of ${count} in ${seconds.toFixed(1)} s`,
      raw: "—",
      compare: "—",
      target: `${count} of ${count}`,
      result: verdict(completed === count),
      values: { completed, seconds: round(seconds) },
    });
    row.measures.push(
      info(
        "throughput (10 runs at a time, PRISMQ_MAX_CONCURRENT_RUNS=10)",
        `${(count / seconds).toFixed(1)} pipeline runs/s, ${
          (count * 3 / seconds).toFixed(1)
        } steps/s`,
      ),
    );
    const sample = await getJson<{ runs: { duration_seconds: number | null }[] }>(
      server.url,
      "/api/runs?module_id=trivial&limit=100",
    );
    const durations = sample.runs.map((r) => (r.duration_seconds ?? 0) * 1000);
    const d = summarize(durations);
    row.measures.push(
      info(
        "of which one step's run (start to end), p50 of the last 100: the floor of the burst",
        fmtMs(d.p50),
      ),
    );
    row.details = { gaps: roundSummary(g), chains, burst: { count, completed, seconds } };
  } finally {
    await server.stop();
    server.noteStderr(row);
  }
}
