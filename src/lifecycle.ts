import { settlesWithin } from "./timing.ts";

/** Lets long-lived work (streams) learn of shutdown, and lets shutdown wait for it. */
export class Lifecycle {
  private readonly controller = new AbortController();
  private readonly work = new Set<Promise<unknown>>();

  /** Aborted when the server shuts down. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Shutdown waits (a bounded time) for this to settle before KV closes. */
  track(promise: Promise<unknown>): void {
    this.work.add(promise);
    promise.finally(() => this.work.delete(promise));
  }

  /** Aborts the signal and waits up to `ms` for tracked work. */
  async end(ms: number): Promise<void> {
    this.controller.abort();
    await settlesWithin(Promise.allSettled([...this.work]), ms);
  }
}
