/**
 * Row: a stdin filter fed 16 MiB (lines of text) and echoing it, end to end — from the request
 * that carries the input to the run's final status, every echoed line stored — against a raw spawn
 * that writes the same bytes to the same script's stdin and reads all of its stdout.
 */
import { track } from "./children.ts";
import type { Context } from "./context.ts";
import { request, waitFinal } from "./http.ts";
import { info, type RowResult, verdict } from "./results.ts";
import { BenchServer } from "./server.ts";
import { fmtMs, fmtRatio, round, roundSummary, summarize } from "./stats.ts";

/** 16 MiB of 100-byte lines: what a filter of JSON lines is fed. */
function input(bytes: number): string {
  const line = "x".repeat(99) + "\n";
  return line.repeat(Math.floor(bytes / line.length));
}

/** The raw baseline: spawn, write the input to stdin and close it, read stdout to the end. */
async function rawEcho(ctx: Context, bytes: Uint8Array): Promise<number> {
  const t0 = performance.now();
  const child = track(
    new Deno.Command(ctx.python, {
      args: [ctx.scripts.echoStdin],
      env: { PYTHONUNBUFFERED: "1", PYTHONIOENCODING: "utf-8" },
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn(),
  );
  const writing = (async () => {
    const writer = child.stdin.getWriter();
    await writer.write(bytes);
    await writer.close();
  })();
  let echoed = 0;
  for await (const chunk of child.stdout) echoed += chunk.length;
  await writing;
  const status = await child.status;
  if (!status.success || echoed !== bytes.length) {
    throw new Error(`raw echo exited ${status.code} after ${echoed} of ${bytes.length} bytes`);
  }
  return performance.now() - t0;
}

/** Measures the stdin row into `row`. */
export async function benchStdin(ctx: Context, row: RowResult): Promise<void> {
  const text = input(ctx.size.stdinBytes);
  const bytes = new TextEncoder().encode(text);
  const server = await BenchServer.start(ctx, "stdin");
  const serverEcho = async () => {
    const t0 = performance.now();
    const res = await request(server.url, "POST", "/api/modules/stdin-echo/run", { input: text });
    if (res.status !== 202) throw new Error(`POST answered ${res.status}`);
    const postMs = performance.now() - t0;
    const runId = (res.body as { run_id: string }).run_id;
    const final = await waitFinal(server.url, runId, { everyMs: 10, timeoutMs: 120_000 });
    const ms = performance.now() - t0;
    if (final.status !== "completed") throw new Error(`run ${runId} ${final.status}`);
    return { ms, postMs, runMs: (final.duration_seconds ?? 0) * 1000, lines: final.log_lines };
  };
  const raw: number[] = [];
  const srv: number[] = [];
  const post: number[] = [];
  const run: number[] = [];
  let lines = 0;
  await rawEcho(ctx, bytes);
  await serverEcho();
  for (let i = 0; i < ctx.size.stdinRounds; i++) {
    // Alternate which goes first so neither always follows the other.
    if (i % 2 === 0) raw.push(await rawEcho(ctx, bytes));
    const s = await serverEcho();
    srv.push(s.ms);
    post.push(s.postMs);
    run.push(s.runMs);
    lines = s.lines;
    if (i % 2 === 1) raw.push(await rawEcho(ctx, bytes));
  }
  await server.stop();
  server.noteStderr(row);
  const r = summarize(raw);
  const s = summarize(srv);
  const ratio = s.p50 / r.p50;
  row.details = {
    input_bytes: bytes.length,
    rounds: ctx.size.stdinRounds,
    server: roundSummary(s),
    raw: roundSummary(r),
    post: roundSummary(summarize(post)),
    run_duration: roundSummary(summarize(run)),
    log_lines: lines,
  };
  row.measures.push({
    measure: `16 MiB through a stdin echo filter, request to final (p50 of ${srv.length})`,
    server: fmtMs(s.p50),
    raw: fmtMs(r.p50),
    compare: fmtRatio(ratio),
    target: "≤ 1.20×",
    result: verdict(ratio <= 1.2),
    values: { server_ms: round(s.p50), raw_ms: round(r.p50), ratio: round(ratio) },
  });
  row.measures.push(
    info(
      "of which: POST (input stored) p50 / run duration (start to end) p50",
      `${fmtMs(summarize(post).p50)} / ${fmtMs(summarize(run).p50)}`,
    ),
  );
}
