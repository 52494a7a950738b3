import { KvMessages } from "../kv/messages.ts";

/**
 * A durable nudge that makes the service look at its queue again: after a restart, or if an
 * in-process wake-up was lost. Admission itself never depends on it.
 */
export interface WakeSource {
  /** Adds a wake-up to the atomic write that queues a run. */
  attach(op: Deno.AtomicOperation): void;
  /** Forgets a wake-up whose atomic write failed. */
  disarm(): void;
  /** Starts delivering wake-ups to `onWake`. */
  start(onWake: () => void): void;
  /** Stops delivering. */
  stop(): void;
}

/**
 * Wake-ups through Deno KV queues (delivery is at-least-once; the handler is idempotent). At most
 * one message is outstanding: a burst of queued runs needs one look at the queue, not one each
 * (a message per run made thousands of deliveries compete with requests after a burst).
 */
export class KvQueueWake implements WakeSource {
  private stopped = false;
  private armed = false;
  private readonly messages: KvMessages;

  /** `messages` is the service's one router of KV queue messages (a new one for a bare KV). */
  constructor(kv: Deno.Kv, messages?: KvMessages) {
    this.messages = messages ?? new KvMessages(kv);
  }

  attach(op: Deno.AtomicOperation): void {
    if (this.armed) return;
    this.armed = true;
    op.enqueue({ kind: "queue-wake" });
  }

  disarm(): void {
    this.armed = false;
  }

  start(onWake: () => void): void {
    this.messages.on("queue-wake", () => {
      this.armed = false;
      if (!this.stopped) onWake();
    });
  }

  stop(): void {
    this.stopped = true;
  }
}

/** Wake-ups by polling, for KV Connect, which has no queues. */
export class PollingWake implements WakeSource {
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly intervalMs = 1000) {}

  attach(): void {}

  disarm(): void {}

  start(onWake: () => void): void {
    this.timer = setInterval(onWake, this.intervalMs);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
