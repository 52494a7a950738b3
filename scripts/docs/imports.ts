// The import graph between the folders of src/ (and main.ts), read from the source: for each
// folder or top-level file, the others it imports. Written into docs/development.md, so the
// picture of the layers there is checked against the code by the docs test.
import { dirname, join, normalize, relative } from "node:path";

const IMPORT = /(?:from\s+|import\s*\(\s*)"(\.{1,2}\/[^"]+)"/g;

/** `src/runs/store.ts` -> `src/runs/`; `src/runner.ts` stays itself; `main.ts` too. */
function unit(path: string): string {
  const parts = path.split("/");
  return parts[0] === "src" && parts.length > 2 ? `src/${parts[1]}/` : path;
}

function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(join(root, dir))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...sourceFiles(root, path));
    else if (/\.(ts|tsx)$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** Each unit of main.ts and src/ with the units it imports, sorted. */
export function importGraph(root: string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of ["main.ts", ...sourceFiles(root, "src")]) {
    const from = unit(file);
    const targets = graph.get(from) ?? new Set<string>();
    graph.set(from, targets);
    for (const m of Deno.readTextFileSync(join(root, file)).matchAll(IMPORT)) {
      const target = relative(root, join(root, dirname(file), m[1]));
      if (target.startsWith("..") || !/^(src\/|main\.ts)/.test(normalize(target))) continue;
      const to = unit(target);
      if (to !== from) targets.add(to);
    }
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
