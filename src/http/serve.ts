import { setTimeout as delay } from "node:timers/promises";
import { connectionServer, HttpConnection } from "./connection.ts";

/** Where to listen, and how long a connection may stay without a request. */
export interface ServeOptions {
  hostname: string;
  /** 0 picks a free port. */
  port: number;
  /** A connection that sends no request for this long is closed; 10 s. */
  idleMs?: number;
}

/** A listening HTTP server. */
export interface HttpServer {
  readonly addr: Deno.NetAddr;
  /** Stops accepting, closes idle connections and waits for the others to be answered. */
  shutdown(): Promise<void>;
}

const IDLE_MS = 10_000;
/** First and longest wait before listening again after running out of descriptors. */
const PAUSE_MS = [25, 1000] as const;

/**
 * Serves HTTP like Deno.serve, except that running out of file descriptors never stops it and
 * idle connections are closed. When an accept fails for want of descriptors, the listening socket
 * is closed, so excess connections are refused at once (instead of waiting unseen in the backlog)
 * and its own descriptor is free; the server listens again, on the same port, as soon as a
 * descriptor is. Throws as Deno.listen does (a port in use, a host it cannot listen on).
 */
export function serveHttp(options: ServeOptions, handler: Deno.ServeHandler): HttpServer {
  const serveOn = connectionServer();
  if (serveOn === null) {
    const server = Deno.serve({ ...options, onListen: () => {} }, handler);
    console.warn(
      "warning: this Deno version cannot serve connections one by one: idle connections are " +
        "not closed, and running out of file descriptors stops the HTTP server",
    );
    return { addr: server.addr, shutdown: () => server.shutdown() };
  }
  return new AcceptLoop(
    options,
    (conn) => new HttpConnection(serveOn, conn, handler, internalError, options.idleMs ?? IDLE_MS),
  );
}

function internalError(err: unknown): Response {
  console.error("HTTP request failed:", err);
  return new Response("Internal Server Error", { status: 500 });
}

/** True for the errors of a process (or system) that has no file descriptor left. */
export function isOutOfDescriptors(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /too many open files|os error 2[34]\b/i.test(message);
}

class AcceptLoop implements HttpServer {
  readonly addr: Deno.NetAddr;
  private listener: Deno.Listener | null;
  private readonly connections = new Set<HttpConnection>();
  private readonly stopping = new AbortController();
  private readonly loop: Promise<void>;
  /** When running out of descriptors was last reported (at most every 10 s: it may flap). */
  private reportedAt = -Infinity;

  constructor(
    private readonly options: ServeOptions,
    private readonly serve: (conn: Deno.Conn) => HttpConnection,
  ) {
    this.listener = Deno.listen({ hostname: options.hostname, port: options.port });
    this.addr = this.listener.addr as Deno.NetAddr;
    this.loop = this.run();
  }

  async shutdown(): Promise<void> {
    this.stopping.abort();
    this.listener?.close();
    this.listener = null;
    await this.loop;
    await Promise.all([...this.connections].map((c) => c.shutdown()));
  }

  private async run(): Promise<void> {
    let pause: number = PAUSE_MS[0];
    while (!this.stopping.signal.aborted) {
      const listener = this.listener ?? this.listenAgain();
      const conn = listener === null ? null : await this.accept(listener);
      if (conn === null) {
        // Out of descriptors (or a failed accept): wait a little longer each time.
        await delay(pause, undefined, { signal: this.stopping.signal }).catch(() => {});
        pause = Math.min(pause * 2, PAUSE_MS[1]);
        continue;
      }
      pause = PAUSE_MS[0];
      const connection = this.serve(conn);
      this.connections.add(connection);
      connection.closed.then(() => this.connections.delete(connection));
    }
  }

  /** The next connection; null when the accept failed (the listener is closed when out of fds). */
  private async accept(listener: Deno.Listener): Promise<Deno.Conn | null> {
    try {
      return await listener.accept();
    } catch (err) {
      if (this.stopping.signal.aborted) return null;
      if (isOutOfDescriptors(err)) {
        listener.close();
        this.listener = null;
        if (performance.now() - this.reportedAt > 10_000) {
          this.reportedAt = performance.now();
          console.error(
            `out of file descriptors with ${this.connections.size} connections open: new ` +
              "connections are refused until descriptors are free again",
          );
        }
      }
      return null;
    }
  }

  private listenAgain(): Deno.Listener | null {
    try {
      return this.listener = Deno.listen({ hostname: this.options.hostname, port: this.addr.port });
    } catch {
      // Still no descriptor (or, rarely, another process took the port): the loop tries again.
      return null;
    }
  }
}
