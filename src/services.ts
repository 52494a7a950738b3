import type { ModuleCatalog } from "./modules/catalog.ts";
import type { PresetStore } from "./modules/presets.ts";
import type { LogReader } from "./logs/reader.ts";
import type { LogStore } from "./logs/store.ts";
import type { RunEvents } from "./runs/events.ts";
import type { RunService } from "./runs/service.ts";
import type { RunStore } from "./runs/store.ts";
import type { Settings } from "./settings.ts";

/** The services the routes are given; built once in src/app.ts. */
export interface Services {
  settings: Settings;
  version: string;
  startedAt: number;
  catalog: ModuleCatalog;
  presets: PresetStore;
  store: RunStore;
  logs: LogStore;
  logReader: LogReader;
  events: RunEvents;
  runs: RunService;
  lifecycle: Lifecycle;
  /** How often an idle SSE stream sends a keep-alive comment. */
  sseKeepAliveMs: number;
}

/** Lets long-lived work (streams) learn of shutdown, and lets shutdown wait for it. */
export class Lifecycle {
  private readonly controller = new AbortController();
  private readonly work = new Set<Promise<unknown>>();

  /** Aborted when the server shuts down. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Shutdown waits (a bounded time) for this to settle before KV closes. */
  track(promise: Promise<unknown>): void {
    this.work.add(promise);
    promise.finally(() => this.work.delete(promise));
  }

  /** Aborts the signal and waits up to `ms` for tracked work. */
  async end(ms: number): Promise<void> {
    this.controller.abort();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
    await Promise.race([Promise.allSettled([...this.work]), timeout]);
    clearTimeout(timer);
  }
}
