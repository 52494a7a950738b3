import { z } from "zod";
import { counterValue, getAll, keys } from "../kv/keys.ts";
import type { ModuleCatalog } from "../modules/catalog.ts";
import type { PoolStatus } from "./levels.ts";

/** The contract's pool entry of `GET /api/pools`. */
export const poolViewSchema = z.object({
  name: z.string(),
  slots: z.number().int(),
  in_use: z.number().int(),
  queued: z.number().int(),
  /** Ids of the runs holding slots of the pool now, across every server. */
  runs: z.array(z.string()),
});
export type PoolView = z.infer<typeof poolViewSchema>;

/** The resource pools as callers see them, read from the store (slots held across servers). */
export class PoolService {
  constructor(
    private readonly deps: {
      kv: Deno.Kv;
      catalog: ModuleCatalog;
      /** This server's picture of each pool, for its queued runs. */
      levels: () => PoolStatus[];
    },
  ) {}

  /** Every declared pool, in the module file's order. */
  async list(): Promise<PoolView[]> {
    const { kv, catalog } = this.deps;
    const names = Object.keys(catalog.pools);
    const counters = await getAll(kv, names.map((n) => keys.poolInUse(n)));
    const queued = new Map(this.deps.levels().map((l) => [l.name, l.queued]));
    return await Promise.all(names.map(async (name, i) => {
      const runs = await Array.fromAsync(
        kv.list({ prefix: keys.poolHolderPrefix(name) }),
        (entry) => String(entry.key[2]),
      );
      return {
        name,
        slots: catalog.pools[name],
        in_use: Math.max(0, counterValue(counters[i])),
        queued: queued.get(name) ?? 0,
        runs,
      };
    }));
  }
}
