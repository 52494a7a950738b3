/** The report on stdout (header, table, notes, tally) and the JSON file. */
import type { Context } from "./context.ts";
import type { Machine } from "./machine.ts";
import type { RowResult } from "./results.ts";
import { renderTable } from "./table.ts";

/** One bench run's results and where they were measured. */
export interface Outcome {
  ctx: Context;
  machine: Machine;
  started: Date;
  rows: RowResult[];
}

/** The markdown report: machine, table, notes and the PASS/MISS/ERROR tally. */
export function renderReport({ ctx, machine, started, rows }: Outcome): string {
  const lines = [
    `## PrismQ Module Runner benchmark${ctx.options.quick ? " (--quick)" : ""}`,
    "",
    `- date: ${started.toISOString()}`,
    `- CPU: ${machine.cpu}, ${machine.cores} cores, ${machine.memory_gb} GB RAM`,
    `- OS: ${machine.os}`,
    `- Deno ${machine.deno} (V8 ${machine.v8})`,
    `- Python ${machine.python_version}: ${machine.python} (server and raw baseline alike)`,
    machine.commit ? `- server commit: ${machine.commit}` : "",
    "",
    renderTable(rows),
    "",
  ].filter((l, i, all) => l !== "" || all[i - 1] !== "");
  const notes = rows.flatMap((r) => r.notes);
  if (notes.length > 0) {
    lines.push("Notes:", "", ...notes.map((n) => `- ${n}`), "");
  }
  const misses = rows.flatMap((r) => r.measures.filter((m) => m.result === "MISS"));
  const errors = rows.filter((r) => r.error);
  lines.push(
    `Result: ${rows.flatMap((r) => r.measures).filter((m) => m.result === "PASS").length} PASS, ` +
      `${misses.length} MISS, ${errors.length} ERROR.`,
  );
  return lines.join("\n");
}

/** Writes every row with its details, the sizes and the machine to `path`. */
export function writeJson(path: string, { ctx, machine, started, rows }: Outcome): void {
  const json = {
    version: 1,
    mode: ctx.options.quick ? "quick" : "full",
    date: started.toISOString(),
    machine,
    sizes: ctx.size,
    rows,
  };
  Deno.writeTextFileSync(path, JSON.stringify(json, null, 2) + "\n");
}
