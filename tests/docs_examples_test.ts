import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { docFiles, ROOT } from "../scripts/docs/render.ts";
import { parseCatalog } from "../src/modules/catalog.ts";

/** Every ```json block of a page, with the line it starts on. */
function jsonBlocks(text: string): { line: number; body: string }[] {
  const blocks: { line: number; body: string }[] = [];
  for (const m of text.matchAll(/^```json\n([\s\S]*?)^```/gm)) {
    blocks.push({ line: text.slice(0, m.index).split("\n").length, body: m[1] });
  }
  return blocks;
}

/**
 * A block the server would read: a whole module file (`{"modules": [...]}`) or one module entry
 * (an object with `id` and `script_path`). A block marked as a fragment with `"..."` is left out.
 */
function asModuleFile(body: string): unknown | null {
  if (body.includes('"..."')) return null;
  const json = JSON.parse(body);
  if (json === null || typeof json !== "object" || Array.isArray(json)) return null;
  if (Array.isArray(json.modules)) return json;
  if ("id" in json && "script_path" in json) return { modules: [json] };
  return null;
}

Deno.test("every module file and module entry in README.md and docs/ is one the server accepts", () => {
  const refused: string[] = [];
  let checked = 0;
  for (const path of docFiles()) {
    for (const { line, body } of jsonBlocks(Deno.readTextFileSync(path))) {
      const where = `${relative(ROOT, path)}:${line}`;
      let file: unknown;
      try {
        file = asModuleFile(body);
      } catch (err) {
        refused.push(`${where}: not JSON (${(err as Error).message})`);
        continue;
      }
      if (file === null) continue;
      checked++;
      try {
        // Availability (scripts, venvs on disk) is not checked here: only what refuses a start.
        parseCatalog(JSON.stringify(file), join(ROOT, "docs", "modules.json"), "python3");
      } catch (err) {
        refused.push(`${where}: ${(err as Error).message}`);
      }
    }
  }
  assert.deepEqual(refused, []);
  assert.ok(checked >= 10, `only ${checked} module examples found`);
});
