// Renders a docs file: its marked blocks filled from the schemas, then formatted as `deno fmt`
// formats it (padded tables), so that a rendered file passes `deno fmt --check` as it is.
import { join, resolve } from "node:path";
import { fillBlocks, findBlocks } from "./blocks.ts";
import { BLOCKS } from "./generated.ts";

/** The project's root folder. */
export const ROOT = resolve(import.meta.dirname!, "..", "..");

/** README.md and every page under docs/, sorted. */
export function docFiles(root = ROOT): string[] {
  const pages = [...Deno.readDirSync(join(root, "docs"))]
    .filter((e) => e.isFile && e.name.endsWith(".md"))
    .map((e) => join(root, "docs", e.name))
    .sort();
  return [join(root, "README.md"), ...pages];
}

/** The text with its generated blocks rewritten and formatted; unknown block names throw. */
export async function renderDoc(text: string): Promise<string> {
  if (findBlocks(text).length === 0) return text;
  const filled = fillBlocks(text, (name) => {
    const render = BLOCKS[name];
    if (render === undefined) throw new Error(`unknown generated block "${name}"`);
    return render();
  });
  return await formatMarkdown(filled);
}

/** The names of BLOCKS that no docs file has a marked block for. */
export function missingBlocks(files = docFiles()): string[] {
  const found = new Set(
    files.flatMap((f) => findBlocks(Deno.readTextFileSync(f)).map((b) => b.name)),
  );
  return Object.keys(BLOCKS).filter((name) => !found.has(name));
}

async function formatMarkdown(text: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=md", "-"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  if (!out.success) throw new Error(`deno fmt failed: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}
