import { resolve } from "node:path";

const MAIN = resolve(import.meta.dirname!, "..", "main.ts");
const FLAGS = ["--allow-net", "--allow-read", "--allow-env"];

/** What one run of the command-line client gave. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** How to run the client: its environment and standard input. */
export interface CliOptions {
  env?: Record<string, string>;
  stdin?: string;
}

/** Runs `main.ts ARGS` as its own process (the way `deno task cli ARGS` does) to its end. */
export async function cli(
  url: string,
  args: string[],
  options: CliOptions = {},
): Promise<CliResult> {
  const child = spawnCli(url, args, options);
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** Starts the client without waiting for it (stdin piped when `options.stdin` is given). */
export function spawnCli(url: string, args: string[], options: CliOptions = {}): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...FLAGS, MAIN, ...args],
    env: { PRISMQ_URL: url, NO_COLOR: "", ...options.env },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}
