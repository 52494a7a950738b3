import denoJson from "../deno.json" with { type: "json" };
import { ModuleConfigs } from "./modules/configs.ts";
import { ModuleViews } from "./modules/views.ts";
import { lockDataDir } from "./kv/lock.ts";
import { openKv } from "./kv/open.ts";
import { verifyStoreIdentity } from "./kv/identity.ts";
import { checkWritable } from "./kv/storage_full.ts";
import { LogReader } from "./logs/reader.ts";
import { LogStore } from "./logs/store.ts";
import { loadCatalog } from "./modules/catalog.ts";
import { PresetStore } from "./modules/presets.ts";
import {
  InputStore,
  OrphanInputSweeper,
  ResultStore,
  RetentionSweeper,
  RunEvents,
  RunService,
  RunStore,
  settleFinalWrites,
} from "./runs/mod.ts";
import { Lifecycle } from "./lifecycle.ts";
import { KvMessages } from "./kv/messages.ts";
import { Metrics } from "./metrics/metrics.ts";
import { settlesWithin } from "./timing.ts";
import { Deliveries } from "./webhooks/deliveries.ts";
import { Schedules } from "./schedules/service.ts";
import { ScheduleStore } from "./schedules/store.ts";
import { ScheduleTimer } from "./schedules/timer.ts";
import { join } from "node:path";
import { ArtifactStore } from "./artifacts/store.ts";
import { ScheduleInputs } from "./schedules/input.ts";
import type { Services } from "./services.ts";
import { HostRegistry } from "./hosts/registry.ts";
import { defaultHostId } from "./hosts/host_id.ts";
import { claimOnce } from "./hosts/once.ts";
import { PoolService } from "./pools/service.ts";
import { keys } from "./kv/keys.ts";
import { listeningAddress, refuseSelfWebhooks, webhookTargets } from "./webhooks/self_target.ts";
import { createPipelines } from "./pipelines/wiring.ts";
import { isPipelineFinal } from "./pipelines/model.ts";
import { isKvConnectUrl, type Settings } from "./settings.ts";
import { createSupervision } from "./supervision/create.ts";
import { EnvironmentManager } from "./envs/manager.ts";
import { EnvironmentService } from "./envs/service.ts";

/**
 * The runner without its HTTP face: the services, and their start and stop. main.ts builds the
 * HTTP app on `services` (src/http/app.ts); nothing here knows HTTP.
 */
export interface Runner {
  services: Services;
  retention: RetentionSweeper;
  /** The service's Deno KV (for inspection; routes never touch it directly). */
  kv: Deno.Kv;
  /**
   * Joins the store's servers (refused with a ConfigError when another live server has this
   * host id), recovers this server's runs left by a crash, loads the queue, starts retention.
   */
  start(): Promise<void>;
  /**
   * Refuses new runs, stops running trees (grace, then kill), ends streams, then runs
   * `beforeClose` (the HTTP server's own shutdown) and closes KV.
   */
  shutdown(beforeClose?: () => Promise<void>): Promise<void>;
}

/** What a runner is built with besides its settings. */
export interface RunnerOptions {
  /** Replaces the KV the settings name (tests). */
  kv?: Deno.Kv;
  /** How often an idle SSE stream sends a keep-alive comment; 15 s unless a test wants less. */
  sseKeepAliveMs?: number;
}

