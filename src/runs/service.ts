import { runNotFound } from "../errors.ts";
import type { RunLogSource } from "../logs/reader.ts";
import type { LogStore } from "../logs/store.ts";
import type { RunLogWriter } from "../logs/writer.ts";
import type { LogStream } from "../logs/line.ts";
import type { ModuleCatalog } from "../modules/catalog.ts";
import type { PresetStore } from "../modules/presets.ts";
import { Admission } from "./admission.ts";
import { cancelRun } from "./cancel.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import type { RunEvents } from "./events.ts";
import type { FollowedRuns } from "./follow.ts";
import type { RunRecord, RunStatus, RunTrigger } from "./model.ts";
import type { RunParts, RunServiceOptions } from "./parts.ts";
import { QueuePump } from "./pump.ts";
import { recoverLostRun } from "./recovery.ts";
import { RunRegistry } from "./registry.ts";
import type { RunStore } from "./store.ts";
import type { RunRequest } from "./request.ts";
import { Submissions } from "./submission.ts";
import { RunSupervisor } from "./supervisor.ts";
import type { RunView } from "./view.ts";
import { liveRunView } from "./live_view.ts";
import type { KvMessages } from "../kv/messages.ts";
import { Retries } from "./retries.ts";
import { rerunRequest } from "./rerun.ts";
import { Ticker } from "../timing.ts";
import { failOrphanedRuns, type HostState } from "./orphans.ts";
import { QueueSync } from "./queue_sync.ts";
import { RemoteCancels } from "./remote_cancel.ts";
import type { ArtifactStore } from "../artifacts/store.ts";
import type { ResultStore } from "./results.ts";
import { showable } from "./readable.ts";
import { catalogNeeds, type NeedSources } from "../pools/catalog_needs.ts";
import type { EnvironmentProvider } from "./environment.ts";
import { PoolGauge } from "../pools/gauge.ts";
import { poolLevels, type PoolStatus } from "../pools/levels.ts";
import { type EncodedInput, type InputStore, readRunInput, requireInput } from "./input.ts";

/** Everything the run service is built from. */
export interface RunServiceDeps {
  store: RunStore;
  logs: LogStore;
  catalog: ModuleCatalog;
  presets: PresetStore;
  events: RunEvents;
  results: ResultStore;
  inputs: InputStore;
  artifacts: ArtifactStore;
  kv: Deno.Kv;
  /** KV queue messages; null on KV Connect, which has no queues. */
  messages: KvMessages | null;
  /**
   * Adds to every final write what must follow from the run's end (webhook deliveries; a
   * pipeline's next steps, a service's restart), so that no crash loses it. Given the record
   * before the move; composed in runner.ts.
   */
  finalHooks: RunParts["finalHooks"];
  options: RunServiceOptions;
  /** This server's `PRISMQ_HOST_ID`, known once it listens (before `init`). */
  hostId: () => string;
  /** Host labels (this server's and the live servers'). */
  needs?: NeedSources;
  /** Builds the environments of modules with `requirements` (none when absent). */
  environments?: EnvironmentProvider;
}

/**
 * How often the stored queue and cancel requests of other servers are looked at: every 250 ms
 * while something is queued or running here, every second when idle (a run queued on another
 * server then starts here within a second).
 */
const TICK_MS = 250;
const IDLE_TICK_MS = 1000;

/** Query of a run listing. */
export interface ListQuery {
  moduleId?: string;
  status?: RunStatus;
  trigger?: RunTrigger;
  limit: number;
  cursor?: string;
  offset?: number;
}

/**
 * The runs as the routes see them: a thin facade over submission (submission.ts), the queue
 * pump (pump.ts), one supervisor per live run (supervisor.ts) and cancel (cancel.ts). Several
 * servers may share the store: each claims runs with checked atomic writes (store.ts), mirrors
 * the stored queue (queue_sync.ts) and takes cancels asked through others (remote_cancel.ts) on
 * a 250 ms tick; the registry of live run handles holds this server's own runs.
 */
