// The import graph between the source files of main.ts and src/, read from the text: every
// relative `import`/`export ... from` (type-only ones too: they tie files together as much as any)
// and every dynamic `import("./x")`. Paths are `/`-separated and relative to the repository root
// on every platform, so the architecture test gives the same answer on Windows.
import { join } from "node:path";
import { posix } from "node:path";

const IMPORT = /(?:from\s+|import\s*\(\s*|^\s*import\s+)"(\.{1,2}\/[^"]+)"/gm;
const SOURCE = /\.(ts|tsx|js)$/;

/** Every source file under `dir` (relative to `root`), with `/` separators. */
export function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(join(root, dir))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...sourceFiles(root, path));
    else if (SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out.sort();
}

/** The files `file` imports (relative to the root), read from its text. */
export function importsOf(file: string, text: string): string[] {
  const targets = new Set<string>();
  for (const m of text.matchAll(IMPORT)) {
    const target = posix.normalize(posix.join(posix.dirname(file), m[1]));
    if (SOURCE.test(target)) targets.add(target);
  }
  return [...targets].sort();
}

/** main.ts and every source file of src/, each with the source files it imports. */
export function fileGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of ["main.ts", ...sourceFiles(root, "src")]) {
    graph.set(file, importsOf(file, Deno.readTextFileSync(join(root, file))));
  }
  return graph;
}

/**
 * The import cycles of a graph: its strongly connected components of more than one file (or one
 * file importing itself), found with Tarjan's algorithm, each sorted, largest first.
 */
export function importCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) {
      cycles.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles.sort((a, b) => b.length - a.length || a[0].localeCompare(b[0]));
}
