import { isStorageFull } from "../kv/storage_full.ts";

/**
 * The lines of one run's log that could not be stored (their chunk's write failed, a full disk
 * most likely), so that the log can say so in a system line once a write works again, or the
 * run's final write can (runs/final_write.ts) when none did before the run ended.
 */
export class LostLines {
  /** Lines lost so far. */
  count = 0;
  private unsaid: { lines: number; first: number; last: number; why: string } | null = null;

  constructor(private readonly runId: string) {}

  /** True from a lost chunk until the log has said so (no write has worked since). */
  get failing(): boolean {
    return this.unsaid !== null;
  }

  /** A chunk of `lines` lines, seq `first` to `last`, was given up after `err`. */
  add(first: number, last: number, lines: number, err: unknown): void {
    this.count += lines;
    const why = isStorageFull(err)
      ? "the disk was full"
      : `the store failed: ${err instanceof Error ? err.message : String(err)}`;
    if (this.unsaid === null) {
      // Once per stretch of failures: a full disk fails every chunk until space returns.
      console.error(`run ${this.runId}: log lines from seq ${first} on are not stored:`, err);
      this.unsaid = { lines: 0, first, last, why };
    }
    this.unsaid.lines += lines;
    this.unsaid.last = last;
    this.unsaid.why = why;
  }

  /** The system line for lines lost since the log last said so, once; null when none were. */
  takeNotice(): string | null {
    const u = this.unsaid;
    if (u === null) return null;
    this.unsaid = null;
    const which = u.first === u.last ? `line ${u.first}` : `lines ${u.first} to ${u.last}`;
    const n = u.lines === 1 ? "1 line" : `${u.lines} lines`;
    return `${n} of this log (${which}) could not be stored because ${u.why}: they are missing`;
  }
}
