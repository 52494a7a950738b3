import type { ModuleCatalog } from "./modules/catalog.ts";
import type { ModuleConfigs } from "./modules/configs.ts";
import type { PresetStore } from "./modules/presets.ts";
import type { ModuleViews } from "./modules/views.ts";
import type { LogReader } from "./logs/reader.ts";
import type { LogStore } from "./logs/store.ts";
import type { RunEvents, RunRecord, RunService, RunStore } from "./runs/mod.ts";
import type { Lifecycle } from "./lifecycle.ts";
import type { ArtifactStore } from "./artifacts/store.ts";
import type { Schedules } from "./schedules/service.ts";
import type { Metrics } from "./metrics/metrics.ts";
import type { Settings } from "./settings.ts";
import type { HostRegistry } from "./hosts/registry.ts";
import type { PoolService } from "./pools/service.ts";
import type { PipelineService } from "./pipelines/service.ts";
import type { ServiceControl } from "./supervision/control.ts";
import type { EnvironmentService } from "./envs/service.ts";

/** The services the routes are given; built once in src/runner.ts. */
export interface Services {
  settings: Settings;
  version: string;
  startedAt: number;
  catalog: ModuleCatalog;
  presets: PresetStore;
  configs: ModuleConfigs;
  moduleViews: ModuleViews;
  store: RunStore;
  logs: LogStore;
  logReader: LogReader<RunRecord>;
  events: RunEvents;
  runs: RunService;
  lifecycle: Lifecycle;
  artifacts: ArtifactStore;
  schedules: Schedules;
  metrics: Metrics;
  /** The servers sharing the store, this one's heartbeat among them. */
  hosts: HostRegistry;
  /** The resource pools: slots in use and the runs holding them (GET /api/pools). */
  pools: PoolService;
  /** Pipelines of the module file and their runs. */
  pipelines: PipelineService;
  /** Modules that run until stopped (GET/POST /api/services). */
  serviceControl: ServiceControl;
  /** Modules' built Python environments on this server (the environment routes). */
  environments: EnvironmentService;
  /** This server's `PRISMQ_HOST_ID`. */
  hostId(): string;
  /** How often an idle SSE stream sends a keep-alive comment. */
  readonly sseKeepAliveMs: number;
}
