/** Row 5: live latency, a printed line to its arrival over SSE, against reading the pipe. */
import { setTimeout as delay } from "node:timers/promises";
import { SseReader } from "../../tests/sse_client.ts";
import { readLines } from "./children.ts";
import { parseTimestampMs, wallMs } from "./clock.ts";
import type { Context } from "./context.ts";
import {
  getJson,
  isFinal,
  type LogLine,
  type LogPage,
  type RunView,
  submit,
  waitFinal,
} from "./http.ts";
import { spawnRaw } from "./raw.ts";
import { type RowResult, verdict } from "./results.ts";
import { BenchServer } from "./server.ts";
import { fmtMs, fmtSigned, round, roundSummary, summarize, type Summary } from "./stats.ts";

/** Print-to-read latencies of the ticker read straight from its pipe. */
async function rawLatencies(ctx: Context, seconds: number): Promise<number[]> {
  const out: number[] = [];
  const args = ["--seconds", String(seconds)];
  const child = spawnRaw(ctx, ctx.scripts.ticker, { args, output: "piped" });
  void readLines(child.stderr, () => {});
  await readLines(child.stdout, (line) => {
    const now = wallMs();
    if (line.trim() !== "") out.push(now - parseTimestampMs(line));
  });
  await child.status;
  return out;
}

/**
 * Reads the run's SSE stream to its `end` event, timing every stdout line when the reader hands
 * it over (a line that shares a chunk with earlier ones is timed microseconds after the chunk).
 */
async function readStream(res: Response) {
  const got = { latencies: [] as number[], statusEvents: 0, ended: false };
  const reader = new SseReader(res);
  try {
    for (let ev = await reader.next(); ev !== null; ev = await reader.next()) {
      const receivedAt = wallMs();
      if (ev.event === "message") {
        const line = JSON.parse(ev.data) as LogLine;
        if (line.stream === "stdout") {
          got.latencies.push(receivedAt - parseTimestampMs(line.message));
        }
      } else if (ev.event === "status") got.statusEvents++;
      else if (ev.event === "end") {
        got.ended = true;
        break;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return got;
}

/** Measures the live row into `row`. */
export async function benchLive(ctx: Context, row: RowResult): Promise<void> {
  const seconds = ctx.size.liveSeconds;
  const r = summarize(await rawLatencies(ctx, seconds));

  const server = await BenchServer.start(ctx, "live");
  const base = server.url;
  const run = await submit(base, "ticker", { seconds });
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), (seconds + 20) * 1000);
  let got = { latencies: [] as number[], statusEvents: 0, ended: false };
  let streamAnswer = 0;
  try {
    const res = await fetch(`${base}/api/runs/${run.run_id}/logs/stream`, {
      signal: abort.signal,
      headers: { accept: "text/event-stream" },
    });
    streamAnswer = res.status;
    if (res.status === 200) got = await readStream(res);
    else row.details.stream_answer = (await res.text()).slice(0, 300);
  } catch (err) {
    if (!abort.signal.aborted) throw err;
    row.notes.push(`live: SSE stream did not end within ${seconds + 20} s; stopped reading`);
  } finally {
    clearTimeout(timer);
  }

  if (streamAnswer !== 200) {
    await noStream(row, { base, runId: run.run_id, seconds, raw: r, streamAnswer });
    await server.stop();
    server.noteStderr(row);
    return;
  }
  const final = await waitFinal(base, run.run_id, { everyMs: 20 });
  await server.stop();
  server.noteStderr(row);
  const s = summarize(got.latencies);
  const expected = Math.round(seconds / 0.1);
  row.details = {
    seconds,
    expected_lines: expected,
    server: roundSummary(s),
    raw: roundSummary(r),
    status_events: got.statusEvents,
    end_event: got.ended,
    final_status: final.status,
  };
  for (const [q, limit] of [["p50", 20], ["p95", 50], ["p99", null]] as const) {
    row.measures.push({
      measure: `live latency ${q} over SSE (print → received, ${s.n} lines)`,
      server: fmtMs(s[q]),
      raw: fmtMs(r[q]),
      compare: fmtSigned(s[q] - r[q]),
      target: limit === null ? "—" : `≤ ${limit} ms`,
      result: limit === null ? "INFO" : verdict(s[q] <= limit && s.n >= expected * 0.9),
      values: { server_ms: round(s[q]), raw_ms: round(r[q]) },
    });
  }
  if (s.n < expected) row.notes.push(`live: ${s.n} of ${expected} lines arrived over SSE`);
  if (!got.ended) row.notes.push("live: the SSE stream closed without an `end` event");
}

/** No SSE route: measures how soon a line can be read by polling the stored log instead. */
async function noStream(
  row: RowResult,
  opts: { base: string; runId: string; seconds: number; raw: Summary; streamAnswer: number },
): Promise<void> {
  const { raw: r } = opts;
  const polled = await pollLatencies(opts.base, opts.runId, opts.seconds);
  const notAvailable = `not available (GET …/logs/stream answered ${opts.streamAnswer})`;
  row.details = { ...row.details, raw: roundSummary(r), stream_status: opts.streamAnswer };
  for (const [q, limit] of [["p50", 20], ["p95", 50]] as const) {
    row.measures.push({
      measure: `live latency ${q} over SSE (print → received)`,
      server: notAvailable,
      raw: fmtMs(r[q]),
      compare: "—",
      target: `≤ ${limit} ms`,
      result: "MISS",
    });
  }
  const p = summarize(polled);
  row.details.polled = roundSummary(p);
  row.measures.push({
    measure: "live latency p50 / p95 by polling GET …/logs every 10 ms (no SSE)",
    server: `${fmtMs(p.p50)} / ${fmtMs(p.p95)}`,
    raw: `${fmtMs(r.p50)} / ${fmtMs(r.p95)}`,
    compare: fmtSigned(p.p50 - r.p50),
    target: "—",
    result: "INFO",
  });
}

/** Print-to-read latencies of a running ticker's lines, seen by polling the stored log. */
async function pollLatencies(base: string, runId: string, seconds: number): Promise<number[]> {
  const out: number[] = [];
  let after = 0;
  const deadline = performance.now() + (seconds + 20) * 1000;
  while (performance.now() < deadline) {
    const page = await getJson<LogPage>(base, `/api/runs/${runId}/logs?after=${after}&limit=1000`);
    const now = wallMs();
    for (const l of page.logs) {
      if (l.stream === "stdout") out.push(now - parseTimestampMs(l.message));
    }
    after = page.next_after;
    if (page.logs.length === 0) {
      const run = await getJson<RunView>(base, `/api/runs/${runId}`);
      if (isFinal(run) && after >= run.log_lines) break;
    }
    await delay(10);
  }
  return out;
}
