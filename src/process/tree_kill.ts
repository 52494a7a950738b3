import { settlesWithin } from "../timing.ts";

type Os = typeof Deno.build.os;

/** How the runner stops a run's process tree at one step (graceful or forced). */
export type StopStep = "graceful" | "kill";

/** A command line to run, or a signal to send to a process group. */
export type StopAction =
  | { kind: "signal-group"; pgid: number; signal: Deno.Signal }
  | { kind: "command"; program: string; args: string[] };

/** The taskkill that Windows stops trees with unless PRISMQ_TASKKILL names another. */
export const DEFAULT_TASKKILL = "taskkill";

/**
 * What stops the tree of a run whose leader has `pid` (its process group id on POSIX).
 * POSIX: the whole group gets SIGTERM, then SIGKILL. Windows has no SIGTERM for console
 * programs: `taskkill /T` asks politely, `taskkill /T /F` ends the tree (`taskkill` is the
 * program PRISMQ_TASKKILL names). `useKillCommand` is for a scoped --allow-run, where Deno.kill
 * is not permitted.
 */
export function stopAction(
  os: Os,
  pid: number,
  step: StopStep,
  useKillCommand: boolean,
  taskkill: string = DEFAULT_TASKKILL,
): StopAction {
  if (os === "windows") {
    const args = ["/PID", String(pid), "/T"];
    return { kind: "command", program: taskkill, args: step === "kill" ? [...args, "/F"] : args };
  }
  const signal: Deno.Signal = step === "kill" ? "SIGKILL" : "SIGTERM";
  if (useKillCommand) {
    return { kind: "command", program: "kill", args: [`-${signal.slice(3)}`, "--", `-${pid}`] };
  }
  return { kind: "signal-group", pgid: pid, signal };
}

/** How a stop action went: done, or why not (the tool failed, hung, or is missing). */
export type StopOutcome = { ok: true } | { ok: false; why: string };

/** How long a stop tool that never ends may take before it is killed (see runStopAction). */
export const STOP_TOOL_MS = 2000;

/**
 * Carries out a stop action; never throws (a group that is already gone is the goal). A stop
 * tool (taskkill, kill) gets `timeoutMs` to end: one that hangs is killed and the wait for it
 * is bounded too, so no stop ever waits forever on a tool.
 */
export async function runStopAction(
  action: StopAction,
  timeoutMs: number = STOP_TOOL_MS,
): Promise<StopOutcome> {
  if (action.kind === "signal-group") {
    try {
      Deno.kill(-action.pgid, action.signal);
    } catch (err) {
      // Gone already is the goal; anything else (EPERM) leaves the next step to try.
      if (!(err instanceof Deno.errors.NotFound) && !isNoSuchProcess(err)) {
        console.error(`could not send ${action.signal} to process group ${action.pgid}:`, err);
        return { ok: false, why: `${action.signal} could not be sent (${errorText(err)})` };
      }
    }
    return { ok: true };
  }
  return await runStopTool(action.program, action.args, timeoutMs);
}

async function runStopTool(program: string, args: string[], ms: number): Promise<StopOutcome> {
  let tool: Deno.ChildProcess;
  try {
    tool = new Deno.Command(program, { args, stdin: "null", stdout: "null", stderr: "null" })
      .spawn();
  } catch (err) {
    // The tool itself missing leaves nothing better to do than the next step.
    return { ok: false, why: `${program} could not be started (${errorText(err)})` };
  }
  const ended = tool.status.then((s) => s, () => null);
  if (await settlesWithin(ended, ms)) {
    const status = await ended;
    if (status?.success) return { ok: true };
    return { ok: false, why: `${program} exited with code ${status?.code ?? "unknown"}` };
  }
  try {
    tool.kill("SIGKILL");
  } catch {
    // It ended between the wait and the kill.
  }
  // Reaping the killed tool is bounded too: a tool that cannot even be killed is left behind.
  await settlesWithin(ended, 500);
  return { ok: false, why: `${program} did not finish within ${ms / 1000} s and was killed` };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
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
