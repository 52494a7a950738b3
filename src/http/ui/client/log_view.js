// @ts-check
// The live log of the run page. Only the rows in view (and a margin) are in the DOM, each one
// line high at a fixed offset, so 100,000 lines scroll and grow as fast as 100.
import { h } from "./dom.js";

/** @typedef {import("./types.d.ts").LogLine} LogLine */

/** Rows kept above and below the visible ones, so a short scroll shows no gap. */
const OVERSCAN = 20;
/** A longer message is cut on screen (the download has it whole): one row stays cheap. */
const MAX_SHOWN_CHARS = 5000;
/** Width of the time, stream and level columns together, in `ch`. */
const PREFIX_CH = 24;
const STREAM_TAG = { stdout: "out", stderr: "err", system: "sys" };
const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});

/** A virtualised, self-following view of a run's lines inside a role="log" element. */
export class LogView {
  /** @type {LogLine[]} */
  lines = [];
  /** Rendered rows by line index. @type {Map<number, HTMLElement>} */
  rows = new Map();
  /** True while the view sticks to the newest line; a scroll up by the person ends it. */
  following = true;
  longest = 0;
  pending = false;

  /**
   * @param {HTMLElement} box the scrolling role="log" element
   * @param {(following: boolean) => void} onFollowChange told when following starts or stops
   * @param {(count: number) => void} onCount told the number of lines after each render
   */
  constructor(box, onFollowChange, onCount) {
    this.box = box;
    this.onFollowChange = onFollowChange;
    this.onCount = onCount;
    this.spacer = h("div", { class: "log-spacer", "aria-hidden": "true" });
    box.append(this.spacer);
    this.rowHeight = this.measureRow();
    box.addEventListener("scroll", () => this.onScroll(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(box);
  }

  /**
   * Adds lines at the end (they arrive in seq order); drawn at the next frame.
   * @param {LogLine[]} lines
   */
  append(lines) {
    for (const line of lines) {
      this.lines.push(line);
      this.longest = Math.max(this.longest, Math.min(line.message.length, MAX_SHOWN_CHARS));
    }
    this.schedule();
  }

  /** Sticks to the newest line again. */
  follow() {
    this.setFollowing(true);
    this.box.scrollTop = this.box.scrollHeight;
    this.schedule();
  }

  /** One render per frame, however many lines arrived in between. */
  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.render();
    });
  }

  render() {
    const { box, rowHeight } = this;
    const total = this.lines.length;
    this.spacer.style.height = `${total * rowHeight}px`;
    this.spacer.style.width = `calc(${PREFIX_CH + this.longest}ch + 1rem)`;
    if (this.following) box.scrollTop = box.scrollHeight;
    const first = Math.max(0, Math.floor(box.scrollTop / rowHeight) - OVERSCAN);
    const last = Math.min(
      total,
      Math.ceil((box.scrollTop + box.clientHeight) / rowHeight) + OVERSCAN,
    );
    for (const [index, row] of this.rows) {
      if (index < first || index >= last) {
        row.remove();
        this.rows.delete(index);
      }
    }
    // Rows are added in line order, and rows already shown are left alone: a screen reader
    // hears each new line once, in order.
    /** @type {Element} */
    let previous = this.spacer;
    for (let index = first; index < last; index++) {
      let row = this.rows.get(index);
      if (row === undefined) {
        row = this.row(index);
        this.rows.set(index, row);
        previous.after(row);
      }
      previous = row;
    }
    this.onCount(total);
  }

  onScroll() {
    const { box } = this;
    const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - this.rowHeight;
    this.setFollowing(atBottom);
    this.schedule();
  }

  /** @param {boolean} following */
  setFollowing(following) {
    if (following === this.following) return;
    this.following = following;
    this.onFollowChange(following);
  }

  /**
   * @param {number} index
   * @returns {HTMLElement}
   */
  row(index) {
    const line = this.lines[index];
    const level = line.level ?? (line.stream === "stderr" ? "ERROR" : "INFO");
    const message = line.message.length > MAX_SHOWN_CHARS
      ? `${line.message.slice(0, MAX_SHOWN_CHARS)} … (${
        line.message.length - MAX_SHOWN_CHARS
      } more characters in the download)`
      : line.message;
    const row = h(
      "div",
      { class: `log-row stream-${line.stream} level-${level}`, "data-seq": line.seq },
      h("span", { class: "log-time" }, timeFormat.format(new Date(line.timestamp))),
      h("span", { class: "log-stream" }, STREAM_TAG[line.stream] ?? line.stream),
      h("span", { class: "log-level" }, level),
      message,
    );
    row.style.top = `${index * this.rowHeight}px`;
    return row;
  }

  /** The height of one row as the style sheet draws it (it follows the reader's font size). */
  measureRow() {
    const probe = h("div", { class: "log-row" }, "x");
    probe.style.visibility = "hidden";
    this.box.append(probe);
    const height = probe.getBoundingClientRect().height;
    probe.remove();
    return height > 0 ? height : 20;
  }
}
