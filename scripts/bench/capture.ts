/**
 * Row 3: capture of a large output, every line checked, beside the pipe floor (the script
 * writing into `| cat > /dev/null`) and a bare Deno reader of the same script, in the same run.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { Context } from "./context.ts";
import { getJson, type LogPage, submit, waitFinal } from "./http.ts";
import { bareReaderMs, pipeFloorMs } from "./pipe_floor.ts";
import { type Measure, type RowResult, verdict } from "./results.ts";
import { BenchServer } from "./server.ts";
import { fmtInt, fmtRatio, round } from "./stats.ts";

const PAD = "x".repeat(49);
/** How long the server sits idle after listening before its idle RSS is read. */
const IDLE_SETTLE_MS = 1000;
/** What lines.py prints as line `i`. */
const expectedLine = (i: number) => `${String(i).padStart(10, "0")} ${PAD}`;

/** Every stdout line, in order, with its exact text: what the stored log holds of `n` lines. */
async function verifyLog(base: string, runId: string, n: number) {
  const v = {
    totalLines: 0,
    stdoutLines: 0,
    systemLines: 0,
    otherLines: 0,
    gaps: 0,
    mismatched: 0,
    firstMismatch: null as string | null,
  };
  let after = 0;
  let lastSeq = 0;
  const maxPages = Math.ceil(n / 10_000) + 50;
  for (let page = 0; page < maxPages; page++) {
    const p = await getJson<LogPage>(base, `/api/runs/${runId}/logs?after=${after}&limit=10000`);
    v.totalLines = p.total_lines;
    if (p.logs.length === 0) break;
    for (const l of p.logs) {
      if (l.seq !== lastSeq + 1) v.gaps++;
      lastSeq = l.seq;
      if (l.stream === "stdout") {
        if (l.message !== expectedLine(v.stdoutLines)) {
          v.mismatched++;
          v.firstMismatch ??= `stdout line ${v.stdoutLines} (seq ${l.seq}): ${
            l.message.slice(0, 80)
          }`;
        }
        v.stdoutLines++;
      } else if (l.stream === "system") v.systemLines++;
      else v.otherLines++;
    }
    after = p.next_after;
    if (after >= p.total_lines) break;
  }
  return v;
}

