import type { ServiceDef } from "../modules/schema.ts";
import type { RunRecord } from "../runs/mod.ts";
import type { ReplicaState } from "./model.ts";

/** A replica up this long has its restart delay back at the start. */
export const STEADY_MS = 60_000;

/** The contract's longest restart delay. */
export const MAX_DELAY_SECONDS = 300;

/**
 * True for a run ended by its server rather than by itself (a shutdown, a crash found at the
 * next start, a host found dead): its replica starts again whatever `restart` says.
 */
export function endedByServer(record: RunRecord): boolean {
  const why = record.error_message ?? "";
  return why === "the server shut down during this run" ||
    why === "the server stopped during this run" ||
    /^the host ".*" stopped during this run/.test(why);
}

/** True when `restart` lets a replica whose run ended this way start again. */
function restarts(def: ServiceDef, record: RunRecord): boolean {
  if (endedByServer(record)) return true;
  if (def.restart === "never") return false;
  if (def.restart === "on-failure") return record.status !== "completed";
  return true;
}

/**
 * What follows a replica's final run: its next run planned after the delay (which doubles while
 * restarts follow each other, up to `capSeconds`, and is back at the start after a run stayed
 * up STEADY_MS), or the replica ended. A run ended by its server starts again at once.
 */
export function afterRunEnded(
  replica: ReplicaState,
  record: RunRecord,
  options: { def: ServiceDef; capSeconds: number; now: number },
): ReplicaState {
  const { def, capSeconds, now } = options;
  const completedAt = record.completed_at ?? now;
  const last_exit = {
    run_id: record.run_id,
    exit_code: record.exit_code,
    completed_at: completedAt,
  };
  if (!restarts(def, record)) return { ...replica, ended: true, last_exit };
  const base = def.restart_delay_seconds * 1000;
  const uptime = completedAt - (record.started_at ?? completedAt);
  let delay = replica.delay_ms === null || uptime >= STEADY_MS
    ? base
    : Math.min(Math.max(replica.delay_ms * 2, base), capSeconds * 1000);
  if (endedByServer(record)) delay = 0;
  return {
    ...replica,
    run_number: replica.run_number + 1,
    restarts: replica.restarts + 1,
    delay_ms: endedByServer(record) ? replica.delay_ms : delay,
    next_start_at: Math.max(completedAt + delay, endedByServer(record) ? now : 0),
    last_exit,
  };
}