/** Builds every service from settings. */
export async function createRunner(
  settings: Settings,
  options: RunnerOptions = {},
): Promise<Runner> {
  const catalog = loadCatalog(settings.modulesPath, settings.python);
  const modules = catalog.modules.map((m) => m.def);
  refuseSelfWebhooks(webhookTargets(settings.webhookUrl, modules), listeningAddress(settings));
  // Locked whatever the KV: the data dir holds this server's own files and id (hosts/).
  const lock = options.kv ? null : await lockDataDir(settings.dataDir);
  let kv: Deno.Kv;
  try {
    kv = options.kv ?? await openKv(settings.kvPath, settings.dataDir);
  } catch (err) {
    lock?.close();
    throw err;
  }
  try {
    await verifyStoreIdentity(kv, settings);
    await checkWritable(kv);
  } catch (err) {
    if (options.kv === undefined) kv.close();
    lock?.close();
    throw err;
  }
  // The port as set, not as bound: with port 0 the bound one changes at each start, and a
  // restarted server must find its own runs.
  const hostId = settings.hostId ?? defaultHostId(Deno.hostname(), settings.port);
  const store = new RunStore(kv);
  const logs = new LogStore(kv);
  const presets = new PresetStore(kv);
  const events = new RunEvents();
  const artifacts = new ArtifactStore(join(settings.dataDir, "artifacts"));
  const results = new ResultStore(kv);
  const inputs = new InputStore(kv);
  const remote = isKvConnectUrl(settings.kvPath) && options.kv === undefined;
  const messages = remote ? null : new KvMessages(kv);
  // Deliveries need the run service and the run service plans deliveries: bound once both exist.
  let deliveries: Deliveries | null = null;
  let pipelines: ReturnType<typeof createPipelines> | null = null;
  const environments = new EnvironmentManager(catalog, settings);
  const runs = new RunService({
    store,
    logs,
    catalog,
    presets,
    events,
    results,
    inputs,
    artifacts,
    kv,
    messages,
    finalHooks: {
      plan: (op, current) => {
        deliveries?.plan(op, current);
        pipelines?.plan(op, current);
      },
    },
    options: settings,
    hostId: () => hostId,
    needs: { hostLabels: settings.hostLabels, liveHostLabels: () => hosts.liveLabels() },
    environments,
  });
  const hosts: HostRegistry = new HostRegistry({
    kv,
    hostId: () => hostId,
    dataDir: settings.dataDir,
    timeoutSeconds: settings.hostTimeoutSeconds,
    maxConcurrentRuns: settings.maxConcurrentRuns,
    labels: settings.hostLabels,
    runningRuns: () => runs.activeCount,
    onBeat: () => runs.failOrphanedRuns(() => hosts.states(), settings.hostTimeoutSeconds * 1000),
    onDeclaredLost: () => runs.stopAll(),
  });
  const once = (parts: (string | number)[], keepMs: number) =>
    claimOnce(kv, keys.once(...parts), { hostId, keepMs });
  const metrics = new Metrics({
    running: () => runs.activeCount,
    queued: () => runs.queuedCount,
    liveLines: () => runs.liveLines(),
    pools: () => runs.poolLevels(),
    services: () => supervision.supervisor.counts(),
  });
  events.subscribeAll((record) =>
    metrics.runFinished(record, runs.liveWriter(record.run_id)?.streamCounts ?? null)
  );
  deliveries = new Deliveries({
    kv,
    messages,
    webhookUrl: settings.webhookUrl,
    secret: settings.webhookSecret,
    moduleUrl: (moduleId) => catalog.get(moduleId)?.def.webhook_url,
    view: async (runId) => {
      const record = await runs.record(runId);
      return record === null ? null : await runs.view(record);
    },
    pipelineView: (id) => pipelines!.service.get(id).catch(() => null),
    failed: () => metrics.webhookFailed(),
  });
  pipelines = createPipelines({
    kv,
    catalog,
    runs,
    logs,
    events,
    maxInputBytes: settings.maxInputBytes,
    finished: (record) => metrics.pipelineFinished(record.pipeline_id, record.status),
    finalPlan: (op, record) => deliveries?.planPipeline(op, record.pipeline_run_id),
  });
  const lifecycle = new Lifecycle();
  const scheduleStore = new ScheduleStore(kv);
  const scheduleInputs = new ScheduleInputs(inputs);
  const timer = new ScheduleTimer(scheduleStore, {
    submit: (request) => runs.submitRequest(request),
    record: (runId) => runs.record(runId),
    claim: (scheduleId, dueAt) => once(["schedule", scheduleId, dueAt], 3600 * 1000),
    input: (schedule) => scheduleInputs.read(schedule),
    startPipeline: async (pipelineId, parameters, scheduleId) => {
      const run = await pipelines!.service.start({
        pipelineId,
        parameters,
        trigger: "schedule",
        scheduleId,
      });
      return { id: run.pipeline_run_id, createdAt: Date.parse(run.created_at) };
    },
    pipelineBusy: (id) =>
      pipelines!.service.record(id).then((r) => !isPipelineFinal(r.status), () => false),
  });
  const supervision = createSupervision({ kv, catalog, runs, events, settings });
  const environmentService = new EnvironmentService(environments);
  const services: Services = {
    settings,
    version: denoJson.version,
    startedAt: Date.now(),
    catalog,
    presets,
    configs: new ModuleConfigs(catalog, presets),
    moduleViews: new ModuleViews(catalog, store, environmentService),
    store,
    logs,
    logReader: new LogReader(runs, logs),
    events,
    runs,
    lifecycle,
    artifacts,
    metrics,
    schedules: new Schedules({
      store: scheduleStore,
      catalog,
      timer,
      inputs: scheduleInputs,
      pipelines: pipelines.service,
    }),
    hosts,
    pools: new PoolService({ kv, catalog, levels: () => runs.poolLevels() }),
    pipelines: pipelines.service,
    serviceControl: supervision.control,
    environments: environmentService,
    hostId: () => hostId,
    sseKeepAliveMs: options.sseKeepAliveMs ?? 15_000,
  };
  const retention = new RetentionSweeper(
    { store, logs, results, inputs, artifacts, environments },
    {
      retentionDays: settings.retentionDays,
      once: { claim: (period) => once(["retention", period], 2 * 3600 * 1000) },
    },
  );
  const orphanInputs = new OrphanInputSweeper({ kv, inputs, store });
  let closed: Promise<void> | null = null;
  return {
    services,
    retention,
    kv,
    async start() {
      await hosts.join();
      metrics.seed(
        (await Promise.all(catalog.modules.map(async (m) => {
          const stats = await store.moduleStats(m.def.id);
          return (["completed", "failed", "cancelled"] as const).map((status) => ({
            moduleId: m.def.id,
            status,
            count: stats[status],
          }));
        }))).flat(),
      );
      // Builds a killed server left unfinished are never used: their folders go now.
      await environments.sweep().catch((err) => console.error("environment sweep failed:", err));
      await runs.init(await hosts.formerIds());
      deliveries!.start();
      pipelines!.start();
      await timer.start();
      await supervision.control.init();
      retention.start();
      orphanInputs.start();
    },
    shutdown(beforeClose) {
      closed ??= (async () => {
        await timer.stop();
        await pipelines!.stop();
        // Before the runs stop: their ends by shutdown must not be taken for exits to restart.
        await supervision.supervisor.stop();
        environments.stop();
        await runs.shutdown();
        await settleFinalWrites(store);
        await hosts.leave();
        await lifecycle.end(1000);
        await settlesWithin(deliveries!.stop(), 1000);
        await retention.stop();
        await orphanInputs.stop();
        await beforeClose?.();
        kv.close();
        lock?.close();
      })();
      return closed;
    },
  };
}
