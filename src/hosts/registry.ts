import { setTimeout as delay } from "node:timers/promises";
import { ConfigError } from "../errors.ts";
import { keys } from "../kv/keys.ts";
import { dataDirId } from "./data_dir_id.ts";
import { heartbeatIntervalMs } from "./host_id.ts";
import {
  type HostRecord,
  hostRecordSchema,
  type HostState,
  type HostView,
  isAlive,
  toHostView,
} from "./model.ts";

/** A heartbeat outlives its server this long, so `GET /api/hosts` shows it stopped for a day. */
const KEEP_MS = 24 * 3600 * 1000;

/** What a server's heartbeat says and what it does about servers that stopped. */
export interface HostRegistryOptions {
  kv: Deno.Kv;
  /** This server's id (known once it listens). */
  hostId: () => string;
  /** This server's data dir, whose own id tells a restart from another server (data_dir_id.ts). */
  dataDir: string;
  timeoutSeconds: number;
  maxConcurrentRuns: number;
  /** This server's `PRISMQ_HOST_LABELS`. */
  labels?: string[];
  /** This server's running runs now. */
  runningRuns: () => number;
  /**
   * Called after each beat that saw other servers (not awaited by it): fails the runs that
   * servers which are not alive left running, asking `states()` after reading those runs.
   */
  onBeat: () => Promise<void>;
  /**
   * This server was found marked lost (it was paused past the timeout): its runs were failed by
   * another server, so what it still runs must stop.
   */
  onDeclaredLost: () => void;
}

/**
 * This server's heartbeat in the shared store, and the watch over the others'. Every server
 * renews its own record (with `expireIn`, so long-gone servers disappear) and looks at the
 * others' on each beat: one silent past the timeout is marked lost (one checked write, so by one
 * server), and after each beat `onBeat` fails the runs of servers that are not alive; each such
 * move is checked in the store, so a run is failed once however many servers try. A server that
 * finds itself marked lost (it was paused) stops what it still runs.
 */
export class HostRegistry {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private beating: Promise<void> = Promise.resolve();
  private startedAt = Date.now();
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private dataDirId = "";
  private joined = false;
  /** The versionstamp of this server's last heartbeat: any other write to it is news. */
  private ownVersion: string | null = null;
  private sweeping: Promise<void> | null = null;
  /** The labels of the other servers alive at the last beat. */
  private othersLabels: string[][] = [];

  constructor(private readonly options: HostRegistryOptions) {
    this.intervalMs = heartbeatIntervalMs(options.timeoutSeconds);
    this.timeoutMs = options.timeoutSeconds * 1000;
  }

  /**
   * Joins the store: refuses (ConfigError) when another live server already uses this host id,
   * else writes the first heartbeat and starts beating.
   */
  async join(): Promise<void> {
    const { kv } = this.options;
    const hostId = this.options.hostId();
    this.dataDirId = await dataDirId(this.options.dataDir);
    const key = keys.host(hostId);
    let entry = await kv.get(key);
    const seen = parse(entry.value);
    if (seen && seen.data_dir_id !== this.dataDirId && isAlive(seen, Date.now(), this.timeoutMs)) {
      // Another data dir's server: alive only if its heartbeat moves (it may have just crashed).
      await delay(this.intervalMs * 2.5);
      const again = await kv.get(key);
      if (again.versionstamp !== entry.versionstamp) throw duplicate(hostId);
      entry = again;
    }
    this.startedAt = Date.now();
    let ok = await kv.atomic().check(entry).set(key, this.record(this.startedAt), {
      expireIn: KEEP_MS,
    }).commit();
    if (!ok.ok) {
      // Changed meanwhile: by another server marking this id lost (then it is ours to take), or
      // by a live server with this id.
      const again = await kv.get(key);
      const changed = parse(again.value);
      if (changed !== null && changed.data_dir_id !== this.dataDirId && changed.lost_at === null) {
        throw duplicate(hostId);
      }
      ok = await kv.atomic().check(again).set(key, this.record(this.startedAt), {
        expireIn: KEEP_MS,
      }).commit();
      if (!ok.ok) throw duplicate(hostId);
    }
    this.ownVersion = ok.versionstamp;
    this.othersLabels = (await this.list()).filter((h) => h.alive && h.host_id !== hostId)
      .map((h) => h.labels);
    this.joined = true;
    this.schedule();
  }

  /** Stops beating and records a clean stop, so other servers see this one stopped at once. */
  async leave(): Promise<void> {
    if (!this.joined) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.beating;
    await this.sweeping;
    const now = Date.now();
    await this.options.kv.set(
      keys.host(this.options.hostId()),
      { ...this.record(now), running_runs: 0, stopped_at: now },
      { expireIn: KEEP_MS },
    ).catch(() => {});
  }

