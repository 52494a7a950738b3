import type { RunRecord } from "../runs/mod.ts";
import type { StepDef } from "./schema.ts";
import { type PipelineRunRecord, SETTLED, type StepState } from "./model.ts";

/** A step as its run says it is now (the step's run is read by the caller). */
export function refreshStep(
  state: StepState,
  run: RunRecord | null,
  retryExpected: (run: RunRecord) => boolean,
): StepState {
  if (run === null || SETTLED.includes(state.status) && state.run_id === run.run_id) {
    return state;
  }
  const base = { ...state, run_id: run.run_id, started_at: run.started_at ?? state.started_at };
  if (run.status === "queued" || run.status === "running") return { ...base, status: run.status };
  if (run.status === "failed" && retryExpected(run)) return { ...base, status: "running" };
  return {
    ...base,
    status: run.status,
    completed_at: run.completed_at,
    error_message: run.error_message,
  };
}

/** Whether a pending step may start now, is skipped, or waits. */
export function stepDecision(
  step: StepDef & { needs: string[] },
  byId: Map<string, StepState>,
): "start" | "skip" | "wait" {
  const needs = step.needs.map((n) => byId.get(n)!);
  if (needs.some((n) => !SETTLED.includes(n.status))) return "wait";
  const holds = step.when === "success"
    ? needs.every((n) => n.status === "completed")
    : step.when === "failure"
    ? needs.some((n) => n.status === "failed")
    : true;
  return holds ? "start" : "skip";
}

/** The pipeline run's status once every step is settled, with why it failed; null before. */
export function finalStatus(
  record: PipelineRunRecord,
  steps: (StepDef & { needs: string[] })[],
): { status: "completed" | "failed" | "cancelled"; error: string | null } | null {
  // A cancelled run's steps that never started stay pending: they are done with all the same.
  const done = (s: StepState) =>
    SETTLED.includes(s.status) || (record.cancel_requested && s.status === "pending");
  if (!record.steps.every(done)) return null;
  if (record.cancel_requested) return { status: "cancelled", error: "cancelled by request" };
  const failed = record.steps.find((s) => s.status === "failed" || s.status === "cancelled");
  if (failed) return { status: "failed", error: `step "${failed.step_id}" ${failed.status}` };
  const rescue = record.steps.find((s) =>
    s.status === "completed" && steps.find((d) => d.id === s.step_id)?.when === "failure"
  );
  if (rescue) return { status: "failed", error: `step "${rescue.step_id}" ran after a failure` };
  return { status: "completed", error: null };
}
