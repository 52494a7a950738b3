/**
 * Wall-clock milliseconds with sub-millisecond resolution, comparable to Python's time.time().
 * performance.now() is anchored to a Date.now() tick and re-anchored every second, so drift
 * between the monotonic and the real-time clock cannot build up.
 */

let clockAnchor = 0;
let clockAnchoredAt = -Infinity;

function anchorClock(): void {
  const start = Date.now();
  let tick = start;
  let mono = 0;
  const limit = performance.now() + 5;
  while (tick === start && performance.now() < limit) {
    mono = performance.now();
    tick = Date.now();
  }
  clockAnchor = tick - mono;
  clockAnchoredAt = mono;
}

/** Now, in epoch milliseconds with microsecond resolution. */
export function wallMs(): number {
  const mono = performance.now();
  if (mono - clockAnchoredAt > 1000) anchorClock();
  return clockAnchor + mono;
}

/** A time.time() value printed by a bench script, in epoch milliseconds. */
export function parseTimestampMs(text: string | null | undefined): number {
  const seconds = Number.parseFloat((text ?? "").trim());
  if (!Number.isFinite(seconds)) throw new Error(`not a timestamp: ${JSON.stringify(text)}`);
  return seconds * 1000;
}
