// The inside of the run core (src/runs/), read from the source: each file with the files of the
// core it imports, in layers. A file's layer is one more than the highest layer it imports, so a
// file imports only files listed below it; the public face (mod.ts) comes first. Written into
// docs/development.md, where the docs test keeps it true.
import { fileGraph } from "./file_graph.ts";

const CORE = "src/runs/";

/** Each file of the core (without its folder) with the core files it imports. */
export function runCoreGraph(root: string): Map<string, string[]> {
  const inCore = (file: string) => file.startsWith(CORE) && !file.slice(CORE.length).includes("/");
  const short = (file: string) => file.slice(CORE.length);
  const graph = new Map<string, string[]>();
  for (const [file, imports] of fileGraph(root)) {
    if (inCore(file)) graph.set(short(file), imports.filter(inCore).map(short));
  }
  return graph;
}

/** Each file's layer: 0 when it imports no file of the core; throws on an import cycle. */
export function layers(graph: Map<string, string[]>): Map<string, number> {
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (file: string): number => {
    const known = layer.get(file);
    if (known !== undefined) return known;
    if (visiting.has(file)) throw new Error(`import cycle through ${file}`);
    visiting.add(file);
    const own = Math.max(-1, ...(graph.get(file) ?? []).map(visit)) + 1;
    visiting.delete(file);
    layer.set(file, own);
    return own;
  };
  for (const file of graph.keys()) visit(file);
  return layer;
}

/** The core as a text block: layer, file, and the core files it imports, top layer first. */
export function runCoreText(root: string): string {
  const graph = runCoreGraph(root);
  const layer = layers(graph);
  const files = [...graph.keys()].sort((a, b) =>
    layer.get(b)! - layer.get(a)! || a.localeCompare(b)
  );
  const width = Math.max(...files.map((f) => f.length));
  const name = (file: string) => file.replace(/\.tsx?$/, "");
  const indent = 2 + 2 + width + 2;
  const lines = files.flatMap((file) => {
    const head = `${String(layer.get(file)).padStart(2)}  ${file.padEnd(width)}  `;
    return wrap(graph.get(file)!.map(name), WIDTH - indent).map((names, i) =>
      (i === 0 ? head : "".padEnd(indent)) + (names || "-")
    );
  });
  const title = `${"".padStart(2)}  ${"file".padEnd(width)}  imports (in src/runs/)`;
  return ["```", title, ...lines, "```"].join("\n");
}

/** Lines of the page's code blocks are kept to this width. */
const WIDTH = 100;

/** Words joined by spaces into lines of at most `width` characters (one empty line for none). */
function wrap(words: string[], width: number): string[] {
  const lines = [""];
  for (const word of words) {
    const last = lines[lines.length - 1];
    if (last === "") lines[lines.length - 1] = word;
    else if (last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}
