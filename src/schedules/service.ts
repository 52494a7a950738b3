import { customAlphabet } from "nanoid";
import { AppError, type FieldError, validationError } from "../errors.ts";
import type { ModuleCatalog } from "../modules/catalog.ts";
import { maskSecrets, secretNames } from "../modules/secrets.ts";
import type { ParameterDef } from "../modules/schema.ts";
import { unsafeBareValues } from "../modules/args.ts";
import { checkCron } from "./cron.ts";
import type { ScheduleInput, ScheduleRecord, ScheduleView } from "./model.ts";
import type { ScheduleStore } from "./store.ts";
import type { ScheduleTimer } from "./timer.ts";
import { NO_INPUT, type ScheduleInputFields, type ScheduleInputs } from "./input.ts";
import { type SchedulablePipelines, scheduleTarget, targetOf } from "./target.ts";

const newScheduleId = customAlphabet("0123456789abcdefghijklmnopqrstuvwxyz", 12);
const iso = (ms: number | null) => ms === null ? null : new Date(ms).toISOString();

/** What the schedule routes work with. */
export interface ScheduleDeps {
  store: ScheduleStore;
  catalog: ModuleCatalog;
  timer: ScheduleTimer;
  inputs: ScheduleInputs;
  /** Pipelines a schedule may start instead of a module. */
  pipelines?: SchedulablePipelines;
}

/**
 * Schedules: create, list, change and delete them, validated exactly as a run's parameters;
 * the timer fires them. A schedule of a module that later becomes unavailable keeps its
 * definition (its fires record failed runs).
 */
export class Schedules {
  constructor(private readonly deps: ScheduleDeps) {}

  /** Creates a schedule from a full body. */
  async create(input: ScheduleInput & { cron: string }): Promise<ScheduleView> {
    const now = Date.now();
    const target = targetOf(input, null);
    if (typeof target === "string") {
      throw validationError([{ field: "module_id", message: target }]);
    }
    const schedule = this.validated(
      {
        schedule_id: newScheduleId(),
        ...target,
        cron: input.cron.trim(),
        timezone: input.timezone ?? "UTC",
        parameters: {},
        enabled: input.enabled ?? true,
        overlap: input.overlap ?? "skip",
        last_run_at: null,
        last_run_id: null,
        created_at: now,
        updated_at: now,
        skipped_fires: 0,
        refused_fires: 0,
        ...NO_INPUT,
        input_bytes: input.input ? input.input.bytes.length : null,
      },
      input.parameters ?? {},
      true,
    );
    // A 12-character id is taken once in 10^18 creations; the check makes even that harmless
    // (inputs are stored under a version of their own, so a taken id's input is never touched).
    do {
      Object.assign(
        schedule,
        await this.deps.inputs.save(schedule.schedule_id, input.input ?? null),
      );
    } while (!(await this.deps.store.create(schedule)) && (schedule.schedule_id = newScheduleId()));
    this.deps.timer.set(schedule);
    return this.view(schedule);
  }

  /** A page of schedules in id order, optionally of one module; `cursor` is the last page's. */
  async list(
    query: { moduleId?: string; limit: number; cursor?: string },
  ): Promise<{ schedules: ScheduleView[]; total: number; next_cursor: string | null }> {
    const { moduleId, limit, cursor } = query;
    const page = await this.deps.store.page({ moduleId, limit, after: cursor });
    return {
      schedules: page.schedules.map((s) => this.view(s)),
      total: page.total,
      next_cursor: page.next,
    };
  }

  /** One schedule; SCHEDULE_NOT_FOUND when unknown. */
  async get(scheduleId: string): Promise<ScheduleView> {
    return this.view(await this.require(scheduleId));
  }

