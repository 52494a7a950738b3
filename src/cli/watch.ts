import type { RunView } from "../runs/mod.ts";
import { ApiError, seg } from "./client.ts";
import { followRunLog } from "./follow.ts";
import { logLine, progressText, runSummary } from "./format.ts";
import { askYesNo, onInterrupt } from "./interrupt.ts";
import { Screen } from "./screen.ts";
import type { CommandContext } from "./spec.ts";

/** How a run is followed. */
export interface WatchOptions {
  /** Print lines after this seq. */
  after: number;
  json: boolean;
  /** Ctrl+C cancels the run without asking. */
  cancelOnInterrupt: boolean;
  /** Only lines of these levels are printed (all when undefined). */
  levels?: ReadonlySet<string>;
}

/** The exit code a followed run ends the client with. */
export function exitCodeOf(run: RunView): number {
  if (run.status === "cancelled") return 130;
  if (run.status === "completed" && run.exit_code === 0) return 0;
  const code = run.exit_code;
  return code !== null && code > 0 && code <= 255 ? code : 1;
}

/**
 * Prints a run's log live until the run is final and answers the exit code: the run's own, 1
 * when it failed without one, 130 when cancelled or when the user stopped following. Ctrl+C
 * asks whether to cancel the run (on a terminal), cancels it with `cancelOnInterrupt`, and else
 * stops following, leaving the run to go on.
 */
export async function watchRun(
  ctx: CommandContext,
  run: RunView,
  o: WatchOptions,
): Promise<number> {
  const { term, client } = ctx;
  const screen = new Screen(term);
  const stopFollowing = new AbortController();
  const cancel = async () => {
    screen.write(`cancelling run ${run.run_id}\n`, true);
    try {
      await client.json("DELETE", `/api/runs/${seg(run.run_id)}`);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === "RUN_ALREADY_FINISHED")) throw err;
    }
  };
  let interrupts = 0;
  const stopListening = onInterrupt(async () => {
    interrupts++;
    if (interrupts > 1 || (!o.cancelOnInterrupt && !term.interactive)) {
      return stopFollowing.abort();
    }
    if (!o.cancelOnInterrupt) {
      screen.hold();
      const yes = await askYesNo(term, `\nCancel run ${run.run_id}? [y/N] `);
      screen.release();
      if (!yes) return stopFollowing.abort();
    }
    await cancel().catch((err) => {
      screen.write(`error: ${err instanceof Error ? err.message : err}\n`, true);
      stopFollowing.abort();
    });
  });
  const event = (value: Record<string, unknown>) => screen.write(JSON.stringify(value) + "\n");
  try {
    const final = await followRunLog(client, run.run_id, {
      after: o.after,
      signal: stopFollowing.signal,
      handlers: {
        line(line) {
          if (o.levels && !o.levels.has(line.level)) return;
          if (o.json) event({ event: "line", line });
          else screen.write(logLine(term, line));
        },
        progress(progress) {
          if (o.json) event({ event: "progress", progress });
          else screen.setProgress(progressText(progress));
        },
        status(r) {
          if (o.json) event({ event: "status", run: r });
        },
      },
    });
    screen.endProgress();
    if (o.json) event({ event: "end", run: final });
    else term.err(runSummary(term, final));
    return exitCodeOf(final);
  } catch (err) {
    screen.endProgress();
    if (!stopFollowing.signal.aborted) throw err;
    term.err(
      `stopped following run ${run.run_id}; it goes on (follow it again with: logs ${run.run_id} --follow)\n`,
    );
    return 130;
  } finally {
    stopListening();
  }
}
