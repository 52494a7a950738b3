/** HTTP calls against the runner's API, with the answers' shapes. */
import { setTimeout as delay } from "node:timers/promises";

const FINAL = new Set(["completed", "failed", "cancelled"]);

/** A run as the API shows it. */
export interface RunView {
  run_id: string;
  status: string;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  duration_seconds: number | null;
  exit_code: number | null;
  error_message: string | null;
  log_lines: number;
}

/** One stored log line. */
export interface LogLine {
  seq: number;
  timestamp: string;
  stream: string;
  message: string;
}

/** A page of GET /api/runs/{id}/logs. */
export interface LogPage {
  logs: LogLine[];
  next_after: number;
  total_lines: number;
  truncated: boolean;
}

/** A page of GET /api/runs. */
export interface RunList {
  runs: RunView[];
  total: number;
  next_cursor: string | null;
}

/** An answer with another status than the call expects. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly body: unknown, what: string) {
    super(`${what} answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
  }
}

/** One request; the body is parsed as JSON when it is JSON, else kept as text. */
export async function request(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? undefined : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? null : JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, body: parsed };
}

/** GET expecting 200; throws an HttpError otherwise. */
export async function getJson<T>(base: string, path: string): Promise<T> {
  const res = await request(base, "GET", path);
  if (res.status !== 200) throw new HttpError(res.status, res.body, `GET ${path}`);
  return res.body as T;
}

/** Starts a run of the module; throws an HttpError unless it is accepted (202). */
export async function submit(
  base: string,
  moduleId: string,
  parameters: Record<string, unknown> = {},
): Promise<RunView> {
  const res = await request(base, "POST", `/api/modules/${moduleId}/run`, { parameters });
  if (res.status !== 202) {
    throw new HttpError(res.status, res.body, `POST /api/modules/${moduleId}/run`);
  }
  return res.body as RunView;
}

/** True for completed, failed and cancelled. */
export const isFinal = (run: RunView) => FINAL.has(run.status);

/** Polls the run until it is final; bounded by `timeoutMs`. */
export async function waitFinal(
  base: string,
  runId: string,
  opts: { firstMs?: number; everyMs?: number; timeoutMs?: number } = {},
): Promise<RunView> {
  const deadline = performance.now() + (opts.timeoutMs ?? 60_000);
  if (opts.firstMs) await delay(opts.firstMs);
  for (;;) {
    const run = await getJson<RunView>(base, `/api/runs/${runId}`);
    if (isFinal(run)) return run;
    if (performance.now() > deadline) {
      throw new Error(`run ${runId} still ${run.status} after ${opts.timeoutMs ?? 60_000} ms`);
    }
    await delay(opts.everyMs ?? 10);
  }
}

/** The number of runs in the history, or with this status. */
export async function runTotal(base: string, status?: string): Promise<number> {
  const filter = status === undefined ? "" : `status=${status}&`;
  return (await getJson<RunList>(base, `/api/runs?${filter}limit=1`)).total;
}

/** Waits until no run is queued or running (by the listing's `total`); bounded. */
export async function waitIdle(
  base: string,
  opts: { timeoutMs: number; everyMs: number; progress?: (left: number) => void },
): Promise<void> {
  const { timeoutMs, everyMs, progress } = opts;
  const deadline = performance.now() + timeoutMs;
  let lastReport = performance.now();
  for (;;) {
    const [queued, running] = await Promise.all([
      runTotal(base, "queued"),
      runTotal(base, "running"),
    ]);
    if (queued + running === 0) return;
    if (performance.now() > deadline) {
      throw new Error(`still ${queued} queued and ${running} running after ${timeoutMs} ms`);
    }
    if (progress && performance.now() - lastReport > 5000) {
      progress(queued + running);
      lastReport = performance.now();
    }
    await delay(everyMs);
  }
}

/** How many runs have each status. */
export async function statusCounts(base: string): Promise<Record<string, number>> {
  const names = ["queued", "running", "completed", "failed", "cancelled"];
  const totals = await Promise.all(names.map((s) => runTotal(base, s)));
  return Object.fromEntries(names.map((s, i) => [s, totals[i]]));
}

/** The first stdout line of a finished run. */
export async function firstStdoutLine(base: string, runId: string): Promise<string | null> {
  const page = await getJson<LogPage>(base, `/api/runs/${runId}/logs?after=0&limit=20`);
  return page.logs.find((l) => l.stream === "stdout")?.message ?? null;
}
