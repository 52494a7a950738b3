import { type LogLine, type RawLine, toLogLine } from "../logs/line.ts";
import type { LogStore } from "../logs/store.ts";
import type { RunLogWriter } from "../logs/writer.ts";
import type { RunEvents } from "./events.ts";
import { isFinal, type RunRecord } from "./model.ts";
import { progressOf, type RunView } from "./view.ts";
import { type Progress, progressChanged } from "../logs/markers.ts";

/** What a follower of a run receives, in order. */
export type FollowEvent =
  | { kind: "line"; line: LogLine }
  | { kind: "status"; run: RunView }
  | { kind: "end"; run: RunView }
  | { kind: "progress"; progress: Progress };

/** How far a slow follower may fall behind the live output before it reads from KV instead. */
export interface BacklogLimit {
  lines: number;
  bytes: number;
}

const DEFAULT_BACKLOG: BacklogLimit = { lines: 10_000, bytes: 4 * 1024 * 1024 };
/** A follower of a run with no live writer looks at the run again this often, in case it missed a change. */
const IDLE_CHECK_MS = 1000;
/**
 * A follower of a run that is queued, or running on another server, reads the store this often:
 * that server's lines and status changes reach this one only through it (within 1 s, with the
 * writer's 100 ms flush).
 */
const STORE_POLL_MS = 250;

/** Wakes one waiting consumer; a notify with nobody waiting is kept for the next wait. */
class Wakeup {
  private pending = false;
  private resolve: (() => void) | null = null;

  notify(): void {
    if (this.resolve) {
      this.resolve();
      this.resolve = null;
    } else {
      this.pending = true;
    }
  }

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.resolve = null;
        resolve();
      }, ms);
      this.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** The little of the run service a follower needs (RunService has it). */
export interface FollowedRuns {
  /** The stored run, or null. */
  record(runId: string): Promise<RunRecord | null>;
  /** The run as callers see it. */
  view(record: RunRecord): Promise<RunView>;
  /** The live log writer of a running run, or null. */
  liveWriter(runId: string): RunLogWriter | null;
}

/** What followRun reads from. */
export interface FollowDeps {
  runs: FollowedRuns;
  logs: Pick<LogStore, "chunksAfter">;
  events: Pick<RunEvents, "subscribe" | "subscribeProgress">;
}

/** Which run to follow, from where, and until when. */
export interface FollowOptions {
  record: RunRecord;
  /** Seq of the last line the client has (0 for all). */
  after: number;
  /** Aborted when the client left. */
  clientGone: AbortSignal;
  /** Aborted when the server shuts down. */
  shutdown: AbortSignal;
  backlog?: BacklogLimit;
}

/**
 * A run's lines after `after`, then its live lines, with its status changes, until the run is
 * final and every line was given (then an `end`), or `clientGone` aborts. Stored lines come from
 * KV; live ones straight from the capture path, so no line is lost or repeated at the seam. When
 * `shutdown` aborts, whatever is already stored is given, with the `end` of a run that is final
 * by then, and the follow ends.
 */
