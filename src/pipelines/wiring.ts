import type { LogStore } from "../logs/store.ts";
import type { ModuleCatalog } from "../modules/catalog.ts";
import { isFinal, type RunEvents, type RunRecord, type RunService } from "../runs/mod.ts";
import { PipelineAdvancer } from "./advancer.ts";
import type { PipelineRunRecord } from "./model.ts";
import { PipelineService } from "./service.ts";
import { pipelineKeys, PipelineRunStore } from "./store.ts";

/** What pipelines are built with (composed in src/runner.ts). */
export interface PipelineParts {
  kv: Deno.Kv;
  catalog: ModuleCatalog;
  runs: RunService;
  logs: LogStore;
  events: RunEvents;
  maxInputBytes: number;
  /** Told once per pipeline run that ends (metrics, webhooks). */
  finished(record: PipelineRunRecord): void;
  /** Adds to the write that makes a pipeline run final (webhook deliveries). */
  finalPlan?(op: Deno.AtomicOperation, record: PipelineRunRecord): void;
}

const MARKER = /^::(progress|result)([ \t]|$)/;
const decoder = new TextDecoder();

/** The pipelines' service and advancer, wired to the run service; start and stop them. */
export function createPipelines(parts: PipelineParts) {
  const store = new PipelineRunStore(parts.kv);
  const retryExpected = (run: RunRecord) => {
    const module = parts.catalog.get(run.module_id);
    return run.status === "failed" && module !== undefined && run.attempt <= module.def.retries;
  };
  const stepRuns = {
    record: (runId: string) => parts.runs.record(runId),
    submit: (request: Parameters<RunService["submitRequest"]>[0]) =>
      parts.runs.submitRequest(request),
    cancel: (runId: string) => parts.runs.cancel(runId),
    retryExpected,
    result: async (runId: string) => (await parts.runs.get(runId)).result,
    output: (runId: string, maxBytes: number) => stdoutText(parts.logs, runId, maxBytes),
    maxInputBytes: parts.maxInputBytes,
  };
  const advancer = new PipelineAdvancer({
    store,
    pipeline: (id) => parts.catalog.pipelines.find((p) => p.def.id === id),
    runs: stepRuns,
    changed: () => {},
    finished: (record) => parts.finished(record),
    finalPlan: parts.finalPlan,
  });
  const service = new PipelineService({
    pipelines: parts.catalog.pipelines,
    store,
    advancer,
    runs: stepRuns,
  });
  let unsubscribe: (() => void) | null = null;
  return {
    service,
    advancer,
    /** Adds a step run's outbox entry to its final write (a finalHooks planner). */
    plan(op: Deno.AtomicOperation, current: RunRecord): void {
      if (current.pipeline_run_id === null) return;
      op.set(pipelineKeys.outbox(current.pipeline_run_id, current.run_id), true);
    },
    start() {
      unsubscribe = parts.events.subscribeAll((record) => {
        if (record.pipeline_run_id === null) return;
        void advancer.poke(
          record.pipeline_run_id,
          isFinal(record.status) ? [record.run_id] : [
            record.run_id,
          ],
        );
      });
      advancer.start();
    },
    async stop() {
      unsubscribe?.();
      await advancer.stop();
    },
  };
}

/** The run's stdout lines without markers, joined with \n; null past `maxBytes`. */
async function stdoutText(logs: LogStore, runId: string, maxBytes: number): Promise<string | null> {
  const lines: string[] = [];
  let bytes = 0;
  for (let after = 0;;) {
    const page = await logs.readAfter(runId, after, 1000);
    if (page.length === 0) break;
    for (const raw of page) {
      if (raw.stream !== "stdout") continue;
      const text = decoder.decode(raw.bytes);
      if (MARKER.test(text)) continue;
      bytes += raw.bytes.length + (lines.length > 0 ? 1 : 0);
      if (bytes > maxBytes) return null;
      lines.push(text);
    }
    after = page[page.length - 1].seq;
  }
  return lines.join("\n");
}