export class RunService implements FollowedRuns, RunLogSource<RunRecord> {
  private readonly parts: RunParts;
  private readonly submissions: Submissions;
  private readonly pump: QueuePump;
  private readonly retries: Retries;
  private readonly remote: RemoteCancels;
  private readonly ticker: Ticker;

  constructor(private readonly deps: RunServiceDeps) {
    const { store, logs, catalog, events, results, inputs, artifacts, options } = deps;
    const moduleLimit = (id: string) => catalog.get(id)?.def.max_concurrent_runs ?? Infinity;
    const needs = catalogNeeds(catalog, deps.needs, deps.environments);
    const gauge = new PoolGauge(catalog.pools);
    const admission = new Admission(options.maxConcurrentRuns, moduleLimit, needs, gauge);
    const registry = new RunRegistry();
    this.remote = new RemoteCancels({ kv: deps.kv, store, registry, hostId: deps.hostId });
    this.parts = {
      store,
      logs,
      catalog,
      events,
      results,
      inputs,
      artifacts,
      admission,
      registry,
      options,
      hostId: deps.hostId,
      remote: this.remote,
      wakeQueue: () => this.pump.kick(),
      retries: { plan: (ending, exitCode) => this.retries.plan(ending, exitCode) },
      finalHooks: deps.finalHooks,
      environments: deps.environments,
    };
    deps.environments?.onBuildEnd(() => this.pump.kick()); // its waiting runs may start
    this.retries = new Retries({
      kv: deps.kv,
      catalog,
      messages: deps.messages,
      // The same operation schedules, pipelines and services submit through.
      submit: (request) => this.submitRequest(request),
    });
    this.pump = new QueuePump(
      admission,
      (run) => new RunSupervisor(this.parts, { kind: "queued", run }),
    );
    this.submissions = new Submissions({ parts: this.parts, presets: deps.presets });
    const kick = () => this.pump.kick();
    const queue = new QueueSync({ kv: deps.kv, store, admission, kick, moduleLimit });
    const tickMs = () =>
      admission.queuedCount > 0 || admission.activeCount > 0 ? TICK_MS : IDLE_TICK_MS;
    this.ticker = new Ticker("the queue and cancel poll", tickMs, async () => {
      await queue.poll();
      await this.remote.poll();
    });
  }

  /** Runs holding a slot now. */
  get activeCount(): number {
    return this.parts.admission.activeCount;
  }

  /** The pools' slots in use (as this server last saw them) and the queued runs of each. */
  poolLevels(): PoolStatus[] {
    const { admission, catalog } = this.parts;
    return poolLevels(
      admission.pools,
      admission.queuedModules(),
      (m) => catalog.get(m)?.uses ?? [],
    );
  }

  /** Runs stored as queued. */
  get queuedCount(): number {
    return this.parts.admission.queuedCount;
  }

  /**
   * Recovers this server's runs from a crash and loads the queue; call once before serving.
   * `ownIds` are the host ids this server's data dir has had (this one's among them).
   */
  async init(ownIds: ReadonlySet<string> = new Set([this.deps.hostId()])): Promise<void> {
    const { store, admission } = this.parts;
    this.submissions.resumeAfter(await store.lastOrder());
    for (const record of await store.allWithStatus("running")) {
      // Runs stored before host ids existed were this server's (one server had the store).
      if (record.host_id === null || ownIds.has(record.host_id)) {
        await recoverLostRun(this.parts, record);
      }
    }
    for (const record of await store.allWithStatus("queued")) {
      admission.enqueue({ runId: record.run_id, moduleId: record.module_id, order: record.order });
    }
    this.retries.start();
    this.ticker.start();
    this.pump.kick();
  }

  /** Fails the runs that servers which are not alive left running (see orphans.ts). */
  failOrphanedRuns(states: () => Promise<Map<string, HostState>>, timeoutMs: number) {
    return failOrphanedRuns(this.parts, { states, timeoutMs });
  }

