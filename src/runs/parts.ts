import type { LogStore } from "../logs/store.ts";
import type { ModuleCatalog } from "../modules/catalog.ts";
import type { Admission } from "./admission.ts";
import type { RunEvents } from "./events.ts";
import { isFinal, type RunRecord, type RunStatus } from "./model.ts";
import type { RunRegistry } from "./registry.ts";
import type { ResultStore } from "./results.ts";
import type { InputStore } from "./input.ts";
import type { ArtifactStore } from "../artifacts/store.ts";
import type { RunStore } from "./store.ts";
import type { RunChanges } from "./store_types.ts";
import type { EnvironmentProvider } from "./environment.ts";
import type { Ending } from "./transitions.ts";

/** Settings the runs need. */
export interface RunServiceOptions {
  maxConcurrentRuns: number;
  maxQueuedRuns: number;
  killGraceSeconds: number;
  runTimeoutSeconds: number;
  logMaxBytes: number;
  /** The program that stops process trees on Windows (PRISMQ_TASKKILL; default `taskkill`). */
  taskkill?: string;
  /** PRISMQ_MAX_INPUT_BYTES. */
  maxInputBytes: number;
}

/**
 * What the parts of the run core share, built once by RunService: the stores, the admission
 * bookkeeping (slots and queue) and the registry of live run handles. Each part does one job:
 * submission, the queue pump, the supervision of one run, cancel.
 */
export interface RunParts {
  store: RunStore;
  logs: LogStore;
  catalog: ModuleCatalog;
  events: RunEvents;
  results: ResultStore;
  /** Runs' stdin inputs. */
  inputs: InputStore;
  artifacts: ArtifactStore;
  admission: Admission;
  registry: RunRegistry;
  options: RunServiceOptions;
  /** This server's `PRISMQ_HOST_ID` (known once the server is listening). */
  hostId(): string;
  /** Asks the queue pump to look at the queue again (a slot was given back). */
  wakeQueue(): void;
  /** The retry a failed run earns, if any, as part of its final write (retries.ts). */
  retries: RetryPlanner;
  /**
   * Adds to every final write what must follow from the run's end (webhook deliveries; a
   * pipeline's next steps, a service's restart), so that no crash loses it. Given the record
   * before the move; composed in runner.ts.
   */
  finalHooks: { plan(op: Deno.AtomicOperation, current: RunRecord): void };
  /** The built environments of modules with `requirements` (absent: none are built). */
  environments?: EnvironmentProvider;
  /** Cancels of runs that another server runs (remote_cancel.ts). */
  remote: { cancel(record: RunRecord): Promise<RunRecord> };
}

/**
 * What a run's final write asks of retries: an addition to that write when the ending earns a
 * retry. An interface here, not the Retries class, so that the parts never import retries (which
 * submits runs, and so would lead back to them).
 */
export interface RetryPlanner {
  plan(
    ending: Ending,
    exitCode?: number | null,
  ): ((op: Deno.AtomicOperation, current: RunRecord) => void) | undefined;
}

/** A status change to store: the new status and the fields that change with it. */
export interface Move {
  to: RunStatus;
  changes?: RunChanges;
  /** The only status the move may start from (see TransitionOptions). */
  from?: RunStatus;
  /** Adds to the same atomic write (a retry's queue message); given the record before the move. */
  prepare?: (op: Deno.AtomicOperation, current: RunRecord) => void;
}

/** Stores a run's status change and tells its followers; null when the move is not allowed. */
export async function moveRun(
  parts: Pick<RunParts, "store" | "events" | "finalHooks">,
  runId: string,
  move: Move,
): Promise<RunRecord | null> {
  // Every final write carries what follows from the run's end, so none is lost to a crash.
  const prepare = isFinal(move.to)
    ? (op: Deno.AtomicOperation, current: RunRecord) => {
      move.prepare?.(op, current);
      parts.finalHooks.plan(op, current);
    }
    : move.prepare;
  const record = await parts.store.transition(runId, move.to, move.changes ?? {}, {
    prepare,
    from: move.from,
  });
  if (record !== null) parts.events.emit(record);
  return record;
}
