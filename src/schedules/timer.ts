import { type EncodedInput, isFinal, type RunRecord, type RunRequest } from "../runs/mod.ts";
import { MAX_TIMER_SECONDS } from "../settings.ts";
import { nextDue } from "./cron.ts";
import type { ScheduleRecord } from "./model.ts";
import type { ScheduleStore } from "./store.ts";
import { Ticker } from "../timing.ts";

/** What the timer needs of the runs. */
export interface ScheduledRuns {
  /** Submits exactly as `POST .../run` does (limits and queue included). */
  submit(request: RunRequest): Promise<RunRecord>;
  /** The stored run, or null. */
  record(runId: string): Promise<RunRecord | null>;
  /**
   * True for the one server (of those sharing the store) that fires this schedule at this due
   * time; absent, every fire is this server's.
   */
  claim?(scheduleId: string, dueAt: number): Promise<boolean>;
  /** Starts a pipeline run (a schedule naming `pipeline_id`); absent: none can be started. */
  startPipeline?(
    pipelineId: string,
    parameters: ScheduleRecord["parameters"],
    scheduleId: string,
  ): Promise<{ id: string; createdAt: number }>;
  /** True while the pipeline run is not final (overlap "skip"). */
  pipelineBusy?(pipelineRunId: string): Promise<boolean>;
  /** The input a fire gives its run (absent: none). */
  input?(schedule: ScheduleRecord): Promise<EncodedInput | null>;
}

/** How often the stored schedules are read again, for those other servers made or changed. */
const REFRESH_MS = 2000;

/**
 * Fires due schedules: one timer for the earliest due time of all enabled schedules. Fires missed
 * while the server was down are not replayed: due times are computed from the start. Servers
 * sharing a store each keep the timer (any may stop), read the stored schedules again every few
 * seconds, and claim each fire, so a due time fires once across them.
 */
export class ScheduleTimer {
  private readonly due = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private firing: Promise<void> = Promise.resolve();
  /** The fire under way of each schedule, so the next one waits for it. */
  private readonly fires = new Map<string, Promise<void>>();
  private stopped = false;
  /** What each known schedule's due time was computed from. */
  private readonly known = new Map<string, string>();
  private readonly refresher = new Ticker("the schedule refresh", REFRESH_MS, () => this.refresh());
  /** The schedules' version when they were last read. */
  private version: string | null = null;
  /** How many times refresh read every schedule (tests see the version key at work). */
  fullRefreshes = 0;
  /** The last skip or refusal logged of each schedule (logOnce). */
  private readonly refusals = new Map<string, string>();

  constructor(private readonly store: ScheduleStore, private readonly runs: ScheduledRuns) {}

  /** Changes made here through `set` and `remove`, counted. */
  private localChanges = 0;
  /** The count at each schedule's last change made here: a refresh read before it is older. */
  private readonly changedHere = new Map<string, number>();
  /** The versionstamp of the version of each schedule taken in (see ScheduleStore.stampOf). */
  private readonly appliedStamps = new Map<string, string>();

  /** Loads every schedule and arms the timer. */
  async start(): Promise<void> {
    this.version = await this.store.version();
    for (const schedule of await this.store.all()) this.apply(schedule);
    this.arm();
    this.refresher.start();
  }

  /**
   * Takes in the schedules other servers created, changed or deleted. One read of the version
   * key when nothing changed (10,000 schedules are not read every 2 s for nothing).
   */
  async refresh(): Promise<void> {
    const version = await this.store.version();
    if (version === this.version) return;
    this.version = version;
    this.fullRefreshes++;
    const readFrom = this.localChanges;
    const stored = await this.store.all();
    // A schedule changed here while the store was read is newer here than in what was read.
    const newerHere = (id: string) => (this.changedHere.get(id) ?? -1) >= readFrom;
    const ids = new Set(stored.map((s) => s.schedule_id));
    let changed = false;
    for (const schedule of stored) {
      if (this.known.get(schedule.schedule_id) === signature(schedule)) continue;
      if (newerHere(schedule.schedule_id)) continue;
      this.apply(schedule);
      changed = true;
    }
    for (const id of [...this.known.keys()]) {
      if (ids.has(id) || newerHere(id)) continue;
      this.appliedStamps.delete(id);
      this.known.delete(id);
      this.due.delete(id);
      changed = true;
    }
    // Changes made before this read are in it: only later ones need remembering.
    for (const [id, at] of this.changedHere) if (at < readFrom) this.changedHere.delete(id);
    if (changed && !this.stopped) this.arm();
  }

