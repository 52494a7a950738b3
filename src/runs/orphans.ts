import type { HostState } from "../hosts/model.ts";
import type { RunParts } from "./parts.ts";
import { recoverLostRun } from "./recovery.ts";

export type { HostState };

/**
 * Fails the runs that servers which are not alive left running, each retried where its module
 * has retries left. The runs are read before the servers' states, so a run's server had joined
 * by then; a run started within the timeout is left for a later look. Safe to race: each move
 * is checked, and only the server whose move lands writes the closing line.
 */
export async function failOrphanedRuns(
  parts: Pick<
    RunParts,
    "store" | "events" | "logs" | "artifacts" | "retries" | "finalHooks" | "hostId"
  >,
  hosts: { states: () => Promise<Map<string, HostState>>; timeoutMs: number },
): Promise<void> {
  const me = parts.hostId();
  const theirs = (await parts.store.allWithStatus("running")).filter((r) =>
    r.host_id !== null && r.host_id !== me
  );
  if (theirs.length === 0) return;
  const states = await hosts.states();
  const now = Date.now();
  for (const record of theirs) {
    const host = states.get(record.host_id!);
    if (host?.alive || now - (record.started_at ?? now) < hosts.timeoutMs) continue;
    const seconds = Math.round((host?.silentMs ?? hosts.timeoutMs) / 1000);
    await recoverLostRun(parts, record, { hostId: record.host_id!, seconds });
  }
}
