import type { LogStore } from "./store.ts";

/** A chunk stored and kept: where it starts, how many lines and bytes it holds. */
interface KeptChunk {
  firstSeq: number;
  lines: number;
  bytes: number;
}

/**
 * The stored chunks of a rolling log (a service run's): past `maxBytes` the oldest chunks are
 * deleted, so the newest output is kept instead of being dropped. What stays is one unbroken
 * range of seq (chunks are deleted from the start only) of at most `maxBytes` plus one chunk.
 */
export class RollingChunks {
  /** Lines deleted from the start so far. */
  dropped = 0;
  private readonly kept: KeptChunk[] = [];
  private keptBytes = 0;
  private deleting: Promise<void> = Promise.resolve();

  constructor(
    private readonly runId: string,
    private readonly store: LogStore,
    private readonly maxBytes: number,
  ) {}

  /** Bytes of the chunks kept in the store now. */
  get storedBytes(): number {
    return this.keptBytes;
  }

  /**
   * Notes a chunk just stored and deletes the oldest ones while the kept bytes pass the limit
   * (the newest chunk always stays). Answers the lines deleted by this call.
   */
  async stored(chunk: KeptChunk): Promise<number> {
    this.kept.push(chunk);
    this.keptBytes += chunk.bytes;
    let deleted = 0;
    while (this.kept.length > 1 && this.keptBytes > this.maxBytes) {
      const oldest = this.kept.shift()!;
      this.keptBytes -= oldest.bytes;
      deleted += oldest.lines;
      this.deleting = this.store.deleteChunk(this.runId, oldest.firstSeq);
      await this.deleting;
    }
    this.dropped += deleted;
    return deleted;
  }
}
