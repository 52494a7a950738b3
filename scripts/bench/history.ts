/** Row 4: history scale: listing, lookups, POSTs and restart with a full run history. */
import { type Context, newDataDir, progress } from "./context.ts";
import {
  getJson,
  request,
  type RunList,
  runTotal,
  statusCounts,
  submit,
  waitFinal,
  waitIdle,
} from "./http.ts";
import { submitMany } from "./load.ts";
import { info, type RowResult, verdict } from "./results.ts";
import { BenchServer } from "./server.ts";
import { fmtInt, fmtMs, fmtRatio, round, roundSummary, summarize } from "./stats.ts";

/** Sequential POSTs, each waiting for its run to finish so every POST takes the start-now path. */
async function postLatencies(base: string, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count + 5; i++) {
    const t0 = performance.now();
    const run = await submit(base, "trivial");
    const ms = performance.now() - t0;
    if (i >= 5) out.push(ms);
    await waitFinal(base, run.run_id, { firstMs: 10, everyMs: 5 });
  }
  return out;
}

/** `count` sequential GETs of `paths()` after 10 untimed ones; their latencies. */
async function timedGets(base: string, paths: () => string, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < 10; i++) await getJson(base, paths());
  for (let i = 0; i < count; i++) {
    const path = paths();
    const t0 = performance.now();
    await getJson(base, path);
    out.push(performance.now() - t0);
  }
  return out;
}

/**
 * Fills the history up to the target: every run is trivial, 10 run at once, the rest queue. The
 * fill module is a shell script (no Python start-up); where it cannot run (Windows, lost
 * executable bit), the Python trivial module fills instead.
 */
async function fillHistory(base: string, target: number) {
  const fillModule = (await request(base, "GET", "/api/modules/fill")).body as {
    available?: boolean;
  };
  const fillId = Deno.build.os !== "windows" && fillModule?.available === true ? "fill" : "trivial";
  const toSubmit = Math.max(0, target - await runTotal(base));
  const fillStart = performance.now();
  const { ids, refusals } = await submitMany(base, fillId, { count: toSubmit, conns: 10 });
  const submitSeconds = (performance.now() - fillStart) / 1000;
  progress(`history: ${ids.length} runs submitted in ${submitSeconds.toFixed(1)} s, waiting`);
  await waitIdle(base, {
    timeoutMs: 300_000 + target * 100,
    everyMs: 100,
    progress: (left) => progress(`history: ${left} left`),
  });
  const fillSeconds = (performance.now() - fillStart) / 1000;
  return { fillId, toSubmit, ids, refusals, submitSeconds, fillSeconds };
}

