/**
 * PrismQ Module Runner benchmarks: the server against a raw `Deno.Command` spawn of the same
 * Python scripts, side by side in one run.
 *
 *   deno task bench                 full run (several minutes)
 *   deno task bench --quick         about a minute
 *   deno task bench --json FILE     also write the results as JSON
 *   deno task bench --only NAME     only some rows (comma-separated or repeated):
 *                                   launch, throughput, capture, history, live, reads
 *
 * Every row starts its own server (`deno run main.ts`, port 0, its own temp data dir) with a
 * module file written at run time whose scripts live in scripts/bench/modules/. Only 127.0.0.1
 * is contacted. A row that fails prints ERROR and the others still run; a measure that misses its
 * target says MISS.
 */
import denoJson from "../deno.json" with { type: "json" };
import { dirname, join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import os from "node:os";

const HERE = import.meta.dirname!;
const ROOT = resolve(HERE, "..");
const MAIN = join(ROOT, "main.ts");
const BENCH_MODULES = join(HERE, "bench", "modules");
const FINAL = new Set(["completed", "failed", "cancelled"]);
const ROW_NAMES = ["launch", "throughput", "capture", "history", "live", "reads"] as const;
type RowName = (typeof ROW_NAMES)[number];

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  quick: boolean;
  json: string | null;
  only: Set<RowName> | null;
}

function usage(): string {
  return [
    "usage: deno task bench [--quick] [--json FILE] [--only NAME[,NAME...]]",
    `rows: ${ROW_NAMES.join(", ")}`,
  ].join("\n");
}

function parseOptions(args: readonly string[]): Options {
  const options: Options = { quick: false, json: null, only: null };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const value = () => {
      const v = eq === -1 ? args[++i] : arg.slice(eq + 1);
      if (v === undefined || v === "") throw new Error(`${flag} needs a value\n${usage()}`);
      return v;
    };
    if (flag === "--quick") options.quick = true;
    else if (flag === "--json") options.json = value();
    else if (flag === "--only") {
      options.only ??= new Set();
      for (const name of value().split(",").map((s) => s.trim()).filter(Boolean)) {
        if (!(ROW_NAMES as readonly string[]).includes(name)) {
          throw new Error(`unknown row "${name}"\n${usage()}`);
        }
        options.only.add(name as RowName);
      }
    } else if (flag === "--help" || flag === "-h") {
      console.log(usage());
      Deno.exit(0);
    } else throw new Error(`unknown argument "${arg}"\n${usage()}`);
  }
  return options;
}

/** Sizes of every row, full and --quick. */
function sizes(quick: boolean) {
  return {
    launchRuns: quick ? 50 : 200,
    launchWarmup: 5,
    throughputRuns: quick ? 150 : 500,
    throughputConnections: 10,
    captureLines: quick ? 200_000 : 1_000_000,
    historyRuns: quick ? 3_000 : 20_000,
    historyRequests: 200,
    historyPosts: quick ? 30 : 50,
    liveSeconds: quick ? 3 : 5,
    readsSeconds: quick ? 3 : 10,
    readsConnections: 32,
  };
}
type Sizes = ReturnType<typeof sizes>;

// ---------------------------------------------------------------------------------------------
// Clock: wall-clock milliseconds with sub-millisecond resolution, comparable to Python's
// time.time(). performance.now() is anchored to a Date.now() tick and re-anchored every second,
// so drift between the monotonic and the real-time clock cannot build up.

let clockAnchor = 0;
let clockAnchoredAt = -Infinity;

function anchorClock(): void {
  const start = Date.now();
  let tick = start;
  let mono = 0;
  const limit = performance.now() + 5;
  while (tick === start && performance.now() < limit) {
    mono = performance.now();
    tick = Date.now();
  }
  clockAnchor = tick - mono;
  clockAnchoredAt = mono;
}

/** Now, in epoch milliseconds with microsecond resolution. */
function wallMs(): number {
  const mono = performance.now();
  if (mono - clockAnchoredAt > 1000) anchorClock();
  return clockAnchor + mono;
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting

interface Summary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    min: sorted[0] ?? NaN,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

const round = (x: number, digits = 3) => Number.isFinite(x) ? Number(x.toFixed(digits)) : null;
const fmtMs = (x: number) => `${x.toFixed(2)} ms`;
const fmtSigned = (x: number, unit = " ms") => `${x >= 0 ? "+" : ""}${x.toFixed(2)}${unit}`;
const fmtRatio = (x: number) => `${x.toFixed(2)}×`;
const fmtInt = (x: number) => Math.round(x).toLocaleString("en-US");

function roundSummary(s: Summary): Record<string, number | null> {
  return {
    n: s.n,
    min: round(s.min),
    p50: round(s.p50),
    p95: round(s.p95),
    p99: round(s.p99),
    max: round(s.max),
    mean: round(s.mean),
  };
}

// ---------------------------------------------------------------------------------------------
// Results

type Verdict = "PASS" | "MISS" | "INFO" | "ERROR";

interface Measure {
  measure: string;
  server: string;
  raw: string;
  compare: string;
  target: string;
  result: Verdict;
  values?: Record<string, unknown>;
}

interface RowResult {
  name: RowName;
  title: string;
  seconds: number;
  measures: Measure[];
  notes: string[];
  details: Record<string, unknown>;
  /** The first lines the row's servers wrote to stderr. */
  server_stderr: string[];
  error?: string;
}

const verdict = (pass: boolean): Verdict => pass ? "PASS" : "MISS";

// ---------------------------------------------------------------------------------------------
// Child processes: every process the bench starts is tracked and stopped at the end.

const children = new Set<Deno.ChildProcess>();

function track(child: Deno.ChildProcess): Deno.ChildProcess {
  children.add(child);
  child.status.finally(() => children.delete(child)).catch(() => {});
  return child;
}

function killAll(): void {
  for (const child of children) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** The environment without any PRISMQ_* setting of the caller. */
function baseEnv(): Record<string, string> {
  const env = Deno.env.toObject();
  for (const name of Object.keys(env)) if (name.startsWith("PRISMQ_")) delete env[name];
  return env;
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const stripAnsi = (text: string) => text.replace(ANSI, "");

/** Reads a text stream line by line until it ends. */
async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) !== -1) {
        onLine(buffer.slice(0, nl).replace(/\r$/, ""));
        buffer = buffer.slice(nl + 1);
      }
    }
  } catch {
    // a broken pipe ends the stream
  }
  if (buffer !== "") onLine(buffer);
}

