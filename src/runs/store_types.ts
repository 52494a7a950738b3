// The shapes the run store's methods take and give, in a file of their own: the store's helpers
// (claim.ts, status_write.ts, listing.ts) use them without importing the store, which uses them.
import type { RunRecord, RunStatus, RunTrigger } from "./model.ts";

/** Filters and paging of a run listing. */
export interface RunQuery {
  moduleId?: string;
  status?: RunStatus;
  limit: number;
  /** Submission order of the last run of the previous page. */
  before?: number;
  /** Runs to skip first (after `before`). */
  offset?: number;
  trigger?: RunTrigger;
}

/** Fields that may change with a run's status (never its id, status, order or module). */
export type RunChanges = Partial<Omit<RunRecord, "run_id" | "status" | "order" | "module_id">>;

/** How a status move is made besides its target. */
export interface TransitionOptions {
  /** Adds to the same atomic write; given the record before the move. */
  prepare?: (op: Deno.AtomicOperation, current: RunRecord) => void;
  /**
   * The only status the move may start from: a queued run's cancel must not cancel the run
   * another server has just started (that one is stopped by its server).
   */
  from?: RunStatus;
}

/** One page of a run listing, newest first, and how many runs match its filters. */
export interface RunPage {
  runs: RunRecord[];
  total: number;
  hasMore: boolean;
}

/** What a listing reads pages and records from (the store). */
export interface RunPages {
  list(query: RunQuery): Promise<RunPage>;
  /** The records of these ids that are stored, by id. */
  getMany(ids: string[]): Promise<Map<string, RunRecord>>;
}
