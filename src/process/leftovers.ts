import { setTimeout as delay } from "node:timers/promises";
import { groupMembers } from "./group_members.ts";
import { canSignalDirectly, processGroupAlive, runStopAction, stopAction } from "./tree_kill.ts";
import { stopJobLeftovers } from "./job_leftovers.ts";
import type { WindowsJob } from "./windows_job.ts";

type Os = typeof Deno.build.os;

const POLL_MS = 50;
/** How long a SIGKILLed group may take to be gone before the run ends anyway. */
const KILL_WAIT_MS = 5000;

/** What stopping leftovers works with. */
export interface LeftoverOptions {
  os: Os;
  graceSeconds: number;
  /** The run's Job Object on Windows (null without one: nothing can be found there). */
  job?: WindowsJob | null;
  /** The taskkill program (Windows). */
  taskkill?: string;
  /** Tells the run's log (a system line, as a warning). */
  say(message: string): void;
}

/**
 * Stops the processes still in a run's process group once its main process has exited (a child
 * it started and did not wait for): the group gets the graceful signal, then SIGKILL after the
 * grace period, and the log says how many there were. Answers that number (0 when none; -1 when
 * some were there but could not be counted). A process that left the group (`setsid`) is not
 * in it and out of reach. Windows has no groups: there the run's Job Object is looked in, when
 * there is one (see job_leftovers.ts).
 */
export async function stopLeftovers(pgid: number, options: LeftoverOptions): Promise<number> {
  const { os } = options;
  if (os === "windows") {
    return options.job
      ? await stopJobLeftovers(options.job, {
        ...options,
        taskkill: options.taskkill ?? "taskkill",
      })
      : 0;
  }
  // One signal to the group answers the common case (nothing left) without listing processes.
  if (!processGroupAlive(pgid, os)) return 0;
  const members = await groupMembers(pgid, os);
  const count = members === null ? -1 : members.length;
  if (count === 0) return 0;
  const useKillCommand = !canSignalDirectly();
  const what = count === -1
    ? "processes are"
    : count === 1
    ? "1 process is"
    : `${count} processes are`;
  options.say(
    `${what} still in the run's process group after it exited: sending SIGTERM to process ` +
      `group ${pgid}`,
  );
  await runStopAction(stopAction(os, pgid, "graceful", useKillCommand));
  if (await gone(pgid, os, options.graceSeconds * 1000)) return count;
  options.say(
    `still running after ${options.graceSeconds} s grace: sending SIGKILL to process group ${pgid}`,
  );
  await runStopAction(stopAction(os, pgid, "kill", useKillCommand));
  await gone(pgid, os, KILL_WAIT_MS);
  return count;
}

/** Waits until the group has no live member; false when `ms` passed first. */
async function gone(pgid: number, os: Os, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  for (;;) {
    const members = await groupMembers(pgid, os);
    if (members === null ? !processGroupAlive(pgid, os) : members.length === 0) return true;
    if (performance.now() >= deadline) return false;
    await delay(POLL_MS);
  }
}
