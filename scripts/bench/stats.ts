/** Summaries of samples and the number formats of the table. */

/** Order statistics of a set of samples. */
export interface Summary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

/** Min, max, mean and nearest-rank percentiles; NaN where there are no samples. */
export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    min: sorted[0] ?? NaN,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

/** Rounded for JSON; null for NaN and infinities (JSON has neither). */
export const round = (x: number, digits = 3) =>
  Number.isFinite(x) ? Number(x.toFixed(digits)) : null;
/** `12.34 ms` */
export const fmtMs = (x: number) => `${x.toFixed(2)} ms`;
/** `+1.23 ms`, `-0.45 ms` */
export const fmtSigned = (x: number, unit = " ms") => `${x >= 0 ? "+" : ""}${x.toFixed(2)}${unit}`;
/** `0.92×` */
export const fmtRatio = (x: number) => `${x.toFixed(2)}×`;
/** `20,000` */
export const fmtInt = (x: number) => Math.round(x).toLocaleString("en-US");

/** A summary with every value rounded, for JSON. */
export function roundSummary(s: Summary): Record<string, number | null> {
  return {
    n: s.n,
    min: round(s.min),
    p50: round(s.p50),
    p95: round(s.p95),
    p99: round(s.p99),
    max: round(s.max),
    mean: round(s.mean),
  };
}
