import assert from "node:assert/strict";
import { parseCatalog } from "../../src/modules/catalog.ts";
import { ConfigError } from "../../src/errors.ts";
import { fill, type Resolve } from "../../src/pipelines/template.ts";

const module = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  description: "",
  category: "t",
  script_path: "x.py",
  ...extra,
});

const parse = (pipelines: unknown[]) =>
  parseCatalog(
    JSON.stringify({ modules: [module("a"), module("f", { stdin: "input" })], pipelines }),
    "/tmp/modules.json",
    "python3",
  );

function refused(pipelines: unknown[], pattern: RegExp): void {
  assert.throws(() => parse(pipelines), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, pattern);
    return true;
  });
}

const pipe = (steps: unknown[], extra: Record<string, unknown> = {}) => ({
  id: "p",
  name: "P",
  steps,
  ...extra,
});

Deno.test("needs default to the step before; the first step needs none", () => {
  const catalog = parse([pipe([{ id: "x", module: "a" }, { id: "y", module: "f" }])]);
  assert.deepEqual(catalog.pipelines[0].def.steps.map((s) => s.needs), [[], ["x"]]);
  assert.equal(catalog.pipelines[0].def.steps[1].when, "success");
});

Deno.test("a wrong pipeline refuses the file naming the pipeline and step", () => {
  refused([pipe([{ id: "x", module: "nope" }])], /pipeline "p", step "x": unknown module "nope"/);
  refused(
    [pipe([{ id: "x", module: "a", needs: ["z"] }])],
    /pipeline "p", step "x": needs unknown step "z"/,
  );
  refused(
    [pipe([{ id: "x", module: "a", needs: ["y"] }, { id: "y", module: "a", needs: ["x"] }])],
    /pipeline "p", step "[xy]": its needs form a cycle/,
  );
  refused(
    [pipe([
      { id: "x", module: "a" },
      { id: "y", module: "a", needs: [] },
      { id: "z", module: "a", needs: ["y"], parameters: { v: "{{ steps.x.result }}" } },
    ])],
    /pipeline "p", step "z": template \{\{ steps\.x\.result \}\} names step "x", which is not among its needs/,
  );
  refused(
    [pipe([{ id: "x", module: "a", input: "hello" }])],
    /pipeline "p", step "x": field input: module "a" reads no input/,
  );
  refused(
    [pipe([{ id: "x", module: "a", parameters: { v: "{{ params.q }}" } }])],
    /pipeline "p", step "x": .*unknown parameter "q"/,
  );
  refused([pipe([{ id: "x", module: "a" }]), pipe([{ id: "x", module: "a" }])], /duplicate/);
});

Deno.test("steps named through needs of needs may be used in templates", () => {
  parse([pipe([
    { id: "x", module: "a" },
    { id: "y", module: "a" },
    { id: "z", module: "f", input: "{{ steps.x.output }}" },
  ])]);
});

Deno.test("a whole-string template keeps the JSON type; inside a longer string it is text", async () => {
  const resolve: Resolve = (expr) =>
    Promise.resolve(expr.kind === "param" ? { n: [1, 2] } : "plain");
  assert.deepEqual(await fill("{{ params.x }}", resolve), { n: [1, 2] });
  assert.equal(await fill("v={{ params.x }}", resolve), 'v={"n":[1,2]}');
  assert.equal(await fill("id {{ pipeline_run_id }}!", resolve), "id plain!");
  assert.deepEqual(await fill({ a: ["{{ pipeline_run_id }}"] }, resolve), { a: ["plain"] });
});
