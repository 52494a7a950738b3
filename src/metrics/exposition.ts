/**
 * The Prometheus text exposition format (0.0.4), for the few series the runner has: counters and
 * histograms by label values, and gauges read when scraped. Written here rather than with
 * prom-client, which loads Node's CommonJS loader and its push-gateway's http modules at start
 * (measured: 2.8 MB of the idle server's RSS) for what is a page of text.
 */

/** The content type of the format. */
export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Label names to values. */
export type Labels = Readonly<Record<string, string>>;

/** One sample line. */
export interface Sample {
  /** The family's name, or it with `_bucket`, `_sum` or `_count`. */
  name: string;
  labels: Labels;
  value: number;
}

/** A metric family: its name, help and type, and its samples as they stand when scraped. */
export interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  samples(): Sample[];
}

/** Values by label set; the key is the values in label-name order. */
class ByLabels<T> {
  private readonly entries = new Map<string, { labels: Labels; value: T }>();

  constructor(private readonly labelNames: readonly string[], private readonly fresh: () => T) {}

  get(labels: Labels): T {
    const key = JSON.stringify(this.labelNames.map((n) => labels[n] ?? ""));
    let entry = this.entries.get(key);
    if (entry === undefined) {
      const own = Object.fromEntries(this.labelNames.map((n) => [n, labels[n] ?? ""]));
      this.entries.set(key, entry = { labels: own, value: this.fresh() });
    }
    return entry.value;
  }

  all(): { labels: Labels; value: T }[] {
    return [...this.entries.values()];
  }
}

/** A counter by label values; an unlabelled one reads 0 before its first increment. */
export class Counter implements Family {
  readonly type = "counter";
  private readonly values: ByLabels<{ n: number }>;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[] = [],
  ) {
    this.values = new ByLabels(labelNames, () => ({ n: 0 }));
    if (labelNames.length === 0) this.values.get({});
  }

  /** Adds `by` (≥ 0) to the series of these labels. */
  inc(labels: Labels = {}, by = 1): void {
    if (by > 0) this.values.get(labels).n += by;
  }

  samples(): Sample[] {
    return this.values.all().map(({ labels, value }) => ({
      name: this.name,
      labels,
      value: value.n,
    }));
  }
}

/** A histogram by label values, with fixed upper bounds (and +Inf). */
export class Histogram implements Family {
  readonly type = "histogram";
  private readonly values: ByLabels<{ counts: number[]; sum: number; count: number }>;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    labelNames: readonly string[] = [],
  ) {
    this.values = new ByLabels(
      labelNames,
      () => ({ counts: buckets.map(() => 0), sum: 0, count: 0 }),
    );
  }

  /** Counts one observation in the series of these labels. */
  observe(labels: Labels, value: number): void {
    const h = this.values.get(labels);
    this.buckets.forEach((le, i) => {
      if (value <= le) h.counts[i]++;
    });
    h.sum += value;
    h.count++;
  }

  samples(): Sample[] {
    return this.values.all().flatMap(({ labels, value: h }) => [
      ...this.buckets.map((le, i) => ({
        name: `${this.name}_bucket`,
        labels: { le: String(le), ...labels },
        value: h.counts[i],
      })),
      { name: `${this.name}_bucket`, labels: { le: "+Inf", ...labels }, value: h.count },
      { name: `${this.name}_sum`, labels, value: h.sum },
      { name: `${this.name}_count`, labels, value: h.count },
    ]);
  }
}

/** A family whose samples are computed when scraped. */
export function computed(
  name: string,
  help: string,
  type: "counter" | "gauge",
  samples: () => { labels?: Labels; value: number }[],
): Family {
  return {
    name,
    help,
    type,
    samples: () => samples().map((s) => ({ name, labels: s.labels ?? {}, value: s.value })),
  };
}

const escapeHelp = (text: string) => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
const escapeValue = (text: string) =>
  text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

function formatNumber(value: number): string {
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function formatSample(s: Sample): string {
  const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeValue(v)}"`);
  const set = labels.length > 0 ? `{${labels.join(",")}}` : "";
  return `${s.name}${set} ${formatNumber(s.value)}`;
}

/** The families as one exposition text: HELP, TYPE, then the samples of each. */
export function render(families: readonly Family[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples()) lines.push(formatSample(s));
  }
  return lines.join("\n") + "\n";
}
