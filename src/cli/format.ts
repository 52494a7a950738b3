import type { LogLine } from "../logs/line.ts";
import type { Progress } from "../logs/markers.ts";
import type { ModuleView } from "../modules/views.ts";
import type { RunView } from "../runs/mod.ts";
import { type Colour, paint, type Terminal } from "./terminal.ts";

/** Columns padded to their widest cell; the last column is not padded. */
export function table(rows: string[][]): string {
  if (rows.length === 0) return "";
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) =>
    r.map((cell, i) => i === r.length - 1 ? cell : cell.padEnd(widths[i])).join("  ").trimEnd()
  ).join("\n") + "\n";
}

/** The modules as a table. */
export function modulesTable(modules: ModuleView[]): string {
  if (modules.length === 0) return "No modules.\n";
  return table([
    ["ID", "STATUS", "RUNS", "NAME"],
    ...modules.map((m) => [
      m.id,
      m.available ? m.status : `unavailable (${m.unavailable_reason ?? "?"})`,
      String(m.total_runs),
      m.name,
    ]),
  ]);
}

/** The runs as a table, newest first as the server lists them. */
export function runsTable(runs: RunView[]): string {
  if (runs.length === 0) return "No runs.\n";
  return table([
    ["RUN", "MODULE", "STATUS", "EXIT", "CREATED", "SECONDS"],
    ...runs.map((r) => [
      r.run_id,
      r.module_id,
      r.status,
      r.exit_code === null ? "-" : String(r.exit_code),
      r.created_at.replace("T", " ").replace(/\.\d+Z$/, "Z"),
      r.duration_seconds === null ? "-" : r.duration_seconds.toFixed(1),
    ]),
  ]);
}

const STATUS_COLOUR: Record<string, Colour> = {
  completed: "green",
  failed: "red",
  cancelled: "yellow",
};

/** One run in one line: id, module, status, exit code, error. */
export function runSummary(term: Pick<Terminal, "colour">, run: RunView): string {
  const parts = [`run ${run.run_id}`, `module ${run.module_id}`];
  const colour = STATUS_COLOUR[run.status];
  parts.push(colour ? paint(term, colour, run.status) : run.status);
  if (run.status === "queued" && run.queue_position !== null) {
    parts.push(`position ${run.queue_position}`);
  }
  if (run.exit_code !== null) parts.push(`exit ${run.exit_code}`);
  if (run.duration_seconds !== null) parts.push(`${run.duration_seconds.toFixed(1)} s`);
  const error = run.error_message ? `: ${run.error_message}` : "";
  return parts.join("  ") + error + "\n";
}

const LEVEL_COLOUR: Record<string, Colour | undefined> = {
  DEBUG: "dim",
  WARNING: "yellow",
  ERROR: "red",
  CRITICAL: "red",
};

/** A log line: time, stream, level, message (coloured by level on a terminal). */
export function logLine(term: Pick<Terminal, "colour">, line: LogLine): string {
  const time = line.timestamp.slice(11, 19);
  const stream = line.stream.padEnd(6);
  const level = line.level.padEnd(8);
  const colour = LEVEL_COLOUR[line.level] ?? (line.stream === "system" ? "cyan" : undefined);
  const head = `${paint(term, "dim", time)} ${paint(term, "dim", stream)} `;
  const tail = `${level} ${line.message}`;
  return head + (colour ? paint(term, colour, tail) : tail) + "\n";
}

/** The progress of a run in a few words: `[ 45%] 9/20 message`. */
export function progressText(progress: Progress): string {
  const parts: string[] = [];
  if (progress.progress_percent !== null) {
    parts.push(`[${progress.progress_percent.toFixed(0).padStart(3)}%]`);
  }
  if (progress.items_processed !== null) {
    parts.push(`${progress.items_processed}/${progress.items_total ?? "?"}`);
  }
  if (progress.progress_message) parts.push(progress.progress_message);
  return parts.join(" ");
}
