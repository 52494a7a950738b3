import { WARNING } from "../logs/writer.ts";
import {
  canSignalDirectly,
  processGroupAlive,
  runStopAction,
  stopAction,
} from "../process/tree_kill.ts";
import type { RunRecord } from "./model.ts";
import { moveRun, type RunParts } from "./parts.ts";
import { finalOutcome } from "./transitions.ts";

/**
 * Marks a run that a server left `running` as failed, with a last system line: its own run after
 * a crash ("the server stopped during this run"; what is left of its process group is killed),
 * or, given `lostHost`, a run of another server whose heartbeat stopped (its processes are on
 * that server, out of reach; the run may be retried).
 */
export async function recoverLostRun(
  parts: Pick<RunParts, "store" | "events" | "logs" | "artifacts" | "retries" | "finalHooks">,
  record: RunRecord,
  lostHost?: { hostId: string; seconds: number },
): Promise<void> {
  const { logs, artifacts } = parts;
  const pid = record.pid;
  if (lostHost === undefined && pid !== null && processGroupAlive(pid)) {
    const useKillCommand = Deno.build.os !== "windows" && !canSignalDirectly();
    await runStopAction(stopAction(Deno.build.os, pid, "kill", useKillCommand));
  }
  const lastSeq = await logs.lastSeq(record.run_id);
  const ending = lostHost === undefined
    ? { kind: "server_lost" as const }
    : { kind: "host_lost" as const, ...lostHost };
  const outcome = finalOutcome(ending);
  const line = {
    seq: lastSeq + 1,
    stream: "system" as const,
    ts: Date.now(),
    level: WARNING,
    bytes: new TextEncoder().encode(outcome.error_message!),
  };
  const final = await moveRun(parts, record.run_id, {
    to: outcome.status,
    // Only a run still running: another server may have recorded its end meanwhile.
    from: "running",
    changes: {
      completed_at: Date.now(),
      error_message: outcome.error_message,
      log_lines: line.seq,
      // Another server's folder is not on this one's disk.
      artifacts: lostHost === undefined ? await artifacts.count(record.run_id) : null,
    },
    prepare: parts.retries.plan(ending),
  });
  // The line is written only by the server whose move landed, so it is written once.
  if (final === null) return;
  // A chunk the crash left half-written at that seq would otherwise mix with this line's.
  await logs.deleteChunk(record.run_id, line.seq);
  await logs.writeChunk(record.run_id, [line]);
}
