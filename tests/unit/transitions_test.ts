import assert from "node:assert/strict";
import { isFinal, RUN_STATUSES, type RunStatus } from "../../src/runs/model.ts";
import { canTransition, finalOutcome } from "../../src/runs/transitions.ts";

const ALLOWED = new Set([
  "queued->running",
  "queued->cancelled",
  "running->completed",
  "running->failed",
  "running->cancelled",
]);

Deno.test("canTransition: every pair of statuses", () => {
  let checked = 0;
  for (const from of RUN_STATUSES) {
    for (const to of RUN_STATUSES) {
      const key = `${from}->${to}`;
      assert.equal(canTransition(from, to), ALLOWED.has(key), key);
      checked++;
    }
  }
  assert.equal(checked, 25);
});

Deno.test("canTransition: nothing leaves a final state, nothing moves backwards", () => {
  for (const final of ["completed", "failed", "cancelled"] as RunStatus[]) {
    for (const to of RUN_STATUSES) assert.equal(canTransition(final, to), false, `${final}->${to}`);
  }
  assert.equal(canTransition("running", "queued"), false);
  assert.equal(canTransition("queued", "completed"), false, "a run must run to complete");
  assert.equal(canTransition("queued", "failed"), false);
  assert.equal(canTransition("queued", "queued"), false);
  assert.equal(canTransition("running", "running"), false);
});

Deno.test("isFinal: completed, failed and cancelled only", () => {
  assert.deepEqual(RUN_STATUSES.filter(isFinal), ["completed", "failed", "cancelled"]);
});

Deno.test("finalOutcome: exit code 0 is completed without a message", () => {
  assert.deepEqual(finalOutcome({ kind: "exit", code: 0, signal: null }), {
    status: "completed",
    error_message: null,
  });
});

Deno.test("finalOutcome: a non-zero exit is failed, naming the code", () => {
  const o = finalOutcome({ kind: "exit", code: 3, signal: null });
  assert.equal(o.status, "failed");
  assert.match(o.error_message!, /exited with code 3/);
});

Deno.test("finalOutcome: death by a signal is failed, naming the signal", () => {
  const o = finalOutcome({ kind: "exit", code: 137, signal: "SIGKILL" });
  assert.equal(o.status, "failed");
  assert.match(o.error_message!, /SIGKILL/);
});

Deno.test("finalOutcome: a failure to start is failed with the reason", () => {
  const o = finalOutcome({ kind: "start_failed", reason: "No such file or directory" });
  assert.equal(o.status, "failed");
  assert.match(o.error_message!, /could not be started/);
  assert.match(o.error_message!, /No such file or directory/);
});

Deno.test("finalOutcome: a timeout is failed and says it timed out", () => {
  const o = finalOutcome({ kind: "timeout", seconds: 30 });
  assert.equal(o.status, "failed");
  assert.match(o.error_message!, /timed out/);
  assert.match(o.error_message!, /30/);
});

Deno.test("finalOutcome: cancellation by request is cancelled", () => {
  const o = finalOutcome({ kind: "cancelled" });
  assert.equal(o.status, "cancelled");
  assert.match(o.error_message!, /cancel/);
});

Deno.test("finalOutcome: a shutdown is cancelled, saying the server shut down", () => {
  const o = finalOutcome({ kind: "shutdown" });
  assert.equal(o.status, "cancelled");
  assert.match(o.error_message!, /server shut down/);
});

Deno.test("finalOutcome: a lost server is failed, saying the server stopped during the run", () => {
  const o = finalOutcome({ kind: "server_lost" });
  assert.equal(o.status, "failed");
  assert.match(o.error_message!, /server stopped during/);
});

Deno.test("finalOutcome: every outcome is a final status reachable from running", () => {
  const endings = [
    { kind: "exit", code: 0, signal: null },
    { kind: "exit", code: 1, signal: null },
    { kind: "start_failed", reason: "x" },
    { kind: "timeout", seconds: 1 },
    { kind: "cancelled" },
    { kind: "shutdown" },
    { kind: "server_lost" },
  ] as const;
  for (const ending of endings) {
    const { status } = finalOutcome(ending);
    assert.ok(isFinal(status), `${ending.kind} -> ${status}`);
    assert.ok(canTransition("running", status), `${ending.kind} -> ${status}`);
  }
});

Deno.test("newRunRecord: a run that starts at once is running with started_at; otherwise queued", async () => {
  const { newRunRecord } = await import("../../src/runs/model.ts");
  const base = {
    run_id: "r",
    module_id: "m",
    module_name: "M",
    parameters: {},
    secret_parameters: [],
    order: 1,
    created_at: 42,
  };
  const running = newRunRecord({ ...base, startsOn: "h1" });
  assert.equal(running.status, "running");
  assert.equal(running.started_at, 42);
  const queued = newRunRecord({ ...base, startsOn: null });
  assert.equal(queued.status, "queued");
  assert.equal(queued.started_at, null);
  assert.equal(queued.completed_at, null);
  assert.equal(queued.log_lines, 0);
  assert.equal("startsOn" in queued, false);
});
