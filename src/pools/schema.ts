import { z } from "zod";

/** Most pools one module may use: admission stays one atomic write within KV Connect's 10 checks. */
export const MAX_POOLS_PER_MODULE = 4;

/** Most slots a pool may have. */
export const MAX_POOL_SLOTS = 1000;

/** What a pool name or host label may be: it is part of KV keys, metric labels and sentences. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const NAME_RULE =
  "must be 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit";

/** A pool's or label's name. */
export const poolNameSchema = z.string().regex(NAME, NAME_RULE);

/** The module file's top-level `pools`: name -> slots. */
export const poolsSchema = z.record(
  poolNameSchema,
  z.number().int("must be a whole number").min(1).max(MAX_POOL_SLOTS),
);

/**
 * A module's `uses`: an array of pool names (one slot each) or an object name -> slots. Only the
 * shape is checked here; which pools exist and how large they are is checked against `pools`
 * (pools/validate.ts), so the refusal can name the pool.
 */
export const usesSchema = z.union([
  z.array(poolNameSchema),
  z.record(poolNameSchema, z.number().int("must be a whole number")),
]);

/** A module's `host_labels`: its runs start only on a server carrying every one of them. */
export const hostLabelsSchema = z.array(poolNameSchema);

/** One pool a module uses and how many of its slots a run takes. */
export interface PoolUse {
  pool: string;
  slots: number;
}

/** A module's `uses` as a list in the order written (the order `waiting_for` looks at them). */
export function normalizeUses(uses: z.infer<typeof usesSchema> | undefined): PoolUse[] {
  if (uses === undefined) return [];
  if (Array.isArray(uses)) {
    const counts = new Map<string, number>();
    for (const pool of uses) counts.set(pool, (counts.get(pool) ?? 0) + 1);
    return [...counts].map(([pool, slots]) => ({ pool, slots }));
  }
  return Object.entries(uses).map(([pool, slots]) => ({ pool, slots }));
}

/** The slots a run holds by pool, as stored with it. */
export function slotsByPool(uses: readonly PoolUse[]): Record<string, number> {
  return Object.fromEntries(uses.map((u) => [u.pool, u.slots]));
}
