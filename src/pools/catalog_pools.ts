import { ConfigError } from "../errors.ts";
import { normalizeUses, poolsSchema, type PoolUse, type usesSchema } from "./schema.ts";
import { poolUseProblem } from "./validate.ts";
import type { z } from "zod";

/** The module file's `pools`, checked; throws ConfigError naming the pool at fault. */
export function parsePools(raw: unknown, where: string): Record<string, number> {
  if (raw === undefined) return {};
  const parsed = poolsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = issue.path.length > 0 ? `pool "${String(issue.path[0])}"` : "pools";
  throw new ConfigError(`${where}: field pools, ${name}: ${issue.message}`);
}

/**
 * A module's pool uses in the order written, checked against the declared pools; throws a
 * ConfigError naming the module and pool.
 */
export function moduleUses(
  uses: z.infer<typeof usesSchema> | undefined,
  pools: Readonly<Record<string, number>>,
  context: { where: string; label: string },
): PoolUse[] {
  const list = normalizeUses(uses);
  const problem = poolUseProblem(list, pools);
  if (problem !== null) {
    throw new ConfigError(
      `${context.where}: ${context.label}, field ${problem.field}: ${problem.message}`,
    );
  }
  return list;
}
