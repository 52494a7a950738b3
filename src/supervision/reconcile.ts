import type { CatalogModule } from "../modules/catalog.ts";
import { isFinal, pickedRunId, type RunRecord, type RunRequest } from "../runs/mod.ts";
import { freshReplica, type ReplicaState, type ServiceState } from "./model.ts";
import { afterRunEnded } from "./policy.ts";
import type { ServiceStore, Versioned } from "./store.ts";

/** What bringing replicas to their desired state needs of the run core. */
export interface ReconcileDeps {
  store: ServiceStore;
  submit(request: RunRequest): Promise<RunRecord>;
  record(runId: string): Promise<RunRecord | null>;
  /** Cancels a run (graceful, then kill); a run final already is no error. */
  cancel(runId: string): Promise<void>;
  /** The longest restart delay (300 s; less in tests). */
  capSeconds: number;
  /** A replica was restarted (metrics). */
  restarted(moduleId: string): void;
}

/**
 * Brings one replica one step towards its service's desired state, as every server does in its
 * loop: plans the restart of an ended run, submits a planned run that is due (a picked run id
 * makes it one run however many servers submit it), cancels a run of a stopped service. Every
 * write is checked against the replica and the desired state read, so servers never disagree.
 * Answers when this replica next needs a look (a planned start), and whether its run is running.
 */
export async function reconcileReplica(
  deps: ReconcileDeps,
  module: CatalogModule,
  service: Versioned<ServiceState> & { value: ServiceState },
  replica: number,
): Promise<{ wakeAt: number | null; running: boolean }> {
  const wakeAt = (at: number | null) => ({ wakeAt: at, running: false });
  const { store } = deps;
  const moduleId = module.def.id;
  const state = service.value;
  const stored = await store.replica(moduleId, replica);
  const current = stored.value !== null && stored.value.generation === state.generation
    ? stored.value
    : null;
  const read = { replica: stored.versionstamp, state: service.versionstamp };
  if (state.desired === "stopped" || replica > (module.def.service?.replicas ?? 0)) {
    await cancelLive(deps, current ?? stored.value);
    return wakeAt(null);
  }
  const now = Date.now();
  if (current === null) {
    await store.putReplica(moduleId, freshReplica(state.generation, replica, now), read);
    return wakeAt(now);
  }
  if (current.next_start_at !== null) {
    if (current.next_start_at > now) return wakeAt(current.next_start_at);
    await startPlanned(deps, { moduleId, state, replica: current, read });
    return wakeAt(null);
  }
  if (current.run_id === null || current.ended) return wakeAt(null);
  const record = await deps.record(current.run_id);
  if (record !== null && !isFinal(record.status)) {
    return { wakeAt: null, running: record.status === "running" };
  }
  if (record === null) {
    // Gone (deleted by retention while the replica idled): plan a start now.
    await store.putReplica(moduleId, { ...current, next_start_at: now }, read);
    return wakeAt(now);
  }
  const next = afterRunEnded(current, record, {
    def: module.def.service!,
    capSeconds: deps.capSeconds,
    now,
  });
  if (await store.putReplica(moduleId, next, read) && !next.ended) deps.restarted(moduleId);
  return wakeAt(next.next_start_at);
}

/** Submits a planned run whose start is due, then records it as the replica's run. */
async function startPlanned(
  deps: ReconcileDeps,
  at: {
    moduleId: string;
    state: ServiceState;
    replica: ReplicaState;
    read: { replica: string | null; state: string | null };
  },
): Promise<void> {
  const { moduleId, state, replica, read } = at;
  const runId = await pickedRunId(
    "service",
    moduleId,
    String(state.generation),
    String(replica.replica),
    String(replica.run_number),
  );
  const record = await deps.submit({
    moduleId,
    parameters: state.parameters,
    saveConfig: false,
    recordUnavailable: true,
    origin: { trigger: "service", replica: replica.replica },
    runId,
  });
  const stored = await deps.store.putReplica(
    moduleId,
    { ...replica, run_id: record.run_id, next_start_at: null },
    read,
  );
  if (stored) return;
  // The service was stopped or started anew meanwhile: this run must not stay.
  const now = await deps.store.state(moduleId);
  if (now.value?.desired !== "running" || now.value.generation !== state.generation) {
    await deps.cancel(record.run_id);
  }
}

/** Cancels the replica's run if it is still queued or running. */
async function cancelLive(deps: ReconcileDeps, replica: ReplicaState | null): Promise<void> {
  if (replica?.run_id == null) return;
  const record = await deps.record(replica.run_id);
  if (record !== null && !isFinal(record.status)) await deps.cancel(record.run_id);
}
