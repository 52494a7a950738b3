import { z } from "zod";

/** A server's heartbeat as stored; times are epoch milliseconds. */
export const hostRecordSchema = z.object({
  host_id: z.string(),
  /** Random id of the server's data dir: a restart on the same data dir is the same server. */
  data_dir_id: z.string(),
  started_at: z.number(),
  last_seen_at: z.number(),
  running_runs: z.number().int(),
  max_concurrent_runs: z.number().int(),
  /** Set when the server shut down cleanly; its heartbeat then stops at once. */
  stopped_at: z.number().nullable(),
  /** Set by the server that failed this one's runs after its heartbeat stopped. */
  lost_at: z.number().nullable(),
  /** `PRISMQ_HOST_LABELS`; heartbeats stored before labels existed read as none. */
  labels: z.array(z.string()).default([]),
});
export type HostRecord = z.infer<typeof hostRecordSchema>;

/** The contract's host entry of `GET /api/hosts`. */
export const hostViewSchema = z.object({
  host_id: z.string(),
  started_at: z.string(),
  last_seen_at: z.string(),
  running_runs: z.number().int(),
  max_concurrent_runs: z.number().int(),
  alive: z.boolean(),
  labels: z.array(z.string()),
});
export type HostView = z.infer<typeof hostViewSchema>;

/** What a server's heartbeat says of it now. */
export interface HostState {
  alive: boolean;
  /** How long since its last heartbeat. */
  silentMs: number;
}

/** True while the server renews its heartbeat within the timeout and has not shut down. */
export function isAlive(record: HostRecord, now: number, timeoutMs: number): boolean {
  return record.stopped_at === null && record.lost_at === null &&
    now - record.last_seen_at < timeoutMs;
}

/** Renders a heartbeat for callers; a stopped or lost server runs nothing. */
export function toHostView(record: HostRecord, now: number, timeoutMs: number): HostView {
  const alive = isAlive(record, now, timeoutMs);
  return {
    host_id: record.host_id,
    started_at: new Date(record.started_at).toISOString(),
    last_seen_at: new Date(record.last_seen_at).toISOString(),
    running_runs: alive ? record.running_runs : 0,
    max_concurrent_runs: record.max_concurrent_runs,
    alive,
    labels: record.labels,
  };
}
