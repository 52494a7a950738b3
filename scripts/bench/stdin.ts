/**
 * Row: a stdin filter fed 16 MiB and echoing it, end to end — from the request that carries the
 * input to the run's final status, every echoed line stored — against a raw spawn that writes the
 * same bytes to the same script's stdin and reads all of its stdout. Two shapes: lines of text
 * (`input` as a JSON string; the goal row) and what PrismQ's filters are fed, a JSON array of
 * objects (`input` as that JSON value, echoed as one JSON text: INFO).
 */
import { startBare } from "./bare.ts";
import { track } from "./children.ts";
import type { Context } from "./context.ts";
import { request, waitFinal } from "./http.ts";
import { info, type RowResult, verdict } from "./results.ts";
import { BenchServer } from "./server.ts";
import { fmtMs, fmtRatio, round, roundSummary, summarize } from "./stats.ts";

/** 16 MiB of 100-byte lines: what a filter of JSON lines is fed. */
function textInput(bytes: number): string {
  const line = "x".repeat(99) + "\n";
  return line.repeat(Math.floor(bytes / line.length));
}

/** A JSON array of at most `bytes` encoded, of objects as PrismQ's IdeaInspiration lists hold. */
function jsonInput(bytes: number): unknown[] {
  const items: unknown[] = [];
  let size = 2;
  for (let i = 0;; i++) {
    const item = {
      id: i,
      title: `Idea number ${i}: a title of some length`,
      description: "A short description of the idea, as a scraper wrote it. ".repeat(1 + i % 3),
      tags: ["video", "short", `tag${i % 17}`],
      score: (i % 1000) / 10,
      source_url: `https://example.com/watch?v=${i.toString(36)}`,
    };
    const more = JSON.stringify(item).length + (i > 0 ? 1 : 0);
    if (size + more > bytes) return items;
    items.push(item);
    size += more;
  }
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

/** One shape's rounds: server and raw alternating, p50s and the POST / run split. */
async function measureShape(ctx: Context, server: BenchServer, input: unknown, bytes: Uint8Array) {
  const serverEcho = async () => {
    const t0 = performance.now();
    const res = await request(server.url, "POST", "/api/modules/stdin-echo/run", { input });
    if (res.status !== 202) throw new Error(`POST answered ${res.status}`);
    const postMs = performance.now() - t0;
    const runId = (res.body as { run_id: string; input_bytes: number }).run_id;
    const inputBytes = (res.body as { input_bytes: number }).input_bytes;
    if (inputBytes !== bytes.length) {
      throw new Error(`input_bytes ${inputBytes}, not ${bytes.length}`);
    }
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
  const r = summarize(raw);
  const s = summarize(srv);
  return { r, s, ratio: s.p50 / r.p50, post: summarize(post), run: summarize(run), lines };
}

/**
 * The HTTP part alone: the same request (the same client, body and size) to a bare Deno.serve in
 * its own process that reads the body whole and answers `{}`. No raw spawn pays this.
 */
async function bareReceive(ctx: Context, input: string) {
  const bare = await startBare(ctx, "{}", "{}");
  try {
    const times: number[] = [];
    for (let i = 0; i <= ctx.size.stdinRounds; i++) {
      const t0 = performance.now();
      const res = await request(bare.url, "POST", "/api/modules/stdin-echo/run", { input });
      if (res.status !== 200) throw new Error(`the bare server answered ${res.status}`);
      if (i > 0) times.push(performance.now() - t0); // the first warms up
    }
    return summarize(times);
  } finally {
    bare.child.kill();
    await bare.child.status;
  }
}

/** Measures the stdin row into `row`. */
export async function benchStdin(ctx: Context, row: RowResult): Promise<void> {
  const text = textInput(ctx.size.stdinBytes);
  const array = jsonInput(ctx.size.stdinBytes);
  const encoder = new TextEncoder();
  const server = await BenchServer.start(ctx, "stdin");
  const lines = await measureShape(ctx, server, text, encoder.encode(text));
  const json = await measureShape(ctx, server, array, encoder.encode(JSON.stringify(array)));
  await server.stop();
  server.noteStderr(row);
  const bareBody = await bareReceive(ctx, text);
  const details = (m: typeof lines) => ({
    server: roundSummary(m.s),
    raw: roundSummary(m.r),
    post: roundSummary(m.post),
    run_duration: roundSummary(m.run),
    log_lines: m.lines,
  });
  row.details = {
    input_bytes: encoder.encode(text).length,
    rounds: ctx.size.stdinRounds,
    ...details(lines),
    json_array: { input_bytes: encoder.encode(JSON.stringify(array)).length, ...details(json) },
  };
  row.measures.push({
    measure: `16 MiB through a stdin echo filter, request to final (p50 of ${lines.s.n})`,
    server: fmtMs(lines.s.p50),
    raw: fmtMs(lines.r.p50),
    compare: fmtRatio(lines.ratio),
    target: "≤ 1.20×",
    result: verdict(lines.ratio <= 1.2),
    values: {
      server_ms: round(lines.s.p50),
      raw_ms: round(lines.r.p50),
      ratio: round(lines.ratio),
    },
  });
  row.details.bare_receive = roundSummary(bareBody);
  row.measures.push(
    info(
      "floor: a bare Deno.serve reading the same POST body whole and answering {} (p50)",
      fmtMs(bareBody.p50),
    ),
  );
  row.measures.push(
    info(
      "of which: POST to its 202 p50 / run duration (start to end) p50",
      `${fmtMs(lines.post.p50)} / ${fmtMs(lines.run.p50)}`,
    ),
  );
  row.measures.push({
    ...info(
      `16 MiB JSON array of objects as \`input\`, echoed as one JSON text (p50 of ${json.s.n})`,
      fmtMs(json.s.p50),
    ),
    raw: fmtMs(json.r.p50),
    compare: fmtRatio(json.ratio),
    values: { server_ms: round(json.s.p50), raw_ms: round(json.r.p50), ratio: round(json.ratio) },
  });
  row.measures.push(
    info(
      "of which (JSON array): POST to its 202 p50 / run duration p50",
      `${fmtMs(json.post.p50)} / ${fmtMs(json.run.p50)}`,
    ),
  );
}
