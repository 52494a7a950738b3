import { AppError, moduleNotFound, validationError } from "../errors.ts";
import type { CatalogModule, ModuleCatalog } from "../modules/catalog.ts";
import type { RunRecord } from "../runs/mod.ts";
import type { ReplicaState, ServiceState, ServiceView } from "./model.ts";
import type { ServiceStore } from "./store.ts";
import type { ServiceSupervisor } from "./supervisor.ts";
import { toServiceView } from "./view.ts";

/** What the service operations need. */
export interface ServiceControlDeps {
  catalog: ModuleCatalog;
  store: ServiceStore;
  supervisor: ServiceSupervisor;
  record(runId: string): Promise<RunRecord | null>;
  cancel(runId: string): Promise<void>;
}

/** How long `start` waits for its replicas' runs to leave the queue. */
const STARTED_WAIT_MS = 5000;

/** Tries of a desired-state write that keeps losing to another server's. */
const TRIES = 20;

/**
 * The operations of `/api/services`: start, stop and restart store the desired state and bring
 * the replicas to it at once (each server's supervisor loop keeps them there); get and list
 * render SERVICE.
 */
export class ServiceControl {
  constructor(private readonly deps: ServiceControlDeps) {}

  /** Stores `running` for each autostart service that has no desired state yet, then loops. */
  async init(): Promise<void> {
    for (const module of this.deps.supervisor.modules) {
      if (!module.def.service!.autostart) continue;
      const read = await this.deps.store.state(module.def.id);
      if (read.versionstamp !== null) continue;
      let values: ServiceState["parameters"];
      try {
        values = this.checkedValues(module, {});
      } catch (err) {
        console.error(`service ${module.def.id} cannot autostart:`, err);
        continue;
      }
      await this.deps.store.putState({
        module_id: module.def.id,
        desired: "running",
        parameters: values,
        generation: 1,
        started_at: Date.now(),
      }, null);
    }
    this.deps.supervisor.start();
  }

  /**
   * Sets the service `running` with these parameters and starts its replicas; answers once each
   * has its run. Running already with the same values: nothing changes; with others: restarted.
   */
  async start(moduleId: string, parameters: Record<string, unknown>): Promise<ServiceView> {
    const module = this.requireService(moduleId);
    const values = this.checkedValues(module, parameters);
    for (let i = 0;; i++) {
      if (i >= TRIES) throw new AppError("CONFLICT", `Service "${moduleId}" kept changing.`);
      // Decided on each fresh read: starts at once through several servers agree.
      const read = await this.deps.store.state(moduleId);
      if (read.value?.desired === "running") {
        if (sameValues(read.value.parameters, values)) return await this.get(moduleId);
        await this.stop(moduleId);
        continue;
      }
      const next: ServiceState = {
        module_id: moduleId,
        desired: "running",
        parameters: values,
        generation: (read.value?.generation ?? 0) + 1,
        started_at: Date.now(),
      };
      if (await this.deps.store.putState(next, read.versionstamp)) break;
    }
    // Two passes: the first plans each replica's first run, the second submits it.
    await this.deps.supervisor.pass(module);
    await this.deps.supervisor.pass(module);
    return await this.started(module);
  }

  /**
   * The service once each replica's run has left the queue (picked-id runs are queued first and
   * the pump starts them within a tick), or as it is after STARTED_WAIT_MS: a replica may wait
   * for a slot or a pool much longer, and then answers `queued`.
   */
  private async started(module: CatalogModule): Promise<ServiceView> {
    const deadline = Date.now() + STARTED_WAIT_MS;
    for (;;) {
      const view = await this.render(module);
      const waiting = view.replicas.some((r) => r.run_id === null || r.status === "queued");
      if (!waiting || Date.now() >= deadline) return view;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Sets the service `stopped` and cancels its replicas' runs; answers once they are final. */
  async stop(moduleId: string): Promise<ServiceView> {
    const module = this.requireService(moduleId);
    await this.writeState(moduleId, (old) => ({
      module_id: moduleId,
      desired: "stopped",
      parameters: old?.parameters ?? {},
      generation: old?.generation ?? 0,
      started_at: old?.started_at ?? Date.now(),
    }));
    await this.deps.supervisor.pass(module);
    return await this.get(moduleId);
  }

  /** Stops the replicas, then starts them again with the stored parameters. */
  async restart(moduleId: string): Promise<ServiceView> {
    const module = this.requireService(moduleId);
    const read = await this.deps.store.state(moduleId);
    await this.stop(moduleId);
    return await this.start(moduleId, read.value?.parameters ?? this.checkedValues(module, {}));
  }

  /** SERVICE of one service module; 404 / 409 NOT_A_SERVICE. */
  async get(moduleId: string): Promise<ServiceView> {
    return await this.render(this.requireService(moduleId));
  }

  /** Every service module's SERVICE. */
  async list(): Promise<ServiceView[]> {
    return await Promise.all(this.deps.supervisor.modules.map((m) => this.render(m)));
  }

  private async render(module: CatalogModule): Promise<ServiceView> {
    const { store } = this.deps;
    const state = (await store.state(module.def.id)).value;
    const replicas: (ReplicaState | null)[] = [];
    for (let r = 1; r <= module.def.service!.replicas; r++) {
      replicas.push((await store.replica(module.def.id, r)).value);
    }
    const runs = new Map<string, RunRecord>();
    for (const r of replicas) {
      if (r?.run_id == null) continue;
      const record = await this.deps.record(r.run_id);
      if (record !== null) runs.set(r.run_id, record);
    }
    return toServiceView(module, state, replicas, runs);
  }

  /** Writes a new desired state made from the stored one, retrying lost races. */
  private async writeState(
    moduleId: string,
    make: (old: ServiceState | null) => ServiceState,
  ): Promise<void> {
    for (let i = 0; i < TRIES; i++) {
      const read = await this.deps.store.state(moduleId);
      if (await this.deps.store.putState(make(read.value), read.versionstamp)) return;
    }
    throw new AppError("CONFLICT", `Service "${moduleId}" kept changing; try again.`);
  }

  private requireService(moduleId: string): CatalogModule {
    const module = this.deps.catalog.get(moduleId);
    if (module === undefined) throw moduleNotFound(moduleId);
    if (module.def.service === undefined) {
      throw new AppError("NOT_A_SERVICE", `Module "${moduleId}" is not a service.`);
    }
    return module;
  }

  /** The parameters checked as a run's (422), for an available module (422). */
  private checkedValues(
    module: CatalogModule,
    parameters: Record<string, unknown>,
  ): ServiceState["parameters"] {
    const availability = this.deps.catalog.availability(module);
    if (!availability.available) {
      throw new AppError(
        "MODULE_UNAVAILABLE",
        `Module "${module.def.id}" is unavailable: ${availability.reason}.`,
      );
    }
    const checked = module.validator.validate(parameters);
    if (!checked.ok) throw validationError(checked.errors);
    return checked.values;
  }
}

function sameValues(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const text = (v: Record<string, unknown>) =>
    JSON.stringify(Object.keys(v).sort().map((k) => [k, v[k]]));
  return text(a) === text(b);
}
