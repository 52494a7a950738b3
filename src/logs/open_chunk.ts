import { HEADER_BYTES, streamLevelByte } from "./codec.ts";
import type { LevelCode } from "./level.ts";
import type { LogStream } from "./line.ts";

/** Room past a full chunk's mark for the line that crosses it. */
const CROSSING_BYTES = 64 * 1024;

/**
 * A chunk being filled: lines are encoded straight into its buffer as they arrive. The buffer
 * starts small and doubles, so a run printing three lines does not hold a full-size chunk; once
 * doubling would reach the size at which the chunk is sealed, it grows to that size plus room
 * for the line that crosses it instead (doubling on, a full chunk sat in a buffer of twice its
 * size, for up to 2 MiB of unwritten backlog a run), and only a longer line grows it further.
 * While output comes fast, a chunk starts at that size: 16 MiB of lines regrew 75 chunks seven
 * times each (about 60 MB allocated, 37 MB copied).
 */
export class OpenChunk {
  buf: Uint8Array;
  private view: DataView;
  pos = 0;
  count = 0;

  /** `fast`: the output fills chunks (a write is under way): start at the full size. */
  constructor(
    readonly firstSeq: number,
    private readonly capacity: number,
    private readonly sealAt: number,
    fast = false,
  ) {
    this.buf = new Uint8Array(Math.min(capacity, fast ? sealAt + CROSSING_BYTES : 4096));
    this.view = new DataView(this.buf.buffer);
  }

  fits(length: number): boolean {
    return this.pos + HEADER_BYTES + length <= this.capacity;
  }

  append(stream: LogStream, level: LevelCode, ts: number, bytes: Uint8Array): void {
    const at = this.pos;
    const end = at + HEADER_BYTES + bytes.length;
    if (end > this.buf.length) {
      const doubled = this.buf.length * 2;
      const next = doubled >= this.sealAt ? this.sealAt + CROSSING_BYTES : doubled;
      const grown = new Uint8Array(Math.min(this.capacity, Math.max(end, next)));
      grown.set(this.buf.subarray(0, at));
      this.buf = grown;
      this.view = new DataView(grown.buffer);
    }
    this.view.setUint8(at, streamLevelByte(stream, level));
    this.view.setFloat64(at + 1, ts);
    this.view.setUint32(at + 9, bytes.length);
    this.buf.set(bytes, at + HEADER_BYTES);
    this.pos = at + HEADER_BYTES + bytes.length;
    this.count++;
  }

  get body(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  get lastSeq(): number {
    return this.firstSeq + this.count - 1;
  }
}
