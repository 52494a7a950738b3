/**
 * A bare Deno.serve that answers the same bytes as the server: the reads row's ceiling, and the
 * stdin row's floor for receiving a 16 MiB request body (it reads every body whole).
 */
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { readLines, track } from "./children.ts";
import type { Context } from "./context.ts";

const BARE_SERVER = `
const run = Deno.env.get("BENCH_RUN_BODY") ?? "{}";
const health = Deno.env.get("BENCH_HEALTH_BODY") ?? "{}";
const headers = { "content-type": "application/json" };
Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log("listening on http://127.0.0.1:" + port),
}, async (req) => {
  // A request with a body is read whole first, as the runner reads a run request's body.
  if (req.body !== null) await req.arrayBuffer();
  return new Response(new URL(req.url).pathname === "/api/health" ? health : run, { headers });
});
`;

/**
 * Runs a Deno script that prints `listening on URL` (a bare server of the bench) and answers its
 * URL; throws when it exits first or does not listen within 30 s. The child is tracked.
 */
export async function startScriptServer(
  file: string,
  flags: string[],
  env: Record<string, string>,
): Promise<{ url: string; child: Deno.ChildProcess }> {
  const child = track(
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", ...flags, file],
      env,
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

/** Starts the bare server answering `healthBody` on /api/health and `runBody` on every path. */
export async function startBare(
  ctx: Context,
  runBody: string,
  healthBody: string,
): Promise<{ url: string; child: Deno.ChildProcess }> {
  const file = join(ctx.tmp, "bare_server.ts");
  Deno.writeTextFileSync(file, BARE_SERVER);
  return await startScriptServer(file, ["--allow-net=127.0.0.1", "--allow-env"], {
    BENCH_RUN_BODY: runBody,
    BENCH_HEALTH_BODY: healthBody,
  });
}
