/** The interpreter both sides use, and the machine the numbers come from. */
import { resolve } from "node:path";
import os from "node:os";
import { round } from "./stats.ts";

const ROOT = resolve(import.meta.dirname!, "..", "..");
const decoder = new TextDecoder();

/** Runs a command in the project root; its trimmed stdout, or null when it failed. */
function run(command: string, args: string[]): string | null {
  try {
    const out = new Deno.Command(command, { args, stdout: "piped", stderr: "piped", cwd: ROOT })
      .outputSync();
    return out.success ? decoder.decode(out.stdout).trim() : null;
  } catch {
    return null;
  }
}

/** The Python to benchmark with: PRISMQ_BENCH_PYTHON or python3 (python on Windows). */
export interface Python {
  /** The real executable behind the name (a pyenv shim costs ~80 ms a spawn). */
  path: string;
  version: string;
}

/** Finds the interpreter by asking it for sys.executable; throws when there is none. */
export function resolvePython(): Python {
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

/** CPU, memory, OS, runtimes and the server's commit, for the report and JSON. */
export function machineInfo(python: Python) {
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
/** What machineInfo found. */
export type Machine = ReturnType<typeof machineInfo>;
