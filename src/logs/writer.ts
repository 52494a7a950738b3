import type { LogStream, RawLine } from "./line.ts";
import type { LogStore } from "./store.ts";

/** Tuning of a run's log writer. */
export interface LogWriterOptions {
  /** Output bytes kept per run (PRISMQ_LOG_MAX_BYTES); `system` lines are always kept. */
  maxBytes: number;
  /** A chunk is written when this many encoded bytes wait. */
  chunkBytes?: number;
  /** Lines never wait longer than this before they are written. */
  flushMs?: number;
  /** Past this many unwritten bytes, `ready()` holds the pipe readers back. */
  maxBufferedBytes?: number;
}

const HEADER_BYTES = 13;

/**
 * Numbers a run's lines (both streams and system lines share one seq), hands them to live
 * listeners at once, and writes them to KV in chunks: when a chunk is full, and at least every
 * `flushMs`. One chunk write is in flight at a time, so chunks land in seq order.
 */
export class RunLogWriter {
  /** Seq of the last line taken. */
  lastSeq = 0;
  /** Seq of the last line stored in KV. */
  flushedSeq = 0;
  /** True once output was dropped for passing maxBytes. */
  truncated = false;

  private outputBytes = 0;
  private pending: RawLine[] = [];
  private pendingBytes = 0;
  private inflight: RawLine[] = [];
  private inflightBytes = 0;
  private writing: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private flushDue = false;
  private closed = false;
  private closing = false;
  private readonly listeners = new Set<(line: RawLine | null) => void>();
  private spaceWaiters: (() => void)[] = [];
  private readonly chunkBytes: number;
  private readonly flushMs: number;
  private readonly maxBufferedBytes: number;

  constructor(
    readonly runId: string,
    private readonly store: LogStore,
    private readonly options: LogWriterOptions,
    firstSeq = 1,
  ) {
    this.lastSeq = this.flushedSeq = firstSeq - 1;
    this.chunkBytes = options.chunkBytes ?? 128 * 1024;
    this.flushMs = options.flushMs ?? 100;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  }

  /** Takes one line of the process's output (already split). */
  output(stream: "stdout" | "stderr", bytes: Uint8Array): void {
    if (this.truncated || this.closed) return;
    if (this.outputBytes + bytes.length > this.options.maxBytes) {
      this.truncated = true;
      this.system(
        `output limit of ${this.options.maxBytes} bytes reached: further output is dropped, the run goes on`,
      );
      return;
    }
    this.outputBytes += bytes.length;
    this.add(stream, bytes);
  }

  /** Adds one of the runner's own lines. */
  system(message: string): void {
    if (!this.closed) this.add("system", new TextEncoder().encode(message));
  }

  /** Resolves when the unwritten backlog is small enough to read more output. */
  ready(): Promise<void> {
    if (this.pendingBytes + this.inflightBytes < this.maxBufferedBytes) return Promise.resolve();
    return new Promise((resolve) => this.spaceWaiters.push(resolve));
  }

  /** Lines taken but not yet stored, with seq > after. */
  unflushedAfter(after: number): RawLine[] {
    return [...this.inflight, ...this.pending].filter((l) => l.seq > after);
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
    this.closing = true;
    this.flushDue = true;
    while (this.writing !== null || this.pending.length > 0) {
      this.kick();
      await this.writing;
    }
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.closed = true;
    for (const listener of this.listeners) listener(null);
    this.listeners.clear();
  }

  private add(stream: LogStream, bytes: Uint8Array): void {
    const line: RawLine = { seq: ++this.lastSeq, stream, ts: Date.now(), bytes };
    this.pending.push(line);
    this.pendingBytes += HEADER_BYTES + bytes.length;
    for (const listener of this.listeners) listener(line);
    if (this.pendingBytes >= this.chunkBytes || this.flushDue) this.kick();
    else this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.timer !== null || this.closing) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushDue = true;
      this.kick();
    }, this.flushMs);
  }

  private kick(): void {
    if (this.writing !== null || this.pending.length === 0) return;
    let take = 0;
    let bytes = 0;
    while (take < this.pending.length && (take === 0 || bytes < this.chunkBytes)) {
      bytes += HEADER_BYTES + this.pending[take].bytes.length;
      take++;
    }
    this.inflight = this.pending.splice(0, take);
    this.inflightBytes = bytes;
    this.pendingBytes -= bytes;
    if (this.pending.length === 0 && !this.closing) this.flushDue = false;
    const last = this.inflight[this.inflight.length - 1].seq;
    this.writing = this.store.writeChunk(this.runId, this.inflight).catch((err) => {
      console.error(`run ${this.runId}: log chunk at seq ${this.inflight[0].seq} not stored:`, err);
    }).then(() => {
      this.flushedSeq = last;
      this.inflight = [];
      this.inflightBytes = 0;
      this.writing = null;
      const waiters = this.spaceWaiters;
      this.spaceWaiters = [];
      for (const wake of waiters) wake();
      if (this.pendingBytes >= this.chunkBytes || (this.flushDue && this.pending.length > 0)) {
        this.kick();
      } else if (this.pending.length > 0) this.scheduleFlush();
    });
  }
}
