import { keys } from "../kv/keys.ts";
import { type ScheduleRecord, scheduleRecordSchema } from "./model.ts";

/** Schedules in Deno KV, one key each. */
export class ScheduleStore {
  constructor(private readonly kv: Deno.Kv) {}

  /** Every schedule, oldest first. */
  async all(): Promise<ScheduleRecord[]> {
    const out: ScheduleRecord[] = [];
    for await (const entry of this.kv.list({ prefix: keys.schedulePrefix() })) {
      const parsed = scheduleRecordSchema.safeParse(entry.value);
      if (parsed.success) out.push(parsed.data);
      else console.error(`schedule ${String(entry.key[1])}: unreadable record skipped`);
    }
    return out.sort((a, b) => a.created_at - b.created_at);
  }

  /** One schedule, or null. */
  async get(scheduleId: string): Promise<ScheduleRecord | null> {
    if (!/^[0-9a-z]{1,32}$/.test(scheduleId)) return null;
    const entry = await this.kv.get(keys.schedule(scheduleId));
    return entry.value === null ? null : scheduleRecordSchema.parse(entry.value);
  }

  /** Stores a schedule (new or changed). */
  async put(schedule: ScheduleRecord): Promise<void> {
    await this.kv.set(keys.schedule(schedule.schedule_id), schedule);
  }

  /**
   * Changes a stored schedule with one write checked against what was read, so a change made
   * meanwhile (a PATCH through another server) is never undone; nothing when it was deleted.
   */
  async change(scheduleId: string, change: (s: ScheduleRecord) => ScheduleRecord): Promise<void> {
    for (;;) {
      const entry = await this.kv.get(keys.schedule(scheduleId));
      if (entry.value === null) return;
      const next = change(scheduleRecordSchema.parse(entry.value));
      if ((await this.kv.atomic().check(entry).set(entry.key, next).commit()).ok) return;
    }
  }

  /** Deletes a schedule; false when there was none. */
  async delete(scheduleId: string): Promise<boolean> {
    if ((await this.get(scheduleId)) === null) return false;
    await this.kv.delete(keys.schedule(scheduleId));
    return true;
  }
}
