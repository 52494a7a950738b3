/** A message of the service's own, sent through Deno KV's queue. */
export interface KvMessage {
  kind: string;
  [field: string]: unknown;
}

/**
 * Deno KV's queue, routed by message kind: Deno allows one queue listener per database, and
 * several parts of the service (queue wake-ups, retries) send messages through it. Delivery is
 * at-least-once, so every handler must be idempotent; a handler that throws is retried by KV.
 */
export class KvMessages {
  private readonly handlers = new Map<string, (message: KvMessage) => Promise<void> | void>();
  private listening = false;
  private stopped = false;

  constructor(private readonly kv: Deno.Kv) {}

  /** Routes messages of `kind` to `handler` (one handler a kind). */
  on(kind: string, handler: (message: KvMessage) => Promise<void> | void): void {
    this.handlers.set(kind, handler);
    if (this.listening) return;
    this.listening = true;
    this.kv.listenQueue(async (message: unknown) => {
      // Not handled while stopping: KV keeps the message and delivers it again after the start.
      if (this.stopped) throw new Error("the server is stopping");
      if (!isMessage(message)) return;
      await this.handlers.get(message.kind)?.(message);
    }).catch(() => {
      // Ends when KV closes.
    });
  }

  /** Stops handing messages on; those that arrive later stay in KV for the next start. */
  stop(): void {
    this.stopped = true;
  }
}

function isMessage(value: unknown): value is KvMessage {
  return typeof value === "object" && value !== null &&
    typeof (value as { kind?: unknown }).kind === "string";
}
