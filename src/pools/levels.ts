import type { PoolGauge, PoolLevel } from "./gauge.ts";
import type { PoolUse } from "./schema.ts";

/** A pool as GET /api/pools and the metrics show it: its slots, in use, and queued runs. */
export type PoolStatus = PoolLevel & { queued: number };

/** Every declared pool with its slots in use and how many queued runs need it. */
export function poolLevels(
  gauge: PoolGauge,
  queuedModules: readonly string[],
  usesOf: (moduleId: string) => readonly PoolUse[],
): PoolStatus[] {
  const queued = new Map<string, number>();
  for (const moduleId of queuedModules) {
    for (const u of usesOf(moduleId)) queued.set(u.pool, (queued.get(u.pool) ?? 0) + 1);
  }
  return gauge.levels().map((l) => ({ ...l, queued: queued.get(l.name) ?? 0 }));
}
