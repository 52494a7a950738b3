import { readdirSync } from "node:fs";
import process from "node:process";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { LogStream } from "../logs/line.ts";
import { FINAL_STATUSES, isFinal, type RunRecord } from "../runs/model.ts";

/** Run durations from a tenth of a second to six hours. */
const DURATION_BUCKETS = [0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 1800, 3600, 7200, 21600];

/** What the metrics read of the runs when scraped (in memory, no KV). */
export interface MetricSources {
  running(): number;
  queued(): number;
  /** Lines each running run has written so far, by module and stream. */
  liveLines(): { moduleId: string; counts: Record<LogStream, number> }[];
}

/**
 * The Prometheus series of the contract, written by prom-client. Counters move with the run
 * transitions (RunEvents), gauges and live line counts are read when scraped: a scrape never
 * reads KV. The usual process metrics are computed here, because prom-client's defaults include
 * event-loop series that Deno's node compatibility fills with invalid values (NaN).
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly runs: Counter<"module" | "status">;
  private readonly durations: Histogram<"module">;
  private readonly webhookFailures: Counter;
  /** Lines of finished runs, by module and stream; running ones are added when scraped. */
  private readonly finishedLines = new Map<string, Record<LogStream, number>>();

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    this.runs = new Counter({
      name: "prismq_runs_total",
      help: "Runs that reached a final status, by module and status.",
      labelNames: ["module", "status"],
      registers,
    });
    this.durations = new Histogram({
      name: "prismq_run_duration_seconds",
      help: "Wall-clock time of finished runs, from start to end.",
      labelNames: ["module"],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.webhookFailures = new Counter({
      name: "prismq_webhook_failures_total",
      help: "Webhook deliveries given up after every try failed.",
      registers,
    });
    gauge(this.registry, "prismq_runs_running", "Runs running now.", () => sources.running());
    gauge(
      this.registry,
      "prismq_runs_queued",
      "Runs waiting in the queue.",
      () => sources.queued(),
    );
    const finished = this.finishedLines;
    new Counter({
      name: "prismq_log_lines_total",
      help: "Log lines written by runs, by module and stream.",
      labelNames: ["module", "stream"],
      registers,
      collect() {
        this.reset();
        const totals = new Map(finished);
        for (const live of sources.liveLines()) {
          totals.set(live.moduleId, add(totals.get(live.moduleId), live.counts));
        }
        for (const [module, counts] of totals) {
          for (const [stream, n] of Object.entries(counts)) this.inc({ module, stream }, n);
        }
      },
    });
    processMetrics(this.registry);
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
    return this.registry.metrics();
  }

  /** Its content type. */
  get contentType(): string {
    return this.registry.contentType;
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

function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

const startSeconds = Math.round(Date.now() / 1000 - performance.now() / 1000);

function processMetrics(registry: Registry): void {
  new Counter({
    name: "process_cpu_seconds_total",
    help: "Total user and system CPU time spent in seconds.",
    registers: [registry],
    collect() {
      const { user, system } = process.cpuUsage();
      this.reset();
      this.inc((user + system) / 1e6);
    },
  });
  gauge(
    registry,
    "process_resident_memory_bytes",
    "Resident memory size in bytes.",
    () => Deno.memoryUsage().rss,
  );
  gauge(registry, "process_heap_bytes", "Heap used in bytes.", () => Deno.memoryUsage().heapUsed);
  gauge(
    registry,
    "process_start_time_seconds",
    "Start time of the process since unix epoch in seconds.",
    () => startSeconds,
  );
  if (Deno.build.os === "linux") {
    gauge(registry, "process_open_fds", "Number of open file descriptors.", () => {
      try {
        return readdirSync("/proc/self/fd").length;
      } catch {
        return 0;
      }
    });
  }
}
