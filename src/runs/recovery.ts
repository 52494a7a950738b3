import { WARNING } from "../logs/writer.ts";
import type { LogStore } from "../logs/store.ts";
import {
  canSignalDirectly,
  processGroupAlive,
  runStopAction,
  stopAction,
} from "../process/tree_kill.ts";
import type { RunRecord } from "./model.ts";
import type { RunStore } from "./store.ts";
import { finalOutcome } from "./transitions.ts";

/**
 * Marks a run that the previous server process left `running` as failed ("the server stopped
 * during this run"), with a last system line, and kills what is left of its process group.
 */
export async function recoverLostRun(
  record: RunRecord,
  store: RunStore,
  logs: LogStore,
): Promise<void> {
  const pid = record.pid;
  if (pid !== null && processGroupAlive(pid)) {
    const useKillCommand = Deno.build.os !== "windows" && !canSignalDirectly();
    await runStopAction(stopAction(Deno.build.os, pid, "kill", useKillCommand));
  }
  const lastSeq = await logs.lastSeq(record.run_id);
  const outcome = finalOutcome({ kind: "server_lost" });
  const line = {
    seq: lastSeq + 1,
    stream: "system" as const,
    ts: Date.now(),
    level: WARNING,
    bytes: new TextEncoder().encode(outcome.error_message!),
  };
  await logs.writeChunk(record.run_id, [line]);
  await store.transition(record.run_id, outcome.status, {
    completed_at: Date.now(),
    error_message: outcome.error_message,
    log_lines: line.seq,
  });
}
