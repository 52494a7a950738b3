/**
 * The Windows lane's end-to-end cases on one server (Windows Deno under Wine, with Job
 * Objects): modules, runs, exit codes, timeout, cancel of a tree, encodings, argument safety.
 * Run by .ci/windows-lane; see docs/windows.md for what Wine can and cannot show.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  cleanUp,
  liveProcesses,
  logs,
  startRun,
  startToExit,
  startWin,
  tempDir,
  waitFinal,
  waitFor,
  type WinServer,
  writeCmd,
  writeModules,
  writeTree,
} from "./harness.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

/** What the shared server runs; made once, in its own folder. */
function writeFixtures(dir: string): void {
  Deno.mkdirSync(join(dir, "sub"));
  Deno.mkdirSync(join(dir, "venv", "Scripts"), { recursive: true });
  writeCmd(dir, join("sub", "echo.cmd"), [
    "echo out1 %*",
    "echo err1 1>&2",
    "echo out2",
    "echo err2 1>&2",
  ]);
  writeCmd(dir, "exit3.cmd", ["echo exiting", "exit /b 3"]);
  Deno.writeTextFileSync(join(dir, "hello.py"), "print('hello')\n");
  // A venv's python stand-in: there is no Windows Python under Wine.
  writeCmd(dir, join("venv", "Scripts", "python.cmd"), ["echo venv python %*"]);
  writeTree(dir, 11);
  writeTree(dir, 12);
  // Exits at once, leaving a ping behind in its job (its cmd.exe parent exits too).
  writeCmd(dir, "leaves.cmd", ["echo leaving", 'cmd /c start "" /b ping -n 121 127.0.0.17 ^>nul']);
  Deno.writeTextFileSync(
    join(dir, "nonascii.ts"),
    'console.log("héllo wörld ✓ 日本語");\nconsole.error("stderr: ünïcödé");\n',
  );
  writeCmd(dir, "nonascii.cmd", ['"%PRISMQ_LANE_DENO%" run --quiet "%~dp0nonascii.ts"']);
  // "café" as code page 437 bytes (é = 0x82): Wine's cmd reads a batch file in the OEM code
  // page and writes to a pipe in the ANSI one (windows-1252: é = 0xE9). On Windows the output
  // would stay in the console's code page (set output_encoding to ibm437 or ibm850 there).
  const bytes = new TextEncoder().encode("@echo off\r\necho caf\x00\r\n");
  bytes[bytes.indexOf(0)] = 0x82;
  Deno.writeFileSync(join(dir, "codepage.cmd"), bytes);
}

let shared: Promise<WinServer> | null = null;

function server(): Promise<WinServer> {
  shared ??= (async () => {
    const dir = tempDir();
    writeFixtures(dir);
    writeModules(dir, [
      {
        id: "echo",
        script_path: "sub\\echo.cmd",
        parameters: [{ name: "value", type: "text" }],
      },
      { id: "exit3", script_path: "exit3.cmd" },
      { id: "py", script_path: "hello.py" },
      {
        id: "venv",
        script_path: "hello.py",
        interpreter: join(dir, "venv", "Scripts", "python.cmd"),
      },
      { id: "tree", script_path: "tree11.cmd" },
      { id: "slow", script_path: "tree12.cmd", timeout_seconds: 3 },
      { id: "leaves", script_path: "leaves.cmd" },
      { id: "nonascii", script_path: "nonascii.cmd", env: { PRISMQ_LANE_DENO: Deno.execPath() } },
      { id: "codepage", script_path: "codepage.cmd", output_encoding: "windows-1252" },
      { id: "codepage-raw", script_path: "codepage.cmd" },
    ]);
    return await startWin(dir);
  })();
  return shared;
}

Deno.test({
  name: "start: the listening line, then health answers",
  ...opts,
  async fn() {
    const s = await server();
    assert.match(s.process.output(), /listening on http:\/\/127\.0\.0\.1:\d+/);
    // With --allow-ffi for kernel32.dll runs get Job Objects: no warning says otherwise.
    assert.doesNotMatch(s.process.output(), /no job object/);
    const { status, body } = await s.json("/api/health");
    assert.equal(status, 200);
    assert.equal(body.status, "healthy");
    assert.equal(body.total_modules, 10);
  },
});

Deno.test({
  name: "modules: a .py module without python is unavailable; a venv path with \\ runs",
  ...opts,
  async fn() {
    const s = await server();
    const py = (await s.json("/api/modules/py")).body;
    assert.equal(py.available, false);
    assert.match(py.unavailable_reason, /interpreter not found: python/);
    assert.equal((await s.post("/api/modules/py/run", {})).body.error_code, "MODULE_UNAVAILABLE");
    const venv = (await s.json("/api/modules/venv")).body;
    assert.equal(venv.available, true, venv.unavailable_reason);
    const { body } = await s.post("/api/modules/venv/run", {});
    const run = await waitFinal(s, body.run_id);
    assert.equal(run.status, "completed");
    const out = (await logs(s, run.run_id)).filter((l) => l.stream === "stdout");
    assert.match(out[0].message, /^venv python .*hello\.py/);
  },
});

Deno.test({
  name: "a run: stdout and stderr each in order, seq without gaps, exit 0 completes",
  ...opts,
  async fn() {
    const s = await server();
    const { status, body } = await s.post("/api/modules/echo/run", {
      parameters: { value: "a b" },
    });
    assert.equal(status, 202);
    const run = await waitFinal(s, body.run_id);
    assert.equal(run.status, "completed");
    assert.equal(run.exit_code, 0);
    const lines = await logs(s, run.run_id);
    assert.deepEqual(lines.map((l) => l.seq), lines.map((_, i) => i + 1));
    const of = (stream: string) => lines.filter((l) => l.stream === stream).map((l) => l.message);
    // Deno quotes each argument for cmd.exe: %* shows them quoted.
    assert.deepEqual(of("stdout"), ['out1 "--value" "a b"', "out2"]);
    assert.deepEqual(of("stderr").map((m) => m.trim()), ["err1", "err2"]);
  },
});

