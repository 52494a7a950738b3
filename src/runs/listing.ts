import { counterValue, keys } from "../kv/keys.ts";
import type { RunPage, RunPages, RunQuery } from "./store_types.ts";
import { listByTrigger } from "./trigger_listing.ts";

/**
 * One page of runs, newest first, and how many runs match the filters: the page's ids from the
 * narrowest index, the total from its counter, the records in batches.
 */
export async function listRuns(
  kv: Deno.Kv,
  store: RunPages,
  query: RunQuery,
): Promise<RunPage> {
  const { moduleId, status, trigger } = query;
  if (trigger !== undefined && (moduleId !== undefined || status !== undefined)) {
    return await listByTrigger(store, query, trigger);
  }
  const prefix = moduleId !== undefined && status !== undefined
    ? keys.byModuleStatusPrefix(moduleId, status)
    : moduleId !== undefined
    ? keys.byModulePrefix(moduleId)
    : status !== undefined
    ? keys.byStatusPrefix(status)
    : trigger !== undefined
    ? keys.byTriggerPrefix(trigger)
    : keys.byOrderPrefix();
  const countKey = moduleId !== undefined && status !== undefined
    ? keys.countModuleStatus(moduleId, status)
    : moduleId !== undefined
    ? keys.countModule(moduleId)
    : status !== undefined
    ? keys.countStatus(status)
    : trigger !== undefined
    ? keys.countTrigger(trigger)
    : keys.countAll();
  const selector: Deno.KvListSelector = query.before === undefined
    ? { prefix }
    : { prefix, end: [...prefix, query.before] };
  const ids: string[] = [];
  const listed = (async () => {
    const skip = query.offset ?? 0;
    const want = skip + query.limit + 1;
    const options = { reverse: true, limit: want, batchSize: Math.min(want, 500) };
    let seen = 0;
    for await (const entry of kv.list<string>(selector, options)) {
      if (seen++ >= skip) ids.push(entry.value);
    }
  })();
  const [count] = await Promise.all([kv.get(countKey), listed]);
  const hasMore = ids.length > query.limit;
  const pageIds = ids.slice(0, query.limit);
  const records = await store.getMany(pageIds);
  const runs = pageIds.flatMap((id) => records.get(id) ?? []);
  return { runs, total: counterValue(count), hasMore };
}

/** Per-module counts for the module view. */
export interface ModuleStats {
  total: number;
  completed: number;
  failed: number;
  cancelled: number;
  finished: number;
  lastRunAt: number | null;
}

/** Counts of one module's runs. */
export async function moduleStats(kv: Deno.Kv, moduleId: string): Promise<ModuleStats> {
  const [total, completed, failed, cancelled, last] = await kv.getMany([
    keys.countModule(moduleId),
    keys.countModuleStatus(moduleId, "completed"),
    keys.countModuleStatus(moduleId, "failed"),
    keys.countModuleStatus(moduleId, "cancelled"),
    keys.lastRun(moduleId),
  ]);
  const done = counterValue(completed);
  return {
    total: counterValue(total),
    completed: done,
    failed: counterValue(failed),
    cancelled: counterValue(cancelled),
    finished: done + counterValue(failed) + counterValue(cancelled),
    lastRunAt: typeof last.value === "number" ? last.value : null,
  };
}

/** Ids of finished runs completed before `cutoff` (epoch ms), oldest first. */
export async function finishedBefore(
  kv: Deno.Kv,
  cutoff: number,
  limit: number,
): Promise<{ runId: string; completedAt: number }[]> {
  const out: { runId: string; completedAt: number }[] = [];
  const selector = { prefix: keys.finishedPrefix(), end: [...keys.finishedPrefix(), cutoff] };
  for await (const entry of kv.list<string>(selector, { limit })) {
    out.push({ runId: entry.value, completedAt: entry.key[1] as number });
  }
  return out;
}

/** The highest submission order stored, or 0. */
export async function lastOrder(kv: Deno.Kv): Promise<number> {
  const options = { reverse: true, limit: 1 };
  for await (const entry of kv.list({ prefix: keys.byOrderPrefix() }, options)) {
    return entry.key[1] as number;
  }
  return 0;
}
