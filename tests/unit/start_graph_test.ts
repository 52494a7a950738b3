import assert from "node:assert/strict";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname!, "..", "..");

interface Dep {
  code?: { specifier: string };
  isDynamic?: boolean;
}
interface InfoModule {
  specifier: string;
  kind?: string;
  npmPackage?: string;
  dependencies?: Dep[];
}

/**
 * What main.ts loads before it listens: the modules reached by static imports (the code of a
 * type-only or dynamic import is not loaded at start) and the npm packages among them.
 */
async function startGraph() {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "main.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    roots: string[];
    modules: InfoModule[];
    redirects: Record<string, string>;
  };
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const packages = new Set<string>();
  const stack = [...info.roots];
  while (stack.length > 0) {
    const next = stack.pop()!;
    const specifier = info.redirects[next] ?? next;
    const m = bySpecifier.get(specifier);
    if (m === undefined || seen.has(specifier)) continue;
    seen.add(specifier);
    if (m.npmPackage) packages.add(/^@?[^@]+/.exec(m.npmPackage)![0]);
    for (const dep of m.dependencies ?? []) {
      if (dep.code && !dep.isDynamic) stack.push(dep.code.specifier);
    }
  }
  return { modules: seen, packages };
}

Deno.test("start graph: only these npm packages are loaded before the server listens", async () => {
  // Each package loaded at start costs idle RSS for good. prom-client was one: a CommonJS package
  // that brings Node's CommonJS loader and http modules (2.8 MB of the idle server's 74 MB).
  const { packages } = await startGraph();
  assert.deepEqual([...packages].sort(), [
    "@hono/zod-openapi",
    "croner",
    "hono",
    "nanoid",
    "re2js",
    "ts-pattern",
    "zod",
  ]);
});
