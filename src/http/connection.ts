/** Serves HTTP on one accepted connection; Deno's own, as Deno.serve does for each it accepts. */
type ServeOnConnection = (
  conn: Deno.Conn,
  signal: AbortSignal,
  handler: Deno.ServeHandler,
  onError: (error: unknown) => Response | Promise<Response>,
  onListen: () => void,
) => { finished: Promise<void>; shutdown(): Promise<void> };

/**
 * Deno.serve accepts connections itself and has neither a header nor an idle timeout, and one
 * failed accept (out of descriptors) ends it for good. Serving each connection we accept
 * ourselves needs Deno's per-connection server, which Deno keeps internal (Deno 2.x:
 * `serveHttpOnConnection`); null where a Deno version no longer has it.
 */
export function connectionServer(): ServeOnConnection | null {
  // deno-lint-ignore no-explicit-any -- Deno's internals are untyped
  const internals = (Deno as any)[(Deno as any).internal];
  const serve = internals?.serveHttpOnConnection;
  return typeof serve === "function" ? serve : null;
}

/**
 * Deno's connection server cancels its connection from an abort listener, which throws when
 * the connection closed itself in the same instant (a client leaving as its idle time ran out).
 * That error can only surface as an uncaught error event; it is harmless, so it is kept from
 * ending the process. Installed once.
 */
let lateCancelIgnored = false;
function ignoreLateCancel(): void {
  if (lateCancelIgnored) return;
  lateCancelIgnored = true;
  globalThis.addEventListener("error", (event) => {
    const err = event.error;
    if (err instanceof Deno.errors.BadResource && /CallbackContext/.test(err.stack ?? "")) {
      event.preventDefault();
    }
  });
}

/**
 * One accepted connection: served by Deno's HTTP server, closed when it sends no request for
 * `idleMs`, counted from its opening or from the end of its last response (so a client must send
 * a request's headers that soon). A request in progress, a streamed response included, is never
 * cut by the timeout.
 */
export class HttpConnection {
  /** Settles when the connection is closed, whoever closed it. */
  readonly closed: Promise<void>;
  private readonly served: { finished: Promise<void>; shutdown(): Promise<void> };
  private readonly abort = new AbortController();
  private inFlight = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When the connection last became idle (performance.now()). */
  private idleSince = performance.now();
  private ended = false;

  constructor(
    serveOn: ServeOnConnection,
    conn: Deno.Conn,
    private readonly handler: Deno.ServeHandler,
    onError: (error: unknown) => Response | Promise<Response>,
    private readonly idleMs: number,
  ) {
    ignoreLateCancel();
    this.served = serveOn(
      conn,
      this.abort.signal,
      (req, info) => this.handle(req, info),
      onError,
      () => {},
    );
    this.closed = this.served.finished.catch(() => {}).finally(() => {
      this.ended = true;
      clearTimeout(this.timer);
    });
    this.arm();
  }

  /** Ends the connection: at once when it is idle, else once its requests are answered. */
  async shutdown(): Promise<void> {
    if (this.inFlight === 0) this.close();
    else await this.served.shutdown().catch(() => {});
    await this.closed;
  }

  /** Closes the connection at once. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.abort.abort();
  }

  private handle(req: Request, info: Deno.ServeHandlerInfo): Response | Promise<Response> {
    this.inFlight++;
    // Settles when the response, body and all, was sent or could not be.
    info.completed.then(this.settled, this.settled);
    return this.handler(req, info);
  }

  private readonly settled = () => {
    if (--this.inFlight === 0) this.idleSince = performance.now();
  };

  /**
   * One timer per connection, not one per request (a timer set and cleared for every request
   * cost ~5% of the CPU of a small GET): when it fires, the connection is closed if it has been
   * idle for `idleMs`, else the timer is set again for what is left of that time.
   */
  private arm(delayMs = this.idleMs): void {
    if (this.ended) return;
    this.timer = setTimeout(() => {
      if (this.ended) return;
      const idleFor = performance.now() - this.idleSince;
      if (this.inFlight === 0 && idleFor >= this.idleMs) this.close();
      else this.arm(this.inFlight === 0 ? this.idleMs - idleFor : this.idleMs);
    }, delayMs);
  }
}