  /** Stops every run of this server (it was found marked lost: their records are final). */
  stopAll(): void {
    for (const handle of this.parts.registry.all()) handle.stop("cancelled");
  }

  /** Validates and submits a run: it starts at once when a slot is free, else it is queued. */
  async submit(request: Omit<RunRequest, "origin" | "runId" | "inputFromRun">): Promise<RunView> {
    return this.view(await this.submissions.submit(request));
  }

  /**
   * Submits a new run of the same module as the old one (see rerun.ts): `parameters` override
   * the old run's; `input` absent means the old run's input again.
   */
  async rerun(
    runId: string,
    given: Pick<RunRequest, "parameters" | "input" | "launchAfter">,
  ): Promise<RunView> {
    const old = await this.requireRecord(runId);
    const request = rerunRequest(old, this.deps.catalog, given.parameters, given.input);
    return this.view(await this.submissions.submit({ ...request, launchAfter: given.launchAfter }));
  }

  /** Submits a run as described (schedule fires use this); resolves with its stored record. */
  submitRequest(request: RunRequest): Promise<RunRecord> {
    return this.submissions.submit(request);
  }

  /** The run as callers see it; 404 when unknown. */
  async get(runId: string): Promise<RunView> {
    return this.view(await this.requireRecord(runId));
  }

  /** The run's stdin input as given; 404 INPUT_NOT_FOUND when it has none. */
  async input(runId: string): Promise<EncodedInput> {
    const record = await this.requireRecord(runId);
    return requireInput(await readRunInput(this.deps.inputs, record), runId);
  }

  /** The stored record, or null. */
  record(runId: string): Promise<RunRecord | null> {
    return this.deps.store.get(runId);
  }

  /** The stored record; 404 RUN_NOT_FOUND when there is none. */
  async requireRecord(runId: string): Promise<RunRecord> {
    const record = await this.deps.store.get(runId);
    if (record === null) throw runNotFound(runId);
    return record;
  }

  /** A page of runs, newest first. */
  async list(
    query: ListQuery,
  ): Promise<{ runs: RunView[]; total: number; next_cursor: string | null }> {
    const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const page = await this.deps.store.list({ ...query, before });
    const last = page.runs[page.runs.length - 1];
    return {
      runs: await showable(page.runs, (r) => this.view(r)),
      total: page.total,
      next_cursor: page.hasMore && last ? encodeCursor(last.order) : null,
    };
  }

  /** Cancels a queued or running run and answers with the final run; 409 when already final. */
  async cancel(runId: string): Promise<RunView> {
    return this.view(await cancelRun(this.parts, runId));
  }

  /** Lines each live run has written so far (metrics). */
  liveLines(): { moduleId: string; counts: Record<LogStream, number> }[] {
    return this.parts.registry.all().flatMap((h) =>
      h.writer && h.moduleId ? [{ moduleId: h.moduleId, counts: h.writer.streamCounts }] : []
    );
  }

  /** The live log writer of a running run, or null. */
  liveWriter(runId: string): RunLogWriter | null {
    return this.parts.registry.get(runId)?.writer ?? null;
  }

  /** Renders a record with its queue position, why it waits, live line count, progress, result. */
  view(record: RunRecord): Promise<RunView> {
    return liveRunView(this.parts, record);
  }

  /**
   * Refuses new runs, stops every live run (a running tree: grace, then kill, recorded cancelled;
   * one not yet started stays queued) and waits until each has written its record.
   */
  async shutdown(): Promise<void> {
    this.submissions.close();
    this.pump.stop();
    await this.ticker.stop();
    this.retries.stop();
    this.deps.messages?.stop();
    const handles = this.parts.registry.all();
    for (const handle of handles) handle.stop("shutdown");
    await Promise.allSettled(handles.map((h) => h.finished));
  }
}
