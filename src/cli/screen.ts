import type { Terminal } from "./terminal.ts";

const CLEAR_LINE = "\r\x1b[2K";

/**
 * The output of a followed run: lines, and on a terminal one progress line kept below them
 * (cleared, the line written, drawn again). While a question is asked, output is held back.
 */
export class Screen {
  private progress = "";
  private held: { text: string; toErr: boolean }[] | null = null;

  constructor(private readonly term: Terminal) {}

  /** Writes text (whole lines) above the progress line. */
  write(text: string, toErr = false): void {
    if (this.held) return void this.held.push({ text, toErr });
    this.clearProgress();
    if (toErr) this.term.err(text);
    else this.term.out(text);
    if (this.progress) this.term.out(this.progress);
  }

  /** Shows the progress on its one line (on a terminal only). */
  setProgress(text: string): void {
    if (!this.term.tty) return;
    if (!this.held) this.clearProgress();
    this.progress = text;
    if (!this.held) this.term.out(text);
  }

  /** Removes the progress line for good. */
  endProgress(): void {
    this.clearProgress();
    this.progress = "";
  }

  /** Holds output back (while a question is asked). */
  hold(): void {
    this.clearProgress();
    this.held ??= [];
  }

  /** Writes what was held back and goes on as before. */
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    if (this.progress) this.term.out(this.progress);
    for (const { text, toErr } of held) this.write(text, toErr);
  }

  private clearProgress(): void {
    if (this.progress && this.term.tty) this.term.out(CLEAR_LINE);
  }
}
