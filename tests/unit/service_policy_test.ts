import assert from "node:assert/strict";
import { ConfigError } from "../../src/errors.ts";
import { parseCatalog } from "../../src/modules/catalog.ts";
import { serviceSchema } from "../../src/modules/schema.ts";
import { newRunRecord, type RunRecord } from "../../src/runs/model.ts";
import { freshReplica, type ReplicaState } from "../../src/supervision/model.ts";
import { afterRunEnded } from "../../src/supervision/policy.ts";

/** A final run of replica 1 that ran `upMs` and ended with `status`. */
function ended(
  status: "completed" | "failed" | "cancelled",
  upMs: number,
  error: string | null = null,
): RunRecord {
  const record = newRunRecord({
    run_id: "r1",
    module_id: "m",
    module_name: "m",
    parameters: {},
    secret_parameters: [],
    order: 1,
    created_at: 1_000,
    startsOn: "h",
    origin: { trigger: "service", replica: 1 },
  });
  return {
    ...record,
    status,
    started_at: 1_000,
    completed_at: 1_000 + upMs,
    exit_code: status === "completed" ? 0 : 1,
    error_message: error,
  };
}

const def = (over: Record<string, unknown> = {}) => serviceSchema.parse(over);
const options = (d = def()) => ({ def: d, capSeconds: 300, now: 0 });

Deno.test("service policy: the delay doubles while restarts follow each other, up to the cap", () => {
  let replica: ReplicaState = { ...freshReplica(1, 1, 0), next_start_at: null };
  const delays: number[] = [];
  for (let i = 0; i < 12; i++) {
    replica = afterRunEnded(
      replica,
      ended("failed", 10),
      options(def({ restart_delay_seconds: 1 })),
    );
    delays.push(replica.delay_ms!);
  }
  assert.deepEqual(delays, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300].map((s) => s * 1000));
  assert.equal(replica.restarts, 12);
  assert.equal(replica.next_start_at, 1_010 + 300_000);
  // Up 60 s: back to the start.
  replica = afterRunEnded(replica, ended("failed", 60_000), options(def()));
  assert.equal(replica.delay_ms, 1000);
});

Deno.test("service policy: on-failure, never, and ends caused by the server", () => {
  const fresh = { ...freshReplica(1, 1, 0), next_start_at: null };
  const onFailure = options(def({ restart: "on-failure" }));
  assert.equal(afterRunEnded(fresh, ended("completed", 5), onFailure).ended, true);
  assert.equal(afterRunEnded(fresh, ended("failed", 5), onFailure).ended, false);
  // A replica's run cancelled with DELETE counts as a failure.
  assert.equal(afterRunEnded(fresh, ended("cancelled", 5), onFailure).ended, false);
  const never = options(def({ restart: "never" }));
  const stopped = afterRunEnded(fresh, ended("failed", 5), never);
  assert.equal(stopped.ended, true);
  assert.equal(stopped.restarts, 0);
  assert.deepEqual(stopped.last_exit, { run_id: "r1", exit_code: 1, completed_at: 1_005 });
  // Shut down with the server, or lost with a host: started again at once, whatever `restart` says.
  for (
    const why of [
      "the server shut down during this run",
      'the host "a" stopped during this run (no heartbeat for 15 s)',
    ]
  ) {
    const again = afterRunEnded(fresh, ended("cancelled", 5, why), never);
    assert.equal(again.ended, false);
    assert.equal(again.next_start_at, 1_005);
  }
});

Deno.test("a service module with a password parameter is refused at start", () => {
  const text = JSON.stringify({
    modules: [{
      id: "w",
      name: "w",
      description: "",
      category: "c",
      script_path: "w.py",
      parameters: [{ name: "key", type: "password" }],
      service: {},
    }],
  });
  assert.throws(
    () => parseCatalog(text, "/cfg/modules.json", "python3"),
    (err: unknown) =>
      err instanceof ConfigError && /service module may not have a password/.test(err.message),
  );
});
