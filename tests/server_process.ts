import { resolve } from "node:path";
import denoJson from "../deno.json" with { type: "json" };

const ROOT = resolve(import.meta.dirname!, "..");
const MAIN = resolve(ROOT, "main.ts");
const FLAGS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run",
  "--allow-sys=hostname",
];

/** The deno flags of `deno task start` (between `deno run` and `main.ts`), from deno.json. */
export function startTaskFlags(): string[] {
  const words = denoJson.tasks.start.split(/\s+/);
  return words.slice(words.indexOf("run") + 1, words.indexOf("main.ts"));
}

/** The server started as its own process, the way `deno task start` starts it. */
export interface ServerProcess {
  url: string;
  child: Deno.ChildProcess;
  /** Spawn to the `listening on` line, in ms. */
  startMs: number;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** What the process printed on stderr so far. */
  stderr(): string;
  /** Sends a signal and waits for the exit status. */
  stop(signal: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** How `spawnServer` runs the process; every field is optional. */
export interface SpawnOptions {
  /** Deno flags in place of the default permissions, e.g. `startTaskFlags()`. */
  flags?: string[];
  /** Pass only `env` to the server, not the caller's environment. */
  clearEnv?: boolean;
  /** Called with the process right after it is spawned, before it listens. */
  onSpawn?: (child: Deno.ChildProcess) => void;
  /** How long to wait for the `listening on` line before killing the process; 60 s. */
  timeoutMs?: number;
}

/** The server ended, or did not listen in time, before its `listening on` line. */
export class ServerStartError extends Error {
  constructor(readonly reason: string, readonly stderr: string, output: string) {
    super(`server ${reason}:\n${output}`);
  }
}

/**
 * Runs main.ts from the project root with these settings and waits for its `listening on` line.
 * Throws a ServerStartError when the process exits first or stays silent past `timeoutMs`.
 */
export async function spawnServer(
  env: Record<string, string>,
  args: string[] = [],
  options: SpawnOptions = {},
): Promise<ServerProcess> {
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...(options.flags ?? FLAGS), MAIN, ...args],
    cwd: ROOT,
    env: { PRISMQ_PORT: "0", ...env },
    clearEnv: options.clearEnv,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  options.onSpawn?.(child);
  let text = "";
  let errText = "";
  let startMs = NaN;
  const listening = Promise.withResolvers<string>();
  const collect = async (stream: ReadableStream<Uint8Array>, isStderr: boolean) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      if (isStderr) errText += chunk;
      // Looked for only until found: the text keeps growing while the server runs.
      const m = Number.isNaN(startMs) ? /listening on (http:\/\/\S+)/.exec(text) : null;
      if (m) {
        startMs = performance.now() - t0;
        listening.resolve(m[1]);
      }
    }
  };
  const readers = Promise.all([collect(child.stdout, false), collect(child.stderr, true)]);
  const status = child.status.then(async (s) => {
    await readers;
    listening.reject(
      new ServerStartError(`exited with code ${s.code} before listening`, errText, text),
    );
    return s;
  });
  const timeoutMs = options.timeoutMs ?? 60_000;
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    const reason = `printed no listening line within ${timeoutMs / 1000} s`;
    listening.reject(new ServerStartError(reason, errText, text));
  }, timeoutMs);
  let url: string;
  try {
    url = await listening.promise;
  } catch (err) {
    await status;
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return {
    url,
    child,
    startMs,
    output: () => text,
    stderr: () => errText,
    async stop(signal) {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
      return await status;
    },
  };
}

/** Runs main.ts expecting it to refuse to start; returns its exit code and output. */
export async function runServerToExit(
  env: Record<string, string>,
  args: string[] = [],
  flags = FLAGS,
) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, MAIN, ...args],
    env: { PRISMQ_PORT: "0", ...env },
    stdin: "null",
    signal: AbortSignal.timeout(15_000),
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}
