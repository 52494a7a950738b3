import { concatBytes } from "./codec.ts";

/** Longest line kept whole; a longer one is split into several lines. */
export const MAX_LINE_BYTES = 64 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into lines at `\n` (dropping a `\r` before it), with lines longer than
 * MAX_LINE_BYTES cut at a UTF-8 character boundary. Bytes are never decoded here. Emitted lines
 * may be views into the pushed chunks: a consumer that keeps them must not expect them to be
 * copies (chunks read from a pipe are never reused, so views stay valid).
 */
export class LineSplitter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** True once the current line was cut: a lone "\r" left by the cut is not a line of its own. */
  private cut = false;

  constructor(
    private readonly emit: (line: Uint8Array) => void,
    private readonly maxLine = MAX_LINE_BYTES,
  ) {}

  /** Feeds the next bytes read from the stream. */
  push(chunk: Uint8Array): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) break;
      if (this.pendingBytes === 0 && !this.cut && nl - start <= this.maxLine) {
        // Hot path: a whole line inside this chunk.
        this.emit(chunk.subarray(start, nl > start && chunk[nl - 1] === CR ? nl - 1 : nl));
      } else {
        this.append(chunk.subarray(start, nl));
        this.emitLine(true);
      }
      start = nl + 1;
    }
    if (start < chunk.length) this.append(chunk.subarray(start));
  }

  /** Emits a final line that had no newline. */
  end(): void {
    if (this.pendingBytes > 0) this.emitLine(false);
  }

  private append(bytes: Uint8Array): void {
    if (this.pendingBytes + bytes.length <= this.maxLine) {
      this.pending.push(bytes);
      this.pendingBytes += bytes.length;
      return;
    }
    // Rare path: the line outgrew the limit, so cut it into pieces at character boundaries.
    let rest = concatBytes([...this.pending, bytes]);
    this.pending = [];
    this.pendingBytes = 0;
    while (rest.length > this.maxLine) {
      this.cut = true;
      const cut = utf8Boundary(rest, this.maxLine);
      this.emit(rest.slice(0, cut));
      rest = rest.subarray(cut);
    }
    if (rest.length > 0) {
      this.pending.push(rest);
      this.pendingBytes = rest.length;
    }
  }

  private emitLine(endedByNewline: boolean): void {
    let line = this.pending.length === 1 ? this.pending[0] : concatBytes(this.pending);
    if (endedByNewline && line.length > 0 && line[line.length - 1] === CR) {
      line = line.subarray(0, line.length - 1);
    }
    this.pending = [];
    this.pendingBytes = 0;
    const wasCut = this.cut;
    this.cut = false;
    if (wasCut && line.length === 0) return;
    this.emit(line);
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
