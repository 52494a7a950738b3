// The import graph between the folders of src/ (and main.ts), read from the source: for each
// folder or top-level file, the others it imports. Written into docs/development.md, so the
// picture of the layers there is checked against the code by the docs test.
import { fileGraph } from "./file_graph.ts";

/** `src/runs/store.ts` -> `src/runs/`; `src/runner.ts` stays itself; `main.ts` too. */
function unit(path: string): string {
  const parts = path.split("/");
  return parts[0] === "src" && parts.length > 2 ? `src/${parts[1]}/` : path;
}

/** Each unit of main.ts and src/ with the units it imports, sorted. */
export function importGraph(root: string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [file, imports] of fileGraph(root)) {
    const from = unit(file);
    const targets = graph.get(from) ?? new Set<string>();
    graph.set(from, targets);
    for (const target of imports) if (unit(target) !== from) targets.add(unit(target));
  }
  return new Map([...graph].sort(([a], [b]) => a.localeCompare(b)));
}

/** The graph as a text block: `FROM -> A, B, C`, one unit a line. */
export function importGraphText(root: string): string {
  const graph = importGraph(root);
  const width = Math.max(...[...graph.keys()].map((k) => k.length));
  const lines = [...graph].map(([from, to]) =>
    `${from.padEnd(width)} -> ${to.size === 0 ? "(nothing)" : [...to].sort().join(", ")}`
  );
  return ["```", ...lines, "```"].join("\n");
}
