import { resolve } from "node:path";

const MAIN = resolve(import.meta.dirname!, "..", "main.ts");
const FLAGS = ["--allow-net", "--allow-read", "--allow-write", "--allow-env", "--allow-run"];

/** The server started as its own process, the way `deno task start` starts it. */
export interface ServerProcess {
  url: string;
  child: Deno.ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Sends a signal and waits for the exit status. */
  stop(signal: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** Runs main.ts with these settings and waits for its `listening on` line. */
export async function spawnServer(
  env: Record<string, string>,
  args: string[] = [],
): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...FLAGS, MAIN, ...args],
    env: { PRISMQ_PORT: "0", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const listening = Promise.withResolvers<string>();
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(text);
      if (m) listening.resolve(m[1]);
    }
  };
  const readers = Promise.all([collect(child.stdout), collect(child.stderr)]);
  const status = child.status.then(async (s) => {
    await readers;
    listening.reject(new Error(`server exited with ${s.code} before listening:\n${text}`));
    return s;
  });
  const url = await listening.promise;
  return {
    url,
    child,
    output: () => text,
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
