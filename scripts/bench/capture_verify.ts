/** The capture row's check of a stored log: every line of lines.py, in order, exactly. */
import { getJson, type LogPage } from "./http.ts";

const PAD = "x".repeat(49);
/** What lines.py prints as line `i`. */
const expectedLine = (i: number) => `${String(i).padStart(10, "0")} ${PAD}`;

/** Every stdout line, in order, with its exact text: what the stored log holds of `n` lines. */
export async function verifyLog(base: string, runId: string, n: number) {
  const v = {
    totalLines: 0,
    stdoutLines: 0,
    systemLines: 0,
    otherLines: 0,
    gaps: 0,
    mismatched: 0,
    firstMismatch: null as string | null,
  };
  let after = 0;
  let lastSeq = 0;
  const maxPages = Math.ceil(n / 10_000) + 50;
  for (let page = 0; page < maxPages; page++) {
    const p = await getJson<LogPage>(base, `/api/runs/${runId}/logs?after=${after}&limit=10000`);
    v.totalLines = p.total_lines;
    if (p.logs.length === 0) break;
    for (const l of p.logs) {
      if (l.seq !== lastSeq + 1) v.gaps++;
      lastSeq = l.seq;
      if (l.stream === "stdout") {
        if (l.message !== expectedLine(v.stdoutLines)) {
          v.mismatched++;
          v.firstMismatch ??= `stdout line ${v.stdoutLines} (seq ${l.seq}): ${
            l.message.slice(0, 80)
          }`;
        }
        v.stdoutLines++;
      } else if (l.stream === "system") v.systemLines++;
      else v.otherLines++;
    }
    after = p.next_after;
    if (after >= p.total_lines) break;
  }
  return v;
}
