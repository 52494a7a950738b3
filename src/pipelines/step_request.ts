import { encodeInput, pickedRunId, type RunRequest } from "../runs/mod.ts";
import type { CatalogPipeline } from "./catalog.ts";
import type { PipelineRunRecord, StepState } from "./model.ts";
import { fillStep, refusalMessage, type StepValues } from "./step_inputs.ts";
import { MissingValue } from "./template.ts";

/**
 * A step's run request, its templates filled, under the id picked from the pipeline run and
 * step; or why its templates could not be filled (the step's `error_message`).
 */
export async function stepRequest(
  record: PipelineRunRecord,
  def: CatalogPipeline["def"]["steps"][number],
  byId: Map<string, StepState>,
  values: StepValues,
): Promise<RunRequest | string> {
  try {
    const { parameters, input } = await fillStep(def, record, byId, values);
    return {
      moduleId: def.module,
      parameters,
      saveConfig: false,
      recordUnavailable: true,
      input: input === undefined ? null : encodeInput(input, values.maxInputBytes),
      origin: { trigger: "pipeline", pipeline_run_id: record.pipeline_run_id, step_id: def.id },
      runId: await pickedRunId("pipeline", record.pipeline_run_id, def.id, "1"),
    };
  } catch (err) {
    if (err instanceof MissingValue) return err.message;
    return refusalMessage(err);
  }
}

/** The record made final; password values are dropped. */
export function finishRun(
  record: PipelineRunRecord,
  status: "completed" | "failed" | "cancelled",
  error: string | null,
): PipelineRunRecord {
  const parameters = Object.fromEntries(
    Object.entries(record.parameters).filter(([k]) => !record.secret_parameters.includes(k)),
  );
  return {
    ...record,
    status,
    parameters,
    error_message: error,
    started_at: record.started_at ?? Date.now(),
    completed_at: Date.now(),
  };
}
