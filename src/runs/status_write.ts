import { addToCounter, keys } from "../kv/keys.ts";
import { dropSecrets } from "../modules/secrets.ts";
import { holdPoolSlots } from "../pools/holds.ts";
import { isFinal, type RunRecord, type RunStatus } from "./model.ts";
import type { RunChanges } from "./store_types.ts";

/**
 * The atomic write of a status move, checked against the entry it was read from: the record,
 * its status indexes and counters and, on the way into or out of `running`, its pool slots (taken
 * by the write that starts the run, given back by the one that ends it, whoever writes it).
 */
export function statusWrite(
  kv: Deno.Kv,
  entry: Deno.KvEntryMaybe<unknown>,
  current: RunRecord,
  to: RunStatus,
  changes: RunChanges,
): { op: Deno.AtomicOperation; next: RunRecord } {
  const runId = current.run_id;
  const next: RunRecord = { ...current, ...changes, status: to };
  // The one place secrets leave storage: a final run never needs its password values again.
  if (isFinal(to)) next.parameters = dropSecrets(next.parameters, next.secret_parameters);
  const { module_id: moduleId, order } = current;
  const op = kv.atomic()
    .check(entry)
    .set(keys.run(runId), next)
    .delete(keys.byStatus(current.status, order))
    .delete(keys.byModuleStatus(moduleId, current.status, order))
    .set(keys.byStatus(to, order), runId)
    .set(keys.byModuleStatus(moduleId, to, order), runId);
  addToCounter(op, keys.countStatus(current.status), -1);
  addToCounter(op, keys.countStatus(to), 1);
  addToCounter(op, keys.countModuleStatus(moduleId, current.status), -1);
  addToCounter(op, keys.countModuleStatus(moduleId, to), 1);
  if (current.status === "running" && to !== "running") {
    holdPoolSlots(op, runId, current.pool_slots, -1);
  }
  if (to === "running" && current.status !== "running") {
    holdPoolSlots(op, runId, next.pool_slots, 1);
  }
  if (isFinal(to)) op.set(keys.finished(next.completed_at ?? Date.now(), runId), runId);
  return { op, next };
}
