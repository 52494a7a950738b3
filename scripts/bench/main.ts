/**
 * PrismQ Module Runner benchmarks: the server against a raw `Deno.Command` spawn of the same
 * Python scripts, side by side in one run.
 *
 *   deno task bench                 full run (several minutes)
 *   deno task bench --quick         about a minute
 *   deno task bench --json FILE     also write the results as JSON
 *   deno task bench --only NAME     only some rows (comma-separated or repeated):
 *                                   launch, throughput, capture, history, live, reads,
 *                                   hosts, pools, stdin, pipelines, service, envs
 *   deno task bench --service-seconds N   how long the service row runs (600; 60 quick)
 *
 * Every row starts its own server (`deno run main.ts`, port 0, its own temp data dir) with a
 * module file written at run time whose scripts live in scripts/bench/modules/. Only 127.0.0.1
 * is contacted. A row that fails prints ERROR and the others still run; a measure that misses its
 * target says MISS.
 */
import { benchCapture } from "./capture.ts";
import { killAll } from "./children.ts";
import { type Context, createContext, progress } from "./context.ts";
import { benchHistory } from "./history.ts";
import { benchHosts } from "./hosts.ts";
import { benchLaunch } from "./launch.ts";
import { benchPools } from "./pools.ts";
import { benchLive } from "./live.ts";
import { machineInfo, resolvePython } from "./machine.ts";
import { type Options, parseOptions, ROW_NAMES, type RowName } from "./options.ts";
import { benchReads } from "./reads.ts";
import { renderReport, writeJson } from "./report.ts";
import type { RowResult } from "./results.ts";
import { round } from "./stats.ts";
import { benchThroughput } from "./throughput.ts";
import { benchStdin } from "./stdin.ts";
import { benchPipelines } from "./pipelines.ts";
import { benchService } from "./service.ts";
import { benchEnvs } from "./envs.ts";

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
  hosts: { title: "several hosts", run: benchHosts },
  pools: { title: "resource pools", run: benchPools },
  stdin: { title: "stdin filter", run: benchStdin },
  pipelines: { title: "pipelines", run: benchPipelines },
  service: { title: "service rolling log", run: benchService },
  envs: { title: "Python environments", run: benchEnvs },
};

/** Runs one row; a failure becomes the row's error, and servers it left running are stopped. */
async function runRow(ctx: Context, name: RowName): Promise<RowResult> {
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
      await server.stop().catch(() => {});
      server.noteStderr(row);
    }
  }
  row.seconds = round((performance.now() - t0) / 1000, 1) ?? 0;
  progress(`${name}: done in ${row.seconds} s`);
  for (const m of row.measures) {
    progress(`  ${m.measure}: ${m.server} | raw ${m.raw} | ${m.compare} | ${m.result}`);
  }
  return row;
}

function removeTmp(ctx: Context): void {
  try {
    Deno.removeSync(ctx.tmp, { recursive: true });
  } catch {
    // best effort
  }
}

/** Runs the chosen rows, prints the report; the exit code is 1 when a row failed. */
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
  const ctx = createContext(options, python.path);

  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    progress("interrupted: stopping child processes");
    killAll();
    removeTmp(ctx);
    Deno.exit(130);
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);

  const rows: RowResult[] = [];
  const started = new Date();
  try {
    for (const name of ROW_NAMES) {
      if (options.only && !options.only.has(name)) continue;
      rows.push(await runRow(ctx, name));
    }
  } finally {
    killAll();
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    removeTmp(ctx);
  }

  const outcome = { ctx, machine, started, rows };
  console.log(renderReport(outcome));
  if (options.json) {
    writeJson(options.json, outcome);
    progress(`wrote ${options.json}`);
  }
  return rows.some((r) => r.error) ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
