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
 * Marks a run that the previous server process left `running` as failed ("the server stopped
 * during this run"), with a last system line, and kills what is left of its process group.
 */
export async function recoverLostRun(
  parts: Pick<RunParts, "store" | "events" | "logs" | "artifacts" | "retries" | "webhooks">,
  record: RunRecord,
): Promise<void> {
  const { logs, artifacts } = parts;
  const pid = record.pid;
  if (pid !== null && processGroupAlive(pid)) {
    const useKillCommand = Deno.build.os !== "windows" && !canSignalDirectly();
    await runStopAction(stopAction(Deno.build.os, pid, "kill", useKillCommand));
  }
  const lastSeq = await logs.lastSeq(record.run_id);
  const ending = { kind: "server_lost" as const };
  const outcome = finalOutcome(ending);
  const line = {
    seq: lastSeq + 1,
    stream: "system" as const,
    ts: Date.now(),
    level: WARNING,
    bytes: new TextEncoder().encode(outcome.error_message!),
  };
  // A chunk the crash left half-written at that seq would otherwise mix with this line's.
  await logs.deleteChunk(record.run_id, line.seq);
  await logs.writeChunk(record.run_id, [line]);
  await moveRun(parts, record.run_id, {
    to: outcome.status,
    changes: {
      completed_at: Date.now(),
      error_message: outcome.error_message,
      log_lines: line.seq,
      artifacts: await artifacts.count(record.run_id),
    },
    prepare: parts.retries.plan(ending),
  });
}
