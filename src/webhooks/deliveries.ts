import { customAlphabet } from "nanoid";
import type { KvMessage, KvMessages } from "../kv/messages.ts";
import type { RunRecord, RunView } from "../runs/mod.ts";
import { signBody } from "./signature.ts";

/** One try of one delivery, as a KV queue message. */
interface DeliveryMessage extends KvMessage {
  kind: "webhook";
  delivery_id: string;
  url: string;
  run_id: string;
  attempt: number;
  /** Set for a `pipeline.finished` delivery (then `run_id` is empty). */
  pipeline_run_id?: string;
}

/**
 * Waits after a failed try before the next: the first retry within 2 s, the second within 10 s
 * of it, six tries in all over about two minutes; then the failure is recorded.
 */
export const RETRY_DELAYS_MS = [1_000, 5_000, 15_000, 30_000, 60_000];
const TIMEOUT_MS = 10_000;
const KEEP_MS = 24 * 3600 * 1000;
const newDeliveryId = customAlphabet("0123456789abcdefghijklmnopqrstuvwxyz", 20);
const encoder = new TextEncoder();

/** What deliveries need of the rest of the service. */
export interface DeliveryDeps {
  kv: Deno.Kv;
  messages: KvMessages | null;
  /** PRISMQ_WEBHOOK_URL. */
  webhookUrl: string | null;
  secret: string | null;
  /** A module's own webhook_url. */
  moduleUrl(moduleId: string): string | undefined;
  /** The final run as the API shows it (the same body on every try: a final run never changes). */
  view(runId: string): Promise<RunView | null>;
  /** The final pipeline run as the API shows it (`pipeline.finished` deliveries). */
  pipelineView?(pipelineRunId: string): Promise<unknown | null>;
  /** Called when a delivery gave up (metrics). */
  failed(): void;
}

/**
 * Completion webhooks. Each final run gets one delivery per target, enqueued as a KV queue
 * message in the same atomic write that makes the run final (so none is lost to a crash), and
 * delivered from the queue handler off the run's path. A try is started without being awaited
 * by the handler, so a slow receiver holds up no other message; the next try is queued before the
 * POST goes out (a guard against a crash mid-try) and again, sooner, when the try fails; each
 * try number runs once, claimed in KV.
 */
export class Deliveries {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: DeliveryDeps) {}

  /** Starts handling delivery messages (no queues on KV Connect: no webhooks there). */
  start(): void {
    this.deps.messages?.on("webhook", (m) => this.handle(m as DeliveryMessage));
  }

  /** Waits (a bounded time) for tries under way. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** Adds the run's deliveries to the atomic write that makes it final. */
  plan(op: Deno.AtomicOperation, current: RunRecord): void {
    if (this.deps.messages === null) return;
    const urls = new Set(
      [this.deps.webhookUrl, this.deps.moduleUrl(current.module_id)].filter((u) => !!u),
    );
    const deliveryId = newDeliveryId();
    for (const url of urls) {
      const message: DeliveryMessage = {
        kind: "webhook",
        delivery_id: deliveryId,
        url: url!,
        run_id: current.run_id,
        attempt: 1,
      };
      op.enqueue(message);
    }
  }

  /** Adds the `pipeline.finished` deliveries to the write that makes a pipeline run final. */
  planPipeline(op: Deno.AtomicOperation, pipelineRunId: string): void {
    if (this.deps.messages === null || !this.deps.webhookUrl) return;
    const message: DeliveryMessage = {
      kind: "webhook",
      delivery_id: newDeliveryId(),
      url: this.deps.webhookUrl,
      run_id: "",
      attempt: 1,
      pipeline_run_id: pipelineRunId,
    };
    op.enqueue(message);
  }

  private async handle(message: DeliveryMessage): Promise<void> {
    const { kv } = this.deps;
    const done = ["webhook_done", message.delivery_id, message.url];
    const claim = ["webhook_try", message.delivery_id, message.url, message.attempt];
    if ((await kv.get(done)).versionstamp !== null) return;
    const claimed = await kv.atomic().check({ key: claim, versionstamp: null })
      .set(claim, Date.now(), { expireIn: KEEP_MS }).commit();
    if (!claimed.ok) return;
    const retryDelay = RETRY_DELAYS_MS[message.attempt - 1];
    if (retryDelay !== undefined) {
      await kv.enqueue({ ...message, attempt: message.attempt + 1 }, {
        delay: TIMEOUT_MS + retryDelay + 1_000,
      });
    }
    const attempt = this.tryOnce(message).then(async (ok) => {
      if (ok) await kv.set(done, true, { expireIn: KEEP_MS });
      else if (retryDelay !== undefined) {
        await kv.enqueue({ ...message, attempt: message.attempt + 1 }, { delay: retryDelay });
      } else {
        this.deps.failed();
        console.error(
          `webhook ${message.delivery_id} of run ${message.run_id} to ${message.url} failed ` +
            `${message.attempt} times: given up`,
        );
      }
    }).catch((err) => console.error(`webhook ${message.delivery_id}:`, err));
    this.inFlight.add(attempt);
    void attempt.finally(() => this.inFlight.delete(attempt));
  }

  /** One POST: true for a 2xx answer within the timeout. */
  private async tryOnce(message: DeliveryMessage): Promise<boolean> {
    const event = message.pipeline_run_id ? "pipeline.finished" : "run.finished";
    const subject = message.pipeline_run_id
      ? await this.deps.pipelineView?.(message.pipeline_run_id) ?? null
      : await this.deps.view(message.run_id);
    if (subject === null) return true; // deleted meanwhile: nothing left to tell
    const body = encoder.encode(JSON.stringify(
      message.pipeline_run_id ? { event, pipeline_run: subject } : { event, run: subject },
    ));
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-prismq-event": event,
      "x-prismq-delivery": message.delivery_id,
    };
    if (this.deps.secret !== null) {
      headers["x-prismq-signature"] = await signBody(this.deps.secret, body);
    }
    try {
      const res = await fetch(message.url, {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await res.body?.cancel();
      if (res.ok) return true;
      console.error(`webhook ${message.delivery_id} try ${message.attempt}: HTTP ${res.status}`);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      console.error(`webhook ${message.delivery_id} try ${message.attempt}: ${why}`);
    }
    return false;
  }
}
