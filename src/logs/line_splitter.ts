import { concatBytes } from "./codec.ts";

/** Longest line kept; the rest of a longer one is cut off (and the sink told how much). */
export const MAX_LINE_BYTES = 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/** Where a splitter's lines and progress updates go. */
export interface SplitterSink {
  /** A whole line (without its `\n` or `\r\n`). */
  line(bytes: Uint8Array): void;
  /** A `\r`-terminated update (a progress bar redrawing itself): not a line of its own. */
  update?(bytes: Uint8Array): void;
  /** The line just emitted was longer than the limit: this many bytes of it were dropped. */
  cut?(droppedBytes: number): void;
}

/**
 * Splits a byte stream into lines at `\n` (dropping a `\r` before it). A line longer than
 * MAX_LINE_BYTES keeps its head, cut at a UTF-8 character boundary; the rest is counted and
 * dropped, so memory stays bounded whatever a process prints. Text that ends in a lone `\r` is
 * an update (how `tqdm` redraws a bar): it goes to `update`, and only the last one before the
 * next `\n` (or the end) becomes a line; text between it and the `\n` is a line after it (so a
 * bar of any length leaves at most two lines: its last redraw and its closing text). Bytes are
 * never decoded here. A pushed chunk may be reused once `push` returns (the pipe reader reads
 * into one buffer), so what the splitter keeps between pushes is copied, and emitted lines are
 * views valid only during the sink's call: a consumer that keeps one copies it.
 */
export class LineSplitter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** Bytes of the current line dropped past the limit. */
  private dropped = 0;
  /** The pending text ended in `\r` at the end of a read: `\r\n` or an update, not known yet. */
  private heldCr = false;
  /** The last update since the last line, kept to stand for the bar when a `\n` follows. */
  private lastUpdate: Uint8Array | null = null;
  private readonly sink: SplitterSink;

  constructor(
    sink: SplitterSink | ((line: Uint8Array) => void),
    private readonly maxLine = MAX_LINE_BYTES,
  ) {
    this.sink = typeof sink === "function" ? { line: sink } : sink;
  }

  /** Feeds the next bytes read from the stream. */
  push(chunk: Uint8Array): void {
    let start = 0;
    let cr = chunk.indexOf(CR);
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) break;
      const crInside = cr !== -1 && cr < nl - 1;
      const crlf = cr !== -1 && cr === nl - 1;
      if (
        !crInside && this.pendingBytes === 0 && !this.heldCr && this.dropped === 0 &&
        this.lastUpdate === null && nl - start <= this.maxLine
      ) {
        // Hot path: a whole line inside this chunk, no update in it.
        this.sink.line(chunk.subarray(start, crlf ? nl - 1 : nl));
      } else {
        this.append(chunk.subarray(start, nl));
        this.endLine();
      }
      start = nl + 1;
      if (cr !== -1 && cr < start) cr = chunk.indexOf(CR, start);
    }
    if (start < chunk.length) this.append(chunk.subarray(start));
  }

  /** Emits what is left at the end of the stream: a last line without `\n`, or the last update. */
  end(): void {
    if (this.heldCr) {
      this.heldCr = false;
      this.endUpdate();
    }
    if (this.pendingBytes > 0 || this.dropped > 0) this.endLine();
    else if (this.lastUpdate !== null) {
      this.sink.line(this.lastUpdate);
      this.lastUpdate = null;
    }
  }

  /** Adds text of the current line, ending an update at each `\r` inside it. */
  private append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.heldCr) {
      this.heldCr = false;
      this.endUpdate();
    }
    let from = 0;
    for (;;) {
      const cr = bytes.indexOf(CR, from);
      if (cr === -1) break;
      this.addPending(bytes.subarray(from, cr));
      if (cr === bytes.length - 1) {
        this.heldCr = true;
        return;
      }
      this.endUpdate();
      from = cr + 1;
    }
    this.addPending(bytes.subarray(from));
  }

  private takePending(): Uint8Array {
    const bytes = this.pending.length === 1 ? this.pending[0] : concatBytes(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    return bytes;
  }

  private endUpdate(): void {
    const bytes = this.takePending();
    this.dropped = 0;
    if (bytes.length === 0) return;
    this.sink.update?.(bytes);
    this.lastUpdate = bytes.slice();
  }

  private addPending(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.dropped > 0) {
      this.dropped += bytes.length;
      return;
    }
    if (this.pendingBytes + bytes.length <= this.maxLine) {
      // A copy: the chunk it is a view of may be overwritten before the line ends.
      this.pending.push(bytes.slice());
      this.pendingBytes += bytes.length;
      return;
    }
    // Rare path: the line outgrew the limit; keep its head, count the rest.
    const whole = concatBytes([...this.pending, bytes]);
    const cut = utf8Boundary(whole, this.maxLine);
    this.pending = [whole.slice(0, cut)];
    this.pendingBytes = cut;
    this.dropped = whole.length - cut;
  }

  /** A `\n` (or the end) closes the line; a held `\r` before it was a `\r\n`. */
  private endLine(): void {
    this.heldCr = false;
    let line = this.takePending();
    const dropped = this.dropped;
    this.dropped = 0;
    if (this.lastUpdate !== null) {
      // The last update before a `\n` is kept as a line; text after it is a line of its own.
      if (line.length === 0) line = this.lastUpdate;
      else {
        this.sink.update?.(line);
        this.sink.line(this.lastUpdate);
      }
      this.lastUpdate = null;
    }
    this.sink.line(line);
    if (dropped > 0) this.sink.cut?.(dropped);
  }
}

/** The largest cut point ≤ `limit` that does not split a UTF-8 sequence (limit when none is safe). */
export function utf8Boundary(bytes: Uint8Array, limit: number): number {
  if (limit >= bytes.length) return bytes.length;
  for (let cut = limit; cut > limit - 4 && cut > 0; cut--) {
    if ((bytes[cut] & 0xc0) !== 0x80) return cut;
  }
  return limit;
}
