import { keys } from "../kv/keys.ts";
import type { KvMessage, KvMessages } from "../kv/messages.ts";
import type { ModuleCatalog } from "../modules/catalog.ts";
import type { RunRecord } from "./model.ts";
import type { RunRequest } from "./request.ts";
import type { Ending } from "./transitions.ts";

/** The queue message that submits a retry once its delay has passed. */
interface RetryMessage extends KvMessage {
  kind: "retry";
  /** The run that failed. */
  run_id: string;
  module_id: string;
  /** Its values, passwords included: a pending retry needs them as a queued run does. */
  parameters: RunRecord["parameters"];
  attempt: number;
  retry_of: string;
  /** A pipeline step run's pipeline run and step, kept by its retries (absent in older messages). */
  pipeline_run_id?: string | null;
  step_id?: string | null;
}

/** How long a retry's claim is kept: longer than KV keeps redelivering its message. */
const KEEP_MS = 7 * 24 * 3600 * 1000;

/** How long a claim of a retry being submitted holds before another server may take it. */
const CLAIM_MS = 60 * 1000;

/** Endings that earn a retry: a failure of the run itself, never a cancel or a shutdown. */
const RETRIED: ReadonlySet<Ending["kind"]> = new Set([
  "exit",
  "start_failed",
  "env_failed",
  "timeout",
  "server_lost",
  "host_lost",
]);

/** What retries need of the rest of the service. */
export interface RetryDeps {
  kv: Deno.Kv;
  catalog: ModuleCatalog;
  /** KV queues, or null on KV Connect (no queues: retries then wait in memory, not durably). */
  messages: KvMessages | null;
  submit(request: RunRequest): Promise<RunRecord>;
}

/**
 * Retries of failed runs, per module (`retries`, `retry_delay_seconds`). The retry is a KV queue
 * message with a delay, enqueued in the same atomic write that makes the run final, so a retry
 * due while the server is down is submitted after the next start.
 */
export class Retries {
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(private readonly deps: RetryDeps) {}

  /** Starts handling retry messages. */
  start(): void {
    this.deps.messages?.on("retry", (message) => this.submit(message as RetryMessage));
  }

  /** Drops retries waiting in memory (KV Connect only; queued messages survive in KV). */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /**
   * The retry a run earns by `ending`, as an addition to its final write; undefined when none:
   * the run did not fail on its own, or its module has no attempts left.
   */
  plan(
    ending: Ending,
    exitCode?: number | null,
  ): ((op: Deno.AtomicOperation, current: RunRecord) => void) | undefined {
    if (!RETRIED.has(ending.kind) || (ending.kind === "exit" && exitCode === 0)) return undefined;
    return (op, current) => {
      // Only the service restarts a replica (src/supervision/).
      if (current.trigger === "service") return;
      const module = this.deps.catalog.get(current.module_id);
      if (module === undefined || current.attempt > module.def.retries) return;
      const message: RetryMessage = {
        kind: "retry",
        run_id: current.run_id,
        module_id: current.module_id,
        parameters: current.parameters,
        attempt: current.attempt + 1,
        retry_of: current.retry_of ?? current.run_id,
        pipeline_run_id: current.pipeline_run_id,
        step_id: current.step_id,
      };
      const delay = Math.round(module.def.retry_delay_seconds * 1000);
      if (this.deps.messages !== null) op.enqueue(message, { delay });
      else {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          void this.submit(message);
        }, delay);
        this.timers.add(timer);
      }
    };
  }

  /**
   * Submits a retry once, however often its message arrives and whichever server it reaches: the
   * retry is claimed with one checked write first. A refusal is logged, not retried.
   */
  private async submit(message: RetryMessage): Promise<void> {
    const { kv } = this.deps;
    const done = keys.retried(message.run_id);
    // A claim that stops short of the submission (its server died) lapses, and KV, which
    // delivers the message again while the handler throws, then hands it to the next try.
    const claimed = await kv.atomic().check({ key: done, versionstamp: null })
      .set(done, "submitting", { expireIn: CLAIM_MS }).commit();
    if (!claimed.ok) {
      if ((await kv.get(done)).value === "submitting") {
        throw new Error(`the retry of run ${message.run_id} is being submitted elsewhere`);
      }
      return;
    }
    try {
      const run = await this.deps.submit({
        moduleId: message.module_id,
        parameters: message.parameters,
        saveConfig: false,
        recordUnavailable: true,
        inputFromRun: message.run_id,
        origin: {
          trigger: "retry",
          attempt: message.attempt,
          retry_of: message.retry_of,
          pipeline_run_id: message.pipeline_run_id ?? null,
          step_id: message.step_id ?? null,
        },
      });
      await kv.set(done, run.run_id, { expireIn: KEEP_MS });
    } catch (err) {
      if (err instanceof Error && /shutting down/i.test(err.message)) {
        // Given back: KV delivers the message again after the next start.
        await kv.delete(done);
        throw err;
      }
      await kv.set(done, null, { expireIn: KEEP_MS });
      console.error(`retry of run ${message.run_id} was refused:`, err);
    }
  }
}
