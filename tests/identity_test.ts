import assert from "node:assert/strict";
import { join } from "node:path";
import { IDENTITY_FILE, judgeIdentity } from "../src/kv/identity.ts";
import { python, startServer, waitFinal, writeModuleFile } from "./helpers.ts";
import { runServerToExit, spawnServer } from "./server_process.ts";

const MODULES = [{ id: "echo", script: "echo_args.py" }];

/** A data dir with history: one finished run, the server stopped cleanly. */
async function dirWithHistory(): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-test-" });
  const server = await startServer(MODULES, {}, { dir });
  try {
    const { body } = await server.post("/api/modules/echo/run", {});
    await waitFinal(server, body.run_id);
  } finally {
    await server.close();
  }
  return {
    dir,
    env: {
      PRISMQ_MODULES: writeModuleFile(dir, MODULES),
      PRISMQ_DATA_DIR: join(dir, "data"),
      PRISMQ_PYTHON: python(),
    },
  };
}

/** Starts the server expecting a refusal: one line on stderr that matches, a non-zero exit. */
async function assertRefused(env: Record<string, string>, pattern: RegExp): Promise<void> {
  const out = await runServerToExit(env);
  assert.notEqual(out.code, 0, out.stdout);
  const lines = out.stderr.trim().split("\n");
  assert.equal(lines.length, 1, out.stderr);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(out.stdout, /listening on/);
}

function removeIfThere(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}

Deno.test("identity verdicts: new, adopt, same, lost, other", () => {
  assert.deepEqual(judgeIdentity(null, null), { kind: "new" });
  assert.deepEqual(judgeIdentity(null, "a"), { kind: "adopt", id: "a" });
  assert.deepEqual(judgeIdentity("a", "a"), { kind: "same", id: "a" });
  assert.deepEqual(judgeIdentity("a", null), { kind: "lost", remembered: "a" });
  assert.deepEqual(judgeIdentity("a", "b"), { kind: "other", remembered: "a", found: "b" });
});

Deno.test("a missing, emptied or swapped KV file stops the start; a fresh data dir starts", async () => {
  const { dir, env } = await dirWithHistory();
  const kvPath = join(dir, "data", "runner.kv");
  const marker = Deno.readTextFileSync(join(dir, "data", IDENTITY_FILE)).trim();
  assert.match(marker, /^[0-9a-f-]{36}$/);
  const saved = Deno.readFileSync(kvPath);

  // Deleted (a clean stop leaves no -wal).
  Deno.removeSync(kvPath);
  await assertRefused(env, new RegExp(`PRISMQ_KV_PATH=.*missing or empty.*store ${marker}`));
  // Emptied.
  Deno.writeFileSync(kvPath, new Uint8Array());
  await assertRefused(env, /missing or empty.*delete the data dir/);
  // Another store: a second data dir's KV, with an identity of its own.
  const other = await dirWithHistory();
  Deno.copyFileSync(join(other.dir, "data", "runner.kv"), kvPath);
  await assertRefused(
    env,
    new RegExp(`is store [0-9a-f-]{36}, but this data dir has used store ${marker}`),
  );
  // The right file back: it starts, and the store and the marker still agree.
  Deno.writeFileSync(kvPath, saved);
  const server = await spawnServer(env);
  const runs = await (await fetch(`${server.url}/api/runs`)).json();
  assert.equal(runs.total, 1, "the history is there");
  assert.equal((await server.stop("SIGTERM")).code, 0);

  // Starting fresh is deleting the data dir.
  Deno.removeSync(join(dir, "data"), { recursive: true });
  const fresh = await spawnServer(env);
  assert.equal((await (await fetch(`${fresh.url}/api/runs`)).json()).total, 0);
  await fresh.stop("SIGTERM");
  assert.notEqual(Deno.readTextFileSync(join(dir, "data", IDENTITY_FILE)).trim(), marker);
});

Deno.test({
  name: "a KV file deleted while its -wal stays (a crash) stops the start too",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const { dir, env } = await dirWithHistory();
    const kvPath = join(dir, "data", "runner.kv");
    const server = await spawnServer(env);
    const res = await fetch(`${server.url}/api/modules/echo/run`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    await res.body?.cancel();
    assert.equal(res.status, 202);
    // Killed, not stopped: the last writes are still in runner.kv-wal.
    await server.stop("SIGKILL");
    assert.ok(Deno.statSync(`${kvPath}-wal`).size > 0, "a crash leaves the -wal behind");
    Deno.removeSync(kvPath);
    await assertRefused(env, /missing or empty/);
  },
});

Deno.test("servers sharing one KV: a data dir without a marker adopts the store's identity", async () => {
  const { dir, env } = await dirWithHistory();
  const kvPath = join(dir, "data", "runner.kv");
  const marker = Deno.readTextFileSync(join(dir, "data", IDENTITY_FILE)).trim();
  const secondDir = join(dir, "second-host");
  const second = await spawnServer({ ...env, PRISMQ_DATA_DIR: secondDir, PRISMQ_KV_PATH: kvPath });
  await second.stop("SIGTERM");
  assert.equal(Deno.readTextFileSync(join(secondDir, IDENTITY_FILE)).trim(), marker);
  // A KV that never had an identity (a store from before them) is given one, not refused.
  removeIfThere(join(dir, "data", IDENTITY_FILE));
  const kv = await Deno.openKv(kvPath);
  await kv.delete(["store_identity"]);
  kv.close();
  const again = await spawnServer(env);
  assert.equal((await (await fetch(`${again.url}/api/runs`)).json()).total, 1);
  await again.stop("SIGTERM");
  const given = Deno.readTextFileSync(join(dir, "data", IDENTITY_FILE)).trim();
  assert.notEqual(given, marker);
});
