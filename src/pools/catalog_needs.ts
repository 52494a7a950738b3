import type { ModuleCatalog } from "../modules/catalog.ts";
import { carriesAll, type RunNeeds } from "./needs.ts";

/**
 * Where the admission learns what its runs' needs depend on: the labels this server and the live
 * servers carry, and (a hook for per-module environments) which environments are being built.
 */
export interface NeedSources {
  /** This server's `PRISMQ_HOST_LABELS`. */
  hostLabels: readonly string[];
  /** The labels of each live server sharing the store (this one's among them). */
  liveHostLabels: () => readonly (readonly string[])[];
}

/**
 * The needs of the catalog's modules: their `uses` and `host_labels`, and their environment's
 * build (while `builds` says one is under way, its runs wait).
 */
export function catalogNeeds(
  catalog: ModuleCatalog,
  labels: NeedSources = { hostLabels: [], liveHostLabels: () => [] },
  builds?: { awaitsBuild(moduleId: string): boolean },
): RunNeeds {
  const wanted = (moduleId: string) => catalog.get(moduleId)?.def.host_labels ?? [];
  return {
    uses: (moduleId) => catalog.get(moduleId)?.uses ?? [],
    labels: wanted,
    runsHere: (moduleId) => carriesAll(labels.hostLabels, wanted(moduleId)),
    liveHostCarries: (moduleId) => {
      const want = wanted(moduleId);
      return want.length === 0 ||
        labels.liveHostLabels().some((carried) => carriesAll(carried, want));
    },
    awaitsBuild: (moduleId) => builds?.awaitsBuild(moduleId) ?? false,
  };
}
