import {
  applyProgress,
  type Marker,
  NO_PROGRESS,
  parseBracketProgress,
  parseMarkerLine,
  parseProgressBar,
  type Progress,
  progressChanged,
} from "../logs/markers.ts";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../json/depth.ts";
import { MAX_RESULT_BYTES } from "./results.ts";

/** Where a reporter sends what it read. */
export interface ReporterHooks {
  /** The progress changed (called at each change; throttling is the listener's job). */
  progress(progress: Progress): void;
  /** A valid `::result`: its JSON text. */
  result(json: Uint8Array): void;
  /** A `::result` that was ignored, and why (a `system` line). */
  rejected(reason: string): void;
}

/** Longest progress message kept; the rest is cut. */
const MAX_MESSAGE = 500;

/**
 * Reads a run's `::progress` and `::result` lines and its progress-bar updates, and keeps the
 * progress as it stands. A line that does not start with `::` costs one byte comparison.
 */
export class RunReporter {
  progress: Progress = NO_PROGRESS;

  constructor(private readonly hooks: ReporterHooks) {}

  /** A whole output line of `stream`. */
  line(stream: "stdout" | "stderr", bytes: Uint8Array): void {
    if (bytes[0] !== 0x3a) {
      const bracket = parseBracketProgress(bytes);
      if (bracket !== null && bracket.kind === "progress") this.apply(bracket);
      return;
    }
    const marker = parseMarkerLine(bytes);
    if (marker === null) return;
    if (marker.kind === "progress") this.apply(marker);
    else if (stream === "stdout") this.result(marker.text);
  }

  /** A `\r`-terminated update, or the line that ends a run of them. */
  update(bytes: Uint8Array): void {
    const marker = parseProgressBar(bytes);
    if (marker !== null && marker.kind === "progress") this.apply(marker);
  }

  private apply(marker: Extract<Marker, { kind: "progress" }>): void {
    const message = marker.message?.slice(0, MAX_MESSAGE) ?? null;
    const next = applyProgress(this.progress, { ...marker, message });
    if (!progressChanged(this.progress, next)) return;
    this.progress = next;
    this.hooks.progress(next);
  }

  private result(text: string): void {
    const json = new TextEncoder().encode(text);
    if (json.length > MAX_RESULT_BYTES) {
      this.hooks.rejected(`::result ignored: ${json.length} bytes, more than ${MAX_RESULT_BYTES}`);
      return;
    }
    if (nestsDeeperThan(text)) {
      this.hooks.rejected(
        `::result ignored: not valid JSON (nested deeper than ${MAX_JSON_DEPTH} levels)`,
      );
      return;
    }
    try {
      JSON.parse(text);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.hooks.rejected(`::result ignored: not valid JSON (${why.slice(0, 200)})`);
      return;
    }
    this.hooks.result(json);
  }
}
