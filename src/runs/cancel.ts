import { AppError, runNotFound } from "../errors.ts";
import { isFinal, type RunRecord } from "./model.ts";
import { moveRun, type RunParts } from "./parts.ts";
import type { RunHandle } from "./registry.ts";
import { finalOutcome } from "./transitions.ts";

/** What cancelling works with. */
type CancelParts =
  & Pick<RunParts, "store" | "events" | "admission" | "registry" | "finalHooks" | "hostId">
  & {
    /** Asks the server running a run to stop it, and waits for its final record. */
    remote: { cancel(record: RunRecord): Promise<RunRecord> };
  };

/** Rounds of "the run moved on meanwhile" before a cancel gives up. */
const ROUNDS = 10;

/**
 * Cancels a run and resolves with its final record; 404 when it is unknown, 409 when it is final
 * already or ends another way first (a natural exit, a timeout). A run with a live handle here is
 * asked to stop and its handle awaited; a run waiting in the queue gets a handle of its own for
 * its one KV write; a run another server runs is stopped by that server (see remote_cancel.ts).
 * Cancels of the same run at once share one stop.
 */
export async function cancelRun(parts: CancelParts, runId: string): Promise<RunRecord> {
  for (let round = 1; round <= ROUNDS; round++) {
    const handle = parts.registry.get(runId) ?? cancelWaiting(parts, runId);
    if (handle !== null) {
      handle.stop("cancelled");
      const record = await handle.finished;
      if (record?.status === "cancelled") return record;
      if (record !== null && isFinal(record.status)) throw alreadyFinished(record);
      // Still queued (shutdown stopped it before it started), taken by another server, or gone.
      continue;
    }
    const record = await parts.store.get(runId);
    if (record === null) throw runNotFound(runId);
    if (isFinal(record.status)) throw alreadyFinished(record);
    if (record.status === "queued") {
      // Queued by another server and not yet seen here: the checked move settles any race.
      const cancelled = await cancelQueuedRun(parts, runId);
      if (cancelled !== null) return cancelled;
      continue;
    }
    if (record.host_id !== null && record.host_id !== parts.hostId()) {
      const final = await parts.remote.cancel(record);
      if (final.status === "cancelled") return final;
      throw alreadyFinished(final);
    }
    // A run running here always has a handle, from its claim to its final record.
    throw new Error(`run ${runId} is ${record.status}, yet this server does not track it`);
  }
  throw new Error(`run ${runId} kept changing while it was being cancelled`);
}

/**
 * Moves a queued run to cancelled (it never starts) and tells its followers; null when it was
 * not queued. The caller has taken the run out of the waiting line first.
 */
export function cancelQueuedRun(
  parts: Pick<RunParts, "store" | "events" | "finalHooks">,
  runId: string,
): Promise<RunRecord | null> {
  const { status, error_message } = finalOutcome({ kind: "cancelled" });
  return moveRun(parts, runId, {
    to: status,
    // Only from queued: a run another server has just started is that server's to stop.
    from: "queued",
    // A run that never started left no files.
    changes: { completed_at: Date.now(), error_message, artifacts: 0 },
  });
}

/** The handle of a run waiting in the queue while its cancel is written; null when none waits. */
function cancelWaiting(parts: CancelParts, runId: string): RunHandle | null {
  return parts.admission.take(runId) === null ? null : new QueuedCancel(parts, runId);
}

/** A waiting queued run being cancelled: it holds no slot and never starts. */
class QueuedCancel implements RunHandle {
  readonly writer = null;
  readonly finished: Promise<RunRecord | null>;

  constructor(private readonly parts: CancelParts, readonly runId: string) {
    parts.registry.add(this);
    this.finished = this.write();
  }

  stop(): void {
    // Already stopping: the run is being recorded as cancelled.
  }

  private async write(): Promise<RunRecord | null> {
    const { admission, registry } = this.parts;
    try {
      const record = await cancelQueuedRun(this.parts, this.runId);
      admission.leave(this.runId);
      return record;
    } catch (err) {
      // Nothing was written: the run waits in its place as before, and the cancel fails.
      admission.restore(this.runId);
      throw err;
    } finally {
      registry.remove(this);
    }
  }
}

function alreadyFinished(record: RunRecord): AppError {
  return new AppError(
    "RUN_ALREADY_FINISHED",
    `Run "${record.run_id}" is already ${record.status}.`,
  );
}
