/**
 * What `POST .../run` pays for durability: the same launches against a server whose store lives on
 * a RAM file system (no disk sync), and the latency of one synced KV commit shaped like a run's
 * creation, made by this process on a KV file in the bench's own temp folder (the same disk as
 * the server's). Linux only for the RAM server (/dev/shm); the commit is measured everywhere.
 */
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { startScriptServer } from "./bare.ts";
import type { Context } from "./context.ts";
import { BenchServer } from "./server.ts";
import { summarize, type Summary } from "./stats.ts";

/**
 * A RAM-backed folder for a data dir, or null where there is none. Made by `mktemp`: Deno lets
 * only a program with every permission write under /dev.
 */
async function ramFolder(): Promise<string | null> {
  if (Deno.build.os !== "linux") return null;
  try {
    const out = await new Deno.Command("mktemp", {
      args: ["-d", "-p", "/dev/shm", "prismq-bench-XXXXXX"],
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  } catch {
    return null;
  }
}

/** `measure` run against a server whose data dir is on a RAM file system; null without one. */
export async function onRamStore<T>(
  ctx: Context,
  measure: (base: string) => Promise<T>,
): Promise<T | null> {
  const dir = await ramFolder();
  if (dir === null) return null;
  const server = await BenchServer.start(ctx, "launch-ram", {
    dataDir: join(dir, "data"),
    allowAll: true,
  });
  try {
    return await measure(server.url);
  } finally {
    await server.stop();
    await new Deno.Command("rm", { args: ["-rf", dir] }).output();
  }
}

/**
 * One synced commit the shape of a run's creation (two checks, seven sets, five counters), on a
 * KV file in `folder`, spaced like the launches so the disk is idle before each: its p50 is the
 * floor a durable 202 stands on.
 */
export async function syncedCommitMs(folder: string, commits: number): Promise<Summary> {
  const path = join(folder, `commit-probe-${crypto.randomUUID()}.kv`);
  const kv = await Deno.openKv(path);
  const record = {
    run_id: "x".repeat(16),
    status: "running",
    parameters: {},
    note: "x".repeat(600),
  };
  const times: number[] = [];
  try {
    for (let i = 0; i < commits; i++) {
      const op = kv.atomic()
        .check({ key: ["run", i], versionstamp: null })
        .check({ key: ["order", i], versionstamp: null })
        .set(["run", i], record);
      for (const index of ["order", "module", "status", "module_status", "trigger", "last"]) {
        op.set([index, i], i);
      }
      for (const counter of ["all", "status", "module", "module_status", "trigger"]) {
        op.sum(["count", counter], 1n);
      }
      const t0 = performance.now();
      await op.commit();
      times.push(performance.now() - t0);
      await delay(50);
    }
  } finally {
    kv.close();
    for (const suffix of ["", "-wal", "-shm"]) {
      try {
        Deno.removeSync(path + suffix);
      } catch { /* not made */ }
    }
  }
  return summarize(times);
}

/**
 * A bare Deno.serve that answers a run request as the runner must at the least: it reads and
 * parses the body, makes one synced KV commit shaped like a run's creation (on a KV file in the
 * bench's temp folder, the server's disk), and answers 202 with a run's JSON. No framework, no
 * checks, no run: the floor of a durable 202 with this runtime on this machine.
 */
const BARE_COMMIT_SERVER = `
const kv = await Deno.openKv(Deno.env.get("BENCH_KV"));
const view = Deno.env.get("BENCH_RUN_BODY");
let i = 0;
Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log("listening on http://127.0.0.1:" + port),
}, async (req) => {
  const body = await req.json();
  i++;
  const op = kv.atomic()
    .check({ key: ["run", i], versionstamp: null })
    .check({ key: ["order", i], versionstamp: null })
    .set(["run", i], { view, body });
  for (const index of ["order", "module", "status", "module_status", "trigger", "last"]) {
    op.set([index, i], i);
  }
  for (const counter of ["all", "status", "module", "module_status", "trigger"]) {
    op.sum(["count", counter], 1n);
  }
  await op.commit();
  return new Response(view, { status: 202, headers: { "content-type": "application/json" } });
});
`;

/**
 * `runs` POSTs to the bare committing server above, each after a raw run of the first-line script
 * (`beforeEach`), as the launch row's POSTs follow one: the same machine state, the floor's p50.
 */
export async function bareCommitPosts(
  ctx: Context,
  runs: number,
  beforeEach: () => Promise<unknown>,
): Promise<Summary> {
  const file = join(ctx.tmp, "bare_commit_server.ts");
  Deno.writeTextFileSync(file, BARE_COMMIT_SERVER);
  const view = JSON.stringify({ run_id: "x".repeat(16), status: "running", note: "x".repeat(600) });
  const flags = [
    "--unstable-kv",
    "--allow-net=127.0.0.1",
    "--allow-env",
    `--allow-read=${ctx.tmp}`,
    `--allow-write=${ctx.tmp}`,
  ];
  const kvPath = join(ctx.tmp, `bare-${crypto.randomUUID()}.kv`);
  const { url, child } = await startScriptServer(file, flags, {
    BENCH_KV: kvPath,
    BENCH_RUN_BODY: view,
  });
  try {
    const times: number[] = [];
    for (let i = 0; i < runs + 5; i++) {
      await beforeEach();
      const t0 = performance.now();
      const res = await fetch(url + "/api/modules/first-line/run", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ parameters: {} }),
      });
      await res.arrayBuffer();
      if (i >= 5) times.push(performance.now() - t0);
    }
    return summarize(times);
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
}