  /** Stops firing; fires under way finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.refresher.stop();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.firing;
    await Promise.allSettled([...this.fires.values()]);
  }

  /** The next due time of a schedule (epoch ms), or null when disabled or never due. */
  nextDueAt(scheduleId: string): number | null {
    return this.due.get(scheduleId) ?? null;
  }

  /** Takes a new or changed schedule into account (one just stored by this server). */
  set(schedule: ScheduleRecord): void {
    this.changedHere.set(schedule.schedule_id, this.localChanges++);
    this.apply(schedule);
    this.arm();
  }

  private apply(schedule: ScheduleRecord): void {
    // Two PATCHes' answers may come back in either order: an older version never replaces a newer.
    const stamp = this.store.stampOf(schedule);
    const applied = this.appliedStamps.get(schedule.schedule_id);
    if (stamp !== null && applied !== undefined && applied > stamp) return;
    if (stamp !== null) this.appliedStamps.set(schedule.schedule_id, stamp);
    this.known.set(schedule.schedule_id, signature(schedule));
    const next = schedule.enabled ? nextDue(schedule.cron, schedule.timezone, Date.now()) : null;
    if (next === null) this.due.delete(schedule.schedule_id);
    else this.due.set(schedule.schedule_id, next);
  }

  /** Forgets a deleted schedule. */
  remove(scheduleId: string): void {
    this.changedHere.set(scheduleId, this.localChanges++);
    this.appliedStamps.delete(scheduleId);
    this.known.delete(scheduleId);
    this.refusals.delete(scheduleId);
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
      if (this.runs.claim && !await this.runs.claim(scheduleId, dueAt)) return;
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
    if (schedule.pipeline_id !== null) return await this.firePipeline(schedule);
    if (schedule.overlap === "skip" && schedule.last_run_id !== null) {
      const last = await this.runs.record(schedule.last_run_id);
      if (last !== null && !isFinal(last.status)) {
        this.logOnce(id, `fire skipped, run ${last.run_id} is still ${last.status}`);
        await this.save(id, (s) => ({ ...s, skipped_fires: s.skipped_fires + 1 }));
        return;
      }
    }
    try {
      const run = await this.runs.submit({
        moduleId: schedule.module_id!,
        parameters: schedule.parameters,
        saveConfig: false,
        recordUnavailable: true,
        origin: { trigger: "schedule", schedule_id: id },
        input: await this.runs.input?.(schedule) ?? null,
      });
      this.refusals.delete(id);
      await this.save(id, (s) => ({ ...s, last_run_at: run.created_at, last_run_id: run.run_id }));
    } catch (err) {
      this.logOnce(id, `fire refused: ${err instanceof Error ? err.message : String(err)}`);
      await this.save(id, (s) => ({ ...s, refused_fires: s.refused_fires + 1 }));
    }
  }

  /** A fire of a pipeline's schedule: starts a pipeline run (skipped while the last one runs). */
  private async firePipeline(schedule: ScheduleRecord): Promise<void> {
    const id = schedule.schedule_id;
    const last = schedule.last_run_id;
    if (schedule.overlap === "skip" && last !== null && await this.runs.pipelineBusy?.(last)) {
      this.logOnce(id, `fire skipped, pipeline run ${last} is still running`);
      await this.save(id, (s) => ({ ...s, skipped_fires: s.skipped_fires + 1 }));
      return;
    }
    try {
      if (!this.runs.startPipeline) throw new Error("pipelines cannot be started here");
      const run = await this.runs.startPipeline(schedule.pipeline_id!, schedule.parameters, id);
      this.refusals.delete(id);
      await this.save(id, (s) => ({ ...s, last_run_at: run.createdAt, last_run_id: run.id }));
    } catch (err) {
      this.logOnce(id, `fire refused: ${err instanceof Error ? err.message : String(err)}`);
      await this.save(id, (s) => ({ ...s, refused_fires: s.refused_fires + 1 }));
    }
  }

  /**
   * Logs why a fire did not start a run, once while the same reason repeats: each one is counted
   * in the schedule's `skipped_fires` or `refused_fires`, and a schedule due every second would
   * otherwise write a line a second.
   */
  private logOnce(id: string, why: string): void {
    if (this.refusals.get(id) === why) return;
    this.refusals.set(id, why);
    console.error(`schedule ${id}: ${why} (logged once while it repeats)`);
  }

  /** Changes a stored schedule unless it was deleted meanwhile. */
  private async save(id: string, change: (s: ScheduleRecord) => ScheduleRecord): Promise<void> {
    await this.store.change(id, change, false);
  }
}

/** The fields a schedule's due times follow: a change in any of them means a new due time. */
function signature(schedule: ScheduleRecord): string {
  return JSON.stringify([schedule.cron, schedule.timezone, schedule.enabled, schedule.updated_at]);
}
