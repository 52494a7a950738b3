import type { PoolUse } from "./schema.ts";

/**
 * What a module's runs need besides the global and module limits, as the admission asks it:
 * pool slots, host labels, and (a hook for per-module environments) a finished build.
 */
export interface RunNeeds {
  /** The pools a run of the module holds slots of, in `uses` order. */
  uses(moduleId: string): readonly PoolUse[];
  /** The module's `host_labels`. */
  labels(moduleId: string): readonly string[];
  /** True when this server carries every label the module asks for. */
  runsHere(moduleId: string): boolean;
  /** True when some live server sharing the store carries every label the module asks for. */
  liveHostCarries(moduleId: string): boolean;
  /** True while the module's environment is being built (runs then wait, holding no slot). */
  awaitsBuild(moduleId: string): boolean;
}

/** A runner without pools, labels or environments. */
export const NO_NEEDS: RunNeeds = {
  uses: () => [],
  labels: () => [],
  runsHere: () => true,
  liveHostCarries: () => true,
  awaitsBuild: () => false,
};

/** True when `carried` holds every label of `wanted`. */
export function carriesAll(carried: readonly string[], wanted: readonly string[]): boolean {
  return wanted.every((label) => carried.includes(label));
}
