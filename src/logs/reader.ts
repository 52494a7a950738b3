import { levelName, LOG_LEVELS, type LogLevel } from "./level.ts";
import { type LogLine, type RawLine, toLogLine } from "./line.ts";
import type { LogStore } from "./store.ts";
import type { RunLogWriter } from "./writer.ts";

/** The fields of a stored run the reader looks at (a run record has them). */
export interface StoredRunLog {
  status: string;
  log_lines: number;
  log_truncated: boolean;
}

/**
 * What the reader needs of the runs, declared here so that logs/ does not depend on runs/ (the
 * run service satisfies it).
 */
export interface RunLogSource<R extends StoredRunLog> {
  /** The stored run; throws RUN_NOT_FOUND when there is none. */
  requireRecord(runId: string): Promise<R>;
  /** The log writer of a running run, or null. */
  liveWriter(runId: string): Pick<RunLogWriter, "flushedSeq" | "truncated" | "lost"> | null;
}

/** What a page asks for: `tail`, or `after` and `limit`; `level` keeps that level and above. */
export interface LogQuery {
  tail?: number;
  after?: number;
  limit: number;
  level?: LogLevel;
}

/** A page of a run's log as the logs route answers it. */
export interface LogPage {
  run_id: string;
  logs: LogLine[];
  next_after: number;
  total_lines: number;
  truncated: boolean;
}

/** Reads stored log lines of runs: pages, tails and the full download. */
export class LogReader<R extends StoredRunLog = StoredRunLog> {
  constructor(private readonly runs: RunLogSource<R>, private readonly logs: LogStore) {}

  /** The run's stored line count and truncation, live for a running run; 404 when unknown. */
  async summary(runId: string): Promise<{ record: R; totalLines: number; truncated: boolean }> {
    const record = await this.runs.requireRecord(runId);
    const writer = record.status === "running" ? this.runs.liveWriter(runId) : null;
    return {
      record,
      totalLines: writer ? writer.flushedSeq : record.log_lines,
      truncated: writer ? writer.truncated || writer.lost.count > 0 : record.log_truncated,
    };
  }

  /**
   * Lines after `after` (at most `limit`), or the last `tail` lines; with `level`, only lines of
   * that level and above, and `next_after` moves past every line looked at, so polling with it
   * never reads the same lines twice.
   */
  async page(runId: string, q: LogQuery): Promise<LogPage> {
    const { totalLines, truncated } = await this.summary(runId);
    if (q.level !== undefined && q.level !== "DEBUG") {
      return await this.filteredPage(runId, q, {
        totalLines,
        truncated,
        min: LOG_LEVELS.indexOf(q.level),
      });
    }
    const after = q.tail !== undefined ? Math.max(0, totalLines - q.tail) : q.after ?? 0;
    const limit = q.tail ?? q.limit;
    const raw = await this.logs.readAfter(runId, after, limit);
    const logs = raw.map(toLogLine);
    return {
      run_id: runId,
      logs,
      next_after: logs.length > 0 ? logs[logs.length - 1].seq : after,
      total_lines: Math.max(totalLines, logs.length > 0 ? logs[logs.length - 1].seq : 0),
      truncated,
    };
  }

  private async filteredPage(
    runId: string,
    q: LogQuery,
    found: { totalLines: number; truncated: boolean; min: number },
  ): Promise<LogPage> {
    const keep = (raw: RawLine) =>
      LOG_LEVELS.indexOf(levelName(raw.level, raw.stream)) >= found.min;
    const start = q.tail !== undefined ? 0 : q.after ?? 0;
    const limit = q.tail ?? q.limit;
    let kept: RawLine[] = [];
    let scanned = start;
    scan: for await (const chunk of this.logs.chunksAfter(runId, start)) {
      for (const raw of chunk) {
        if (keep(raw)) {
          kept.push(raw);
          // A tail keeps the last matches (trimmed now and then, not at every line); a page
          // stops at its limit.
          if (q.tail !== undefined && kept.length >= 2 * limit) kept = kept.slice(-limit);
          else if (q.tail === undefined && kept.length >= limit) {
            scanned = raw.seq;
            break scan;
          }
        }
        scanned = raw.seq;
      }
    }
    return {
      run_id: runId,
      logs: kept.slice(-limit).map(toLogLine),
      next_after: scanned,
      total_lines: Math.max(found.totalLines, scanned),
      truncated: found.truncated,
    };
  }

  /** Every stored line as text, streamed chunk by chunk. */
  download(runId: string): ReadableStream<Uint8Array> {
    const encoder = new TextEncoder();
    const chunks = this.logs.chunksAfter(runId, 0);
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await chunks.next();
        if (done) return controller.close();
        let text = "";
        for (const raw of value) {
          const line = toLogLine(raw);
          text += `${line.timestamp} [${line.stream}] ${line.message}\n`;
        }
        controller.enqueue(encoder.encode(text));
      },
      async cancel() {
        await chunks.return(undefined);
      },
    });
  }
}
