import { setTimeout as delay } from "node:timers/promises";
import { runStopAction } from "./tree_kill.ts";
import type { WindowsJob } from "./windows_job.ts";

const POLL_MS = 50;

/** What stopping a job's leftovers works with. */
export interface JobLeftoverOptions {
  graceSeconds: number;
  taskkill: string;
  say(message: string): void;
}

/**
 * Windows' counterpart of stopping a process group's leftovers: the processes still in the
 * run's job after its main process exited get `taskkill /PID ...` (graceful, bounded by the
 * grace period), then the job is terminated. Answers how many there were (-1: not countable).
 */
export async function stopJobLeftovers(
  job: WindowsJob,
  options: JobLeftoverOptions,
): Promise<number> {
  const pids = job.processIds();
  if (pids.length === 0) return 0;
  const count = pids.includes(-1) ? -1 : pids.length;
  const what = count === -1
    ? "processes are"
    : count === 1
    ? "1 process is"
    : `${count} processes are`;
  const listed = pids.filter((p) => p > 0);
  options.say(
    `${what} still in the run's job object after it exited` +
      (listed.length > 0 ? `: running ${options.taskkill} /PID ${listed.join(" /PID ")}` : ""),
  );
  const graceMs = options.graceSeconds * 1000;
  const started = performance.now();
  if (listed.length > 0) {
    const args = listed.flatMap((pid) => ["/PID", String(pid)]);
    await runStopAction(
      { kind: "command", program: options.taskkill, args },
      Math.max(graceMs, 1),
    );
  }
  while (job.processIds().length > 0) {
    if (performance.now() - started >= graceMs) {
      options.say(
        `still running after ${options.graceSeconds} s grace: terminating the run's job object`,
      );
      job.terminate();
      return count;
    }
    await delay(POLL_MS);
  }
  return count;
}
