/** What every row is handed: options, sizes, the interpreter, the temp dir and the module file. */
import { join } from "node:path";
import type { Options, Sizes } from "./options.ts";
import { sizes } from "./options.ts";
import type { BenchServer } from "./server.ts";
import { benchWheelEnv } from "./envs.ts";

const MODULES_DIR = join(import.meta.dirname!, "modules");

/** The bench scripts, by absolute path. */
export interface Scripts {
  firstLine: string;
  trivial: string;
  lines: string;
  ticker: string;
  fill: string;
  echoStdin: string;
}

/** Shared by the rows of one bench run. */
export interface Context {
  options: Options;
  size: Sizes;
  python: string;
  tmp: string;
  modulesPath: string;
  scripts: Scripts;
  /** Servers not stopped yet; whatever a failed row leaves here is stopped after it. */
  servers: Set<BenchServer>;
  dirCount: number;
}

/** Makes the temp dir and writes the module file into it; the caller removes `tmp`. */
export function createContext(options: Options, python: string): Context {
  const tmp = Deno.makeTempDirSync({ prefix: "prismq-bench-" });
  const scripts: Scripts = {
    firstLine: join(MODULES_DIR, "first_line.py"),
    trivial: join(MODULES_DIR, "trivial.py"),
    lines: join(MODULES_DIR, "lines.py"),
    ticker: join(MODULES_DIR, "ticker.py"),
    fill: join(MODULES_DIR, "fill.sh"),
    echoStdin: join(MODULES_DIR, "echo_stdin.py"),
  };
  return {
    options,
    size: sizes(options.quick),
    python,
    tmp,
    modulesPath: writeModuleFile(tmp, scripts, benchWheelEnv(tmp, python)),
    scripts,
    servers: new Set(),
    dirCount: 0,
  };
}

/** A fresh data dir path under the temp dir (not created: the server creates it). */
export function newDataDir(ctx: Context, label: string): string {
  return join(ctx.tmp, `data-${++ctx.dirCount}-${label}`);
}

/** `count` steps of the trivial module, each needing the one before. */
const steps = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: `s${i + 1}`, module: "trivial" }));

function writeModuleFile(dir: string, scripts: Scripts, wheelEnv: Record<string, string>): string {
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
      // The same script in an environment the server builds with one local wheel (envs.ts).
      {
        ...module("env-first-line", scripts.firstLine),
        requirements: ["prismq_bench_probe==1.0"],
        env: wheelEnv,
      },
      // Not Python: a shell script, so the history fills at the server's pace, not Python's.
      module("fill", scripts.fill),
      module("lines", scripts.lines, [
        { name: "count", type: "number", default: 1000, min: 1, max: 100_000_000 },
      ]),
      { ...module("stdin-echo", scripts.echoStdin), stdin: "input" },
      module("ticker", scripts.ticker, [
        { name: "seconds", type: "number", default: 5, min: 1, max: 600 },
        { name: "interval", type: "number", default: 0.1, min: 0.01, max: 10 },
      ]),
    ],
    // The pipelines row: chains of trivial steps.
    pipelines: [
      { id: "chain10", name: "10 trivial steps", steps: steps(10) },
      { id: "three", name: "3 trivial steps", steps: steps(3) },
    ],
  };
  const path = join(dir, "modules.json");
  Deno.writeTextFileSync(path, JSON.stringify(body, null, 2));
  return path;
}

/** A progress line on stderr; stdout carries only the report. */
export function progress(message: string): void {
  console.error(`[bench] ${message}`);
}
