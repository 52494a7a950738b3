import { AppError } from "../errors.ts";
import { keys } from "../kv/keys.ts";
import { type ScheduleRecord, scheduleRecordSchema } from "./model.ts";

/** What a schedule id looks like (it is part of a KV key). */
export const SCHEDULE_ID_PATTERN = /^[0-9a-z]{1,32}$/;
/** Lost races a change retries before it answers 409 CONFLICT. */
const MAX_TRIES = 20;

/** One page of schedules, in id order. */
export interface SchedulePage {
  schedules: ScheduleRecord[];
  /** Every schedule that matches, on this page or not. */
  total: number;
  /** The id to pass as `after` for the next page, or null on the last one. */
  next: string | null;
}

/**
 * Schedules in Deno KV, one key each. Every change is one atomic write checked against what it
 * was computed from (retried on a lost race, 409 CONFLICT when it keeps losing), so concurrent
 * PATCHes each land whole and nothing brings back a schedule deleted meanwhile. Each change of a
 * definition also moves a version key, which timers read instead of every schedule.
 */
export class ScheduleStore {
  /** The versionstamp each record this store read or wrote was stored under. */
  private readonly stamps = new WeakMap<ScheduleRecord, string>();

  constructor(private readonly kv: Deno.Kv) {}

  /**
   * The versionstamp `record` was stored under, when this store read or wrote that very object;
   * versionstamps of one key grow with each write, so they order its versions (the answers of
   * concurrent writes may arrive in either order).
   */
  stampOf(record: ScheduleRecord): string | null {
    return this.stamps.get(record) ?? null;
  }

  /** Every schedule, oldest first. */
  async all(): Promise<ScheduleRecord[]> {
    const out: ScheduleRecord[] = [];
    for await (const entry of this.kv.list({ prefix: keys.schedulePrefix() })) {
      const record = readable(entry);
      if (record === null) continue;
      this.stamps.set(record, entry.versionstamp);
      out.push(record);
    }
    return out.sort((a, b) => a.created_at - b.created_at);
  }

  /** A page of at most `limit` schedules after the id `after`, optionally of one module. */
  async page(query: { moduleId?: string; limit: number; after?: string }): Promise<SchedulePage> {
    const prefix = keys.schedulePrefix();
    const start = query.after === undefined ? undefined : [...prefix, query.after, ""];
    const selector = start === undefined ? { prefix } : { prefix, start };
    const schedules: ScheduleRecord[] = [];
    let total = 0;
    let more = false;
    for await (const entry of this.kv.list<{ module_id?: unknown }>(selector)) {
      if (query.moduleId !== undefined && entry.value?.module_id !== query.moduleId) continue;
      if (schedules.length < query.limit) {
        const record = readable(entry);
        if (record === null) continue;
        schedules.push(record);
      } else more = true;
      total++;
    }
    if (query.after !== undefined) total += await this.countBefore(query);
    return { schedules, total, next: more ? schedules.at(-1)!.schedule_id : null };
  }

  /** One schedule, or null. */
  async get(scheduleId: string): Promise<ScheduleRecord | null> {
    if (!SCHEDULE_ID_PATTERN.test(scheduleId)) return null;
    return readable(await this.kv.get(keys.schedule(scheduleId)));
  }

  /** Stores a new schedule; false when its id is taken. */
  async create(schedule: ScheduleRecord): Promise<boolean> {
    const key = keys.schedule(schedule.schedule_id);
    const op = this.kv.atomic().check({ key, versionstamp: null }).set(key, schedule);
    const result = await op.sum(keys.scheduleVersion(), 1n).commit();
    if (result.ok) this.stamps.set(schedule, result.versionstamp);
    return result.ok;
  }

  /**
   * Changes a stored schedule with one write checked against what was read, so a change made
   * meanwhile (a PATCH, a fire, through any server) is never undone; `change` is computed again
   * from the new state after a lost race. Null when the schedule is not stored (it is never
   * brought back). `definition: false` for changes no timer needs to see (a fire's counters).
   */
  async change(
    scheduleId: string,
    change: (s: ScheduleRecord) => ScheduleRecord,
    definition = true,
  ): Promise<ScheduleRecord | null> {
    if (!SCHEDULE_ID_PATTERN.test(scheduleId)) return null;
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const entry = await this.kv.get(keys.schedule(scheduleId));
      const current = readable(entry);
      if (current === null) return null;
      const next = change(current);
      const op = this.kv.atomic().check(entry).set(entry.key, next);
      if (definition) op.sum(keys.scheduleVersion(), 1n);
      const result = await op.commit();
      if (result.ok) {
        this.stamps.set(next, result.versionstamp);
        return next;
      }
    }
    throw conflict(scheduleId);
  }

  /** Deletes a schedule; false when there was none. */
  async delete(scheduleId: string): Promise<boolean> {
    if (!SCHEDULE_ID_PATTERN.test(scheduleId)) return false;
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const entry = await this.kv.get(keys.schedule(scheduleId));
      if (entry.versionstamp === null) return false;
      const op = this.kv.atomic().check(entry).delete(entry.key);
      if ((await op.sum(keys.scheduleVersion(), 1n).commit()).ok) return true;
    }
    throw conflict(scheduleId);
  }

  /** The version of all schedules' definitions: it moves with every create, change and delete. */
  async version(): Promise<string | null> {
    return (await this.kv.get(keys.scheduleVersion())).versionstamp;
  }

  /** How many matching schedules come before the page that starts after `after`. */
  private async countBefore(query: { moduleId?: string; after?: string }): Promise<number> {
    const prefix = keys.schedulePrefix();
    const selector = { prefix, end: [...prefix, query.after!, ""] };
    let count = 0;
    for await (const entry of this.kv.list<{ module_id?: unknown }>(selector)) {
      if (query.moduleId === undefined || entry.value?.module_id === query.moduleId) count++;
    }
    return count;
  }
}

/** A stored entry as a schedule, or null when there is none or it is not one (logged). */
function readable(entry: Deno.KvEntryMaybe<unknown>): ScheduleRecord | null {
  if (entry.value === null) return null;
  const parsed = scheduleRecordSchema.safeParse(entry.value);
  if (parsed.success) return parsed.data;
  console.error(`schedule ${String(entry.key[1])}: unreadable record skipped`);
  return null;
}

function conflict(scheduleId: string): AppError {
  return new AppError(
    "CONFLICT",
    `Schedule "${scheduleId}" is being changed by other requests right now; try again.`,
  );
}