Deno.test({
  name: "exit codes: exit /b 3 fails the run with exit_code 3",
  ...opts,
  async fn() {
    const s = await server();
    const { body } = await s.post("/api/modules/exit3/run", {});
    const run = await waitFinal(s, body.run_id);
    assert.equal(run.status, "failed");
    assert.equal(run.exit_code, 3);
  },
});

Deno.test({
  name: "a timeout fails the run and stops its whole tree",
  ...opts,
  async fn() {
    const s = await server();
    try {
      const runId = await startRun(s, "slow");
      const run = await waitFinal(s, runId);
      assert.equal(run.status, "failed");
      assert.match(run.error_message, /timed out/);
      await waitFor(
        async () => (await liveProcesses("127.0.0.12")).length === 0,
        10_000,
        "no ping",
      );
    } finally {
      await cleanUp("127.0.0.12");
    }
  },
});

Deno.test({
  name: "cancel stops the whole tree, also a ping whose cmd.exe already exited",
  ...opts,
  async fn() {
    const s = await server();
    try {
      const runId = await startRun(s, "tree");
      await waitFor(async () => (await liveProcesses("127.0.0.11")).length >= 2, 20_000, "pings");
      const t0 = performance.now();
      const { status, body } = await s.json(`/api/runs/${runId}`, {
        method: "DELETE",
        // A cancel that hangs fails this case instead of stalling the lane.
        signal: AbortSignal.timeout(30_000),
      });
      const seconds = (performance.now() - t0) / 1000;
      assert.equal(status, 200);
      assert.equal(body.status, "cancelled");
      console.log(`cancel answered after ${seconds.toFixed(2)} s (grace 1 s)`);
      assert.ok(seconds < 1 + 5, `cancel took ${seconds.toFixed(1)} s`);
      const left = await liveProcesses("127.0.0.11");
      assert.deepEqual(left, [], "no ping.exe and no child cmd.exe left");
      const text = (await logs(s, runId)).map((l) => l.message).join("\n");
      assert.match(text, /terminating the run's job object/);
      assert.doesNotMatch(text, /may be left running/);
    } finally {
      await cleanUp("127.0.0.11");
    }
  },
});

Deno.test({
  name: "a process left in the run's job after it exited is stopped, and the log says so",
  ...opts,
  async fn() {
    const s = await server();
    try {
      const { body } = await s.post("/api/modules/leaves/run", {});
      const run = await waitFinal(s, body.run_id);
      assert.equal(run.status, "completed");
      const text = (await logs(s, run.run_id)).map((l) => l.message).join("\n");
      assert.match(text, /1 process is still in the run's job object after it exited/);
      assert.deepEqual(await liveProcesses("127.0.0.17"), [], "the ping is gone");
    } finally {
      await cleanUp("127.0.0.17");
    }
  },
});

Deno.test({
  name: "non-ASCII output in UTF-8 is stored as written",
  ...opts,
  async fn() {
    const s = await server();
    const { body } = await s.post("/api/modules/nonascii/run", {});
    const run = await waitFinal(s, body.run_id);
    assert.equal(run.status, "completed");
    const lines = await logs(s, run.run_id);
    assert.ok(lines.some((l) => l.stream === "stdout" && l.message === "héllo wörld ✓ 日本語"));
    assert.ok(lines.some((l) => l.stream === "stderr" && l.message === "stderr: ünïcödé"));
  },
});

Deno.test({
  name: "output_encoding decodes a .cmd printing in a code page",
  ...opts,
  async fn() {
    const s = await server();
    const message = async (moduleId: string) => {
      const { body } = await s.post(`/api/modules/${moduleId}/run`, {});
      await waitFinal(s, body.run_id);
      return (await logs(s, body.run_id)).find((l) => l.stream === "stdout")?.message;
    };
    assert.equal((await s.json("/api/modules/codepage")).body.output_encoding, "windows-1252");
    assert.equal(await message("codepage"), "café");
    // Without it the byte is not UTF-8: replaced, never fatal.
    assert.equal(await message("codepage-raw"), "caf\uFFFD");
  },
});

Deno.test({
  name: "a .cmd argument Deno would refuse (a line break) answers 422 naming the parameter",
  ...opts,
  async fn() {
    const s = await server();
    const before = (await s.json("/api/runs?module_id=echo")).body.total;
    for (const value of ["a\nb", "a\r\nb"]) {
      const { status, body } = await s.post("/api/modules/echo/run", { parameters: { value } });
      assert.equal(status, 422);
      assert.equal(body.error_code, "VALIDATION_ERROR");
      assert.equal(body.errors[0].field, "value");
      assert.match(body.errors[0].message, /line break/);
    }
    assert.equal((await s.json("/api/runs?module_id=echo")).body.total, before, "no run made");
  },
});

Deno.test({
  name: "a bad output_encoding refuses the module file at start, naming the module",
  ...opts,
  async fn() {
    const dir = tempDir();
    writeCmd(dir, "x.cmd", ["echo x"]);
    writeModules(dir, [{ id: "odd", script_path: "x.cmd", output_encoding: "klingon-8" }]);
    const out = await startToExit(dir);
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /module "odd", field output_encoding: is not an encoding/);
  },
});

Deno.test({
  name: "the shared server stops",
  ...opts,
  async fn() {
    if (shared) await (await shared).kill();
  },
});
