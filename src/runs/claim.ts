import { counterValue, keys } from "../kv/keys.ts";
import { poolCounterKeys, poolCounters, type PoolFull } from "../pools/holds.ts";
import { type PoolUse, slotsByPool } from "../pools/schema.ts";
import { type RunRecord, runRecordSchema } from "./model.ts";
import { statusWrite } from "./status_write.ts";
import type { RunChanges } from "./store_types.ts";

/** The limits a run's start is checked against, across every server sharing the store. */
export interface StartLimits {
  moduleId: string;
  /** The module's `max_concurrent_runs` (Infinity for none). */
  max: number;
  /** The pools the run holds slots of, in `uses` order. */
  uses?: readonly PoolUse[];
  /** A pool's slots. */
  capacity?: (pool: string) => number;
}

/** Why a run may not start: its module has no slot left ("full") or a pool has too few. */
export type StartRefusal = "full" | PoolFull;

/** The counters a start is checked against, read in one go, and whether they leave room. */
export interface StartCounters {
  /** The entries to check in the write that starts the run. */
  checks: Deno.KvEntryMaybe<unknown>[];
  refusal: StartRefusal | null;
}

/** Reads the module's running counter and the pools' in-use counters (at most 5 keys). */
export async function readStartCounters(
  kv: Deno.Kv,
  limits: StartLimits,
  first: Deno.KvKey[] = [],
): Promise<{ firsts: Deno.KvEntryMaybe<unknown>[]; counters: StartCounters }> {
  const uses = limits.uses ?? [];
  const limited = Number.isFinite(limits.max);
  const moduleKey = keys.countModuleStatus(limits.moduleId, "running");
  const all = await kv.getMany([...first, moduleKey, ...poolCounterKeys(uses)]);
  const firsts = all.slice(0, first.length);
  const moduleEntry = all[first.length];
  const poolEntries = all.slice(first.length + 1);
  const pools = poolCounters(poolEntries, uses, limits.capacity ?? (() => Infinity));
  const refusal = limited && counterValue(moduleEntry) >= limits.max ? "full" : pools.full;
  const checks = [...(limited ? [moduleEntry] : []), ...poolEntries];
  return { firsts, counters: { checks, refusal } };
}

/**
 * Claims a queued run for a server: moves it to running with `changes` (and the pool slots it
 * takes) unless the run is no longer queued ("gone") or a limit has no room. The module's running
 * counter and the pools' counters are checked in the same atomic write, so two servers can never
 * both take the last slot.
 */
export async function claimRun(
  kv: Deno.Kv,
  runId: string,
  changes: RunChanges,
  limits: StartLimits,
): Promise<RunRecord | "gone" | StartRefusal> {
  const poolSlots = slotsByPool(limits.uses ?? []);
  for (;;) {
    const { firsts: [entry], counters } = await readStartCounters(kv, limits, [keys.run(runId)]);
    if (entry.value === null) return "gone";
    const current = runRecordSchema.parse(entry.value);
    if (current.status !== "queued") return "gone";
    if (counters.refusal !== null) return counters.refusal;
    const { op, next } = statusWrite(kv, entry, current, "running", {
      ...changes,
      pool_slots: poolSlots,
    });
    for (const check of counters.checks) op.check(check);
    if ((await op.commit()).ok) return next;
  }
}
