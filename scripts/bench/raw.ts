/** Raw baseline: the same scripts spawned directly, with the child environment the server gives. */
import { dirname } from "node:path";
import { track } from "./children.ts";
import type { Context } from "./context.ts";

/** Spawns the script with the bench's interpreter; the child is tracked. */
export function spawnRaw(
  ctx: Context,
  script: string,
  opts: { args?: string[]; output: "piped" | "null" },
): Deno.ChildProcess {
  const command = new Deno.Command(ctx.python, {
    args: [script, ...opts.args ?? []],
    cwd: dirname(script),
    env: {
      PYTHONUNBUFFERED: "1",
      PYTHONIOENCODING: "utf-8",
      PRISMQ_RUN_ID: "raw0000000000000",
      PRISMQ_MODULE_ID: "raw",
    },
    stdin: "null",
    stdout: opts.output,
    stderr: opts.output,
    detached: Deno.build.os !== "windows",
  });
  return track(command.spawn());
}

const decoder = new TextDecoder();

/** Spawns, waits for exit, returns stdout text; throws on a non-zero exit. */
export async function rawOutput(ctx: Context, script: string): Promise<string> {
  const out = await spawnRaw(ctx, script, { output: "piped" }).output();
  if (!out.success) {
    throw new Error(`raw ${script} exited ${out.code}: ${decoder.decode(out.stderr).slice(-300)}`);
  }
  return decoder.decode(out.stdout);
}