/** Measures the capture row into `row`. */
export async function benchCapture(ctx: Context, row: RowResult): Promise<void> {
  const n = ctx.size.captureLines;
  const args = ["--count", String(n)];

  // Baselines: same script, same child environment, no runner.
  const floorMs = await pipeFloorMs(ctx, ctx.scripts.lines, args);
  const bare = await bareReaderMs(ctx, ctx.scripts.lines, args);
  if (bare.bytes !== n * 61) throw new Error(`bare reader read ${bare.bytes} bytes, not ${n * 61}`);
  // Windows has no `cat`: the bare reader stands in for the floor there.
  const rawMs = floorMs ?? bare.ms;

  const server = await BenchServer.start(ctx, "capture");
  const base = server.url;
  // Idle: once the start's own garbage had a moment to be collected.
  await delay(IDLE_SETTLE_MS);
  const idleMem = await server.memory();
  const cpu0 = await server.cpuSeconds();
  const t0 = performance.now();
  const run = await submit(base, "lines", { count: n });
  const final = await waitFinal(base, run.run_id, {
    everyMs: 20,
    timeoutMs: 120_000 + rawMs * 50,
  });
  const serverMs = performance.now() - t0;
  const cpu1 = await server.cpuSeconds();
  const cpuSeconds = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
  const mem = await server.memory();

  const verifyStart = performance.now();
  const v = await verifyLog(base, run.run_id, n);
  const verifyMs = performance.now() - verifyStart;
  await server.stop();
  server.noteStderr(row);

  const lost = n - v.stdoutLines;
  const ratio = serverMs / rawMs;
  row.details = {
    lines: n,
    pipe_floor_ms: floorMs === null ? null : round(floorMs),
    bare_reader_ms: round(bare.ms),
    bare_reader_reads: bare.reads,
    server_ms: round(serverMs),
    server_duration_seconds: final.duration_seconds,
    status: final.status,
    log_lines: final.log_lines,
    total_lines: v.totalLines,
    stdout_lines: v.stdoutLines,
    system_lines: v.systemLines,
    stderr_lines: v.otherLines,
    seq_gaps: v.gaps,
    mismatched: v.mismatched,
    first_mismatch: v.firstMismatch,
    verify_ms: round(verifyMs),
    server_cpu_seconds: cpuSeconds === null ? null : round(cpuSeconds, 2),
    rss_mb: {
      idle: idleMem ? round(idleMem.rss, 1) : null,
      peak_vmhwm: mem ? round(mem.hwm, 1) : null,
    },
  };
  const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const floorName = floorMs === null ? "bare reader" : "pipe floor";
  if (floorMs !== null) {
    row.measures.push({
      measure: "capture pipe floor: python | cat > /dev/null",
      server: "—",
      raw: secs(floorMs),
      compare: "—",
      target: "—",
      result: "INFO",
      values: { raw_ms: round(floorMs) },
    });
  }
  row.measures.push({
    measure: `capture bare Deno reader (for await over stdout, ${fmtInt(bare.reads)} reads)`,
    server: secs(bare.ms),
    raw: floorMs === null ? "—" : secs(floorMs),
    compare: floorMs === null ? "—" : fmtRatio(bare.ms / floorMs),
    target: "—",
    result: "INFO",
    values: { bare_ms: round(bare.ms), reads: bare.reads },
  });
  row.measures.push({
    measure: `capture wall (${fmtInt(n)} lines of 60 B, POST to final)`,
    server: secs(serverMs),
    raw: `${floorName} ${secs(rawMs)}`,
    compare: fmtRatio(ratio),
    target: `≤ 1.30× ${floorName}`,
    result: verdict(ratio <= 1.3 && final.status === "completed"),
    values: { server_ms: round(serverMs), raw_ms: round(rawMs) },
  });
  if (cpuSeconds !== null) {
    row.measures.push({
      measure: "server CPU during capture (user + system, POST to final)",
      server: `${cpuSeconds.toFixed(2)} s`,
      raw: "—",
      compare: `${((cpuSeconds * 1000 / serverMs) * 100).toFixed(0)}% of a core`,
      target: "—",
      result: "INFO",
      values: { cpu_seconds: round(cpuSeconds, 2) },
    });
  }
  row.measures.push({
    measure: "capture lines lost / out of order",
    server: `${lost} lost, ${v.mismatched} wrong (${fmtInt(v.stdoutLines)}/${fmtInt(n)} stdout; ` +
      `log_lines ${fmtInt(final.log_lines)})`,
    raw: "—",
    compare: "—",
    target: "0",
    result: verdict(lost === 0 && v.mismatched === 0 && v.gaps === 0),
    values: { lost, mismatched: v.mismatched, gaps: v.gaps },
  });
  const memLine: Measure = mem
    ? {
      measure: "server peak RSS during capture (VmHWM)",
      server: `${mem.hwm.toFixed(1)} MB`,
      raw: "—",
      compare: "—",
      target: "≤ 100 MB",
      result: verdict(mem.hwm <= 100),
      values: { peak_mb: round(mem.hwm, 1) },
    }
    : {
      measure: "server peak RSS during capture",
      server: "n/a (no /proc)",
      raw: "—",
      compare: "—",
      target: "≤ 100 MB",
      result: "INFO",
    };
  row.measures.push(memLine);
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
  if (final.status !== "completed") {
    row.notes.push(`capture: run ended ${final.status}: ${final.error_message}`);
  }
  if (v.gaps > 0) row.notes.push(`capture: ${v.gaps} gaps in seq numbering`);
  if (v.firstMismatch) row.notes.push(`capture: first wrong line: ${v.firstMismatch}`);
}
