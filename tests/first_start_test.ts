import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { python, writeModuleFile } from "./helpers.ts";
import { spawnServer } from "./server_process.ts";
import { tightenDataDir } from "../src/kv/data_dir_mode.ts";

const ROOT = resolve(import.meta.dirname!, "..");

/** Drops the colour codes Deno writes around its warnings. */
// deno-lint-ignore no-control-regex
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "");

function env(dir: string, dataDir: string): Record<string, string> {
  return {
    PRISMQ_MODULES: writeModuleFile(dir, [{ id: "echo", script: "echo_args.py" }]),
    PRISMQ_DATA_DIR: dataDir,
    PRISMQ_PYTHON: python(),
  };
}

Deno.test("deno cache of main.ts prints no warning (no ignored npm build script)", async () => {
  // Deno repeats the ignored-build-script warning on every `deno cache`, cached or not.
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["cache", "main.ts"],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const printed = plain(
    new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr),
  );
  assert.equal(out.code, 0, printed);
  assert.doesNotMatch(printed, /warning|ignored build scripts/i);
});

Deno.test({
  name: "a data dir open to group or others is set to 0700 at start, with one line",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = Deno.makeTempDirSync();
    const dataDir = join(dir, "data");
    Deno.mkdirSync(dataDir);
    Deno.chmodSync(dataDir, 0o755);
    const server = await spawnServer(env(dir, dataDir));
    try {
      assert.equal(Deno.statSync(dataDir).mode! & 0o777, 0o700);
      const lines = server.output().split("\n").filter((l) => l.includes("PRISMQ_DATA_DIR"));
      assert.deepEqual(lines, [
        `PRISMQ_DATA_DIR=${JSON.stringify(dataDir)} was open to group or others (mode 0755): ` +
        "set to 0700",
      ]);
    } finally {
      assert.equal((await server.stop("SIGTERM")).code, 0);
    }
    // The next start finds it private and says nothing about it.
    const again = await spawnServer(env(dir, dataDir));
    try {
      assert.doesNotMatch(again.output(), /PRISMQ_DATA_DIR/);
    } finally {
      assert.equal((await again.stop("SIGTERM")).code, 0);
    }
  },
});

Deno.test("a fresh data dir is created 0700; a run, its log, a cancel and a delete print nothing", async () => {
  const dir = Deno.makeTempDirSync();
  const dataDir = join(dir, "fresh", "data");
  const server = await spawnServer(env(dir, dataDir));
  try {
    if (Deno.build.os !== "windows") {
      assert.equal(Deno.statSync(dataDir).mode! & 0o777, 0o700);
    }
    const json = { "content-type": "application/json" };
    const run = await fetch(`${server.url}/api/modules/echo/run`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ parameters: {} }),
    });
    assert.equal(run.status, 202);
    const { run_id } = await run.json();
    await (await fetch(`${server.url}/api/runs/${run_id}/logs/stream`)).text();
    // A DELETE has no body: it once made Deno warn about request.signal (Hono's body limit).
    const cancel = await fetch(`${server.url}/api/runs/${run_id}`, { method: "DELETE" });
    assert.equal(cancel.status, 409);
    await cancel.body?.cancel();
    const config = await fetch(`${server.url}/api/modules/echo/config`, { method: "DELETE" });
    await config.body?.cancel();
    // The server prints a warning synchronously when it happens; its health answer comes after.
    await (await fetch(`${server.url}/api/health`)).body?.cancel();
    assert.match(server.output(), /^listening on http:\/\/127\.0\.0\.1:\d+\n$/);
  } finally {
    assert.equal((await server.stop("SIGTERM")).code, 0);
  }
});

Deno.test("tightenDataDir: private and Windows dirs are left as they are", async () => {
  const dir = Deno.makeTempDirSync();
  Deno.chmodSync(dir, 0o700);
  assert.equal(await tightenDataDir(dir), null);
  Deno.chmodSync(dir, 0o750);
  assert.equal(await tightenDataDir(dir, "windows"), null);
  assert.match((await tightenDataDir(dir))!, /mode 0750\): set to 0700$/);
  assert.equal(Deno.statSync(dir).mode! & 0o777, 0o700);
});
