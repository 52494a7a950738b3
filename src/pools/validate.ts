import type { PoolUse } from "./schema.ts";
import { MAX_POOLS_PER_MODULE } from "./schema.ts";

/**
 * Why a module's pool uses do not fit the declared pools, naming the pool; null when they fit.
 * A pool that is not declared, a use of 0 or above the pool's slots, or more than 4 pools.
 */
export function poolUseProblem(
  uses: readonly PoolUse[],
  pools: Readonly<Record<string, number>>,
): { field: string; message: string } | null {
  if (uses.length > MAX_POOLS_PER_MODULE) {
    return {
      field: "uses",
      message: `uses ${uses.length} pools (${uses.map((u) => u.pool).join(", ")}); ` +
        `at most ${MAX_POOLS_PER_MODULE} are allowed`,
    };
  }
  for (const { pool, slots } of uses) {
    const size = Object.hasOwn(pools, pool) ? pools[pool] : undefined;
    if (size === undefined) {
      return { field: `uses.${pool}`, message: `pool "${pool}" is not declared in "pools"` };
    }
    if (slots < 1 || slots > size) {
      return {
        field: `uses.${pool}`,
        message: `uses ${slots} slots of pool "${pool}", which has ${size}; ` +
          `a use must be 1 to ${size}`,
      };
    }
  }
  return null;
}
