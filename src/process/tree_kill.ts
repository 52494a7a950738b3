type Os = typeof Deno.build.os;

/** How the runner stops a run's process tree at one step (graceful or forced). */
export type StopStep = "graceful" | "kill";

/** A command line to run, or a signal to send to a process group. */
export type StopAction =
  | { kind: "signal-group"; pgid: number; signal: Deno.Signal }
  | { kind: "command"; program: string; args: string[] };

/**
 * What stops the tree of a run whose leader has `pid` (its process group id on POSIX).
 * POSIX: the whole group gets SIGTERM, then SIGKILL. Windows has no SIGTERM for console
 * programs: `taskkill /T` asks politely, `taskkill /T /F` ends the tree.
 * `useKillCommand` is for a scoped --allow-run, where Deno.kill is not permitted.
 */
export function stopAction(
  os: Os,
  pid: number,
  step: StopStep,
  useKillCommand: boolean,
): StopAction {
  if (os === "windows") {
    const args = ["/PID", String(pid), "/T"];
    return { kind: "command", program: "taskkill", args: step === "kill" ? [...args, "/F"] : args };
  }
  const signal: Deno.Signal = step === "kill" ? "SIGKILL" : "SIGTERM";
  if (useKillCommand) {
    return { kind: "command", program: "kill", args: [`-${signal.slice(3)}`, "--", `-${pid}`] };
  }
  return { kind: "signal-group", pgid: pid, signal };
}

/** Carries out a stop action; never throws (a group that is already gone is the goal). */
export async function runStopAction(action: StopAction): Promise<void> {
  if (action.kind === "signal-group") {
    try {
      Deno.kill(-action.pgid, action.signal);
    } catch (err) {
      // Gone already is the goal; anything else (EPERM) leaves the next step to try.
      if (!(err instanceof Deno.errors.NotFound) && !isNoSuchProcess(err)) {
        console.error(`could not send ${action.signal} to process group ${action.pgid}:`, err);
      }
    }
    return;
  }
  try {
    await new Deno.Command(action.program, {
      args: action.args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
  } catch {
    // The tool itself missing leaves nothing better to do than the next step.
  }
}

/** True when a process group still has a member (POSIX); always false on Windows. */
export function processGroupAlive(pgid: number, os: Os = Deno.build.os): boolean {
  if (os === "windows" || pgid <= 0) return false;
  try {
    if (!canSignalDirectly()) {
      // A scoped --allow-run (with `kill` in it) cannot use Deno.kill.
      return new Deno.Command("kill", {
        args: ["-0", "--", `-${pgid}`],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).outputSync().success;
    }
    Deno.kill(-pgid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

function isNoSuchProcess(err: unknown): boolean {
  return err instanceof Error && /ESRCH|No such process/i.test(err.message);
}

/** True when Deno.kill may be used, which needs an unscoped --allow-run. */
export function canSignalDirectly(): boolean {
  return Deno.permissions.querySync({ name: "run" }).state === "granted";
}
