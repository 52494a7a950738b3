import { setTimeout as delay } from "node:timers/promises";
import {
  canSignalDirectly,
  processGroupAlive,
  runStopAction,
  type StopAction,
  stopAction,
  type StopOutcome,
} from "./tree_kill.ts";
import type { WindowsJob } from "./windows_job.ts";

type Os = typeof Deno.build.os;

const POLL_MS = 20;
/** Longest wait for the tree to be gone after the forced step worked. */
const KILL_WAIT_MS = 1000;
/** Longest wait for the main process after it was killed directly. */
const DIRECT_KILL_WAIT_MS = 1000;

/** What stopping one run's process tree works with. */
export interface TreeStopOptions {
  os: Os;
  /** The run's main process (its process group id on POSIX). */
  pid: number;
  graceSeconds: number;
  /** The taskkill program (Windows). */
  taskkill: string;
  /** The run's Job Object (Windows, when available): the forced step terminates it. */
  job: WindowsJob | null;
  /** True once the main process has exited. */
  exited(): boolean;
  /** Kills the main process itself (TerminateProcess / SIGKILL). */
  killMain(): void;
  /** Sends a signal to the main process itself (POSIX; see stopTree). */
  signalMain?(signal: Deno.Signal): void;
  /** Writes a warning `system` line to the run's log. */
  say(message: string): void;
}

/**
 * Stops a run's tree: the graceful step (SIGTERM to the group; `taskkill /T`), then after the
 * grace period the forced one (SIGKILL to the group; the job terminated, else `taskkill /T /F`).
 * Every wait is bounded: when the forced step fails, hangs or finds no tool, the main process
 * is killed directly and a line says its children may be left, so this ends within the grace
 * period plus about 4 s whatever the tools do. `why` starts the first line.
 */
export async function stopTree(why: string, o: TreeStopOptions): Promise<void> {
  const useKillCommand = o.os !== "windows" && !canSignalDirectly();
  const graceMs = o.graceSeconds * 1000;
  const started = performance.now();
  const graceful = stopAction(o.os, o.pid, "graceful", useKillCommand, o.taskkill);
  o.say(`${why}: ${describe(graceful)}`);
  // The graceful step may take the whole grace period, never more. Its failure says little:
  // taskkill without /F cannot end a console program, so the forced step decides.
  // A run stopped right after its spawn may not lead its group yet (`setsid` has not made it):
  // the group signal would find nobody, and the process go on for the whole grace period. It
  // has no children yet, so the signal also goes to the process itself. Checked before the
  // group signal: a group made in between then gets it too (twice for the leader, at its start).
  const leaderless = o.os !== "windows" && !o.exited() && !processGroupAlive(o.pid, o.os);
  await runStopAction(graceful, Math.max(graceMs, 1));
  if (leaderless) {
    try {
      o.signalMain?.("SIGTERM");
    } catch {
      // Exited meanwhile.
    }
  }
  const left = graceMs - (performance.now() - started);
  if (await waitFor(() => treeGone(o), left)) return;
  let outcome: StopOutcome;
  if (o.job !== null) {
    o.say(`still running after ${o.graceSeconds} s grace: terminating the run's job object`);
    outcome = o.job.terminate() ? { ok: true } : { ok: false, why: "the job could not be ended" };
  } else {
    const kill = stopAction(o.os, o.pid, "kill", useKillCommand, o.taskkill);
    o.say(`still running after ${o.graceSeconds} s grace: ${describe(kill)}`);
    outcome = await runStopAction(kill);
  }
  if (outcome.ok && await waitFor(() => treeGone(o), KILL_WAIT_MS)) return;
  if (o.exited()) {
    // The main process is gone; what is left is out of reach of this step.
    if (!outcome.ok) o.say(`could not stop the rest of the process tree: ${outcome.why}`);
    return;
  }
  const reason = outcome.ok ? "the tree was still running after the forced stop" : outcome.why;
  o.say(
    `could not stop the process tree (${reason}): killing the main process (pid ${o.pid}) ` +
      "directly; its child processes may be left running",
  );
  try {
    o.killMain();
  } catch {
    // Exited meanwhile.
  }
  await waitFor(o.exited, DIRECT_KILL_WAIT_MS);
}

/** The main process has exited and nothing of its group or job is left. */
function treeGone(o: TreeStopOptions): boolean {
  if (!o.exited()) return false;
  if (o.job !== null) return o.job.processIds().length === 0;
  return !processGroupAlive(o.pid, o.os);
}

async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() >= deadline) return false;
    await delay(POLL_MS);
  }
  return true;
}

/** A stop action as the run's log says it. */
export function describe(action: StopAction): string {
  return action.kind === "signal-group"
    ? `sending ${action.signal} to process group ${action.pgid}`
    : `running ${action.program} ${action.args.join(" ")}`;
}