  /**
   * Changes the given fields of a schedule and no other, in one checked write (a concurrent
   * PATCH of other fields is kept; 409 CONFLICT when the races keep being lost); parameters are
   * checked again against its module. 404 when it is not stored: a PATCH never brings back a
   * deleted schedule.
   */
  async update(scheduleId: string, input: ScheduleInput): Promise<ScheduleView> {
    // Starting a module, as a new or re-enabled schedule will, needs it available.
    const starts = input.module_id !== undefined || input.enabled === true;
    // A new input is written whole under a version of its own before the record points at it.
    const saved: Partial<ScheduleInputFields> = input.input === undefined
      ? {}
      : await this.deps.inputs.save(scheduleId, input.input);
    const target = targetOf(input, { module_id: null, pipeline_id: null });
    if (typeof target === "string") {
      throw validationError([{ field: "module_id", message: target }]);
    }
    let schedule: ScheduleRecord | null;
    // The version the stored record pointed at before this change (the committed try's).
    let replaced: string | null = null;
    try {
      schedule = await this.deps.store.change(scheduleId, (current) => {
        replaced = current.input_version;
        return this.validated(
          {
            ...current,
            ...(input.module_id === undefined && input.pipeline_id === undefined ? {} : target),
            cron: input.cron?.trim() ?? current.cron,
            timezone: input.timezone ?? current.timezone,
            enabled: input.enabled ?? current.enabled,
            overlap: input.overlap ?? current.overlap,
            updated_at: Date.now(),
            ...saved,
          },
          input.parameters ?? current.parameters,
          starts,
        );
      });
    } catch (err) {
      // A refused change (422, 409) leaves no input version that no record points at.
      await this.deps.inputs.discard(scheduleId, saved.input_version ?? null);
      throw err;
    }
    if (schedule === null) {
      if (input.input !== undefined) await this.deps.inputs.deleteAll(scheduleId);
      throw scheduleNotFound(scheduleId);
    }
    this.deps.timer.set(schedule);
    if (input.input !== undefined) {
      // Replaced by this change, it can never be pointed at again (a PATCH points only at the
      // version it wrote itself): gone at once. Others no record points at go after a grace.
      if (replaced !== schedule.input_version) {
        await this.deps.inputs.discard(scheduleId, replaced);
      }
      // The stored record's version, read afresh: a racing PATCH may have stored its own since.
      await this.deps.inputs.prune(
        scheduleId,
        async () => (await this.deps.store.get(scheduleId))?.input_version ?? null,
      );
    }
    return this.view(schedule);
  }

  /** Deletes a schedule: it never fires again. */
  async delete(scheduleId: string): Promise<string> {
    this.deps.timer.remove(scheduleId);
    if (!(await this.deps.store.delete(scheduleId))) throw scheduleNotFound(scheduleId);
    await this.deps.inputs.deleteAll(scheduleId);
    return `Schedule "${scheduleId}" was deleted.`;
  }

  private async require(scheduleId: string): Promise<ScheduleRecord> {
    const schedule = await this.deps.store.get(scheduleId);
    if (schedule === null) throw scheduleNotFound(scheduleId);
    return schedule;
  }

  /**
   * The schedule with its parameters validated as a run's; 404 or 422 otherwise (422
   * MODULE_UNAVAILABLE when `starts` and its module cannot run now).
   */
  private validated(
    schedule: ScheduleRecord,
    given: Record<string, unknown>,
    starts: boolean,
  ): ScheduleRecord {
    const target = scheduleTarget(schedule, this.deps.catalog, this.deps.pipelines);
    if (starts && schedule.enabled && target.unavailable !== null) {
      throw new AppError(
        "MODULE_UNAVAILABLE",
        `Module "${schedule.module_id}" is unavailable (${target.unavailable}): a schedule of ` +
          "it would record a failed run at every fire.",
      );
    }
    const errors: FieldError[] = [];
    const cron = checkCron(schedule.cron, schedule.timezone, Date.now());
    if (!cron.ok) errors.push({ field: cron.field, message: cron.message });
    const checked = target.validator.validate(given);
    // A value written without a flag that begins with '-' is refused as a run would refuse it.
    const paramErrors = checked.ok
      ? unsafeBareValues(target.parameters, checked.values, target.bareParams)
      : checked.errors;
    errors.push(...paramErrors.map((e) => ({ ...e, field: `parameters.${e.field}` })));
    if (schedule.input_bytes !== null && !target.readsInput) {
      errors.push({
        field: "input",
        message: schedule.pipeline_id !== null
          ? "is not taken by a pipeline's schedule"
          : 'is not read by this module (its stdin is "none")',
      });
    }
    if (errors.length > 0 || !checked.ok) throw validationError(errors);
    return { ...schedule, parameters: checked.values };
  }

  private view(schedule: ScheduleRecord): ScheduleView {
    let defs: readonly ParameterDef[] = [];
    try {
      defs = scheduleTarget(schedule, this.deps.catalog, this.deps.pipelines).parameters;
    } catch {
      // A module or pipeline gone from the module file: nothing to mask by.
    }
    const next = this.deps.timer.nextDueAt(schedule.schedule_id);
    const { input_version: _, ...fields } = schedule;
    return {
      ...fields,
      parameters: maskSecrets(schedule.parameters, secretNames(defs, schedule.parameters)),
      next_run_at: iso(next),
      last_run_at: iso(schedule.last_run_at),
      created_at: iso(schedule.created_at)!,
      updated_at: iso(schedule.updated_at)!,
    };
  }
}

function scheduleNotFound(scheduleId: string): AppError {
  return new AppError(
    "SCHEDULE_NOT_FOUND",
    `Schedule "${scheduleId.slice(0, 200)}" was not found.`,
  );
}
