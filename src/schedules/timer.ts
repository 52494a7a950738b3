import { isFinal, type RunRecord } from "../runs/model.ts";
import type { RunRequest } from "../runs/submission.ts";
import { MAX_TIMER_SECONDS } from "../settings.ts";
import { nextDue } from "./cron.ts";
import type { ScheduleRecord } from "./model.ts";
import type { ScheduleStore } from "./store.ts";

/** What the timer needs of the runs. */
export interface ScheduledRuns {
  /** Submits exactly as `POST .../run` does (limits and queue included). */
  submit(request: RunRequest): Promise<RunRecord>;
  /** The stored run, or null. */
  record(runId: string): Promise<RunRecord | null>;
}

/**
 * Fires due schedules: one timer for the earliest due time of all enabled schedules, never a poll
 * of every schedule. Fires missed while the server was down are not replayed: due times are
 * computed from the start.
 */
export class ScheduleTimer {
  private readonly due = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private firing: Promise<void> = Promise.resolve();
  /** The fire under way of each schedule, so the next one waits for it. */
  private readonly fires = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(private readonly store: ScheduleStore, private readonly runs: ScheduledRuns) {}

  /** Loads every schedule and arms the timer. */
  async start(): Promise<void> {
    for (const schedule of await this.store.all()) this.set(schedule, false);
    this.arm();
  }

  /** Stops firing; fires under way finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.firing;
    await Promise.allSettled([...this.fires.values()]);
  }

  /** The next due time of a schedule (epoch ms), or null when disabled or never due. */
  nextDueAt(scheduleId: string): number | null {
    return this.due.get(scheduleId) ?? null;
  }

  /** Takes a new or changed schedule into account. */
  set(schedule: ScheduleRecord, rearm = true): void {
    const next = schedule.enabled ? nextDue(schedule.cron, schedule.timezone, Date.now()) : null;
    if (next === null) this.due.delete(schedule.schedule_id);
    else this.due.set(schedule.schedule_id, next);
    if (rearm) this.arm();
  }

  /** Forgets a deleted schedule. */
  remove(scheduleId: string): void {
    this.due.delete(scheduleId);
    this.arm();
  }

  private arm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped || this.due.size === 0) return;
    const earliest = Math.min(...this.due.values());
    const wait = Math.min(Math.max(0, earliest - Date.now()), MAX_TIMER_SECONDS * 1000);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.firing = this.firing.then(() => this.fireDue()).finally(() => this.arm());
    }, wait);
  }

  /**
   * Starts every due schedule's fire without waiting for it (a fire spawns a process, and the
   * next due time must not wait for that). Fires of one schedule are chained, so overlap "skip"
   * always sees the previous fire's run.
   */
  private async fireDue(): Promise<void> {
    const now = Date.now();
    const due = [...this.due].filter(([, dueAt]) => dueAt <= now);
    await Promise.all(due.map(async ([scheduleId, dueAt]) => {
      // The next due time counts from this fire's due time, so a slow fire skips nothing.
      const schedule = await this.store.get(scheduleId);
      const next = schedule?.enabled
        ? nextDue(schedule.cron, schedule.timezone, Math.max(dueAt, Date.now() - 1))
        : null;
      if (next === null) this.due.delete(scheduleId);
      else this.due.set(scheduleId, next);
      if (!schedule?.enabled || this.stopped) return;
      const previous = this.fires.get(scheduleId) ?? Promise.resolve();
      const fire = previous.then(() => this.fire(scheduleId));
      this.fires.set(scheduleId, fire);
      void fire.finally(() => {
        if (this.fires.get(scheduleId) === fire) this.fires.delete(scheduleId);
      });
    }));
  }

  /** Submits one fire's run; a skip or a refusal is logged and counted, never retried. */
  private async fire(id: string): Promise<void> {
    const schedule = await this.store.get(id);
    if (schedule === null || !schedule.enabled || this.stopped) return;
    if (schedule.overlap === "skip" && schedule.last_run_id !== null) {
      const last = await this.runs.record(schedule.last_run_id);
      if (last !== null && !isFinal(last.status)) {
        console.log(`schedule ${id}: fire skipped, run ${last.run_id} is still ${last.status}`);
        await this.save(id, (s) => ({ ...s, skipped_fires: s.skipped_fires + 1 }));
        return;
      }
    }
    try {
      const run = await this.runs.submit({
        moduleId: schedule.module_id,
        parameters: schedule.parameters,
        saveConfig: false,
        recordUnavailable: true,
        origin: { trigger: "schedule", schedule_id: id },
      });
      await this.save(id, (s) => ({ ...s, last_run_at: run.created_at, last_run_id: run.run_id }));
    } catch (err) {
      console.error(`schedule ${id}: fire refused:`, err instanceof Error ? err.message : err);
      await this.save(id, (s) => ({ ...s, refused_fires: s.refused_fires + 1 }));
    }
  }

  /** Changes a stored schedule unless it was deleted meanwhile. */
  private async save(id: string, change: (s: ScheduleRecord) => ScheduleRecord): Promise<void> {
    const current = await this.store.get(id);
    if (current !== null) await this.store.put(change(current));
  }
}