  /** Every server that shared the store within the last day, this one first. */
  async list(): Promise<HostView[]> {
    const now = Date.now();
    const out: HostView[] = [];
    for await (const entry of this.options.kv.list({ prefix: keys.hostPrefix() })) {
      const record = parse(entry.value);
      if (record) out.push(toHostView(record, now, this.timeoutMs));
    }
    return out.sort((a, b) =>
      Number(b.host_id === this.options.hostId()) - Number(a.host_id === this.options.hostId()) ||
      a.host_id.localeCompare(b.host_id)
    );
  }

  /**
   * The labels of each live server, this one's first, as of the last heartbeat (a server
   * counts as alive until its heartbeat is older than the timeout).
   */
  liveLabels(): string[][] {
    return [this.options.labels ?? [], ...this.othersLabels];
  }

  /** Every known server's state, by id. */
  async states(): Promise<Map<string, HostState>> {
    const now = Date.now();
    const out = new Map<string, HostState>();
    for await (const entry of this.options.kv.list({ prefix: keys.hostPrefix() })) {
      const record = parse(entry.value);
      if (record === null) continue;
      out.set(record.host_id, {
        alive: isAlive(record, now, this.timeoutMs),
        silentMs: now - record.last_seen_at,
      });
    }
    return out;
  }

  /**
   * The ids this server's data dir has had (a restart on another port or host name gives a new
   * default id): their runs are this server's own to recover at start.
   */
  async formerIds(): Promise<Set<string>> {
    const ids = new Set<string>([this.options.hostId()]);
    for await (const entry of this.options.kv.list({ prefix: keys.hostPrefix() })) {
      const record = parse(entry.value);
      if (record?.data_dir_id === this.dataDirId) ids.add(record.host_id);
    }
    return ids;
  }

  private record(now: number): HostRecord {
    return {
      host_id: this.options.hostId(),
      data_dir_id: this.dataDirId,
      started_at: this.startedAt,
      last_seen_at: now,
      running_runs: this.options.runningRuns(),
      max_concurrent_runs: this.options.maxConcurrentRuns,
      stopped_at: null,
      lost_at: null,
      labels: this.options.labels ?? [],
    };
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.beating = this.beat().catch((err) => console.error("heartbeat failed:", err))
        .finally(() => {
          if (this.timer !== null) this.schedule();
        });
    }, this.intervalMs);
  }

  private async beat(): Promise<void> {
    const { kv } = this.options;
    const hostId = this.options.hostId();
    const key = keys.host(hostId);
    const own = await kv.get(key);
    if (own.versionstamp !== this.ownVersion) {
      const seen = parse(own.value);
      if (seen?.lost_at != null && seen.data_dir_id === this.dataDirId) {
        console.error(
          `host ${hostId}: another server found this one silent past the timeout and failed its ` +
            "runs; stopping what is still running here",
        );
        this.options.onDeclaredLost();
      }
    }
    const written = await kv.set(key, this.record(Date.now()), { expireIn: KEEP_MS });
    this.ownVersion = written.versionstamp;
    let others = false;
    const labels: string[][] = [];
    for await (const entry of kv.list({ prefix: keys.hostPrefix() })) {
      const record = parse(entry.value);
      if (record === null || record.host_id === hostId) continue;
      others = true;
      if (isAlive(record, Date.now(), this.timeoutMs)) labels.push(record.labels);
      if (record.stopped_at !== null || record.lost_at !== null) continue;
      const now = Date.now();
      if (now - record.last_seen_at < this.timeoutMs) continue;
      // Marked lost once, by one server (it shows `alive: false` at once and is logged once).
      const claimed = await kv.atomic().check(entry)
        .set(entry.key, { ...record, lost_at: now }, { expireIn: KEEP_MS }).commit();
      if (!claimed.ok) continue;
      console.warn(
        `host ${record.host_id}: no heartbeat for ${
          Math.round((now - record.last_seen_at) / 1000)
        } s, failing its running runs`,
      );
    }
    this.othersLabels = labels;
    // Alone on the store (no other server seen within the day), every running run is this
    // one's: nothing to look for. Failing runs may take a while: the next beat must not wait.
    if (!others) return;
    this.sweeping ??= this.options.onBeat().catch((err) => {
      console.error("failing the runs of stopped servers failed:", err);
    }).finally(() => this.sweeping = null);
  }
}

function parse(value: unknown): HostRecord | null {
  const parsed = hostRecordSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function duplicate(hostId: string): ConfigError {
  return new ConfigError(
    `invalid setting PRISMQ_HOST_ID=${JSON.stringify(hostId)}: another server with this id is ` +
      "running on the same store (give each server its own PRISMQ_HOST_ID)",
  );
}
