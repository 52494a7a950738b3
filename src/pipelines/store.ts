import { customAlphabet } from "nanoid";
import { type PipelineRunRecord, pipelineRunRecordSchema } from "./model.ts";

/** KV keys of pipelines (kept here: nothing outside src/pipelines/ reads them). */
export const pipelineKeys = {
  run: (id: string) => ["pipeline_runs", id] as const,
  runs: () => ["pipeline_runs"] as const,
  /** Set while a pipeline run is not final: the advancers' tick walks these. */
  active: (id: string) => ["pipeline_active", id] as const,
  actives: () => ["pipeline_active"] as const,
  /** Written by a step run's final write: that pipeline run has something to advance. */
  outbox: (pipelineRunId: string, runId: string) =>
    ["pipeline_outbox", pipelineRunId, runId] as const,
  outboxes: () => ["pipeline_outbox"] as const,
};

const randomPart = customAlphabet("0123456789abcdefghijklmnopqrstuvwxyz", 7);

/** A new pipeline run id: 16 of [0-9a-z], ordered by creation time (listings sort by it). */
export function newPipelineRunId(now = Date.now()): string {
  return now.toString(36).padStart(9, "0") + randomPart();
}

/** A stored pipeline run and its version, for a checked write. */
export interface VersionedRun {
  record: PipelineRunRecord;
  versionstamp: string;
}

/** Pipeline runs in Deno KV. */
export class PipelineRunStore {
  constructor(readonly kv: Deno.Kv) {}

  /** The stored run with its version, or null (also for a record that does not parse). */
  async get(id: string): Promise<VersionedRun | null> {
    const entry = await this.kv.get(pipelineKeys.run(id));
    if (entry.versionstamp === null) return null;
    const parsed = pipelineRunRecordSchema.safeParse(entry.value);
    return parsed.success ? { record: parsed.data, versionstamp: entry.versionstamp } : null;
  }

  /** Stores a new run (and marks it active). */
  async create(record: PipelineRunRecord): Promise<void> {
    const key = pipelineKeys.run(record.pipeline_run_id);
    const res = await this.kv.atomic().check({ key, versionstamp: null })
      .set(key, record).set(pipelineKeys.active(record.pipeline_run_id), true).commit();
    if (!res.ok) throw new Error(`pipeline run ${record.pipeline_run_id} exists`);
  }

  /**
   * Replaces a run if it is still at `versionstamp`; false when another writer came first.
   * `prepare` adds to the same atomic write.
   */
  async replace(
    before: VersionedRun,
    record: PipelineRunRecord,
    prepare?: (op: Deno.AtomicOperation) => void,
  ): Promise<boolean> {
    const key = pipelineKeys.run(record.pipeline_run_id);
    const op = this.kv.atomic().check({ key, versionstamp: before.versionstamp }).set(key, record);
    if (
      record.status === "completed" || record.status === "failed" || record.status === "cancelled"
    ) {
      op.delete(pipelineKeys.active(record.pipeline_run_id));
    }
    prepare?.(op);
    return (await op.commit()).ok;
  }

  /** Ids of the runs not yet final. */
  async activeIds(): Promise<string[]> {
    const ids: string[] = [];
    for await (const e of this.kv.list({ prefix: pipelineKeys.actives() })) {
      ids.push(String(e.key[1]));
    }
    return ids;
  }

  /** Pending outbox entries: pipeline run id -> step run ids. */
  async outbox(): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for await (const e of this.kv.list({ prefix: pipelineKeys.outboxes() }, { limit: 1000 })) {
      const [, pr, run] = e.key as [string, string, string];
      out.set(pr, [...out.get(pr) ?? [], run]);
    }
    return out;
  }

  /** Deletes processed outbox entries. */
  async clearOutbox(pipelineRunId: string, runIds: string[]): Promise<void> {
    const op = this.kv.atomic();
    for (const r of runIds) op.delete(pipelineKeys.outbox(pipelineRunId, r));
    await op.commit();
  }

  /** Newest first; filtered; `before` is the last id of the previous page. */
  async list(q: {
    pipelineId?: string;
    status?: string;
    limit: number;
    before?: string;
  }): Promise<{ records: PipelineRunRecord[]; total: number; hasMore: boolean }> {
    const records: PipelineRunRecord[] = [];
    let total = 0;
    let hasMore = false;
    for await (const e of this.kv.list({ prefix: pipelineKeys.runs() }, { reverse: true })) {
      const parsed = pipelineRunRecordSchema.safeParse(e.value);
      if (!parsed.success) continue;
      const r = parsed.data;
      if (q.pipelineId !== undefined && r.pipeline_id !== q.pipelineId) continue;
      if (q.status !== undefined && r.status !== q.status) continue;
      total++;
      if (q.before !== undefined && r.pipeline_run_id >= q.before) continue;
      if (records.length < q.limit) records.push(r);
      else hasMore = true;
    }
    return { records, total, hasMore };
  }
}
