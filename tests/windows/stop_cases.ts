/**
 * The Windows lane's cases that need a server of their own: a taskkill that fails or hangs,
 * Ctrl+C (SIGINT to the Wine process), a crash and restart, the data-dir lock, KV kept.
 */
import assert from "node:assert/strict";
import {
  cleanUp,
  linux,
  linuxPid,
  liveProcesses,
  logs,
  NO_FFI_FLAGS,
  startRun,
  startToExit,
  startWin,
  tempDir,
  waitFor,
  writeCmd,
  writeModules,
  writeTree,
} from "./harness.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const GRACE = 1;

/**
 * A cancel while taskkill does not work: the server has no Job Objects (no --allow-ffi) and
 * PRISMQ_TASKKILL names `taskkill` (a .cmd). The run must be final within grace + 5 s, the main
 * process killed directly, and a system line must say its children may be left.
 */
async function cancelWithBrokenTaskkill(tag: number, taskkillLines: string[]) {
  const dir = tempDir();
  const taskkill = writeCmd(dir, "taskkill_stand_in.cmd", taskkillLines);
  writeTree(dir, tag);
  writeModules(dir, [{ id: "tree", script_path: `tree${tag}.cmd` }]);
  const server = await startWin(dir, { PRISMQ_TASKKILL: taskkill }, NO_FFI_FLAGS);
  try {
    assert.match(server.process.output(), /runs get no job object/);
    const runId = await startRun(server, "tree");
    const t0 = performance.now();
    const { status, body } = await server.json(`/api/runs/${runId}`, {
      method: "DELETE",
      // A cancel that hangs fails this case instead of stalling the lane.
      signal: AbortSignal.timeout(30_000),
    });
    const seconds = (performance.now() - t0) / 1000;
    assert.equal(status, 200);
    assert.equal(body.status, "cancelled");
    console.log(`cancel answered after ${seconds.toFixed(2)} s (grace ${GRACE} s)`);
    assert.ok(seconds < GRACE + 5, `cancel took ${seconds.toFixed(1)} s (grace ${GRACE} s)`);
    const text = (await logs(server, runId)).map((l) => l.message).join("\n");
    assert.match(text, /killing the main process \(pid \d+\) directly/);
    assert.match(text, /its child processes may be left running/);
    return { text, seconds };
  } finally {
    await server.kill();
    await cleanUp(`127.0.0.${tag}`);
  }
}

Deno.test({
  name: "cancel when taskkill exits 1: final within grace + 5 s, says children may be left",
  ...opts,
  async fn() {
    const { text } = await cancelWithBrokenTaskkill(13, ["exit /b 1"]);
    assert.match(text, /taskkill_stand_in\.cmd exited with code 1/);
  },
});

Deno.test({
  name: "cancel when taskkill hangs: final within grace + 5 s, says children may be left",
  ...opts,
  async fn() {
    try {
      const { text } = await cancelWithBrokenTaskkill(14, ["ping -n 300 127.0.0.24 >nul"]);
      assert.match(text, /did not finish within 2 s and was killed/);
    } finally {
      // The hung taskkill's own ping (its cmd.exe was killed, the ping was not).
      await cleanUp("127.0.0.24");
    }
  },
});

Deno.test({
  name: "Ctrl+C (SIGINT) shuts down: exit 0, the run recorded cancelled, no process left",
  ...opts,
  async fn() {
    const dir = tempDir();
    writeTree(dir, 15);
    writeModules(dir, [{ id: "tree", script_path: "tree15.cmd" }]);
    try {
      const server = await startWin(dir);
      const runId = await startRun(server, "tree");
      await waitFor(async () => (await liveProcesses("127.0.0.15")).length >= 2, 20_000, "pings");
      await linux(["kill", "-INT", String(await linuxPid(dir))]);
      const status = await server.process.child.status;
      assert.equal(status.code, 0, server.process.output());
      assert.match(server.process.output(), /SIGINT received: shutting down/);
      assert.deepEqual(await liveProcesses("127.0.0.15"), [], "no ping.exe or cmd.exe left");
      const again = await startWin(dir);
      try {
        const run = (await again.json(`/api/runs/${runId}`)).body;
        assert.equal(run.status, "cancelled");
        assert.match(run.error_message, /shut down/);
      } finally {
        await again.kill();
      }
    } finally {
      await cleanUp("127.0.0.15");
    }
  },
});

Deno.test({
  name: "restart after a crash: the running run is failed, its tree is gone, KV kept the rest",
  ...opts,
  async fn() {
    const dir = tempDir();
    writeTree(dir, 16);
    writeCmd(dir, "echo.cmd", ["echo %*"]);
    writeModules(dir, [
      { id: "tree", script_path: "tree16.cmd" },
      { id: "echo", script_path: "echo.cmd", parameters: [{ name: "word", type: "text" }] },
    ]);
    try {
      const server = await startWin(dir);
      const saved = await server.post("/api/modules/echo/config", {
        parameters: { word: "kept" },
      });
      assert.equal(saved.status, 200);
      const runId = await startRun(server, "tree");
      await waitFor(async () => (await liveProcesses("127.0.0.16")).length >= 2, 20_000, "pings");
      await server.kill(); // TerminateProcess: a crash
      // The job was made "kill on job close": the dead server's handle closing ends the tree.
      await waitFor(
        async () => (await liveProcesses("127.0.0.16")).length === 0,
        15_000,
        "the crashed server's tree to be gone",
      );
      const again = await startWin(dir);
      try {
        const run = (await again.json(`/api/runs/${runId}`)).body;
        assert.equal(run.status, "failed");
        assert.match(run.error_message, /server stopped/);
        const config = (await again.json("/api/modules/echo/config")).body;
        assert.equal(config.parameters.word, "kept");
      } finally {
        await again.kill();
      }
    } finally {
      await cleanUp("127.0.0.16");
    }
  },
});

Deno.test({
  name: "the data-dir lock: a second server on the same data dir refuses to start",
  ...opts,
  async fn() {
    const dir = tempDir();
    writeCmd(dir, "x.cmd", ["echo x"]);
    writeModules(dir, [{ id: "x", script_path: "x.cmd" }]);
    const first = await startWin(dir);
    try {
      const second = await startToExit(dir);
      assert.notEqual(second.code, 0);
      assert.match(second.stderr, /PRISMQ_DATA_DIR=.*another server is using this data dir/);
      assert.equal((await first.json("/api/health")).status, 200);
    } finally {
      await first.kill();
    }
  },
});
