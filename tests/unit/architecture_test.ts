// The rules of docs/development.md ("Which way imports go") that the code can be checked against,
// read from the source text. Runs in the Windows lane too: paths are `/`-separated throughout.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { fileGraph, importCycles, importsOf } from "../../scripts/docs/file_graph.ts";

const ROOT = resolve(import.meta.dirname!, "..", "..");

/** The run core's public face: the one file of src/runs/ that the rest of the code imports. */
const RUN_CORE_FACE = "src/runs/mod.ts";

Deno.test("architecture: no import cycle among the files of src/ and main.ts (type-only imports count)", () => {
  const graph = fileGraph(ROOT);
  // Not a pass by reading nothing (paths read wrongly on one platform would find no import).
  assert.ok(graph.get("src/runs/service.ts")?.includes("src/runs/submission.ts"));
  const cycles = importCycles(graph);
  // Each file of a loop with the files of the same loop it imports: where to cut it.
  const described = cycles.map((cycle) =>
    cycle.map((file) =>
      `${file} -> ${graph.get(file)!.filter((t) => cycle.includes(t)).join(", ")}`
    )
  );
  assert.deepEqual(described, []);
});

Deno.test("architecture: nothing outside src/runs/ reaches into the run core but through src/runs/mod.ts", () => {
  // No exception, the composition root (src/runner.ts) included: what it builds (the stores, the
  // retention sweeper) is part of the public face, so it needs no part of the core either.
  const graph = fileGraph(ROOT);
  assert.ok(graph.get("src/runner.ts")?.includes(RUN_CORE_FACE));
  const offenders = [...graph]
    .filter(([file]) => !file.startsWith("src/runs/"))
    .flatMap(([file, targets]) =>
      targets.filter((t) => t.startsWith("src/runs/") && t !== RUN_CORE_FACE).map((t) =>
        `${file} -> ${t}`
      )
    );
  assert.deepEqual(offenders, []);
});

Deno.test("architecture: nothing outside src/http/ imports Hono", () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const entry of Deno.readDirSync(join(ROOT, dir))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory && path !== "src/http") walk(path);
      else if (/\.tsx?$/.test(entry.name)) {
        const text = Deno.readTextFileSync(join(ROOT, path));
        if (/from\s+"(hono|@hono\/)/.test(text)) offenders.push(path);
      }
    }
  };
  walk("src");
  assert.deepEqual(offenders, []);
});

Deno.test("architecture: the import reader sees every kind of relative import", () => {
  const text = [
    'import { a } from "./a.ts";',
    'import type { B } from "../b.ts";',
    "import {",
    "  c,",
    "  type C,",
    '} from "./c/c.ts";',
    'export { d } from "./d.ts";',
    'export type * from "./e.ts";',
    'const f = () => import("./f.ts");',
    'import "./g.ts";',
    'import { z } from "zod";',
    'import { join } from "node:path";',
    'const text = import("./h.css", { with: { type: "text" } });',
  ].join("\n");
  assert.deepEqual(importsOf("src/x/y.ts", text), [
    "src/b.ts",
    "src/x/a.ts",
    "src/x/c/c.ts",
    "src/x/d.ts",
    "src/x/e.ts",
    "src/x/f.ts",
    "src/x/g.ts",
  ]);
});

Deno.test("architecture: the cycle finder finds loops of any length, and none in a tree", () => {
  const graph = new Map([
    ["a", ["b"]],
    ["b", ["c", "d"]],
    ["c", ["a"]],
    ["d", ["e"]],
    ["e", ["e"]],
    ["f", ["a"]],
  ]);
  assert.deepEqual(importCycles(graph), [["a", "b", "c"], ["e"]]);
  assert.deepEqual(importCycles(new Map([["a", ["b", "c"]], ["b", ["c"]], ["c", []]])), []);
});