/** Measures the history row into `row`. */
export async function benchHistory(ctx: Context, row: RowResult): Promise<void> {
  const target = ctx.size.historyRuns;
  const dataDir = newDataDir(ctx, "history");
  const env = { PRISMQ_MAX_QUEUED_RUNS: String(target + 1000) };
  const first = await BenchServer.start(ctx, "history", { dataDir, env });
  const emptyStartMs = first.startMs;
  let base = first.url;

  const emptyPost = summarize(await postLatencies(base, ctx.size.historyPosts));
  const emptyMem = await first.memory();

  const fill = await fillHistory(base, target);
  const { fillId, ids, refusals, fillSeconds } = fill;
  const counts = await statusCounts(base);
  const total = await runTotal(base);
  progress(`history: ${total} runs in history after ${fillSeconds.toFixed(1)} s`);

  const listPage = await getJson<RunList>(base, "/api/runs?limit=50");
  const list = summarize(
    await timedGets(base, () => "/api/runs?limit=50", ctx.size.historyRequests),
  );
  const pick = () => `/api/runs/${ids[Math.floor(Math.random() * ids.length)]}`;
  const get = summarize(await timedGets(base, pick, ctx.size.historyRequests));
  const fullPost = summarize(await postLatencies(base, ctx.size.historyPosts));
  const fullMem = await first.memory();
  const totalBeforeRestart = await runTotal(base);

  const stopStart = performance.now();
  await first.stop();
  const stopMs = performance.now() - stopStart;
  first.noteStderr(row);
  const second = await BenchServer.start(ctx, "history-restart", { dataDir, env });
  base = second.url;
  const afterRestart = await runTotal(base);
  await second.stop();
  second.noteStderr(row);

  const postRatio = fullPost.p50 / emptyPost.p50;
  row.details = {
    target_runs: target,
    history_total: total,
    history_before_restart: totalBeforeRestart,
    history_after_restart: afterRestart,
    fill_module: fillId,
    counts,
    refusals,
    submit_seconds: round(fill.submitSeconds),
    fill_seconds: round(fillSeconds),
    fill_runs_per_s: round(ids.length / fillSeconds, 1),
    list_page_runs: listPage.runs.length,
    list_ms: roundSummary(list),
    get_ms: roundSummary(get),
    post_empty_ms: roundSummary(emptyPost),
    post_full_ms: roundSummary(fullPost),
    start_empty_ms: round(emptyStartMs),
    restart_ms: round(second.startMs),
    stop_ms: round(stopMs),
    rss_mb_empty: emptyMem ? round(emptyMem.rss, 1) : null,
    rss_mb_after_fill: fullMem ? round(fullMem.rss, 1) : null,
    peak_rss_mb: fullMem ? round(fullMem.hwm, 1) : null,
  };
  const histLabel = `${fmtInt(total)} runs`;
  row.measures.push(info(
    `fill history (${fmtInt(fill.toSubmit)} runs of ${
      fillId === "fill" ? "fill.sh" : "trivial.py"
    }, limit 10)`,
    `${fillSeconds.toFixed(1)} s (${(ids.length / fillSeconds).toFixed(1)} runs/s)`,
  ));
  row.measures.push({
    measure: `GET /api/runs?limit=50 at ${histLabel} p50 / p99`,
    server: `${fmtMs(list.p50)} / ${fmtMs(list.p99)}`,
    raw: "—",
    compare: "—",
    target: "p99 ≤ 5 ms",
    result: verdict(list.p99 <= 5 && listPage.runs.length === 50),
    values: { p50_ms: round(list.p50), p99_ms: round(list.p99) },
  });
  row.measures.push({
    ...info(
      `GET /api/runs/{id} at ${histLabel} p50 / p99`,
      `${fmtMs(get.p50)} / ${fmtMs(get.p99)}`,
    ),
    values: { p50_ms: round(get.p50), p99_ms: round(get.p99) },
  });
  row.measures.push({
    measure: `POST /run p50 at ${histLabel} vs empty history`,
    server: fmtMs(fullPost.p50),
    raw: `empty: ${fmtMs(emptyPost.p50)}`,
    compare: fmtRatio(postRatio),
    target: "≤ 1.25× empty",
    result: verdict(postRatio <= 1.25),
    values: { full_p50_ms: round(fullPost.p50), empty_p50_ms: round(emptyPost.p50) },
  });
  row.measures.push({
    measure: `restart to listening at ${histLabel}`,
    server: fmtMs(second.startMs),
    raw: `empty: ${fmtMs(emptyStartMs)}`,
    compare: fmtRatio(second.startMs / emptyStartMs),
    target: "≤ 1000 ms",
    result: verdict(second.startMs <= 1000 && afterRestart === totalBeforeRestart),
    values: { restart_ms: round(second.startMs), empty_start_ms: round(emptyStartMs) },
  });
  if (emptyMem && fullMem) {
    row.measures.push(info(
      `server RSS: empty history → after ${histLabel} (peak)`,
      `${emptyMem.rss.toFixed(1)} → ${fullMem.rss.toFixed(1)} MB (${fullMem.hwm.toFixed(1)} MB)`,
    ));
  }
  if (afterRestart !== totalBeforeRestart) {
    row.notes.push(`history: ${totalBeforeRestart} runs before restart, ${afterRestart} after`);
  }
  if (Object.keys(refusals).length > 0) {
    row.notes.push(`history: refused submissions ${JSON.stringify(refusals)}`);
  }
  if (counts.failed + counts.cancelled > 0) {
    row.notes.push(
      `history: ${counts.failed} failed and ${counts.cancelled} cancelled of ${total} runs`,
    );
  }
}
