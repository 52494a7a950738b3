import { addToCounter, counterValue, keys } from "../kv/keys.ts";
import type { PoolUse } from "./schema.ts";

/**
 * Adds the taking (`sign` 1) or giving back (-1) of a run's pool slots to an atomic write: each
 * pool's in-use counter and the index of the runs holding it. Made in the same write as the
 * run's move into or out of `running` (runs/store.ts), so slots are never leaked nor doubled.
 */
export function holdPoolSlots(
  op: Deno.AtomicOperation,
  runId: string,
  slots: Readonly<Record<string, number>>,
  sign: 1 | -1,
): void {
  for (const [pool, n] of Object.entries(slots)) {
    addToCounter(op, keys.poolInUse(pool), sign * n);
    if (sign > 0) op.set(keys.poolHolder(pool, runId), n);
    else op.delete(keys.poolHolder(pool, runId));
  }
}

/** A pool with too few free slots for a run, as a checked read found it. */
export interface PoolFull {
  pool: string;
  inUse: number;
}

/** The in-use counters of the pools a run needs, read to be checked in the write that starts it. */
export interface PoolCounters {
  entries: Deno.KvEntryMaybe<unknown>[];
  /** The first pool (in `uses` order) without room for the run; null when every one has room. */
  full: PoolFull | null;
}

/** Reads the counters of these pools and says whether the run fits (slots by pool name). */
export function poolCounters(
  entries: Deno.KvEntryMaybe<unknown>[],
  uses: readonly PoolUse[],
  capacity: (pool: string) => number,
): PoolCounters {
  let full: PoolFull | null = null;
  uses.forEach((use, i) => {
    const inUse = counterValue(entries[i]);
    if (full === null && inUse + use.slots > capacity(use.pool)) full = { pool: use.pool, inUse };
  });
  return { entries, full };
}

/** The keys of these pools' in-use counters, in `uses` order. */
export function poolCounterKeys(uses: readonly PoolUse[]): Deno.KvKey[] {
  return uses.map((u) => keys.poolInUse(u.pool));
}
