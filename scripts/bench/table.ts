/** The markdown table of all rows. */
import type { RowResult } from "./results.ts";

/** Text safe inside a markdown table cell. */
function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** One table line per measure, and an ERROR line for a row that failed. */
export function renderTable(rows: RowResult[]): string {
  const out = [
    "| measure | server | raw | ratio/diff | target | result |",
    "|---|---|---|---|---|---|",
  ];
  for (const row of rows) {
    for (const m of row.measures) {
      const result = m.result === "PASS" || m.result === "MISS" ? `**${m.result}**` : m.result;
      out.push(
        `| ${cell(m.measure)} | ${cell(m.server)} | ${cell(m.raw)} | ${cell(m.compare)} | ${
          cell(m.target)
        } | ${result} |`,
      );
    }
    if (row.error) {
      out.push(`| ${cell(row.title)} | ERROR: ${cell(row.error)} | | | | ERROR |`);
    }
  }
  return out.join("\n");
}
