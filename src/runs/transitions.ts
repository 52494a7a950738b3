import { match } from "ts-pattern";
import type { RunStatus } from "./model.ts";

/** The only moves a run's status may make: forward, and never out of a final state. */
export function canTransition(from: RunStatus, to: RunStatus): boolean {
  return match(from)
    .with("queued", () => to === "running" || to === "cancelled")
    .with("running", () => to === "completed" || to === "failed" || to === "cancelled")
    .with("completed", "failed", "cancelled", () => false)
    .exhaustive();
}

/** How a run that ran ends, from why it stopped and how its process exited. */
export type Ending =
  | { kind: "exit"; code: number; signal: string | null }
  | { kind: "start_failed"; reason: string }
  /** The module's Python environment could not be built (src/envs). */
  | { kind: "env_failed"; reason: string }
  | { kind: "timeout"; seconds: number }
  | { kind: "cancelled" }
  | { kind: "shutdown" }
  | { kind: "server_lost" }
  /** The server running it stopped renewing its heartbeat; another server records the end. */
  | { kind: "host_lost"; hostId: string; seconds: number };

/** The final status and error message for an ending. */
export function finalOutcome(ending: Ending): { status: RunStatus; error_message: string | null } {
  return match(ending)
    .with(
      { kind: "exit" },
      ({ code, signal }) =>
        code === 0 ? { status: "completed" as const, error_message: null } : {
          status: "failed" as const,
          error_message: signal
            ? `the process was killed by ${signal}`
            : `the process exited with code ${code}`,
        },
    )
    .with({ kind: "start_failed" }, ({ reason }) => ({
      status: "failed" as const,
      error_message: `the process could not be started: ${reason}`,
    }))
    .with({ kind: "env_failed" }, ({ reason }) => ({
      status: "failed" as const,
      error_message: `environment build failed: ${reason}`,
    }))
    .with({ kind: "timeout" }, ({ seconds }) => ({
      status: "failed" as const,
      error_message: `the run timed out after ${seconds} s`,
    }))
    .with({ kind: "cancelled" }, () => ({
      status: "cancelled" as const,
      error_message: "cancelled by request",
    }))
    .with({ kind: "shutdown" }, () => ({
      status: "cancelled" as const,
      error_message: "the server shut down during this run",
    }))
    .with({ kind: "server_lost" }, () => ({
      status: "failed" as const,
      error_message: "the server stopped during this run",
    }))
    .with({ kind: "host_lost" }, ({ hostId, seconds }) => ({
      status: "failed" as const,
      error_message: `the host "${hostId}" stopped during this run (no heartbeat for ${seconds} s)`,
    }))
    .exhaustive();
}
