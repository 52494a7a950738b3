import process from "node:process";
import { computed, CONTENT_TYPE, Counter, type Family, Histogram, render } from "./exposition.ts";
import type { LogStream } from "../logs/line.ts";
import { FINAL_STATUSES, isFinal, type RunRecord } from "../runs/mod.ts";

/** Run durations from a tenth of a second to six hours. */
const DURATION_BUCKETS = [0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 21600];

/** What the metrics read of the runs when scraped (in memory, no KV). */
export interface MetricSources {
  running(): number;
  queued(): number;
  /** Lines each running run has written so far, by module and stream. */
  liveLines(): { moduleId: string; counts: Record<LogStream, number> }[];
  /** The pools' slots and slots in use, as this server last saw them. */
  pools?(): { name: string; slots: number; inUse: number }[];
  /** Services: restarts made by this server, replicas running as last seen. */
  services?(): { moduleId: string; restarts: number; running: number }[];
}

/**
 * The Prometheus series of the contract (see exposition.ts). Counters move with the run
 * transitions (RunEvents), gauges and live line counts are read when scraped: a scrape never
 * reads KV. The usual process metrics are computed here too.
 */
export class Metrics {
  private readonly runs = new Counter(
    "prismq_runs_total",
    "Runs that reached a final status, by module and status.",
    ["module", "status"],
  );
  private readonly durations = new Histogram(
    "prismq_run_duration_seconds",
    "Wall-clock time of finished runs, from start to end.",
    DURATION_BUCKETS,
    ["module"],
  );
  private readonly webhookFailures = new Counter(
    "prismq_webhook_failures_total",
    "Webhook deliveries given up after every try failed.",
  );
  private readonly pipelineRuns = new Counter(
    "prismq_pipeline_runs_total",
    "Pipeline runs that reached a final status (counted by the server that ended them).",
    ["pipeline", "status"],
  );
  /** Lines of finished runs, by module and stream; running ones are added when scraped. */
  private readonly finishedLines = new Map<string, Record<LogStream, number>>();
  private readonly families: Family[];

  constructor(sources: MetricSources) {
    const finished = this.finishedLines;
    this.families = [
      this.runs,
      this.durations,
      this.webhookFailures,
      this.pipelineRuns,
      gauge("prismq_runs_running", "Runs running now.", () => sources.running()),
      gauge("prismq_runs_queued", "Runs waiting in the queue.", () => sources.queued()),
      computed(
        "prismq_log_lines_total",
        "Log lines written by runs, by module and stream.",
        "counter",
        () => {
          const totals = new Map(finished);
          for (const live of sources.liveLines()) {
            totals.set(live.moduleId, add(totals.get(live.moduleId), live.counts));
          }
          return [...totals].flatMap(([module, counts]) =>
            Object.entries(counts).map(([stream, value]) => ({ labels: { module, stream }, value }))
          );
        },
      ),
      computed(
        "prismq_pool_slots",
        "Slots of each resource pool.",
        "gauge",
        () => (sources.pools?.() ?? []).map((p) => ({ labels: { pool: p.name }, value: p.slots })),
      ),
      computed(
        "prismq_pool_slots_in_use",
        "Slots of each resource pool held by running runs, across every server.",
        "gauge",
        () => (sources.pools?.() ?? []).map((p) => ({ labels: { pool: p.name }, value: p.inUse })),
      ),
      computed(
        "prismq_service_restarts_total",
        "Restarts of service replicas planned by this server, by module.",
        "counter",
        () =>
          (sources.services?.() ?? []).map((s) => ({
            labels: { module: s.moduleId },
            value: s.restarts,
          })),
      ),
      computed(
        "prismq_service_replicas_running",
        "Service replicas whose run is running, across every server, by module.",
        "gauge",
        () =>
          (sources.services?.() ?? []).map((s) => ({
            labels: { module: s.moduleId },
            value: s.running,
          })),
      ),
      ...processMetrics(),
    ];
  }

  /** Counts a run that became final, with the line counts of its log. */
  runFinished(record: RunRecord, lines: Record<LogStream, number> | null): void {
    if (!isFinal(record.status)) return;
    this.runs.inc({ module: record.module_id, status: record.status });
    if (record.started_at !== null && record.completed_at !== null) {
      this.durations.observe(
        { module: record.module_id },
        (record.completed_at - record.started_at) / 1000,
      );
    }
    if (lines !== null) {
      this.finishedLines.set(
        record.module_id,
        add(this.finishedLines.get(record.module_id), lines),
      );
    }
  }

  /** Counts a pipeline run that became final. */
  pipelineFinished(pipelineId: string, status: string): void {
    this.pipelineRuns.inc({ pipeline: pipelineId, status });
  }

  /** Counts a webhook delivery that was given up. */
  webhookFailed(): void {
    this.webhookFailures.inc();
  }

  /** Starts the run counters from the stored totals, so a restart does not reset them. */
  seed(totals: { moduleId: string; status: string; count: number }[]): void {
    for (const t of totals) {
      if ((FINAL_STATUSES as readonly string[]).includes(t.status) && t.count > 0) {
        this.runs.inc({ module: t.moduleId, status: t.status }, t.count);
      }
    }
  }

  /** The text exposition format. */
  text(): Promise<string> {
    return Promise.resolve(render(this.families));
  }

  /** Its content type. */
  get contentType(): string {
    return CONTENT_TYPE;
  }
}

function add(
  a: Record<LogStream, number> | undefined,
  b: Record<LogStream, number>,
): Record<LogStream, number> {
  return {
    stdout: (a?.stdout ?? 0) + b.stdout,
    stderr: (a?.stderr ?? 0) + b.stderr,
    system: (a?.system ?? 0) + b.system,
  };
}

function gauge(name: string, help: string, read: () => number): Family {
  return computed(name, help, "gauge", () => [{ value: read() }]);
}

const startSeconds = Math.round(Date.now() / 1000 - performance.now() / 1000);

function processMetrics(): Family[] {
  const families = [
    computed(
      "process_cpu_seconds_total",
      "Total user and system CPU time spent in seconds.",
      "counter",
      () => {
        const { user, system } = process.cpuUsage();
        return [{ value: (user + system) / 1e6 }];
      },
    ),
    gauge(
      "process_resident_memory_bytes",
      "Resident memory size in bytes.",
      () => Deno.memoryUsage().rss,
    ),
    gauge("process_heap_bytes", "Heap used in bytes.", () => Deno.memoryUsage().heapUsed),
    gauge(
      "process_start_time_seconds",
      "Start time of the process since unix epoch in seconds.",
      () => startSeconds,
    ),
  ];
  if (Deno.build.os === "linux") {
    families.push(gauge("process_open_fds", "Number of open file descriptors.", () => {
      try {
        let n = 0;
        for (const _ of Deno.readDirSync("/proc/self/fd")) n++;
        return n;
      } catch {
        return 0;
      }
    }));
  }
  return families;
}
