import { decodeChunk, HEADER_BYTES, PART_BYTES } from "./codec.ts";
import { detectLevel, type LevelCode } from "./level.ts";
import type { LogStream, RawLine } from "./line.ts";
import { MAX_LINE_BYTES } from "./line_splitter.ts";
import { isStorageFull } from "../kv/storage_full.ts";
import { LostLines } from "./lost_lines.ts";
import { OpenChunk } from "./open_chunk.ts";
import { RollingChunks } from "./rolling.ts";
import { type LogStore, PARTS_PER_COMMIT } from "./store.ts";

/** Tuning of a run's log writer. */
export interface LogWriterOptions {
  /**
   * Bytes of log kept per run (PRISMQ_LOG_MAX_BYTES), counted as stored: each line's bytes plus
   * its header. Output stops RESERVED_BYTES short of it, so the runner's closing lines fit too.
   */
  maxBytes: number;
  /** A chunk is sealed and written once it holds this many encoded bytes. */
  chunkBytes?: number;
  /** Lines never wait longer than this before their chunk is written. */
  flushMs?: number;
  /** Past this many unwritten bytes, `ready()` holds the pipe readers back. */
  maxBufferedBytes?: number;
  /** Seq of the first line (1 unless the log continues an existing one). */
  firstSeq?: number;
  /**
   * A rolling log (service runs): past `maxBytes` the oldest chunks are deleted instead of new
   * output being dropped (see rolling.ts).
   */
  rolling?: boolean;
}

const LONGEST_LINE = MAX_LINE_BYTES;
/**
 * Kept back from PRISMQ_LOG_MAX_BYTES for the runner's lines after output stops (the limit
 * marker, stop and exit lines), so the whole log stays within the limit.
 */
export const RESERVED_BYTES = 1024;
/** The level code of the runner's warning lines. */
export const WARNING: LevelCode = 3;

/**
 * Numbers a run's lines (both streams and system lines share one seq), hands them to live
 * listeners at once, and stores them in KV in chunks: a chunk is sealed when it is full or at
 * the latest `flushMs` after its first line, and each chunk is one atomic write. Lines are encoded
 * into the chunk's buffer as they arrive (one copy, no object per line), and one write is in
 * flight at a time, so chunks land in seq order and memory stays bounded.
 */
export class RunLogWriter {
  /** Seq of the last line taken. */
  lastSeq = 0;
  /** Seq of the last line stored in KV. */
  flushedSeq = 0;
  /** True once output was dropped for passing maxBytes. */
  truncated = false;
  /** Lines taken so far, by stream (metrics). */
  readonly streamCounts: Record<LogStream, number> = { stdout: 0, stderr: 0, system: 0 };
  /** Lines whose chunk could not be stored; the log is truncated when there are any. */
  readonly lost: LostLines;

  /** Bytes of every line taken, as stored (header included). */
  private storedBytes = 0;
  private open: OpenChunk | null = null;
  private readonly sealed: OpenChunk[] = [];
  /** The chunks of the write under way (one write at a time keeps them in seq order). */
  private inflight: OpenChunk[] | null = null;
  private bufferedBytes = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private readonly listeners = new Set<(line: RawLine | null) => void>();
  private spaceWaiters: (() => void)[] = [];
  private drained: (() => void) | null = null;
  private readonly chunkBytes: number;
  private readonly flushMs: number;
  private readonly maxBufferedBytes: number;
  private readonly encoder = new TextEncoder();
  /** The kept chunks of a rolling log; null for a log that stops at its limit. */
  private readonly rolling: RollingChunks | null;

  constructor(
    readonly runId: string,
    private readonly store: LogStore,
    private readonly options: LogWriterOptions,
  ) {
    this.lastSeq = this.flushedSeq = (options.firstSeq ?? 1) - 1;
    this.lost = new LostLines(runId);
    // Rolling: chunks small against the limit, so what is kept stays close to it.
    const chunkBytes = options.chunkBytes ?? 256 * 1024;
    this.chunkBytes = options.rolling
      ? Math.min(chunkBytes, Math.max(4096, Math.floor(options.maxBytes / 8)))
      : chunkBytes;
    this.flushMs = options.flushMs ?? 100;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 2 * 1024 * 1024;
    this.rolling = options.rolling ? new RollingChunks(runId, store, options.maxBytes) : null;
  }

  /** Takes one line of output (copied here); its level is `level` or the one it states. */
  output(stream: "stdout" | "stderr", bytes: Uint8Array, level?: LevelCode): void {
    if (this.dropping || this.closed) return;
    if (!this.fits(bytes)) return this.truncate();
    this.add(stream, level ?? detectLevel(bytes), bytes);
  }

  /**
   * Adds a runner line caused by the output (a `::result` ignored, a line cut): it counts
   * against the limit like output, and is dropped once output is.
   */
  notice(message: string, level: LevelCode = 0): void {
    if (this.dropping || this.closed) return;
    const bytes = this.encoder.encode(message);
    if (!this.fits(bytes)) return this.truncate();
    this.add("system", level, bytes);
  }

  /**
   * Adds one of the runner's own lines (start, stop, exit: always kept); `level` is WARNING for
   * stop, kill, timeout and truncation lines, else none (read as INFO).
   */
  system(message: string, level: LevelCode = 0): void {
    if (!this.closed) this.add("system", level, this.encoder.encode(message));
  }

  /** Resolves when the unwritten backlog is small enough to read more output. */
  ready(): Promise<void> {
    if (this.bufferedBytes < this.maxBufferedBytes) return Promise.resolve();
    return new Promise((resolve) => this.spaceWaiters.push(resolve));
  }

