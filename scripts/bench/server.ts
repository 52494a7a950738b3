/** The server under test, as its own process, started by the tests' helper. */
import { setTimeout as delay } from "node:timers/promises";
import {
  type ServerProcess,
  ServerStartError,
  spawnServer,
  startTaskFlags,
} from "../../tests/server_process.ts";
import { track } from "./children.ts";
import { type Context, newDataDir } from "./context.ts";
import type { RowResult } from "./results.ts";

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const stripAnsi = (text: string) => text.replace(ANSI, "");

/** The environment without any PRISMQ_* setting of the caller. */
function baseEnv(): Record<string, string> {
  const env = Deno.env.toObject();
  for (const name of Object.keys(env)) if (name.startsWith("PRISMQ_")) delete env[name];
  return env;
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

/** CPU seconds (user + system) a process used so far, from /proc (Linux); null elsewhere. */
async function procCpuSeconds(pid: number): Promise<number | null> {
  if (Deno.build.os !== "linux") return null;
  try {
    const out = await new Deno.Command("cat", {
      args: [`/proc/${pid}/stat`],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return null;
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = new TextDecoder().decode(out.stdout).split(") ")[1].split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / 100 : null;
  } catch {
    return null;
  }
}

/** A server of one row: its own data dir, port 0, the bench's module file. */
export class BenchServer {
  private stopped: Promise<Deno.CommandStatus> | null = null;
  private noted = false;

  private constructor(
    private readonly ctx: Context,
    readonly label: string,
    readonly dataDir: string,
    private readonly process: ServerProcess,
  ) {}

  /**
   * Starts the server with the bench's settings plus `opts.env`, on `opts.dataDir` (a new one by
   * default); throws if it does not listen. `opts.allowAll` grants every permission instead of
   * the start task's (Deno lets only such a program write under /dev, /dev/shm included).
   */
  static async start(
    ctx: Context,
    label: string,
    opts: { dataDir?: string; env?: Record<string, string>; allowAll?: boolean } = {},
  ): Promise<BenchServer> {
    const dataDir = opts.dataDir ?? newDataDir(ctx, label);
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
      ...opts.env,
    };
    try {
      const process = await spawnServer(env, [], {
        // The very flags of `deno task start`, so the bench measures what users run.
        flags: opts.allowAll
          ? ["--allow-all", ...startTaskFlags().filter((f) => !f.startsWith("--allow-"))]
          : startTaskFlags(),
        clearEnv: true,
        onSpawn: track,
      });
      const server = new BenchServer(ctx, label, dataDir, process);
      ctx.servers.add(server);
      return server;
    } catch (err) {
      if (!(err instanceof ServerStartError)) throw err;
      const said = stripAnsi(err.stderr.split("\n").filter((l) => l.trim() !== "").join(" | "));
      throw new Error(
        `server (${label}) did not start: ${err.reason}; stderr: ${said.slice(0, 400)}`,
      );
    }
  }

  /** `http://127.0.0.1:<port>`, no trailing slash. */
  get url(): string {
    return this.process.url;
  }

  /** The server process (`deno run`), whose memory is measured. */
  get pid(): number {
    return this.process.child.pid;
  }

  /** Spawn to the `listening` line, ms. */
  get startMs(): number {
    return this.process.startMs;
  }

  /** Peak (VmHWM) and current (VmRSS) memory in MB; null without /proc. */
  memory(): Promise<{ hwm: number; rss: number } | null> {
    return procMemoryMb(this.pid);
  }

  /** CPU seconds the server used so far (utime + stime at 100 ticks a second); null without /proc. */
  cpuSeconds(): Promise<number | null> {
    return procCpuSeconds(this.pid);
  }

  /** SIGTERM, then SIGKILL after 20 s; resolves with the exit status. */
  stop(): Promise<Deno.CommandStatus> {
    this.stopped ??= (async () => {
      const status = this.process.stop("SIGTERM");
      if (await Promise.race([status, delay(20_000, "timeout", { ref: false })]) === "timeout") {
        this.process.child.kill("SIGKILL");
      }
      const exit = await status;
      this.ctx.servers.delete(this);
      return exit;
    })();
    return this.stopped;
  }

  /** Once per server: a note on the row when the server wrote to stderr, with its first lines. */
  noteStderr(row: RowResult): void {
    const lines = this.process.stderr().split(/\r?\n/);
    if (lines.at(-1) === "") lines.pop();
    if (lines.length === 0 || this.noted) return;
    this.noted = true;
    const sample = lines.slice(0, 3).map((l) => stripAnsi(l).slice(0, 200)).join(" | ");
    row.notes.push(
      `${row.name}: server (${this.label}) wrote ${lines.length} lines to stderr, ` +
        `first: ${sample}`,
    );
    row.server_stderr.push(...lines.slice(0, 20).map(stripAnsi));
  }
}
