import type { PoolUse } from "./schema.ts";

/** What a queued run's `waiting_for` is worded from. */
export interface WaitFacts {
  /** This server may run it (it carries the module's labels). */
  runsHere: boolean;
  global: { running: number; limit: number };
  /** The module's running runs across servers and its limit (Infinity for none). */
  module: { running: number; limit: number; full: boolean };
  /** The pools it uses, in `uses` order, each with its slots, use, and whether it is short. */
  pools: { use: PoolUse; slots: number; inUse: number; short: boolean }[];
  /** Its `host_labels`, and whether a live server carries them all. */
  labels: { wanted: readonly string[]; carried: boolean };
  awaitsBuild: boolean;
}

/**
 * The contract's `waiting_for`: the first that holds of the global limit, the module limit, a
 * pool (in `uses` order), a host label and an environment build; null when none holds (the run
 * is next in line).
 */
export function describeWait(f: WaitFacts): string | null {
  if (f.runsHere && f.global.running >= f.global.limit) {
    return `global limit: ${f.global.running} of ${f.global.limit} running`;
  }
  if (Number.isFinite(f.module.limit) && (f.module.full || f.module.running >= f.module.limit)) {
    const running = Math.max(f.module.running, f.module.full ? f.module.limit : 0);
    return `module limit: ${running} of ${f.module.limit} running`;
  }
  const pool = f.pools.find((p) => p.short);
  if (pool !== undefined) {
    return `pool ${pool.use.pool}: ${pool.inUse} of ${pool.slots} slots in use`;
  }
  if (!f.labels.carried) return `a host labelled ${f.labels.wanted.join(" and ")}`;
  if (f.awaitsBuild) return "environment build";
  return null;
}
