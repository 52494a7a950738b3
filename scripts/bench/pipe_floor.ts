/**
 * The capture row's baselines: what reading the same script's output costs without the runner.
 * The pipe floor is the script writing into a pipe that `cat` only drains; the bare Deno reader
 * is the least a Deno program can do with the child's pipe (`for await` over it, nothing kept).
 */
import { dirname } from "node:path";
import { track } from "./children.ts";
import type { Context } from "./context.ts";
import { spawnRaw } from "./raw.ts";

/** The environment the server gives a run's process (see raw.ts). */
const RUN_ENV = {
  PYTHONUNBUFFERED: "1",
  PYTHONIOENCODING: "utf-8",
  PRISMQ_RUN_ID: "raw0000000000000",
  PRISMQ_MODULE_ID: "raw",
};

/**
 * Wall ms of `python SCRIPT ARGS | cat > /dev/null` (POSIX `sh`; null on Windows). The script
 * reaches sh as arguments, never as shell text.
 */
export async function pipeFloorMs(
  ctx: Context,
  script: string,
  args: string[],
): Promise<number | null> {
  if (Deno.build.os === "windows") return null;
  const t0 = performance.now();
  const child = track(
    new Deno.Command("sh", {
      args: ["-c", '"$0" "$@" | cat > /dev/null', ctx.python, script, ...args],
      cwd: dirname(script),
      env: RUN_ENV,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn(),
  );
  const status = await child.status;
  const ms = performance.now() - t0;
  if (!status.success) throw new Error(`python | cat exited ${status.code}`);
  return ms;
}

/** Wall ms of a bare Deno reader of the script's stdout (stderr drained alike), and bytes read. */
export async function bareReaderMs(
  ctx: Context,
  script: string,
  args: string[],
): Promise<{ ms: number; bytes: number; reads: number }> {
  const t0 = performance.now();
  const child = spawnRaw(ctx, script, { args, output: "piped" });
  let bytes = 0;
  let reads = 0;
  const drainErr = (async () => {
    for await (const _ of child.stderr) {
      // only drained
    }
  })();
  for await (const chunk of child.stdout) {
    bytes += chunk.length;
    reads++;
  }
  await drainErr;
  const status = await child.status;
  const ms = performance.now() - t0;
  if (!status.success) throw new Error(`bare reader: the script exited ${status.code}`);
  return { ms, bytes, reads };
}
