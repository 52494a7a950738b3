import { customAlphabet } from "nanoid";
import { AppError, type FieldError, validationError } from "../errors.ts";
import type { ModuleCatalog } from "../modules/catalog.ts";
import { maskSecrets, secretNames } from "../modules/secrets.ts";
import { checkCron } from "./cron.ts";
import type { ScheduleInput, ScheduleRecord, ScheduleView } from "./model.ts";
import type { ScheduleStore } from "./store.ts";
import type { ScheduleTimer } from "./timer.ts";
import { NO_INPUT, type ScheduleInputs } from "./input.ts";

const newScheduleId = customAlphabet("0123456789abcdefghijklmnopqrstuvwxyz", 12);
const iso = (ms: number | null) => ms === null ? null : new Date(ms).toISOString();

/** What the schedule routes work with. */
export interface ScheduleDeps {
  store: ScheduleStore;
  catalog: ModuleCatalog;
  timer: ScheduleTimer;
  inputs: ScheduleInputs;
}

/**
 * Schedules: create, list, change and delete them, validated exactly as a run's parameters;
 * the timer fires them. A schedule of a module that later becomes unavailable keeps its
 * definition (its fires record failed runs).
 */
export class Schedules {
  constructor(private readonly deps: ScheduleDeps) {}

  /** Creates a schedule from a full body. */
  async create(input: ScheduleInput & { module_id: string; cron: string }): Promise<ScheduleView> {
    const now = Date.now();
    const schedule = this.validated({
      schedule_id: newScheduleId(),
      module_id: input.module_id,
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
    }, input.parameters ?? {});
    Object.assign(schedule, await this.deps.inputs.save(schedule.schedule_id, input.input ?? null));
    await this.deps.store.put(schedule);
    this.deps.timer.set(schedule);
    return this.view(schedule);
  }

  /** Every schedule, optionally of one module. */
  async list(moduleId?: string): Promise<ScheduleView[]> {
    const all = await this.deps.store.all();
    return all.filter((s) => moduleId === undefined || s.module_id === moduleId)
      .map((s) => this.view(s));
  }

  /** One schedule; SCHEDULE_NOT_FOUND when unknown. */
  async get(scheduleId: string): Promise<ScheduleView> {
    return this.view(await this.require(scheduleId));
  }

  /** Changes any of a schedule's fields; parameters are checked again against its module. */
  async update(scheduleId: string, input: ScheduleInput): Promise<ScheduleView> {
    const current = await this.require(scheduleId);
    const schedule = this.validated({
      ...current,
      module_id: input.module_id ?? current.module_id,
      cron: input.cron?.trim() ?? current.cron,
      timezone: input.timezone ?? current.timezone,
      enabled: input.enabled ?? current.enabled,
      overlap: input.overlap ?? current.overlap,
      updated_at: Date.now(),
      ...(input.input === undefined ? {} : { input_bytes: input.input?.bytes.length ?? null }),
    }, input.parameters ?? current.parameters);
    if (input.input !== undefined) {
      Object.assign(schedule, await this.deps.inputs.save(scheduleId, input.input));
    }
    await this.deps.store.put(schedule);
    this.deps.timer.set(schedule);
    if (input.input !== undefined) await this.deps.inputs.prune(scheduleId, schedule.input_version);
    return this.view(schedule);
  }

  /** Deletes a schedule: it never fires again. */
  async delete(scheduleId: string): Promise<string> {
    this.deps.timer.remove(scheduleId);
    if (!(await this.deps.store.delete(scheduleId))) throw scheduleNotFound(scheduleId);
    await this.deps.inputs.prune(scheduleId);
    return `Schedule "${scheduleId}" was deleted.`;
  }

  private async require(scheduleId: string): Promise<ScheduleRecord> {
    const schedule = await this.deps.store.get(scheduleId);
    if (schedule === null) throw scheduleNotFound(scheduleId);
    return schedule;
  }

  /** The schedule with its parameters validated as a run's; 404 or 422 otherwise. */
  private validated(schedule: ScheduleRecord, given: Record<string, unknown>): ScheduleRecord {
    const module = this.deps.catalog.require(schedule.module_id);
    const errors: FieldError[] = [];
    const cron = checkCron(schedule.cron, schedule.timezone);
    if (!cron.ok) errors.push({ field: cron.field, message: cron.message });
    const checked = module.validator.validate(given);
    if (!checked.ok) {
      errors.push(...checked.errors.map((e) => ({ ...e, field: `parameters.${e.field}` })));
    }
    if (schedule.input_bytes !== null && module.def.stdin !== "input") {
      errors.push({ field: "input", message: 'is not read by this module (its stdin is "none")' });
    }
    if (errors.length > 0 || !checked.ok) throw validationError(errors);
    return { ...schedule, parameters: checked.values };
  }

  private view(schedule: ScheduleRecord): ScheduleView {
    const defs = this.deps.catalog.get(schedule.module_id)?.def.parameters ?? [];
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
