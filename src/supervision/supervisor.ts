import type { CatalogModule, ModuleCatalog } from "../modules/catalog.ts";
import { isFinal, type RunRecord } from "../runs/mod.ts";
import type { ReconcileDeps } from "./reconcile.ts";
import { reconcileReplica } from "./reconcile.ts";

/** How often every server looks at every service when nothing is due sooner. */
const POLL_MS = 250;

/** What the loop needs besides reconciling. */
export interface SupervisorDeps extends Omit<ReconcileDeps, "restarted"> {
  catalog: ModuleCatalog;
  /** Follows run changes here, to look again at once when a service run ends. */
  subscribe(listener: (record: RunRecord) => void): void;
}

/**
 * The loop every server runs: brings each service's replicas to its desired state (see
 * reconcileReplica) at each pass, waking early for a planned start or a service run's end here.
 * Counts restarts and running replicas for the metrics.
 */
export class ServiceSupervisor {
  private stopped = true;
  private running: Promise<void> = Promise.resolve();
  private wake: (() => void) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly restartCounts = new Map<string, number>();
  private readonly runningCounts = new Map<string, number>();

  constructor(private readonly deps: SupervisorDeps) {
    deps.subscribe((record) => {
      if (record.trigger === "service" && isFinal(record.status)) this.poke();
    });
  }

  /** The service modules of the catalog. */
  get modules(): CatalogModule[] {
    return this.deps.catalog.modules.filter((m) => m.def.service !== undefined);
  }

  /** Starts the loop (its first pass at once). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.running = this.loop();
  }

  /** Stops the loop and waits for a pass under way; no run is started after it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.poke();
    await this.running;
  }

  /** Makes the loop pass again now. */
  poke(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.wake?.();
  }

  /** Brings one service's replicas to its desired state once, now (the routes' own pass). */
  async pass(module: CatalogModule): Promise<number> {
    const service = await this.deps.store.state(module.def.id);
    if (service.value === null) return Infinity;
    const deps = { ...this.deps, restarted: (id: string) => this.countRestart(id) };
    const count = Math.max(module.def.service!.replicas, 1);
    let next = Infinity;
    let running = 0;
    // Replicas beyond the module's count (it was lowered) are stopped by the same pass.
    for (let replica = 1; replica <= count + 1; replica++) {
      const seen = await reconcileReplica(
        deps,
        module,
        { ...service, value: service.value },
        replica,
      );
      if (seen.wakeAt !== null) next = Math.min(next, seen.wakeAt);
      if (seen.running) running++;
    }
    this.runningCounts.set(module.def.id, running);
    return next;
  }

  /** Restarts (by this server) and replicas running (as last seen), by module, for metrics. */
  counts(): { moduleId: string; restarts: number; running: number }[] {
    return this.modules.map((m) => ({
      moduleId: m.def.id,
      restarts: this.restartCounts.get(m.def.id) ?? 0,
      running: this.runningCounts.get(m.def.id) ?? 0,
    }));
  }

  private countRestart(moduleId: string): void {
    this.restartCounts.set(moduleId, (this.restartCounts.get(moduleId) ?? 0) + 1);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let next = Date.now() + POLL_MS;
      for (const module of this.modules) {
        if (this.stopped) return;
        try {
          next = Math.min(next, await this.pass(module));
        } catch (err) {
          console.error(`service ${module.def.id}:`, err);
        }
      }
      if (this.stopped) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, Math.max(5, next - Date.now()));
      });
      this.wake = null;
    }
  }
}
