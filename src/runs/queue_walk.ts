import type { PoolGauge } from "../pools/gauge.ts";
import type { RunNeeds } from "../pools/needs.ts";

/** A queued run as the admission logic sees it (here, not in admission.ts, which walks the queue). */
export interface QueuedRun {
  runId: string;
  moduleId: string;
  order: number;
}

/**
 * What holds a waiting run back on this server: its module's limit, a missing host label, an
 * environment build, a pool (short of slots, or waited for by an earlier run); null when nothing.
 */
export type Hold = "module" | "host" | "build" | { pool: string } | null;

/** What the walk reads besides the queue. */
export interface WalkContext {
  needs: RunNeeds;
  pools: PoolGauge;
  /** True when the module's limit holds its runs back (as the caller counts it). */
  moduleHeld: (moduleId: string) => boolean;
  /** Runs of the queue that no longer wait. */
  leaving: ReadonlySet<string>;
}

/**
 * Walks the waiting runs in submission order, handing `visit` each with what holds it back,
 * until `visit` answers true. Answers the pools reserved by the runs walked before that: those
 * of a run held back by a pool (a later run needing one of them must not overtake it: a run
 * needing 2 slots is never starved by later ones needing 1), and of a run another live server
 * will start (one carrying the labels this one lacks).
 */
export function walkQueue(
  queue: readonly QueuedRun[],
  ctx: WalkContext,
  visit: (run: QueuedRun, hold: Hold) => boolean,
): Set<string> {
  const reserved = new Set<string>();
  for (const q of queue) {
    if (ctx.leaving.has(q.runId)) continue;
    const hold = holdOf(q.moduleId, reserved, ctx);
    if (visit(q, hold)) break;
    const waitsForPool = typeof hold === "object" && hold !== null;
    if (waitsForPool || (hold === "host" && ctx.needs.liveHostCarries(q.moduleId))) {
      for (const u of ctx.needs.uses(q.moduleId)) reserved.add(u.pool);
    }
  }
  return reserved;
}

/** What holds back a waiting run of this module here, given the pools earlier runs reserved. */
export function holdOf(moduleId: string, reserved: ReadonlySet<string>, ctx: WalkContext): Hold {
  if (ctx.moduleHeld(moduleId)) return "module";
  if (!ctx.needs.runsHere(moduleId)) return "host";
  if (ctx.needs.awaitsBuild(moduleId)) return "build";
  const short = ctx.needs.uses(moduleId).find((u) => reserved.has(u.pool) || !ctx.pools.fits(u));
  return short === undefined ? null : { pool: short.pool };
}
