/** Every Deno KV key the service writes, in one place so the layout can be read at a glance. */
export const keys = {
  run: (runId: string) => ["run", runId] as const,
  /** All runs by submission order (newest last). */
  byOrder: (order: number) => ["by_order", order] as const,
  byOrderPrefix: () => ["by_order"] as const,
  byModule: (moduleId: string, order: number) => ["by_module", moduleId, order] as const,
  byModulePrefix: (moduleId: string) => ["by_module", moduleId] as const,
  /** Runs by status in submission order; `queued` is the durable FIFO queue. */
  byStatus: (status: string, order: number) => ["by_status", status, order] as const,
  byStatusPrefix: (status: string) => ["by_status", status] as const,
  byModuleStatus: (moduleId: string, status: string, order: number) =>
    ["by_module_status", moduleId, status, order] as const,
  byModuleStatusPrefix: (moduleId: string, status: string) =>
    ["by_module_status", moduleId, status] as const,
  /** Finished runs by completion time, for the retention sweep. */
  finished: (completedAt: number, runId: string) => ["finished", completedAt, runId] as const,
  finishedPrefix: () => ["finished"] as const,
  /** Runs by what submitted them (a run's trigger never changes). */
  byTrigger: (trigger: string, order: number) => ["by_trigger", trigger, order] as const,
  byTriggerPrefix: (trigger: string) => ["by_trigger", trigger] as const,
  countTrigger: (trigger: string) => ["count", "trigger", trigger] as const,
  lastRun: (moduleId: string) => ["last_run", moduleId] as const,
  countAll: () => ["count", "all"] as const,
  countStatus: (status: string) => ["count", "status", status] as const,
  countModule: (moduleId: string) => ["count", "module", moduleId] as const,
  countModuleStatus: (moduleId: string, status: string) =>
    ["count", "module_status", moduleId, status] as const,
  /** Log chunk part: a chunk starts at `firstSeq`, split into parts of at most 64 KiB. */
  logPart: (runId: string, firstSeq: number, part: number) =>
    ["log", runId, firstSeq, part] as const,
  logPrefix: (runId: string) => ["log", runId] as const,
  logUpTo: (runId: string, seq: number) => ["log", runId, seq] as const,
  preset: (moduleId: string) => ["preset", moduleId] as const,
  /** The store's random id, which each data dir using it remembers (kv/identity.ts). */
  storeIdentity: () => ["store_identity"] as const,
  /** Written at each start: a server on a full disk stops there (kv/storage_full.ts). */
  writeCheck: () => ["write_check"] as const,
  schedule: (scheduleId: string) => ["schedule", scheduleId] as const,
  schedulePrefix: () => ["schedule"] as const,
  /** Counts every change of a schedule's definition: a timer reads all again only when it moved. */
  scheduleVersion: () => ["schedule_version"] as const,
  /** Set once the retry of a run was submitted: queue messages may come twice. */
  retried: (runId: string) => ["retried", runId] as const,
  /** A run's `::result` JSON text, in parts of at most 63 KiB. */
  resultPart: (runId: string, part: number) => ["result", runId, part] as const,
  resultPrefix: (runId: string) => ["result", runId] as const,
  /**
   * A run's `input`, in parts of at most 63 KiB, written before the run record that points at
   * it (so they are seen together: nothing reads them unless the record says there is an input).
   */
  inputPart: (runId: string, part: number) => ["input", runId, part] as const,
  inputPrefix: (runId: string) => ["input", runId] as const,
  /**
   * When a submission began writing a run's input parts (epoch ms), set with the first parts
   * and deleted once its record is stored: parts whose submission crashed in between are found
   * and swept by it (runs/input_orphans.ts).
   */
  inputPending: (runId: string) => ["input_pending", runId] as const,
  inputPendingPrefix: () => ["input_pending"] as const,
  /** A schedule's `input`, as a run's, under one version of the schedule's. */
  scheduleInputPart: (scheduleId: string, version: string, part: number) =>
    ["schedule_input", scheduleId, version, part] as const,
  scheduleInputPrefix: (scheduleId: string) => ["schedule_input", scheduleId] as const,
  /** A server sharing the store: its heartbeat (hosts/registry.ts). */
  host: (hostId: string) => ["host", hostId] as const,
  hostPrefix: () => ["host"] as const,
  /** A cancel asked through another server, for the server running the run. */
  cancelRequest: (hostId: string, runId: string) => ["cancel_request", hostId, runId] as const,
  cancelRequestPrefix: (hostId: string) => ["cancel_request", hostId] as const,
  /** Slots of a pool held by running runs, across servers (pools/holds.ts). */
  poolInUse: (pool: string) => ["count", "pool", pool] as const,
  /** A service's desired state (supervision/). */
  service: (moduleId: string) => ["service", moduleId] as const,
  /** One replica of a service: its run, planned restart and restarts (supervision/). */
  serviceReplica: (moduleId: string, replica: number) =>
    ["service_replica", moduleId, replica] as const,
  /** A running run holding slots of a pool: the value is how many. */
  poolHolder: (pool: string, runId: string) => ["pool_holder", pool, runId] as const,
  poolHolderPrefix: (pool: string) => ["pool_holder", pool] as const,
  /** Work done once across servers: claimed per item or per period (hosts/once.ts). */
  once: (...parts: (string | number)[]) => ["once", ...parts] as const,
};

/** Adds `delta` (may be negative) to a KvU64 counter inside an atomic operation. */
export function addToCounter(op: Deno.AtomicOperation, key: Deno.KvKey, delta: number): void {
  // KvU64 sums wrap around at 2^64, so adding 2^64 - n subtracts n.
  const value = delta >= 0 ? BigInt(delta) : (1n << 64n) + BigInt(delta);
  op.sum(key, value);
}

/** Reads a counter written by addToCounter. */
export function counterValue(entry: Deno.KvEntryMaybe<unknown>): number {
  const v = entry.value;
  return v instanceof Deno.KvU64 ? Number(BigInt.asIntN(64, v.value)) : 0;
}

/** Reads many keys in batches of 10 (Deno KV's limit per getMany). */
export async function getAll<T>(kv: Deno.Kv, list: Deno.KvKey[]): Promise<Deno.KvEntryMaybe<T>[]> {
  const batches: Promise<Deno.KvEntryMaybe<T>[]>[] = [];
  for (let i = 0; i < list.length; i += 10) batches.push(kv.getMany<T[]>(list.slice(i, i + 10)));
  return (await Promise.all(batches)).flat();
}