/**
 * Memory of a process from /proc (Linux), in MB; null elsewhere. Deno only lets a program read
 * /proc/<pid>/ files itself under --allow-all, so `cat` reads it (--allow-run is granted).
 */
async function procMemoryMb(pid: number): Promise<{ hwm: number; rss: number } | null> {
  if (Deno.build.os !== "linux") return null;
  try {
    const out = await new Deno.Command("cat", {
      args: [`/proc/${pid}/status`],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return null;
    const status = new TextDecoder().decode(out.stdout);
    const kb = (name: string) => {
      const m = status.match(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, "m"));
      return m ? Number(m[1]) / 1024 : NaN;
    };
    const mem = { hwm: kb("VmHWM"), rss: kb("VmRSS") };
    return Number.isFinite(mem.hwm) ? mem : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Context shared by the rows

interface Context {
  options: Options;
  size: Sizes;
  python: string;
  tmp: string;
  modulesPath: string;
  scripts: { firstLine: string; trivial: string; lines: string; ticker: string; fill: string };
  servers: Set<Server>;
  dirCount: number;
}

function newDataDir(ctx: Context, label: string): string {
  return join(ctx.tmp, `data-${++ctx.dirCount}-${label}`);
}

function writeModuleFile(dir: string, scripts: Context["scripts"]): string {
  const module = (id: string, script: string, parameters: unknown[] = []) => ({
    id,
    name: `bench ${id}`,
    description: `benchmark module ${id}`,
    category: "Bench",
    script_path: script,
    parameters,
  });
  const body = {
    modules: [
      module("first-line", scripts.firstLine),
      module("trivial", scripts.trivial),
      // Not Python: a shell script, so the history fills at the server's pace, not Python's.
      module("fill", scripts.fill),
      module("lines", scripts.lines, [
        { name: "count", type: "number", default: 1000, min: 1, max: 100_000_000 },
      ]),
      module("ticker", scripts.ticker, [
        { name: "seconds", type: "number", default: 5, min: 1, max: 600 },
        { name: "interval", type: "number", default: 0.1, min: 0.01, max: 10 },
      ]),
    ],
  };
  const path = join(dir, "modules.json");
  Deno.writeTextFileSync(path, JSON.stringify(body, null, 2));
  return path;
}

// ---------------------------------------------------------------------------------------------
// The server under test, as its own process

interface OutputTail {
  lines: string[];
  count: number;
}

class Server {
  private stopped: Promise<Deno.CommandStatus> | null = null;

  private constructor(
    readonly label: string,
    readonly child: Deno.ChildProcess,
    readonly url: string,
    /** Spawn to the `listening` line, ms. */
    readonly startMs: number,
    readonly dataDir: string,
    /** What the server wrote to stderr (first 200 lines, and how many in all). */
    readonly stderr: OutputTail,
    private readonly outputDone: Promise<unknown>,
  ) {}

  static async start(
    ctx: Context,
    label: string,
    dataDir: string,
    extraEnv: Record<string, string> = {},
  ): Promise<Server> {
    const env: Record<string, string> = {
      ...baseEnv(),
      PRISMQ_HOST: "127.0.0.1",
      PRISMQ_PORT: "0",
      PRISMQ_MODULES: ctx.modulesPath,
      PRISMQ_DATA_DIR: dataDir,
      PRISMQ_PYTHON: ctx.python,
      PRISMQ_KILL_GRACE_SECONDS: "1",
      PRISMQ_MAX_CONCURRENT_RUNS: "10",
      PRISMQ_MAX_QUEUED_RUNS: "1000",
      ...extraEnv,
    };
    const command = new Deno.Command(Deno.execPath(), {
      // The very flags of `deno task start`, so the bench measures what users run.
      args: startTaskArgs(),
      cwd: ROOT,
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
    const listening = Promise.withResolvers<{ url: string; at: number }>();
    const stderr: OutputTail = { lines: [], count: 0 };
    const t0 = performance.now();
    const child = track(command.spawn());
    const outputDone = Promise.all([
      readLines(child.stdout, (line) => {
        const m = line.match(/listening on (https?:\/\/\S+)/);
        if (m) listening.resolve({ url: m[1].replace(/\/$/, ""), at: performance.now() });
      }),
      readLines(child.stderr, (line) => {
        stderr.count++;
        if (stderr.lines.length < 200) stderr.lines.push(line);
      }),
    ]);
    const outcome = await Promise.race([
      listening.promise,
      child.status.then((s) => `exited with code ${s.code}`),
      delay(60_000, "no `listening` line within 60 s", { ref: false }),
    ]);
    if (typeof outcome === "string") {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await child.status.catch(() => {});
      await delay(50);
      const said = stripAnsi(stderr.lines.filter((l) => l.trim() !== "").join(" | "));
      throw new Error(`server (${label}) did not start: ${outcome}; stderr: ${said.slice(0, 400)}`);
    }
    const server = new Server(
      label,
      child,
      outcome.url,
      outcome.at - t0,
      dataDir,
      stderr,
      outputDone,
    );
    ctx.servers.add(server);
    return server;
  }

  get pid(): number {
    return this.child.pid;
  }

  memory(): Promise<{ hwm: number; rss: number } | null> {
    return procMemoryMb(this.pid);
  }

  /** SIGTERM, then SIGKILL after 20 s; resolves with the exit status and how long it took. */
  stop(ctx: Context): Promise<Deno.CommandStatus> {
    this.stopped ??= (async () => {
      try {
        this.child.kill("SIGTERM");
      } catch {
        // already gone
      }
      const timer = delay(20_000, "timeout", { ref: false });
      if (await Promise.race([this.child.status, timer]) === "timeout") {
        this.child.kill("SIGKILL");
      }
      const status = await this.child.status;
      await Promise.race([this.outputDone, delay(1000, null, { ref: false })]);
      ctx.servers.delete(this);
      return status;
    })();
    return this.stopped;
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP client

interface RunView {
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

interface LogLine {
  seq: number;
  timestamp: string;
  stream: string;
  message: string;
}

interface LogPage {
  logs: LogLine[];
  next_after: number;
  total_lines: number;
  truncated: boolean;
}

interface RunList {
  runs: RunView[];
  total: number;
  next_cursor: string | null;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly body: unknown, what: string) {
    super(`${what} answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
  }
}

async function request(
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

async function getJson<T>(base: string, path: string): Promise<T> {
  const res = await request(base, "GET", path);
  if (res.status !== 200) throw new HttpError(res.status, res.body, `GET ${path}`);
  return res.body as T;
}

async function submit(
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

/** Polls the run until it is final; bounded by `timeoutMs`. */
async function waitFinal(
  base: string,
  runId: string,
  opts: { firstMs?: number; everyMs?: number; timeoutMs?: number } = {},
): Promise<RunView> {
  const deadline = performance.now() + (opts.timeoutMs ?? 60_000);
  if (opts.firstMs) await delay(opts.firstMs);
  for (;;) {
    const run = await getJson<RunView>(base, `/api/runs/${runId}`);
    if (FINAL.has(run.status)) return run;
    if (performance.now() > deadline) {
      throw new Error(`run ${runId} still ${run.status} after ${opts.timeoutMs ?? 60_000} ms`);
    }
    await delay(opts.everyMs ?? 10);
  }
}

async function statusTotal(base: string, status: string): Promise<number> {
  return (await getJson<RunList>(base, `/api/runs?status=${status}&limit=1`)).total;
}

/** Waits until no run is queued or running (by the listing's `total`); bounded. */
async function waitIdle(
  base: string,
  timeoutMs: number,
  everyMs: number,
  progress?: (left: number) => void,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let lastReport = performance.now();
  for (;;) {
    const [queued, running] = await Promise.all([
      statusTotal(base, "queued"),
      statusTotal(base, "running"),
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

async function statusCounts(base: string): Promise<Record<string, number>> {
  const names = ["queued", "running", "completed", "failed", "cancelled"];
  const totals = await Promise.all(names.map((s) => statusTotal(base, s)));
  return Object.fromEntries(names.map((s, i) => [s, totals[i]]));
}

/** The first stdout line of a finished run. */
async function firstStdoutLine(base: string, runId: string): Promise<string | null> {
  const page = await getJson<LogPage>(base, `/api/runs/${runId}/logs?after=0&limit=20`);
  return page.logs.find((l) => l.stream === "stdout")?.message ?? null;
}

// ---------------------------------------------------------------------------------------------
// Raw baseline: the same scripts spawned directly, with the child environment the server gives.

function rawCommand(
  ctx: Context,
  script: string,
  args: string[],
  output: "piped" | "null",
): Deno.Command {
  return new Deno.Command(ctx.python, {
    args: [script, ...args],
    cwd: dirname(script),
    env: {
      PYTHONUNBUFFERED: "1",
      PYTHONIOENCODING: "utf-8",
      PRISMQ_RUN_ID: "raw0000000000000",
      PRISMQ_MODULE_ID: "raw",
    },
    stdin: "null",
    stdout: output,
    stderr: output,
    detached: Deno.build.os !== "windows",
  });
}

const decoder = new TextDecoder();

/** Spawns, waits for exit, returns stdout text; throws on a non-zero exit. */
async function rawOutput(ctx: Context, script: string, args: string[] = []): Promise<string> {
  const child = track(rawCommand(ctx, script, args, "piped").spawn());
  const out = await child.output();
  if (!out.success) {
    throw new Error(`raw ${script} exited ${out.code}: ${decoder.decode(out.stderr).slice(-300)}`);
  }
  return decoder.decode(out.stdout);
}

async function pool(workers: number, work: (worker: number) => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: workers }, (_, i) => work(i)));
}

function parseTimestampMs(text: string | null | undefined): number {
  const seconds = Number.parseFloat((text ?? "").trim());
  if (!Number.isFinite(seconds)) throw new Error(`not a timestamp: ${JSON.stringify(text)}`);
  return seconds * 1000;
}

// ---------------------------------------------------------------------------------------------
// Row 1: launch overhead

async function benchLaunch(ctx: Context, row: RowResult): Promise<void> {
  const n = ctx.size.launchRuns;
  const server = await Server.start(ctx, "launch", newDataDir(ctx, "launch"));
  const base = server.url;
  const raw: number[] = [];
  const srv: number[] = [];
  const post: number[] = [];

  // The server's run is polled for its end; polling starts only when the raw script has usually
  // exited, so the polls do not compete with Python's start-up for the 2 cores.
  let firstPollMs = 15;
  const rawLife: number[] = [];
  const rawSample = async () => {
    const t0 = wallMs();
    const out = await rawOutput(ctx, ctx.scripts.firstLine);
    rawLife.push(wallMs() - t0);
    return parseTimestampMs(out.split("\n")[0]) - t0;
  };
  const serverSample = async () => {
    const t0 = wallMs();
    const run = await submit(base, "first-line");
    const tPost = wallMs();
    const final = await waitFinal(base, run.run_id, { firstMs: firstPollMs, everyMs: 5 });
    if (final.status !== "completed") {
      throw new Error(`run ${run.run_id} ${final.status}: ${final.error_message}`);
    }
    const line = await firstStdoutLine(base, run.run_id);
    return { overhead: parseTimestampMs(line) - t0, post: tPost - t0 };
  };

  for (let i = 0; i < ctx.size.launchWarmup; i++) await rawSample();
  firstPollMs = Math.max(5, Math.round(summarize(rawLife).p50 * 0.9));
  for (let i = 0; i < ctx.size.launchWarmup; i++) await serverSample();
  for (let i = 0; i < n; i++) {
    // Alternate which goes first so neither always follows the other.
    if (i % 2 === 0) {
      raw.push(await rawSample());
      const s = await serverSample();
      srv.push(s.overhead);
      post.push(s.post);
    } else {
      const s = await serverSample();
      srv.push(s.overhead);
      post.push(s.post);
      raw.push(await rawSample());
    }
  }
  await server.stop(ctx);
  collectServerNotes(row, server);

  const r = summarize(raw);
  const s = summarize(srv);
  const p = summarize(post);
  row.details = {
    runs: n,
    server: roundSummary(s),
    raw: roundSummary(r),
    post: roundSummary(p),
    raw_spawn_to_exit: roundSummary(summarize(rawLife)),
    first_poll_ms: firstPollMs,
  };
  const line = (q: "p50" | "p95" | "p99", limit: number | null): Measure => {
    const diff = s[q] - r[q];
    return {
      measure: `launch overhead ${q} (first line − request, ${n} runs)`,
      server: fmtMs(s[q]),
      raw: fmtMs(r[q]),
      compare: fmtSigned(diff),
      target: limit === null ? "—" : `≤ +${limit} ms`,
      result: limit === null ? "INFO" : verdict(diff <= limit),
      values: { server_ms: round(s[q]), raw_ms: round(r[q]), diff_ms: round(diff) },
    };
  };
  row.measures.push(line("p50", 1.5), line("p95", 5), line("p99", null));
  // Python's own start-up varies by milliseconds; the median of paired differences (each server
  // sample minus the raw sample taken next to it) is a second, noise-robust view of the same.
  const paired = summarize(srv.map((v, i) => v - raw[i]));
  row.details.paired_diff = roundSummary(paired);
  row.measures.push({
    measure: "launch overhead, median of paired differences (server − adjacent raw)",
    server: "—",
    raw: "—",
    compare: fmtSigned(paired.p50),
    target: "—",
    result: "INFO",
    values: { paired_p50_ms: round(paired.p50) },
  });
  row.measures.push({
    measure: "POST /run round trip p50 / p99",
    server: `${fmtMs(p.p50)} / ${fmtMs(p.p99)}`,
    raw: "—",
    compare: "—",
    target: "—",
    result: "INFO",
  });
}

// ---------------------------------------------------------------------------------------------
// Row 2: throughput

async function benchThroughput(ctx: Context, row: RowResult): Promise<void> {
  const n = ctx.size.throughputRuns;
  const conns = ctx.size.throughputConnections;

  // Raw: n spawns, 10 at a time, output piped and read like the server does.
  let next = 0;
  let rawFailed = 0;
  const rawStart = performance.now();
  await pool(conns, async () => {
    while (next < n) {
      next++;
      const child = track(rawCommand(ctx, ctx.scripts.trivial, [], "piped").spawn());
      const out = await child.output();
      if (!out.success) rawFailed++;
    }
  });
  const rawSeconds = (performance.now() - rawStart) / 1000;
  const rawRate = n / rawSeconds;

  const server = await Server.start(ctx, "throughput", newDataDir(ctx, "throughput"), {
    PRISMQ_MAX_CONCURRENT_RUNS: "10",
    PRISMQ_MAX_QUEUED_RUNS: String(n + 100),
  });
  const base = server.url;
  let submitted = 0;
  let accepted = 0;
  const refusals: Record<string, number> = {};
  const start = performance.now();
  let submitEnd = 0;
  await pool(conns, async () => {
    while (submitted < n) {
      submitted++;
      try {
        await submit(base, "trivial");
        accepted++;
      } catch (err) {
        const key = err instanceof HttpError ? String(err.status) : "error";
        refusals[key] = (refusals[key] ?? 0) + 1;
      }
    }
  });
  submitEnd = performance.now();
  await waitIdle(base, 120_000 + n * 200, 20);
  const seconds = (performance.now() - start) / 1000;
  const counts = await statusCounts(base);
  await server.stop(ctx);
  collectServerNotes(row, server);

  const rate = counts.completed / seconds;
  const ratio = rate / rawRate;
  const refused = Object.values(refusals).reduce((a, b) => a + b, 0);
  const clean = refused === 0 && counts.completed === n && rawFailed === 0;
  row.details = {
    runs: n,
    connections: conns,
    raw: { seconds: round(rawSeconds), runs_per_s: round(rawRate, 1), failed: rawFailed },
    server: {
      seconds: round(seconds),
      submit_seconds: round((submitEnd - start) / 1000),
      runs_per_s: round(rate, 1),
      counts,
      refusals,
    },
  };
  row.measures.push({
    measure: `throughput (${n} trivial runs, 10 connections, limit 10)`,
    server: `${rate.toFixed(1)} runs/s`,
    raw: `${rawRate.toFixed(1)} runs/s`,
    compare: fmtRatio(ratio),
    target: "≥ 0.90× raw",
    result: verdict(ratio >= 0.9 && clean),
    values: { server_runs_per_s: round(rate, 1), raw_runs_per_s: round(rawRate, 1) },
  });
  if (!clean) {
    row.notes.push(
      `throughput: of ${n} submitted, ${accepted} accepted (refusals ${
        JSON.stringify(refusals)
      }), ` +
        `${counts.completed} completed, ${counts.failed} failed, ${counts.cancelled} cancelled; ` +
        `raw failures ${rawFailed}; only completed runs are counted`,
    );
  }
  row.measures.push({
    measure: "submitting all runs (POSTs done)",
    server: `${((submitEnd - start) / 1000).toFixed(2)} s`,
    raw: "—",
    compare: "—",
    target: "—",
    result: "INFO",
  });
}

// ---------------------------------------------------------------------------------------------
// Row 3: capture

const PAD = "x".repeat(49);
const expectedLine = (i: number) => `${String(i).padStart(10, "0")} ${PAD}`;

async function benchCapture(ctx: Context, row: RowResult): Promise<void> {
  const n = ctx.size.captureLines;
  const args = ["--count", String(n)];

  // Raw: same script, same child environment, output to /dev/null.
  const rawStart = performance.now();
  const rawChild = track(rawCommand(ctx, ctx.scripts.lines, args, "null").spawn());
  const rawStatus = await rawChild.status;
  const rawMs = performance.now() - rawStart;
  if (!rawStatus.success) throw new Error(`raw lines.py exited ${rawStatus.code}`);

  const server = await Server.start(ctx, "capture", newDataDir(ctx, "capture"));
  const base = server.url;
  const idleMem = await server.memory();
  const t0 = performance.now();
  const run = await submit(base, "lines", { count: n });
  const final = await waitFinal(base, run.run_id, {
    everyMs: 20,
    timeoutMs: 120_000 + rawMs * 50,
  });
  const serverMs = performance.now() - t0;
  const mem = await server.memory();

  // Every stdout line, in order, with its exact text.
  const verifyStart = performance.now();
  let after = 0;
  let stdoutLines = 0;
  let mismatched = 0;
  let firstMismatch: string | null = null;
  let gaps = 0;
  let lastSeq = 0;
  let systemLines = 0;
  let otherLines = 0;
  let totalLines = 0;
  const maxPages = Math.ceil(n / 10_000) + 50;
  for (let page = 0; page < maxPages; page++) {
    const p = await getJson<LogPage>(
      base,
      `/api/runs/${run.run_id}/logs?after=${after}&limit=10000`,
    );
    totalLines = p.total_lines;
    if (p.logs.length === 0) break;
    for (const l of p.logs) {
      if (l.seq !== lastSeq + 1) gaps++;
      lastSeq = l.seq;
      if (l.stream === "stdout") {
        if (l.message !== expectedLine(stdoutLines)) {
          mismatched++;
          firstMismatch ??= `stdout line ${stdoutLines} (seq ${l.seq}): ${l.message.slice(0, 80)}`;
        }
        stdoutLines++;
      } else if (l.stream === "system") systemLines++;
      else otherLines++;
    }
    after = p.next_after;
    if (after >= p.total_lines) break;
  }
  const verifyMs = performance.now() - verifyStart;
  await server.stop(ctx);
  collectServerNotes(row, server);

  const lost = n - stdoutLines;
  const ratio = serverMs / rawMs;
  row.details = {
    lines: n,
    raw_ms: round(rawMs),
    server_ms: round(serverMs),
    server_duration_seconds: final.duration_seconds,
    status: final.status,
    log_lines: final.log_lines,
    total_lines: totalLines,
    stdout_lines: stdoutLines,
    system_lines: systemLines,
    stderr_lines: otherLines,
    seq_gaps: gaps,
    mismatched,
    first_mismatch: firstMismatch,
    verify_ms: round(verifyMs),
    rss_mb: {
      idle: idleMem ? round(idleMem.rss, 1) : null,
      peak_vmhwm: mem ? round(mem.hwm, 1) : null,
    },
  };
  row.measures.push({
    measure: `capture wall (${fmtInt(n)} lines of 60 B, POST to final)`,
    server: `${(serverMs / 1000).toFixed(2)} s`,
    raw: `${(rawMs / 1000).toFixed(2)} s`,
    compare: fmtRatio(ratio),
    target: "≤ 1.30× raw",
    result: verdict(ratio <= 1.3 && final.status === "completed"),
    values: { server_ms: round(serverMs), raw_ms: round(rawMs) },
  });
  row.measures.push({
    measure: "capture lines lost / out of order",
    server: `${lost} lost, ${mismatched} wrong (${fmtInt(stdoutLines)}/${fmtInt(n)} stdout; ` +
      `log_lines ${fmtInt(final.log_lines)})`,
    raw: "—",
    compare: "—",
    target: "0",
    result: verdict(lost === 0 && mismatched === 0 && gaps === 0),
    values: { lost, mismatched, gaps },
  });
  row.measures.push(
    mem
      ? {
        measure: "server peak RSS during capture (VmHWM)",
        server: `${mem.hwm.toFixed(1)} MB`,
        raw: idleMem ? `idle ${idleMem.rss.toFixed(1)} MB` : "—",
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
      },
  );
  if (final.status !== "completed") {
    row.notes.push(`capture: run ended ${final.status}: ${final.error_message}`);
  }
  if (gaps > 0) row.notes.push(`capture: ${gaps} gaps in seq numbering`);
  if (firstMismatch) row.notes.push(`capture: first wrong line: ${firstMismatch}`);
}

// ---------------------------------------------------------------------------------------------
// Row 4: history scale

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

async function benchHistory(ctx: Context, row: RowResult): Promise<void> {
  const target = ctx.size.historyRuns;
  const dataDir = newDataDir(ctx, "history");
  const env = { PRISMQ_MAX_QUEUED_RUNS: String(target + 1000) };
  const first = await Server.start(ctx, "history", dataDir, env);
  const emptyStartMs = first.startMs;
  let base = first.url;

  const emptyPost = summarize(await postLatencies(base, ctx.size.historyPosts));
  const emptyMem = await first.memory();

  // Fill the history: every run is trivial, 10 run at once, the rest queue. The fill module is a
  // shell script (no Python start-up); where it cannot run (Windows, lost executable bit), the
  // Python trivial module fills instead.
  const fillModule = (await request(base, "GET", "/api/modules/fill")).body as {
    available?: boolean;
  };
  const fillId = Deno.build.os !== "windows" && fillModule?.available === true ? "fill" : "trivial";
  const have = (await getJson<RunList>(base, "/api/runs?limit=1")).total;
  const toSubmit = Math.max(0, target - have);
  const ids: string[] = [];
  let submitted = 0;
  const refusals: Record<string, number> = {};
  const fillStart = performance.now();
  await pool(10, async () => {
    while (submitted < toSubmit) {
      submitted++;
      try {
        ids.push((await submit(base, fillId)).run_id);
      } catch (err) {
        const key = err instanceof HttpError ? String(err.status) : "error";
        refusals[key] = (refusals[key] ?? 0) + 1;
      }
    }
  });
  const submitSeconds = (performance.now() - fillStart) / 1000;
  progress(`history: ${ids.length} runs submitted in ${submitSeconds.toFixed(1)} s, waiting`);
  await waitIdle(base, 300_000 + target * 100, 100, (left) => progress(`history: ${left} left`));
  const fillSeconds = (performance.now() - fillStart) / 1000;
  const counts = await statusCounts(base);
  const total = (await getJson<RunList>(base, "/api/runs?limit=1")).total;
  progress(`history: ${total} runs in history after ${fillSeconds.toFixed(1)} s`);

  const listPage = await getJson<RunList>(base, "/api/runs?limit=50");
  const list = summarize(
    await timedGets(base, () => "/api/runs?limit=50", ctx.size.historyRequests),
  );
  const pick = () => `/api/runs/${ids[Math.floor(Math.random() * ids.length)]}`;
  const get = summarize(await timedGets(base, pick, ctx.size.historyRequests));
  const fullPost = summarize(await postLatencies(base, ctx.size.historyPosts));
  const fullMem = await first.memory();
  const totalBeforeRestart = (await getJson<RunList>(base, "/api/runs?limit=1")).total;

  const stopStart = performance.now();
  await first.stop(ctx);
  const stopMs = performance.now() - stopStart;
  collectServerNotes(row, first);
  const second = await Server.start(ctx, "history-restart", dataDir, env);
  base = second.url;
  const afterRestart = (await getJson<RunList>(base, "/api/runs?limit=1")).total;
  await second.stop(ctx);
  collectServerNotes(row, second);

  const postRatio = fullPost.p50 / emptyPost.p50;
  row.details = {
    target_runs: target,
    history_total: total,
    history_before_restart: totalBeforeRestart,
    history_after_restart: afterRestart,
    fill_module: fillId,
    counts,
    refusals,
    submit_seconds: round(submitSeconds),
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
  row.measures.push({
    measure: `fill history (${fmtInt(toSubmit)} runs of ${
      fillId === "fill" ? "fill.sh" : "trivial.py"
    }, limit 10)`,
    server: `${fillSeconds.toFixed(1)} s (${(ids.length / fillSeconds).toFixed(1)} runs/s)`,
    raw: "—",
    compare: "—",
    target: "—",
    result: "INFO",
  });
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
    measure: `GET /api/runs/{id} at ${histLabel} p50 / p99`,
    server: `${fmtMs(get.p50)} / ${fmtMs(get.p99)}`,
    raw: "—",
    compare: "—",
    target: "—",
    result: "INFO",
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
    row.measures.push({
      measure: `server RSS: empty history → after ${histLabel} (peak)`,
      server: `${emptyMem.rss.toFixed(1)} → ${fullMem.rss.toFixed(1)} MB (${
        fullMem.hwm.toFixed(1)
      } MB)`,
      raw: "—",
      compare: "—",
      target: "—",
      result: "INFO",
    });
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

// ---------------------------------------------------------------------------------------------
// Row 5: live latency

/** Reads Server-Sent Events; calls onEvent with the receive time of the chunk holding it. */
async function readSse(
  res: Response,
  onEvent: (event: { id?: string; event: string; data: string }, receivedAt: number) => boolean,
): Promise<void> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      const receivedAt = wallMs();
      if (done) return;
      buffer += value.replaceAll("\r\n", "\n");
      let end: number;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let id: string | undefined;
        let event = "message";
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line === "" || line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const field = colon === -1 ? line : line.slice(0, colon);
          const val = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "id") id = val;
          else if (field === "event") event = val;
          else if (field === "data") data.push(val);
        }
        if (data.length === 0 && event === "message") continue;
        if (!onEvent({ id, event, data: data.join("\n") }, receivedAt)) return;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

async function benchLive(ctx: Context, row: RowResult): Promise<void> {
  const seconds = ctx.size.liveSeconds;
  const args = ["--seconds", String(seconds)];

  // Raw: read the pipe directly.
  const rawLat: number[] = [];
  const child = track(rawCommand(ctx, ctx.scripts.ticker, args, "piped").spawn());
  void readLines(child.stderr, () => {});
  await readLines(child.stdout, (line) => {
    const now = wallMs();
    if (line.trim() !== "") rawLat.push(now - parseTimestampMs(line));
  });
  await child.status;

  const server = await Server.start(ctx, "live", newDataDir(ctx, "live"));
  const base = server.url;
  const run = await submit(base, "ticker", { seconds });
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), (seconds + 20) * 1000);
  const srvLat: number[] = [];
  let streamAnswer = 0;
  let ended = false;
  let statusEvents = 0;
  try {
    const res = await fetch(`${base}/api/runs/${run.run_id}/logs/stream`, {
      signal: abort.signal,
      headers: { accept: "text/event-stream" },
    });
    streamAnswer = res.status;
    if (res.status === 200) {
      await readSse(res, (ev, receivedAt) => {
        if (ev.event === "message") {
          const line = JSON.parse(ev.data) as LogLine;
          if (line.stream === "stdout") srvLat.push(receivedAt - parseTimestampMs(line.message));
        } else if (ev.event === "status") statusEvents++;
        else if (ev.event === "end") {
          ended = true;
          return false;
        }
        return true;
      });
    } else {
      const body = await res.text();
      row.details.stream_answer = body.slice(0, 300);
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
    row.notes.push(`live: SSE stream did not end within ${seconds + 20} s; stopped reading`);
  } finally {
    clearTimeout(timer);
  }

  const r = summarize(rawLat);
  if (streamAnswer !== 200) {
    // No SSE route: measure how soon a line can be read by polling the stored log instead.
    const polled = await pollLatencies(base, run.run_id, seconds);
    await server.stop(ctx);
    collectServerNotes(row, server);
    const notAvailable = `not available (GET …/logs/stream answered ${streamAnswer})`;
    row.details = { ...row.details, raw: roundSummary(r), stream_status: streamAnswer };
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
    if (polled) {
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
    return;
  }
  const final = await waitFinal(base, run.run_id, { everyMs: 20 });
  await server.stop(ctx);
  collectServerNotes(row, server);
  const s = summarize(srvLat);
  const expected = Math.round(seconds / 0.1);
  row.details = {
    seconds,
    expected_lines: expected,
    server: roundSummary(s),
    raw: roundSummary(r),
    status_events: statusEvents,
    end_event: ended,
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
  if (!ended) row.notes.push("live: the SSE stream closed without an `end` event");
}

/** Lines of a running ticker as seen by polling the stored log; null when it already ended. */
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
      if (FINAL.has(run.status) && after >= run.log_lines) break;
    }
    await delay(10);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Row 6: API reads

interface LoadResult {
  ok: number;
  bad: number;
  seconds: number;
  rps: number;
  latency: Summary;
}

/** `conns` concurrent fetch loops (keep-alive) against one URL for `seconds`. */
async function load(url: string, seconds: number, conns: number): Promise<LoadResult> {
  let ok = 0;
  let bad = 0;
  const latency: number[] = [];
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await pool(conns, async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const res = await fetch(url);
        await res.arrayBuffer();
        if (res.status === 200) ok++;
        else bad++;
      } catch {
        bad++;
      }
      latency.push(performance.now() - t0);
    }
  });
  const elapsed = (performance.now() - start) / 1000;
  return { ok, bad, seconds: elapsed, rps: ok / elapsed, latency: summarize(latency) };
}

const BARE_SERVER = `
const run = Deno.env.get("BENCH_RUN_BODY") ?? "{}";
const health = Deno.env.get("BENCH_HEALTH_BODY") ?? "{}";
const headers = { "content-type": "application/json" };
Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log("listening on http://127.0.0.1:" + port),
}, (req) => new Response(new URL(req.url).pathname === "/api/health" ? health : run, { headers }));
`;

async function startBare(
  ctx: Context,
  runBody: string,
  healthBody: string,
): Promise<{ url: string; child: Deno.ChildProcess }> {
  const file = join(ctx.tmp, "bare_server.ts");
  Deno.writeTextFileSync(file, BARE_SERVER);
  const child = track(
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", "--allow-net=127.0.0.1", "--allow-env", file],
      env: { BENCH_RUN_BODY: runBody, BENCH_HEALTH_BODY: healthBody },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn(),
  );
  const ready = Promise.withResolvers<string>();
  void readLines(child.stdout, (line) => {
    const m = line.match(/listening on (\S+)/);
    if (m) ready.resolve(m[1]);
  });
  void readLines(child.stderr, () => {});
  const url = await Promise.race([
    ready.promise,
    child.status.then((s) => Promise.reject(new Error(`bare server exited ${s.code}`))),
    delay(30_000, "timeout", { ref: false }).then(() => {
      throw new Error("bare server did not start in 30 s");
    }),
  ]);
  return { url, child };
}

async function benchReads(ctx: Context, row: RowResult): Promise<void> {
  const seconds = ctx.size.readsSeconds;
  const conns = ctx.size.readsConnections;
  const server = await Server.start(ctx, "reads", newDataDir(ctx, "reads"));
  const base = server.url;
  const run = await submit(base, "trivial");
  await waitFinal(base, run.run_id);
  const runPath = `/api/runs/${run.run_id}`;
  const runBody = (await request(base, "GET", runPath)).body;
  const healthBody = (await request(base, "GET", "/api/health")).body;
  const bare = await startBare(ctx, JSON.stringify(runBody), JSON.stringify(healthBody));

  const results: Record<string, { server: LoadResult; bare: LoadResult }> = {};
  try {
    for (const [name, path] of [["run", runPath], ["health", "/api/health"]] as const) {
      await load(base + path, 0.5, conns); // warm-up
      const s = await load(base + path, seconds, conns);
      await load(bare.url + path, 0.5, conns);
      const b = await load(bare.url + path, seconds, conns);
      results[name] = { server: s, bare: b };
    }
  } finally {
    bare.child.kill("SIGTERM");
    await bare.child.status;
  }
  const mem = await server.memory();
  await server.stop(ctx);
  collectServerNotes(row, server);

  const toJson = (r: LoadResult) => ({
    ok: r.ok,
    errors: r.bad,
    seconds: round(r.seconds),
    rps: round(r.rps, 0),
    latency_ms: roundSummary(r.latency),
  });
  row.details = {
    seconds,
    connections: conns,
    run: { server: toJson(results.run.server), bare: toJson(results.run.bare) },
    health: { server: toJson(results.health.server), bare: toJson(results.health.bare) },
    server_peak_rss_mb: mem ? round(mem.hwm, 1) : null,
  };
  const line = (name: "run" | "health", label: string, min: number | null): Measure => {
    const { server: s, bare: b } = results[name];
    const errors = s.bad > 0 ? `, ${s.bad} errors` : "";
    return {
      measure: `${label} (${conns} connections, ${seconds} s)`,
      server: `${fmtInt(s.rps)} req/s (p50 ${fmtMs(s.latency.p50)}, p99 ${
        fmtMs(s.latency.p99)
      }${errors})`,
      raw: `bare Deno.serve: ${fmtInt(b.rps)} req/s`,
      compare: fmtRatio(s.rps / b.rps),
      target: min === null ? "—" : `≥ ${fmtInt(min)} req/s`,
      result: min === null ? "INFO" : verdict(s.rps >= min && s.bad === 0),
      values: { server_rps: round(s.rps, 0), bare_rps: round(b.rps, 0), errors: s.bad },
    };
  };
  row.measures.push(
    line("run", "GET /api/runs/{id}", 15_000),
    line("health", "GET /api/health", null),
  );
  row.notes.push(
    `reads: the load generator runs inside the bench process on the same ${navigator.hardwareConcurrency} cores as the server; "raw" is a bare Deno.serve answering the same bytes, i.e. the ceiling ` +
      "this load generator can reach on this machine",
  );
}

// ---------------------------------------------------------------------------------------------
// Rows, notes, machine info

const noted = new WeakSet<Server>();

function collectServerNotes(row: RowResult, server: Server): void {
  if (server.stderr.count === 0 || noted.has(server)) return;
  noted.add(server);
  const sample = server.stderr.lines.slice(0, 3).map((l) => stripAnsi(l).slice(0, 200)).join(
    " | ",
  );
  row.notes.push(
    `${row.name}: server (${server.label}) wrote ${server.stderr.count} lines to stderr, ` +
      `first: ${sample}`,
  );
  row.server_stderr.push(...server.stderr.lines.slice(0, 20).map(stripAnsi));
}

const ROWS: Record<
  RowName,
  { title: string; run: (ctx: Context, row: RowResult) => Promise<void> }
> = {
  launch: { title: "launch overhead", run: benchLaunch },
  throughput: { title: "throughput", run: benchThroughput },
  capture: { title: "capture", run: benchCapture },
  history: { title: "history scale", run: benchHistory },
  live: { title: "live latency", run: benchLive },
  reads: { title: "API reads", run: benchReads },
};

function progress(message: string): void {
  console.error(`[bench] ${message}`);
}

function run(command: string, args: string[]): string | null {
  try {
    const out = new Deno.Command(command, { args, stdout: "piped", stderr: "piped", cwd: ROOT })
      .outputSync();
    return out.success ? decoder.decode(out.stdout).trim() : null;
  } catch {
    return null;
  }
}

function resolvePython(): { path: string; version: string } {
  const given = Deno.env.get("PRISMQ_BENCH_PYTHON");
  const candidates = given ? [given] : Deno.build.os === "windows" ? ["python"] : ["python3"];
  for (const candidate of candidates) {
    const path = run(candidate, ["-c", "import sys;print(sys.executable)"]);
    if (path) {
      const version = run(path, ["-c", "import sys;print(sys.version.split()[0])"]) ?? "?";
      return { path, version };
    }
  }
  throw new Error(`no Python interpreter found (tried ${candidates.join(", ")})`);
}

function machineInfo(python: { path: string; version: string }) {
  let cpu = os.cpus()[0]?.model ?? "unknown";
  try {
    const m = Deno.readTextFileSync("/proc/cpuinfo").match(/^model name\s*:\s*(.+)$/m);
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux
  }
  const commit = run("git", ["rev-parse", "--short", "HEAD"]);
  const dirty = run("git", ["status", "--porcelain", "--", "src", "routes", "main.ts"]);
  return {
    cpu,
    cores: navigator.hardwareConcurrency,
    memory_gb: round(os.totalmem() / 1024 ** 3, 1),
    os: `${Deno.build.os} ${Deno.osRelease()} ${Deno.build.arch}`,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    python: python.path,
    python_version: python.version,
    commit: commit === null ? null : `${commit}${dirty ? " (with uncommitted changes)" : ""}`,
  };
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function renderTable(rows: RowResult[]): string {
  const out = [
    "| measure | server | raw | ratio/diff | target | result |",
    "|---|---|---|---|---|---|",
  ];
  for (const row of rows) {
    for (const m of row.measures) {
      const result = m.result === "PASS" || m.result === "MISS" ? `**${m.result}**` : m.result;
      out.push(
        `| ${cell(m.measure)} | ${cell(m.server)} | ${cell(m.raw)} | ${cell(m.compare)} | ${
          cell(m.target)
        } | ${result} |`,
      );
    }
    if (row.error) {
      out.push(`| ${cell(row.title)} | ERROR: ${cell(row.error)} | | | | ERROR |`);
    }
  }
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(Deno.args);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const python = resolvePython();
  const machine = machineInfo(python);
  progress(`python: ${python.path} (${python.version}); deno ${Deno.version.deno}`);
  const tmp = Deno.makeTempDirSync({ prefix: "prismq-bench-" });
  const scripts = {
    firstLine: join(BENCH_MODULES, "first_line.py"),
    trivial: join(BENCH_MODULES, "trivial.py"),
    lines: join(BENCH_MODULES, "lines.py"),
    ticker: join(BENCH_MODULES, "ticker.py"),
    fill: join(BENCH_MODULES, "fill.sh"),
  };
  const ctx: Context = {
    options,
    size: sizes(options.quick),
    python: python.path,
    tmp,
    modulesPath: writeModuleFile(tmp, scripts),
    scripts,
    servers: new Set(),
    dirCount: 0,
  };

  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    progress("interrupted: stopping child processes");
    killAll();
    try {
      Deno.removeSync(tmp, { recursive: true });
    } catch {
      // best effort
    }
    Deno.exit(130);
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);

  const rows: RowResult[] = [];
  const started = new Date();
  try {
    for (const name of ROW_NAMES) {
      if (options.only && !options.only.has(name)) continue;
      const row: RowResult = {
        name,
        title: ROWS[name].title,
        seconds: 0,
        measures: [],
        notes: [],
        details: {},
        server_stderr: [],
      };
      progress(`${name}: start`);
      const t0 = performance.now();
      try {
        await ROWS[name].run(ctx, row);
      } catch (err) {
        row.error = err instanceof Error ? err.message : String(err);
        progress(`${name}: ERROR ${row.error}`);
      } finally {
        for (const server of [...ctx.servers]) {
          await server.stop(ctx).catch(() => {});
          collectServerNotes(row, server);
        }
      }
      row.seconds = round((performance.now() - t0) / 1000, 1) ?? 0;
      progress(`${name}: done in ${row.seconds} s`);
      for (const m of row.measures) {
        progress(`  ${m.measure}: ${m.server} | raw ${m.raw} | ${m.compare} | ${m.result}`);
      }
      rows.push(row);
    }
  } finally {
    killAll();
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    try {
      Deno.removeSync(tmp, { recursive: true });
    } catch {
      // best effort
    }
  }

  const lines = [
    `## PrismQ Module Runner benchmark${options.quick ? " (--quick)" : ""}`,
    "",
    `- date: ${started.toISOString()}`,
    `- CPU: ${machine.cpu}, ${machine.cores} cores, ${machine.memory_gb} GB RAM`,
    `- OS: ${machine.os}`,
    `- Deno ${machine.deno} (V8 ${machine.v8})`,
    `- Python ${machine.python_version}: ${machine.python} (server and raw baseline alike)`,
    machine.commit ? `- server commit: ${machine.commit}` : "",
    "",
    renderTable(rows),
    "",
  ].filter((l, i, all) => l !== "" || all[i - 1] !== "");
  const notes = rows.flatMap((r) => r.notes);
  if (notes.length > 0) {
    lines.push("Notes:", "", ...notes.map((n) => `- ${n}`), "");
  }
  const misses = rows.flatMap((r) => r.measures.filter((m) => m.result === "MISS"));
  const errors = rows.filter((r) => r.error);
  lines.push(
    `Result: ${rows.flatMap((r) => r.measures).filter((m) => m.result === "PASS").length} PASS, ` +
      `${misses.length} MISS, ${errors.length} ERROR.`,
  );
  console.log(lines.join("\n"));

  if (options.json) {
    const json = {
      version: 1,
      mode: options.quick ? "quick" : "full",
      date: started.toISOString(),
      machine,
      sizes: ctx.size,
      rows,
    };
    Deno.writeTextFileSync(options.json, JSON.stringify(json, null, 2) + "\n");
    progress(`wrote ${options.json}`);
  }
  return errors.length > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());

/** `deno task start` without its leading `deno`, with main.ts as an absolute path. */
function startTaskArgs(): string[] {
  const words = denoJson.tasks.start.split(/\s+/).slice(1);
  return words.map((w) => w === "main.ts" ? MAIN : w);
}
