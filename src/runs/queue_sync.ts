import { counterValue, getAll, keys } from "../kv/keys.ts";
import type { Admission, QueuedRun } from "./admission.ts";
import type { RunStore } from "./store.ts";

/**
 * Keeps this server's mirror of the queue in line with the stored queue, which other servers
 * sharing the store add to and take from. KV queues and watches do not reach other processes
 * reliably (nor KV Connect at all), so this is a poll: while something is queued, a scan of the
 * queue index, then a kick of the pump when this server has a slot free; while nothing is, one
 * counter read. Each look also reads the pools' in-use counters and the running counters of the
 * queued runs' limited modules, which `waiting_for` and the order among pool runs go by.
 */
export class QueueSync {
  constructor(
    private readonly deps: {
      kv: Deno.Kv;
      store: Pick<RunStore, "getMany">;
      admission: Admission;
      /** Asks the pump to look at the queue. */
      kick: () => void;
      /** A module's `max_concurrent_runs` (Infinity for none). */
      moduleLimit?: (moduleId: string) => number;
    },
  ) {}

  /** One look at the stored queue. */
  async poll(): Promise<void> {
    const { kv, admission, kick } = this.deps;
    const queued = counterValue(await kv.get(keys.countStatus("queued")));
    if (queued === 0 && admission.queuedCount === 0) {
      // Idle: only the pools' counters, so the next submission sees slots others hold.
      if (admission.pools.names.length > 0) await this.refreshCounts([]);
      return;
    }
    const mark = admission.scanStarts();
    admission.sync(await this.scan(), mark);
    const limit = this.deps.moduleLimit ?? (() => Infinity);
    await this.refreshCounts(
      [...new Set(admission.queuedModules())].filter((m) => Number.isFinite(limit(m))),
    );
    if (admission.hasFreeSlot()) kick();
  }

  /** Reads the pools' counters and these modules' running counters, in one go. */
  private async refreshCounts(modules: string[]): Promise<void> {
    const { kv, admission } = this.deps;
    const pools = admission.pools.names;
    if (pools.length + modules.length === 0) return;
    const entries = await getAll(kv, [
      ...pools.map((p) => keys.poolInUse(p)),
      ...modules.map((m) => keys.countModuleStatus(m, "running")),
    ]);
    admission.refreshCounts(
      new Map(pools.map((p, i) => [p, counterValue(entries[i])])),
      new Map(modules.map((m, i) => [m, counterValue(entries[pools.length + i])])),
    );
  }

  /** Every stored queued run in submission order; module ids read once per newly seen run. */
  private async scan(): Promise<QueuedRun[]> {
    const { kv, store, admission } = this.deps;
    const ids: { runId: string; order: number }[] = [];
    for await (const entry of kv.list<string>({ prefix: keys.byStatusPrefix("queued") })) {
      ids.push({ runId: entry.value, order: entry.key[2] as number });
    }
    const unknown = ids.filter((r) => admission.moduleOf(r.runId) === undefined);
    const records = unknown.length === 0
      ? new Map()
      : await store.getMany(unknown.map((r) => r.runId));
    return ids.flatMap(({ runId, order }) => {
      const moduleId = admission.moduleOf(runId) ?? records.get(runId)?.module_id;
      return moduleId === undefined ? [] : [{ runId, moduleId, order }];
    });
  }
}
