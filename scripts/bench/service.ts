/**
 * Row: a service's rolling log. One replica prints 20,000 lines a second (60 bytes each) with
 * PRISMQ_LOG_MAX_BYTES = 1 MiB for `--service-seconds` (600 full, 60 quick): every 5 s the bytes
 * of the run's log in the KV file (read through a second handle on it) and the server's RSS are
 * sampled. Kept bytes must stay under the limit plus one chunk (the writer's chunk of a
 * rolling log is an eighth of the limit, plus the line that crosses it); RSS must stay flat (the
 * mean of the last minute within 15% of the first minute's).
 */
import { join } from "node:path";
import type { Context } from "./context.ts";
import { progress } from "./context.ts";
import { info, type RowResult, verdict } from "./results.ts";
import { BenchServer } from "./server.ts";
import { round } from "./stats.ts";

const LIMIT = 1024 * 1024;
const CHUNK = LIMIT / 8 + 64 * 1024;
const RATE = 20_000;
const SAMPLE_MS = 5000;

function writeModules(ctx: Context): string {
  const path = join(ctx.tmp, "service-modules.json");
  const script = join(import.meta.dirname!, "modules", "rate_printer.py");
  Deno.writeTextFileSync(
    path,
    JSON.stringify({
      modules: [{
        id: "printer",
        name: "bench printer",
        description: "prints 20,000 lines a second until stopped",
        category: "Bench",
        script_path: script,
        command: ["{python}", "{script}", "--rate", String(RATE)],
        service: { replicas: 1 },
      }],
    }),
  );
  return path;
}

/**
 * Bytes of the run's log stored in the KV file (chunks as encoded: each line's 13-byte header
 * and text), read through a second handle on the server's KV file; and the first kept seq.
 */
async function stored(kv: Deno.Kv, runId: string) {
  let bytes = 0;
  let first: number | null = null;
  for await (const entry of kv.list<Uint8Array>({ prefix: ["log", runId] })) {
    bytes += entry.value.byteLength;
    first ??= entry.key[2] as number;
  }
  return { bytes, first };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Runs the printer service for the chosen time, sampling kept bytes and RSS. */
export async function benchService(ctx: Context, row: RowResult): Promise<void> {
  const seconds = ctx.options.serviceSeconds ?? ctx.size.serviceSeconds;
  const server = await BenchServer.start(ctx, "service", {
    env: { PRISMQ_MODULES: writeModules(ctx), PRISMQ_LOG_MAX_BYTES: String(LIMIT) },
  });
  const started = await (await fetch(`${server.url}/api/services/printer/start`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  })).json();
  const runId = started.replicas[0].run_id as string;
  const kv = await Deno.openKv(join(server.dataDir, "runner.kv"));
  const samples: {
    t: number;
    bytes: number;
    rss: number | null;
    total: number;
    first: number | null;
  }[] = [];
  const t0 = performance.now();
  while ((performance.now() - t0) / 1000 < seconds) {
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
    const k = await stored(kv, runId);
    const memory = await server.memory();
    const t = (performance.now() - t0) / 1000;
    const total = (await (await fetch(`${server.url}/api/runs/${runId}`)).json()).log_lines;
    samples.push({ t, bytes: k.bytes, rss: memory?.rss ?? null, total, first: k.first });
    progress(`service: ${round(t, 0)} s kept ${k.bytes} B, RSS ${round(memory?.rss ?? NaN, 1)} MB`);
  }
  const run = await (await fetch(`${server.url}/api/runs/${runId}`)).json();
  kv.close();
  await fetch(`${server.url}/api/services/printer/stop`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  await server.stop();
  server.noteStderr(row);
  const maxBytes = Math.max(...samples.map((s) => s.bytes));
  const rss = samples.filter((s) => s.rss !== null) as { t: number; rss: number }[];
  const first = rss.filter((s) => s.t <= 60).map((s) => s.rss);
  const last = rss.filter((s) => s.t >= seconds - 60).map((s) => s.rss);
  const rate = samples.length > 0 ? samples[samples.length - 1].total / samples.at(-1)!.t : 0;
  row.measures.push({
    measure: "kept log bytes, max",
    server: `${maxBytes} B`,
    raw: "—",
    compare: `limit ${LIMIT} + chunk ${CHUNK}`,
    target: `≤ ${LIMIT + CHUNK} B`,
    result: verdict(maxBytes <= LIMIT + CHUNK),
  });
  row.measures.push({
    measure: "server RSS, first vs last minute",
    server: `${round(mean(first), 1)} MB → ${round(mean(last), 1)} MB`,
    raw: "—",
    compare: `${round(mean(last) / mean(first), 2)}×`,
    target: "≤ 1.15×",
    result: rss.length === 0 ? "INFO" : verdict(mean(last) <= mean(first) * 1.15),
  });
  row.measures.push(info("lines written a second", `${round(rate, 0)} (${run.log_lines} in all)`));
  row.notes.push(
    `${seconds} s of a service printing ${RATE} lines/s of 60 bytes with PRISMQ_LOG_MAX_BYTES=` +
      `${LIMIT}; sampled every ${SAMPLE_MS / 1000} s.`,
  );
  row.details = { samples, seconds, limit: LIMIT, chunk: CHUNK };
}
