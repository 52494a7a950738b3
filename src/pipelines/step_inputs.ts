import { AppError } from "../errors.ts";
import type { RunRecord } from "../runs/mod.ts";
import type { PipelineRunRecord, StepState } from "./model.ts";
import { type Expr, fill, MissingValue, valueAt } from "./template.ts";
import type { StepDef } from "./schema.ts";

/** What filling a step's templates reads of the step runs before it. */
export interface StepValues {
  record(runId: string): Promise<RunRecord | null>;
  /** The run's `::result` (call only when the record has one). */
  result(runId: string): Promise<unknown>;
  /** The run's stdout without marker lines, or null when longer than `maxBytes`. */
  output(runId: string, maxBytes: number): Promise<string | null>;
  maxInputBytes: number;
}

/** A step's parameters and input with every template filled; throws MissingValue. */
export async function fillStep(
  step: StepDef,
  record: PipelineRunRecord,
  steps: Map<string, StepState>,
  values: StepValues,
): Promise<{ parameters: Record<string, unknown>; input: unknown }> {
  const resolve = async (expr: Expr, text: string): Promise<unknown> => {
    if (expr.kind === "pipeline_run_id") return record.pipeline_run_id;
    if (expr.kind === "param") {
      if (!Object.hasOwn(record.parameters, expr.name)) {
        throw new MissingValue(text, `parameter "${expr.name}" has no value`);
      }
      return record.parameters[expr.name];
    }
    const state = steps.get(expr.step);
    if (state === undefined) throw new MissingValue(text, `no step "${expr.step}"`);
    if (expr.field === "status") return state.status;
    if (state.run_id === null) throw new MissingValue(text, `step "${expr.step}" has no run`);
    if (expr.field === "run_id") return state.run_id;
    const run = await values.record(state.run_id);
    if (run === null) throw new MissingValue(text, `the run of step "${expr.step}" is gone`);
    if (expr.field === "output") {
      const out = await values.output(run.run_id, values.maxInputBytes);
      if (out === null) {
        throw new MissingValue(
          text,
          `the output is longer than PRISMQ_MAX_INPUT_BYTES (${values.maxInputBytes} bytes)`,
        );
      }
      return out;
    }
    if (run.result_bytes === null) {
      throw new MissingValue(text, `step "${expr.step}" set no result`);
    }
    const path = expr.field === "result" ? expr.path : [];
    return valueAt(await values.result(run.run_id), path, text);
  };
  const parameters = await fill(step.parameters, resolve) as Record<string, unknown>;
  const input = step.input === undefined ? undefined : await fill(step.input, resolve);
  return { parameters, input };
}

/** Why a step's submission was refused, as its `error_message` (with the refusal's code). */
export function refusalMessage(err: unknown): string {
  if (err instanceof AppError) {
    const fields = (err.errors ?? []).map((e) => `${e.field} ${e.message}`).join("; ");
    return `${err.code}: ${err.message}${fields ? ` (${fields})` : ""}`;
  }
  return `the step's run could not be submitted: ${err instanceof Error ? err.message : err}`;
}
