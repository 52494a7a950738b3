import { setTimeout as delay } from "node:timers/promises";
import type { RawLine } from "../logs/line.ts";
import { type RunLogWriter, WARNING } from "../logs/writer.ts";
import { dropSecrets } from "../modules/secrets.ts";
import { RunEvents } from "./events.ts";
import { isFinal, type RunRecord } from "./model.ts";
import { type Move, moveRun, type RunParts } from "./parts.ts";
import type { RunStore } from "./store.ts";

/** What a final write works with. */
type FinalParts =
  & Pick<RunParts, "store" | "events" | "finalHooks" | "logs">
  & Partial<Pick<RunParts, "inputs">>;

/** Waits between tries of a final write that failed: doubling from the first to the longest. */
const RETRY_MS = [250, 2000] as const;

/** A landing is not news: the run's followers heard of its final record when it was kept. */
const NOBODY = new RunEvents();

/** The final writes of each store still waiting for it (one store per runner; tests have many). */
const waiting = new WeakMap<RunStore, Set<FinalWrite>>();

/**
 * Stores the final record of a run whose process ended (its status `move`), with the system
 * line for log lines the writer could not store, if it has one left to say. When the write fails
 * (a full disk), the run is final all the same: the record is kept where every read finds it
 * (the store's cache) and followers are told, and the write is tried again in the background
 * until it lands; `settleFinalWrites` makes a last try at shutdown, and after that the next
 * start's recovery marks the run failed. Answers the final record, stored or kept.
 */
export async function writeFinal(
  parts: FinalParts,
  runId: string,
  move: Move,
  writer?: Pick<RunLogWriter, "lost" | "lastSeq">,
): Promise<RunRecord | null> {
  // A run started at once may end before its input is stored (run_input.ts): a final run's
  // input is complete (retention, re-runs and GET .../input read it).
  await parts.inputs?.written(runId);
  const write = new FinalWrite(parts, runId, move, writer);
  try {
    return await write.attempt(parts.events) ?? await parts.store.get(runId);
  } catch (err) {
    console.error(`run ${runId}: its final record is not stored yet; trying again:`, err);
    return await write.keep();
  }
}

/** One last try at every final write still waiting, before the store closes. */
export async function settleFinalWrites(store: RunStore): Promise<void> {
  await Promise.all([...waiting.get(store) ?? []].map((w) => w.settle()));
}

class FinalWrite {
  private readonly move: Move;
  private readonly notice: RawLine | null = null;
  private noticeStored = false;
  private kept: RunRecord | null = null;
  private readonly stop = new AbortController();
  private retries: Promise<void> | null = null;

  constructor(
    private readonly parts: FinalParts,
    private readonly runId: string,
    move: Move,
    writer?: Pick<RunLogWriter, "lost" | "lastSeq">,
  ) {
    const text = writer?.lost.takeNotice() ?? null;
    if (writer === undefined || text === null) {
      this.move = move;
      return;
    }
    const seq = writer.lastSeq + 1;
    this.notice = {
      seq,
      stream: "system",
      ts: Date.now(),
      level: WARNING,
      bytes: new TextEncoder().encode(text),
    };
    this.move = { ...move, changes: { ...move.changes, log_lines: seq } };
  }

  /** One try: the notice line (once stored, never again), then the record. */
  async attempt(events: RunEvents): Promise<RunRecord | null> {
    if (this.notice !== null && !this.noticeStored) {
      await this.parts.logs.writeChunk(this.runId, [this.notice]);
      this.noticeStored = true;
    }
    return await moveRun({ ...this.parts, events }, this.runId, this.move);
  }

  /** Makes the run final in memory, tells its followers, and tries again until it lands. */
  async keep(): Promise<RunRecord | null> {
    const current = await this.parts.store.get(this.runId).catch(() => null);
    if (current === null || isFinal(current.status)) return current;
    const record: RunRecord = { ...current, ...this.move.changes, status: this.move.to };
    record.parameters = dropSecrets(record.parameters, record.secret_parameters);
    this.kept = record;
    this.parts.store.hold(record);
    this.parts.events.emit(record);
    const set = waiting.get(this.parts.store) ?? new Set();
    waiting.set(this.parts.store, set.add(this));
    this.retries = this.retry();
    return record;
  }

  /** Stops retrying and makes one last try; a failure is left to the next start's recovery. */
  async settle(): Promise<void> {
    this.stop.abort();
    await this.retries;
    if (!this.pending()) return;
    if (await this.tryOnce()) return;
    console.error(
      `run ${this.runId}: its final record (${this.move.to}) could not be stored before ` +
        "shutdown: the next start marks the run failed",
    );
  }

  private async retry(): Promise<void> {
    const since = performance.now();
    for (let wait: number = RETRY_MS[0]; !this.stop.signal.aborted; wait *= 2) {
      await delay(Math.min(wait, RETRY_MS[1]), undefined, { signal: this.stop.signal })
        .catch(() => {});
      if (this.stop.signal.aborted) return;
      if (await this.tryOnce()) {
        const seconds = ((performance.now() - since) / 1000).toFixed(1);
        console.error(`run ${this.runId}: its final record was stored, ${seconds} s late`);
        return;
      }
    }
  }

  /** True once the write landed (or the run moved on meanwhile, and there is nothing to do). */
  private async tryOnce(): Promise<boolean> {
    try {
      await this.attempt(NOBODY);
      waiting.get(this.parts.store)?.delete(this);
      return true;
    } catch {
      // Reads must keep finding it, even if the cache let it go meanwhile.
      if (this.kept !== null) this.parts.store.hold(this.kept);
      return false;
    }
  }

  private pending(): boolean {
    return waiting.get(this.parts.store)?.has(this) ?? false;
  }
}
