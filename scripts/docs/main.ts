// `deno task docs`: rewrites the generated blocks of README.md and docs/*.md from the zod
// schemas (see generated.ts), then checks every relative link and anchor. `--check` changes
// nothing and exits 1 when a block is stale.
import { relative } from "node:path";
import { UNDESCRIBED } from "./generated.ts";
import { brokenLinks } from "./links.ts";
import { docFiles, missingBlocks, renderDoc, ROOT } from "./render.ts";

const check = Deno.args.includes("--check");
const files = docFiles();
const stale: string[] = [];
const undescribed: string[] = [];
for (const path of files) {
  const before = Deno.readTextFileSync(path);
  const after = await renderDoc(before);
  const rows = after.split("\n").filter((line) => line.startsWith("|"));
  for (const row of rows.filter((line) => line.includes(UNDESCRIBED))) {
    undescribed.push(`${relative(ROOT, path)}: ${row.split("|")[1].trim()}`);
  }
  if (after === before) continue;
  stale.push(relative(ROOT, path));
  if (!check) Deno.writeTextFileSync(path, after);
}
let failed = false;
if (undescribed.length > 0) {
  console.warn(
    `warning: no description yet (add .describe("...") to the field): ${undescribed.join(", ")}`,
  );
}
const missing = missingBlocks(files);
if (missing.length > 0) {
  console.error(`no <!-- generated:NAME --> block in the docs for: ${missing.join(", ")}`);
  failed = true;
}
if (check && stale.length > 0) {
  console.error(`stale generated docs (run deno task docs): ${stale.join(", ")}`);
  failed = true;
} else {
  console.log(stale.length === 0 ? "generated docs up to date" : `rewrote ${stale.join(", ")}`);
}
const broken = brokenLinks(files, ROOT);
for (const problem of broken) console.error(`broken link: ${problem}`);
if (failed || broken.length > 0) Deno.exit(1);