export async function* followRun(
  deps: FollowDeps,
  options: FollowOptions,
): AsyncGenerator<FollowEvent> {
  const { record, after, clientGone, shutdown, backlog = DEFAULT_BACKLOG } = options;
  const signal = AbortSignal.any([clientGone, shutdown]);
  const { runs, logs, events } = deps;
  const runId = record.run_id;
  const wakeup = new Wakeup();
  const statusInbox: RunRecord[] = [];
  const unsubscribeStatus = events.subscribe(runId, (r) => {
    statusInbox.push(r);
    wakeup.notify();
  });
  let progressInbox: Progress | null = null;
  const unsubscribeProgress = events.subscribeProgress(runId, (p) => {
    progressInbox = p;
    wakeup.notify();
  });
  let lastProgress = progressOf(record);
  /** The progress event a follower is owed, if the progress moved since the last one it got. */
  const progressTo = (progress: Progress): FollowEvent | null => {
    if (!progressChanged(lastProgress, progress)) return null;
    lastProgress = progress;
    return { kind: "progress", progress };
  };
  const onAbort = () => wakeup.notify();
  signal.addEventListener("abort", onAbort);
  let lastSent = after;
  let lastStatus = record.status;
  const emitLine = (raw: RawLine): FollowEvent | null => {
    if (raw.seq <= lastSent) return null;
    lastSent = raw.seq;
    return { kind: "line", line: toLogLine(raw) };
  };
  async function* storedUpTo(limit: number): AsyncGenerator<FollowEvent> {
    for await (const chunk of logs.chunksAfter(runId, lastSent)) {
      for (const raw of chunk) {
        if (raw.seq > limit || clientGone.aborted) return;
        const event = emitLine(raw);
        if (event) yield event;
      }
    }
  }
  async function* statusChanges(): AsyncGenerator<FollowEvent> {
    for (const r of statusInbox.splice(0)) {
      if (r.status === lastStatus) continue;
      lastStatus = r.status;
      yield { kind: "status", run: await runs.view(r) };
    }
    const progress = progressInbox;
    progressInbox = null;
    const event = progress === null ? null : progressTo(progress);
    if (event) yield event;
  }
  /** The end of a final run: its status if not sent yet, its last progress, then `end`. */
  async function* ending(current: RunRecord): AsyncGenerator<FollowEvent> {
    if (current.status !== lastStatus) {
      lastStatus = current.status;
      yield { kind: "status", run: await runs.view(current) };
    }
    const progress = progressTo(progressOf(current));
    if (progress) yield progress;
    yield { kind: "end", run: await runs.view(current) };
  }

  try {
    yield { kind: "status", run: await runs.view(record) };
    while (!signal.aborted) {
      const writer = runs.liveWriter(runId);
      if (writer && !writer.isClosed) {
        let live: RawLine[] = [];
        let liveBytes = 0;
        let overflow = false;
        let closed = false;
        const unsubscribe = writer.subscribe((line) => {
          if (line === null) closed = true;
          else if (overflow) return;
          else if (live.length >= backlog.lines || liveBytes + line.bytes.length > backlog.bytes) {
            // Drop the backlog: this follower catches up from KV at its own pace.
            overflow = true;
            live = [];
            liveBytes = 0;
          } else {
            live.push(line);
            liveBytes += line.bytes.length;
          }
          wakeup.notify();
        });
        try {
          const flushed = writer.flushedSeq;
          const unflushed = writer.unflushedAfter(lastSent);
          yield* storedUpTo(flushed);
          for (const raw of unflushed) {
            const event = emitLine(raw);
            if (event) yield event;
          }
          while (!signal.aborted && !overflow) {
            yield* statusChanges();
            const batch = live;
            live = [];
            liveBytes = 0;
            for (const raw of batch) {
              const event = emitLine(raw);
              if (event) yield event;
            }
            if (closed) break;
            await wakeup.wait(IDLE_CHECK_MS);
          }
        } finally {
          unsubscribe();
        }
        continue;
      }
      yield* storedUpTo(Number.MAX_SAFE_INTEGER);
      yield* statusChanges();
      const current = await runs.record(runId);
      if (current === null) return;
      if (isFinal(current.status)) {
        yield* storedUpTo(Number.MAX_SAFE_INTEGER);
        if (clientGone.aborted) return;
        yield* ending(current);
        return;
      }
      if (current.status !== lastStatus) {
        // Moved on another server: no event told this one.
        lastStatus = current.status;
        yield { kind: "status", run: await runs.view(current) };
      }
      const progress = progressTo(progressOf(current));
      if (progress) yield progress;
      await wakeup.wait(STORE_POLL_MS);
    }
    if (clientGone.aborted) return;
    // Shutting down: the runs were stopped before the streams, so a run may be final by now.
    const current = await runs.record(runId);
    if (current === null || clientGone.aborted) return;
    yield* storedUpTo(Number.MAX_SAFE_INTEGER);
    if (isFinal(current.status)) yield* ending(current);
  } finally {
    unsubscribeStatus();
    unsubscribeProgress();
    signal.removeEventListener("abort", onAbort);
  }
}
