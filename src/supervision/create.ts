import { AppError } from "../errors.ts";
import type { ModuleCatalog } from "../modules/catalog.ts";
import type { RunEvents, RunService } from "../runs/mod.ts";
import type { Settings } from "../settings.ts";
import { ServiceControl } from "./control.ts";
import { ServiceStore } from "./store.ts";
import { ServiceSupervisor } from "./supervisor.ts";

/** The services' parts, built once by the runner. */
export interface Supervision {
  control: ServiceControl;
  supervisor: ServiceSupervisor;
}

/** Builds the service supervisor and operations on the run core's public operations. */
export function createSupervision(deps: {
  kv: Deno.Kv;
  catalog: ModuleCatalog;
  runs: RunService;
  events: RunEvents;
  settings: Settings;
}): Supervision {
  const { kv, catalog, runs, events, settings } = deps;
  const store = new ServiceStore(kv);
  const record = (runId: string) => runs.record(runId);
  const cancel = async (runId: string) => {
    try {
      await runs.cancel(runId);
    } catch (err) {
      // Final already (it ended by itself meanwhile): nothing left to stop.
      if (err instanceof AppError && err.code === "RUN_ALREADY_FINISHED") return;
      throw err;
    }
  };
  const supervisor = new ServiceSupervisor({
    store,
    catalog,
    submit: (request) => runs.submitRequest(request),
    record,
    cancel,
    capSeconds: settings.serviceMaxRestartDelaySeconds,
    subscribe: (listener) => events.subscribeAll(listener),
  });
  return {
    supervisor,
    control: new ServiceControl({ catalog, store, supervisor, record, cancel }),
  };
}
