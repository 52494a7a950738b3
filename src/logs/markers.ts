/** A run's progress as RUN shows it. */
export interface Progress {
  progress_percent: number | null;
  items_processed: number | null;
  items_total: number | null;
  progress_message: string | null;
}

/** What one marker line or progress-bar update says. */
export type Marker =
  | {
    kind: "progress";
    percent: number | null;
    done: number | null;
    total: number | null;
    message: string | null;
  }
  | { kind: "result"; text: string };

const COLON = 0x3a;
const decoder = new TextDecoder();

const PROGRESS_PERCENT = /^::progress[ \t]+(\d+(?:\.\d+)?)%(?:[ \t]+(.*))?$/;
const PROGRESS_COUNT = /^::progress[ \t]+(\d+)\/(\d+)(?:[ \t]+(.*))?$/;
const RESULT = /^::result[ \t]+(.*)$/s;

/**
 * A `::progress` or `::result` line, or null. Lines that do not start with `::` cost one byte
 * comparison here, which keeps this off the capture path's cost.
 */
export function parseMarkerLine(bytes: Uint8Array): Marker | null {
  if (bytes[0] !== COLON || bytes[1] !== COLON) return null;
  const text = decoder.decode(bytes);
  let m = PROGRESS_PERCENT.exec(text);
  if (m) return progress(Number(m[1]), null, null, m[2]);
  m = PROGRESS_COUNT.exec(text);
  if (m) {
    const done = toCount(m[1]);
    const total = toCount(m[2]);
    return done === null || total === null ? null : progress(null, done, total, m[3]);
  }
  m = RESULT.exec(text);
  return m ? { kind: "result", text: m[1] } : null;
}

const BRACKET = /^[ \t]*\[(\d+)\/(\d+)\](?:[ \t]+(.*))?$/s;
const BRACKET_BYTE = 0x5b;

/**
 * A line that begins (after spaces) with `[DONE/TOTAL]`, as `  [3/50] Extracting metadata`: the
 * rest of the line is the message. Not progress: `[0/0]`, or DONE above TOTAL. Lines that do not
 * start with spaces or `[` cost one byte comparison.
 */
export function parseBracketProgress(bytes: Uint8Array): Marker | null {
  let i = 0;
  while (bytes[i] === 0x20 || bytes[i] === 0x09) i++;
  if (bytes[i] !== BRACKET_BYTE) return null;
  const m = BRACKET.exec(decoder.decode(bytes));
  if (!m) return null;
  const done = toCount(m[1]);
  const total = toCount(m[2]);
  if (done === null || total === null || total === 0 || done > total) return null;
  return progress(null, done, total, m[3]);
}

/** True when the line is a progress bar's (`NN%|`): such a line is INFO whatever its stream. */
export function isProgressBarLine(bytes: Uint8Array): boolean {
  const bar = bytes.indexOf(0x7c);
  return bar > 0 && bytes[bar - 1] === 0x25 && parseProgressBar(bytes) !== null;
}

const BAR_PERCENT = /(\d{1,3})%\|/;
const BAR_COUNT = /(\d+)\/(\d+)/;

/**
 * A `tqdm`-style bar update (`desc:  45%|####      | 45/100 [00:01<00:01]`), or null when the
 * text has no `NN%|`. Its description, if any, becomes the message.
 */
export function parseProgressBar(bytes: Uint8Array): Marker | null {
  const text = decoder.decode(bytes);
  const percent = BAR_PERCENT.exec(text);
  if (!percent) return null;
  const counts = BAR_COUNT.exec(text.slice(percent.index));
  const description = text.slice(0, percent.index).replace(/[:\s]+$/, "").trim();
  return progress(
    Number(percent[1]),
    counts ? toCount(counts[1]) : null,
    counts ? toCount(counts[2]) : null,
    description,
  );
}

/** A count as a safe integer; a number past 2^53 (or 400 digits) is not taken as one. */
function toCount(digits: string): number | null {
  const value = Number(digits);
  return Number.isSafeInteger(value) ? value : null;
}

function progress(
  percent: number | null,
  done: number | null,
  total: number | null,
  message: string | undefined,
): Marker | null {
  if (percent !== null && !Number.isFinite(percent)) return null;
  const text = message?.trim();
  return { kind: "progress", percent, done, total, message: text ? text : null };
}

/** No progress reported yet. */
export const NO_PROGRESS: Progress = {
  progress_percent: null,
  items_processed: null,
  items_total: null,
  progress_message: null,
};

/**
 * The progress after a marker: `DONE/TOTAL` sets the counts and `floor(100 × DONE / TOTAL)`;
 * `N%` sets the percentage and leaves the counts as they were. Percentages stay in 0..100.
 */
export function applyProgress(
  current: Progress,
  marker: Extract<Marker, { kind: "progress" }>,
): Progress {
  const next = { ...current, progress_message: marker.message ?? current.progress_message };
  if (marker.done !== null && marker.total !== null) {
    next.items_processed = marker.done;
    next.items_total = marker.total;
    if (marker.total > 0) {
      next.progress_percent = clampPercent(Math.floor(100 * marker.done / marker.total));
    }
  }
  if (
    marker.percent !== null && (marker.done === null || marker.total === null || marker.total === 0)
  ) {
    next.progress_percent = clampPercent(marker.percent);
  }
  return next;
}

function clampPercent(value: number): number {
  return Math.max(0, Math.min(100, value));
}

/** True when two progress states differ in any field. */
export function progressChanged(a: Progress, b: Progress): boolean {
  return a.progress_percent !== b.progress_percent || a.items_processed !== b.items_processed ||
    a.items_total !== b.items_total || a.progress_message !== b.progress_message;
}
