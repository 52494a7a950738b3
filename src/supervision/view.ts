import type { CatalogModule } from "../modules/catalog.ts";
import type { RunRecord } from "../runs/mod.ts";
import type { ReplicaState, ServiceState, ServiceView } from "./model.ts";

const iso = (ms: number | null) => ms === null ? null : new Date(ms).toISOString();

/** Renders a service: its desired state and each replica with its current (or last) run. */
export function toServiceView(
  module: CatalogModule,
  state: ServiceState | null,
  replicas: (ReplicaState | null)[],
  runs: Map<string, RunRecord>,
): ServiceView {
  const current = replicas.map((r) => r !== null && r.generation === state?.generation ? r : null);
  const exits = current.flatMap((r) => r?.last_exit ? [r.last_exit] : []);
  const last = exits.sort((a, b) => b.completed_at - a.completed_at)[0] ?? null;
  return {
    module_id: module.def.id,
    desired: state?.desired ?? "stopped",
    parameters: state?.parameters ?? {},
    replicas: current.map((r, i) => {
      const run = r?.run_id ? runs.get(r.run_id) ?? null : null;
      return {
        replica: i + 1,
        run_id: r?.run_id ?? null,
        status: run?.status ?? null,
        started_at: iso(run?.started_at ?? null),
        restarts: r?.restarts ?? 0,
        // A stopped service waits for no restart, though its replicas keep their last plan.
        next_start_at: state?.desired === "running" ? iso(r?.next_start_at ?? null) : null,
      };
    }),
    restarts_total: current.reduce((sum, r) => sum + (r?.restarts ?? 0), 0),
    last_exit: last === null ? null : { ...last, completed_at: iso(last.completed_at)! },
  };
}
