import type { PoolUse } from "./schema.ts";

/** One pool as this server sees it now. */
export interface PoolLevel {
  name: string;
  slots: number;
  inUse: number;
}

/**
 * This server's picture of each pool's slots in use across every server: its own takes and
 * give-backs at once, the others' through the queue poll, which reads the stored counters
 * (queue_sync.ts), and a refused claim, which says what it found. Only a picture: it orders the
 * queue and words `waiting_for`; the checked write that starts a run has the last word.
 */
export class PoolGauge {
  private readonly inUse = new Map<string, number>();

  constructor(private readonly capacity: Readonly<Record<string, number>> = {}) {}

  /** The declared pools' names, in the module file's order. */
  get names(): string[] {
    return Object.keys(this.capacity);
  }

  /** A pool's slots; a pool no longer declared (a run from an older module file) has none free. */
  slots(pool: string): number {
    return Object.hasOwn(this.capacity, pool) ? this.capacity[pool] : 0;
  }

  /** Slots of the pool in use as last seen. */
  used(pool: string): number {
    return this.inUse.get(pool) ?? 0;
  }

  /** True when the pool has room for this use now. */
  fits(use: PoolUse): boolean {
    return this.used(use.pool) + use.slots <= this.slots(use.pool);
  }

  /** A run started here took these slots. */
  take(uses: readonly PoolUse[]): void {
    for (const u of uses) this.inUse.set(u.pool, this.used(u.pool) + u.slots);
  }

  /** A run of this server gave these slots back. */
  give(uses: readonly PoolUse[]): void {
    for (const u of uses) this.inUse.set(u.pool, Math.max(0, this.used(u.pool) - u.slots));
  }

  /** The stored counter of a pool, as just read. */
  set(pool: string, inUse: number): void {
    this.inUse.set(pool, Math.max(0, inUse));
  }

  /** Every declared pool with its slots in use. */
  levels(): PoolLevel[] {
    return this.names.map((name) => ({ name, slots: this.slots(name), inUse: this.used(name) }));
  }
}
