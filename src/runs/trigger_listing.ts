import type { RunRecord, RunTrigger } from "./model.ts";
import type { RunPage, RunPages, RunQuery } from "./store_types.ts";

/**
 * A trigger combined with a module or status filter: no index holds all three, so the module
 * or status index is read and filtered, and the total counts every match (O(matches of the
 * narrower filter), where the other listings are O(page)).
 */
export async function listByTrigger(
  store: Pick<RunPages, "list">,
  query: RunQuery,
  trigger: RunTrigger,
): Promise<RunPage> {
  const { before, offset = 0, limit } = query;
  const unfiltered = { ...query, trigger: undefined, before: undefined, offset: 0 };
  const runs: RunRecord[] = [];
  let total = 0;
  let seen = 0;
  let cursor: number | undefined;
  for (;;) {
    const page = await store.list({ ...unfiltered, limit: 100, before: cursor });
    for (const run of page.runs) {
      if (run.trigger !== trigger) continue;
      total++;
      if (before !== undefined && run.order >= before) continue;
      if (seen++ >= offset && runs.length <= limit) runs.push(run);
    }
    if (!page.hasMore || page.runs.length === 0) break;
    cursor = page.runs[page.runs.length - 1].order;
  }
  return { runs: runs.slice(0, limit), total, hasMore: runs.length > limit };
}
