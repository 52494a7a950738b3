import assert from "node:assert/strict";
import { parseCatalog } from "../../src/modules/catalog.ts";
import type { ReplicaState, ServiceState } from "../../src/supervision/model.ts";
import { toServiceView } from "../../src/supervision/view.ts";

const catalog = parseCatalog(
  JSON.stringify({
    modules: [{
      id: "svc",
      name: "Svc",
      description: "d",
      category: "c",
      script_path: "svc.py",
      service: { restart: "on-failure" },
    }],
  }),
  "/cfg/modules.json",
  "python3",
);

/** Replica 1 waiting out its restart delay (its plan as the supervisor stored it). */
const waiting: ReplicaState = {
  generation: 1,
  replica: 1,
  run_id: "r1",
  run_number: 1,
  restarts: 1,
  delay_ms: 2000,
  next_start_at: 5_000,
  ended: false,
  last_exit: { run_id: "r1", exit_code: 2, completed_at: 3_000 },
};

function state(desired: "running" | "stopped"): ServiceState {
  return { module_id: "svc", desired, parameters: {}, generation: 1, started_at: 0 };
}

Deno.test("service view: next_start_at only while the service is running", () => {
  const module = catalog.get("svc")!;
  const running = toServiceView(module, state("running"), [waiting], new Map());
  assert.equal(running.replicas[0].next_start_at, new Date(5_000).toISOString());
  const stopped = toServiceView(module, state("stopped"), [waiting], new Map());
  assert.equal(stopped.replicas[0].next_start_at, null, "a stopped service restarts nothing");
});
