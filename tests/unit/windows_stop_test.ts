import assert from "node:assert/strict";
import { join } from "node:path";
import { stopTree } from "../../src/process/tree_stop.ts";
import { jobSupport, WindowsJob } from "../../src/process/windows_job.ts";

/** A process that runs until killed (Deno itself, so the same on Linux and Windows). */
function sleeper(): { child: Deno.ChildProcess; exited: () => boolean; status: Promise<unknown> } {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "setTimeout(() => {}, 60_000)"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  return { child, exited: () => exited, status };
}

/** A stand-in taskkill that fails (exit 1) or hangs, for this platform. */
function brokenTaskkill(dir: string, kind: "fails" | "hangs"): string {
  if (Deno.build.os === "windows") {
    const path = join(dir, `taskkill_${kind}.cmd`);
    const body = kind === "fails" ? "exit /b 1" : "ping -n 60 127.0.0.1 >nul";
    Deno.writeTextFileSync(path, `@echo off\r\n${body}\r\n`);
    return path;
  }
  const path = join(dir, `taskkill_${kind}`);
  Deno.writeTextFileSync(path, `#!/bin/sh\n${kind === "fails" ? "exit 1" : "exec sleep 60"}\n`);
  Deno.chmodSync(path, 0o755);
  return path;
}

for (const kind of ["fails", "hangs"] as const) {
  Deno.test(`stopTree (Windows steps): a taskkill that ${kind} still ends within grace + 5 s`, async () => {
    const dir = Deno.makeTempDirSync();
    const run = sleeper();
    const lines: string[] = [];
    const grace = 0.5;
    const t0 = performance.now();
    await stopTree("cancel requested", {
      os: "windows",
      pid: run.child.pid,
      graceSeconds: grace,
      taskkill: brokenTaskkill(dir, kind),
      job: null,
      exited: run.exited,
      killMain: () => run.child.kill("SIGKILL"),
      say: (line) => lines.push(line),
    });
    const seconds = (performance.now() - t0) / 1000;
    await run.status;
    assert.ok(seconds < grace + 5, `took ${seconds.toFixed(1)} s`);
    assert.ok(run.exited(), "the main process was killed directly");
    const text = lines.join("\n");
    assert.match(text, /^cancel requested: running \S*taskkill_\w+(\.cmd)? \/PID \d+ \/T$/m);
    assert.match(text, /\/T \/F$/m);
    assert.match(
      text,
      kind === "fails" ? /exited with code 1/ : /did not finish within 2 s and was killed/,
    );
    assert.match(text, /killing the main process \(pid \d+\) directly; its child processes may/);
    Deno.removeSync(dir, { recursive: true });
  });
}

Deno.test("stopTree (Windows steps): a missing taskkill is said, and the main process killed", async () => {
  const run = sleeper();
  const lines: string[] = [];
  await stopTree("timed out after 1 s", {
    os: "windows",
    pid: run.child.pid,
    graceSeconds: 0.2,
    taskkill: "no-such-taskkill-anywhere",
    job: null,
    exited: run.exited,
    killMain: () => run.child.kill("SIGKILL"),
    say: (line) => lines.push(line),
  });
  await run.status;
  assert.match(lines.join("\n"), /no-such-taskkill-anywhere could not be started/);
  assert.match(lines.join("\n"), /may be left running/);
});

Deno.test({
  name: "WindowsJob: holds the process, lists it, terminates it",
  ignore: Deno.build.os !== "windows",
  async fn() {
    assert.ok(jobSupport().available, String(jobSupport().reason));
    const run = sleeper();
    const job = WindowsJob.adopt(run.child.pid);
    assert.ok(job !== null);
    assert.deepEqual(job.processIds(), [run.child.pid]);
    assert.ok(job.terminate());
    await run.status;
    assert.deepEqual(job.processIds(), []);
    job.close();
  },
});

Deno.test("WindowsJob: none off Windows", () => {
  assert.equal(WindowsJob.adopt(1, "linux"), null);
  assert.equal(jobSupport("linux").available, false);
});
