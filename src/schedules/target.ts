import { AppError } from "../errors.ts";
import type { ParameterDef } from "../modules/schema.ts";
import type { ParameterValidator } from "../modules/params.ts";
import type { ModuleCatalog } from "../modules/catalog.ts";
import type { CatalogPipeline } from "../pipelines/catalog.ts";
import type { ScheduleInput, ScheduleRecord } from "./model.ts";

/** The pipelines a schedule may name (the pipeline service). */
export interface SchedulablePipelines {
  /** The pipeline; 404 PIPELINE_NOT_FOUND. */
  require(id: string): CatalogPipeline;
}

/** What a schedule starts: a module's runs or a pipeline's, with the parameters they take. */
export interface ScheduleTarget {
  validator: ParameterValidator;
  parameters: readonly ParameterDef[];
  /** Why it cannot start now (a module's availability), or null. */
  unavailable: string | null;
  /** Whether it reads an input. */
  readsInput: boolean;
  /** Parameters written without a flag (a value may not begin with '-'); none for a pipeline. */
  bareParams: ReadonlySet<string>;
}

/** A schedule's target; 404 for an unknown module or pipeline. */
export function scheduleTarget(
  schedule: Pick<ScheduleRecord, "module_id" | "pipeline_id">,
  catalog: ModuleCatalog,
  pipelines: SchedulablePipelines | undefined,
): ScheduleTarget {
  if (schedule.pipeline_id !== null) {
    if (!pipelines) throw new AppError("PIPELINE_NOT_FOUND", "No pipelines here.");
    const p = pipelines.require(schedule.pipeline_id);
    return {
      validator: p.validator,
      parameters: p.def.parameters,
      unavailable: null,
      readsInput: false,
      bareParams: new Set(),
    };
  }
  const module = catalog.require(schedule.module_id ?? "");
  const availability = catalog.availability(module);
  return {
    validator: module.validator,
    parameters: module.def.parameters,
    unavailable: availability.available ? null : availability.reason ?? "unavailable",
    readsInput: module.def.stdin === "input",
    bareParams: module.templateParams,
  };
}

/**
 * The module or pipeline a created or changed schedule names: exactly one of them (422 when
 * both or neither); a change naming one drops the other.
 */
export function targetOf(
  input: ScheduleInput,
  current: Pick<ScheduleRecord, "module_id" | "pipeline_id"> | null,
): { module_id: string | null; pipeline_id: string | null } | string {
  if (input.module_id !== undefined && input.pipeline_id !== undefined) {
    return "give module_id or pipeline_id, not both";
  }
  if (input.module_id !== undefined) return { module_id: input.module_id, pipeline_id: null };
  if (input.pipeline_id !== undefined) return { module_id: null, pipeline_id: input.pipeline_id };
  if (current === null) return "give module_id or pipeline_id";
  return { module_id: current.module_id, pipeline_id: current.pipeline_id };
}