  /** Lines taken but not yet stored, with seq > after. */
  unflushedAfter(after: number): RawLine[] {
    const chunks = [...this.inflight ?? [], ...this.sealed, this.open];
    return chunks.flatMap((c) => c ? decodeChunk(c.firstSeq, c.body) : []).filter((l) =>
      l.seq > after
    );
  }

  /** Calls `listener` with each new line, and with null once the writer is closed. */
  subscribe(listener: (line: RawLine | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True once every line is stored and no more are taken. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Stores every remaining line and stops taking new ones. */
  async close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.seal();
    if (this.inflight !== null || this.sealed.length > 0) {
      await new Promise<void>((resolve) => this.drained = resolve);
    }
    this.closed = true;
    for (const listener of this.listeners) listener(null);
    this.listeners.clear();
  }

  /** True once output is dropped: a log that stops at its limit reached it (a rolling one never). */
  private get dropping(): boolean {
    return this.truncated && this.rolling === null;
  }

  /** True when a line of these bytes still fits the limit, the closing lines' share kept back. */
  private fits(bytes: Uint8Array): boolean {
    if (this.rolling !== null) return true;
    return this.storedBytes + HEADER_BYTES + bytes.length <= this.options.maxBytes - RESERVED_BYTES;
  }

  /** Drops all further output, with one marker line that says so. */
  private truncate(): void {
    this.truncated = true;
    this.system(
      `log limit of ${this.options.maxBytes} bytes reached with ${this.storedBytes} bytes ` +
        "stored: further output is dropped, the run goes on",
      WARNING,
    );
  }

  private add(stream: LogStream, level: LevelCode, bytes: Uint8Array): void {
    const seq = ++this.lastSeq;
    this.streamCounts[stream]++;
    this.storedBytes += HEADER_BYTES + bytes.length;
    const ts = Date.now();
    let chunk = this.open;
    if (chunk !== null && !chunk.fits(bytes.length)) {
      this.seal();
      chunk = null;
    }
    if (chunk === null) {
      const capacity = Math.max(
        this.chunkBytes + HEADER_BYTES + LONGEST_LINE,
        HEADER_BYTES + bytes.length,
      );
      chunk = this.open = new OpenChunk(seq, capacity, this.chunkBytes, this.inflight !== null);
    }
    const before = chunk.pos;
    chunk.append(stream, level, ts, bytes);
    this.bufferedBytes += chunk.pos - before;
    if (this.listeners.size > 0) {
      // A copy: the bytes are a view of the pipe reader's buffer, which its next read reuses.
      const line: RawLine = { seq, stream, ts, level, bytes: bytes.slice() };
      for (const listener of this.listeners) listener(line);
    }
    if (chunk.pos >= this.chunkBytes) this.seal();
    else if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.seal();
      }, this.flushMs);
    }
  }

  /** Closes the open chunk for writing. */
  private seal(): void {
    if (this.open === null) return;
    this.sealed.push(this.open);
    this.open = null;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.kick();
  }

  /**
   * Writes chunks, trying again twice. Chunks that cannot be stored are dropped and counted
   * (`lost`), and output goes on being taken: the next write that works says in a system line
   * what is missing (sealed at once, so it is stored before the log closes).
   */
  private async writeWithRetry(batch: OpenChunk[]): Promise<void> {
    for (let attempt = 1;; attempt++) {
      try {
        await this.store.writeChunks(this.runId, batch);
        for (const chunk of batch) await this.rollOn(chunk);
        const notice = this.lost.takeNotice();
        if (notice !== null) {
          this.system(notice, WARNING);
          this.seal();
        }
        return;
      } catch (err) {
        // Once the disk is known full, each chunk gets one try: waits would only slow the run.
        if (attempt >= 3 || (this.lost.failing && isStorageFull(err))) {
          for (const c of batch) this.lost.add(c.firstSeq, c.lastSeq, c.count, err);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  /** A rolling log: deletes the oldest chunks past the limit; says so once, when it first does. */
  private async rollOn(chunk: OpenChunk): Promise<void> {
    if (this.rolling === null) return;
    const before = this.rolling.dropped;
    await this.rolling.stored({ firstSeq: chunk.firstSeq, lines: chunk.count, bytes: chunk.pos });
    if (before > 0 || this.rolling.dropped === 0) return;
    this.truncated = true;
    this.system(
      `log limit of ${this.options.maxBytes} bytes reached: the oldest lines are deleted to keep ` +
        `the newest (${this.rolling.dropped} lines dropped from the start so far)`,
      WARNING,
    );
  }

  private kick(): void {
    if (this.inflight !== null) return;
    if (this.sealed.length === 0) {
      this.drained?.();
      this.drained = null;
      return;
    }
    // What was sealed while the last write was under way goes in one write (see writeChunks).
    const batch = this.sealed.splice(0, batchLength(this.sealed));
    this.inflight = batch;
    this.writeWithRetry(batch).then(() => {
      this.flushedSeq = batch[batch.length - 1].lastSeq;
      for (const chunk of batch) this.bufferedBytes -= chunk.pos;
      this.inflight = null;
      const waiters = this.spaceWaiters;
      this.spaceWaiters = [];
      for (const wake of waiters) wake();
      this.kick();
    });
  }
}

/** How many of the first sealed chunks fit one atomic write together (at least one). */
function batchLength(sealed: readonly OpenChunk[]): number {
  let parts = 0;
  let n = 0;
  for (const chunk of sealed) {
    parts += Math.ceil(chunk.pos / PART_BYTES);
    if (n > 0 && parts > PARTS_PER_COMMIT) break;
    n++;
  }
  return n;
}
