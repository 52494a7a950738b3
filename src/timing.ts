/**
 * Waits until `work` settles (fulfilled or rejected) or `ms` pass, whichever comes first; true
 * when it settled in time. The one timeout race of the code base: the timer is always cleared,
 * so a wait that ended early leaves no timer behind (it would hold the process, and the tests'
 * op sanitizer, until it fired).
 */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
  try {
    return await Promise.race([work.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Calls `fn` at most once per `ms`: the first call runs at once, later ones within the window
 * are folded into one trailing call with the latest value, so the last state always goes out.
 */
export class Throttle<T> {
  private last = -Infinity;
  private pending: { value: T } | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly fn: (value: T) => void, private readonly ms: number) {}

  /** Offers the newest value. */
  push(value: T): void {
    const now = performance.now();
    if (this.timer === null && now - this.last >= this.ms) {
      this.last = now;
      this.fn(value);
      return;
    }
    this.pending = { value };
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.ms - (now - this.last)));
  }

  /** Sends a waiting value now (at the end of a run) and stops the timer. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const pending = this.pending;
    this.pending = null;
    if (pending !== null) {
      this.last = performance.now();
      this.fn(pending.value);
    }
  }
}

/**
 * Runs `work` every `everyMs` (a number, or asked before each tick) until stopped, never two at
 * once: the next tick is counted from the end of the previous one. A failing tick is logged and
 * the ticks go on.
 */
export class Ticker {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private current: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly everyMs: number | (() => number),
    private readonly work: () => Promise<void>,
  ) {}

  /** Starts ticking (the first tick after `everyMs`). */
  start(): void {
    if (this.stopped || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.current = this.work().catch((err) => console.error(`${this.name} failed:`, err))
        .finally(() => {
          this.timer = null;
          this.start();
        });
    }, typeof this.everyMs === "number" ? this.everyMs : this.everyMs());
  }

  /** Stops ticking and waits for a tick under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.current;
  }
}
