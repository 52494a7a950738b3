import { counterValue, keys } from "../kv/keys.ts";
import type { Admission, QueuedRun } from "./admission.ts";
import type { RunStore } from "./store.ts";

/**
 * Keeps this server's mirror of the queue in line with the stored queue, which other servers
 * sharing the store add to and take from. KV queues and watches do not reach other processes
 * reliably (nor KV Connect at all), so this is a poll: while something is queued, a scan of the
 * queue index, then a kick of the pump when this server has a slot free; while nothing is, one
 * counter read.
 */
export class QueueSync {
  constructor(
    private readonly deps: {
      kv: Deno.Kv;
      store: Pick<RunStore, "getMany">;
      admission: Admission;
      /** Asks the pump to look at the queue. */
      kick: () => void;
    },
  ) {}

  /** One look at the stored queue. */
  async poll(): Promise<void> {
    const { kv, admission, kick } = this.deps;
    const queued = counterValue(await kv.get(keys.countStatus("queued")));
    if (queued === 0 && admission.queuedCount === 0) return;
    const mark = admission.scanStarts();
    admission.sync(await this.scan(), mark);
    if (admission.hasFreeSlot()) kick();
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
