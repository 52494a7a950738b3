// @ts-check
// How times, durations and sizes read on the pages, and which run statuses are final.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

/** Statuses after which a run never changes. */
export const FINAL_STATUSES = ["completed", "failed", "cancelled"];

/**
 * @param {string} status
 * @returns {boolean}
 */
export function isFinal(status) {
  return FINAL_STATUSES.includes(status);
}

/**
 * A timestamp in the reader's time zone.
 * @param {string} iso
 */
export function formatTime(iso) {
  return dateTime.format(new Date(iso));
}

/**
 * "3 minutes ago", "yesterday".
 * @param {string} iso
 * @param {number} [now]
 */
export function formatRelative(iso, now = Date.now()) {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  /** @type {[Intl.RelativeTimeFormatUnit, number][]} */
  const units = [["day", 86400], ["hour", 3600], ["minute", 60]];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(Math.round(seconds), "second");
}

/**
 * "0.42 s", "12.3 s", "4 min 05 s", "2 h 03 min".
 * @param {number | null | undefined} seconds
 */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  const pad = (/** @type {number} */ n) => String(n).padStart(2, "0");
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${pad(whole % 60)} s`;
  return `${Math.floor(whole / 3600)} h ${pad(Math.floor((whole % 3600) / 60))} min`;
}

/**
 * "512 B", "1.5 KiB", "3.2 MiB".
 * @param {number} bytes
 */
export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
