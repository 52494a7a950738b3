/** What a row measured: the lines of the table and the details for JSON. */
import type { RowName } from "./options.ts";

/** PASS and MISS compare with a target; INFO has none; ERROR is a row that failed. */
export type Verdict = "PASS" | "MISS" | "INFO" | "ERROR";

/** One line of the table. */
export interface Measure {
  measure: string;
  server: string;
  raw: string;
  compare: string;
  target: string;
  result: Verdict;
  values?: Record<string, unknown>;
}

/** One row: its table lines, notes under the table, and the details written to JSON. */
export interface RowResult {
  name: RowName;
  title: string;
  seconds: number;
  measures: Measure[];
  notes: string[];
  details: Record<string, unknown>;
  /** The first lines the row's servers wrote to stderr. */
  server_stderr: string[];
  error?: string;
}

/** PASS when the target is met, else MISS. */
export const verdict = (pass: boolean): Verdict => pass ? "PASS" : "MISS";

/** A line with only the server's value: no raw value, no comparison, no target. */
export function info(measure: string, server: string): Measure {
  return { measure, server, raw: "—", compare: "—", target: "—", result: "INFO" };
}
