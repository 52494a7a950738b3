/**
 * Row 3: capture of a large output, every line checked, beside the pipe floor (the script
 * writing into `| cat > /dev/null`) and a bare Deno reader of the same script. The three are
 * measured in turn, round after round, so that load from other processes falls on all of them
 * alike; the row compares medians.
 */
import { setTimeout as delay } from "node:timers/promises";
import { verifyLog } from "./capture_verify.ts";
import type { Context } from "./context.ts";
import { submit, waitFinal } from "./http.ts";
import { bareReaderMs, pipeFloorMs } from "./pipe_floor.ts";
import { type Measure, type RowResult, verdict } from "./results.ts";
import { BenchServer } from "./server.ts";
import { fmtInt, fmtRatio, round, summarize } from "./stats.ts";

/** How long the server sits idle after listening before its idle RSS is read. */
const IDLE_SETTLE_MS = 1000;

const median = (values: number[]) => summarize(values).p50;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const list = (values: number[], fmt: (x: number) => string) => values.map(fmt).join(", ");

/** Measures the capture row into `row`. */
export async function benchCapture(ctx: Context, row: RowResult): Promise<void> {
  const n = ctx.size.captureLines;
  const rounds = ctx.size.captureRounds;
  const args = ["--count", String(n)];

  const server = await BenchServer.start(ctx, "capture");
  const base = server.url;
  // Idle: once the start's own garbage had a moment to be collected.
  await delay(IDLE_SETTLE_MS);
  const idleMem = await server.memory();

  const floors: number[] = [];
  const bares: number[] = [];
  const bareReads: number[] = [];
  const walls: number[] = [];
  const cpus: number[] = [];
  let firstRunId = "";
  let final: Awaited<ReturnType<typeof waitFinal>> | null = null;
  for (let r = 0; r < rounds; r++) {
    // Baselines: same script, same child environment, no runner.
    const floor = await pipeFloorMs(ctx, ctx.scripts.lines, args);
    if (floor !== null) floors.push(floor);
    const bare = await bareReaderMs(ctx, ctx.scripts.lines, args);
    if (bare.bytes !== n * 61) throw new Error(`bare reader read ${bare.bytes} B, not ${n * 61}`);
    bares.push(bare.ms);
    bareReads.push(bare.reads);

    const cpu0 = await server.cpuSeconds();
    const t0 = performance.now();
    const run = await submit(base, "lines", { count: n });
    final = await waitFinal(base, run.run_id, { everyMs: 20, timeoutMs: 120_000 + bare.ms * 50 });
    walls.push(performance.now() - t0);
    const cpu1 = await server.cpuSeconds();
    if (cpu0 !== null && cpu1 !== null) cpus.push(cpu1 - cpu0);
    if (final.status !== "completed") {
      row.notes.push(`capture: run ended ${final.status}: ${final.error_message}`);
    }
    if (r === 0) firstRunId = run.run_id;
  }
  // The peak before the log is read back, which is not capture's doing.
  const mem = await server.memory();
  // The first run's log is read back whole; later runs only time the same path again.
  const v = await verifyLog(base, firstRunId, n);
  await server.stop();
  server.noteStderr(row);

  const lost = n - v.stdoutLines;
  // Windows has no `cat`: the bare reader stands in for the floor there.
  const floorName = floors.length > 0 ? "pipe floor" : "bare reader";
  const floorMs = median(floors.length > 0 ? floors : bares);
  const wallMs = median(walls);
  const ratio = wallMs / floorMs;
  const perRound = walls.map((w, i) => w / (floors[i] ?? bares[i]));
  row.details = {
    lines: n,
    rounds,
    pipe_floor_ms: floors.map((x) => round(x)),
    bare_reader_ms: bares.map((x) => round(x)),
    bare_reader_reads: bareReads,
    server_ms: walls.map((x) => round(x)),
    server_cpu_seconds: cpus.map((x) => round(x, 2)),
    ratio_of_medians: round(ratio),
    ratio_per_round: perRound.map((x) => round(x)),
    log_lines: final?.log_lines ?? null,
    verified_run: { ...v },
    rss_mb: {
      idle: idleMem ? round(idleMem.rss, 1) : null,
      peak_vmhwm: mem ? round(mem.hwm, 1) : null,
    },
  };
  const of = rounds > 1 ? ` (median of ${rounds})` : "";
  if (floors.length > 0) {
    row.measures.push({
      measure: "capture pipe floor: python | cat > /dev/null",
      server: "—",
      raw: secs(median(floors)) + of,
      compare: "—",
      target: "—",
      result: "INFO",
      values: { raw_ms: floors.map((x) => round(x)) },
    });
  }
  row.measures.push({
    measure: `capture bare Deno reader (for await over stdout, ${list(bareReads, fmtInt)} reads)`,
    server: secs(median(bares)) + of,
    raw: floors.length > 0 ? secs(median(floors)) : "—",
    compare: floors.length > 0 ? fmtRatio(median(bares) / median(floors)) : "—",
    target: "—",
    result: "INFO",
    values: { bare_ms: bares.map((x) => round(x)) },
  });
  row.measures.push({
    measure: `capture wall (${fmtInt(n)} lines of 60 B, POST to final)`,
    server: secs(wallMs) + of,
    raw: `${floorName} ${secs(floorMs)}`,
    compare: fmtRatio(ratio) + (rounds > 1 ? ` (rounds: ${list(perRound, fmtRatio)})` : ""),
    target: `≤ 1.30× ${floorName}`,
    result: verdict(ratio <= 1.3 && final?.status === "completed"),
    values: { server_ms: walls.map((x) => round(x)), ratio: round(ratio) },
  });
  if (cpus.length > 0) {
    row.measures.push({
      measure: "server CPU during capture (user + system, POST to final)",
      server: `${median(cpus).toFixed(2)} s` + of,
      raw: "—",
      compare: `${((median(cpus) * 1000 / wallMs) * 100).toFixed(0)}% of a core`,
      target: "—",
      result: "INFO",
      values: { cpu_seconds: cpus.map((x) => round(x, 2)) },
    });
  }
  row.measures.push({
    measure: "capture lines lost / out of order (first run, read back whole)",
    server: `${lost} lost, ${v.mismatched} wrong (${fmtInt(v.stdoutLines)}/${fmtInt(n)} stdout; ` +
      `total ${fmtInt(v.totalLines)})`,
    raw: "—",
    compare: "—",
    target: "0",
    result: verdict(lost === 0 && v.mismatched === 0 && v.gaps === 0),
    values: { lost, mismatched: v.mismatched, gaps: v.gaps },
  });
  row.measures.push(peakLine(mem, rounds));
  if (idleMem) {
    row.measures.push({
      measure: `server idle RSS ${IDLE_SETTLE_MS / 1000} s after listening (VmRSS)`,
      server: `${idleMem.rss.toFixed(1)} MB`,
      raw: "—",
      compare: "—",
      target: "≤ 70 MB",
      result: verdict(idleMem.rss <= 70),
      values: { idle_mb: round(idleMem.rss, 1) },
    });
  }
  if (v.gaps > 0) row.notes.push(`capture: ${v.gaps} gaps in seq numbering`);
  if (v.firstMismatch) row.notes.push(`capture: first wrong line: ${v.firstMismatch}`);
}

function peakLine(mem: { hwm: number } | null, rounds: number): Measure {
  const measure = `server peak RSS over ${rounds} capture${rounds > 1 ? "s" : ""} (VmHWM)`;
  return mem
    ? {
      measure,
      server: `${mem.hwm.toFixed(1)} MB`,
      raw: "—",
      compare: "—",
      target: "≤ 100 MB",
      result: verdict(mem.hwm <= 100),
      values: { peak_mb: round(mem.hwm, 1) },
    }
    : {
      measure,
      server: "n/a (no /proc)",
      raw: "—",
      compare: "—",
      target: "≤ 100 MB",
      result: "INFO",
    };
}
