import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { z } from "zod";
import { fillBlocks, findBlocks } from "../scripts/docs/blocks.ts";
import { BLOCKS, settingsTable, UNDESCRIBED } from "../scripts/docs/generated.ts";
import { describeSchema, inlineRefs, type JsonSchema } from "../scripts/docs/json_schema_text.ts";
import { anchors, brokenLinks, links, slug } from "../scripts/docs/links.ts";
import { docFiles, missingBlocks, renderDoc, ROOT } from "../scripts/docs/render.ts";
import { settingsSchema } from "../src/settings.ts";

Deno.test("the generated blocks of README.md and docs/ match the schemas (else: deno task docs)", async () => {
  for (const path of docFiles()) {
    const text = Deno.readTextFileSync(path);
    assert.equal(await renderDoc(text), text, `${relative(ROOT, path)} is stale: deno task docs`);
  }
  assert.deepEqual(missingBlocks(), [], "every generated block has a place in the docs");
});

Deno.test("every relative link and #anchor in README.md and docs/ resolves", () => {
  assert.deepEqual(brokenLinks(docFiles(), ROOT), []);
});

Deno.test("README.md is a front door: at most 200 lines", () => {
  const lines = Deno.readTextFileSync(join(ROOT, "README.md")).trimEnd().split("\n").length;
  assert.ok(lines <= 200, `README.md has ${lines} lines`);
});

Deno.test("the settings table has a row for every setting; one without a description says so", () => {
  const table = settingsTable();
  for (const name of Object.keys(settingsSchema.shape)) {
    assert.match(table, new RegExp("\\| `" + name + "` +\\|"));
  }
  // A setting another change adds without .describe() still gets its row (and a warning from
  // deno task docs), so a merge needs only `deno task docs`.
  assert.equal(
    table.includes(UNDESCRIBED),
    Object.values(settingsSchema.shape).some((s) => !s.meta()?.description),
  );
});

Deno.test("a key added to a schema gets a row with its type and default, with no other change", () => {
  const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input" }) as JsonSchema;
  assert.equal(describeSchema(json(z.number().int().min(1).max(5))), "integer (1..5)");
  assert.equal(describeSchema(json(z.array(z.string()))), "list of strings");
  assert.equal(describeSchema(json(z.enum(["a", "b"]))), '`"a"` or `"b"`');
  assert.equal(
    describeSchema(json(z.object({ x: z.string(), y: z.number().optional() }))),
    "object `{x, y?}`",
  );
  assert.equal(describeSchema(json(z.union([z.string(), z.null()]))), "string or null");
  const pool = z.object({ name: z.string() }).meta({ id: "Pool", title: "POOL" });
  const withRef = inlineRefs(json(z.object({ pools: z.array(pool), main: pool })));
  assert.equal(describeSchema((withRef as JsonSchema).properties!.pools), "list of POOL objects");
  const page = "<!-- generated:x -->\nold\n<!-- /generated:x -->\ntail\n";
  assert.equal(
    fillBlocks(page, () => "new"),
    "<!-- generated:x -->\n\nnew\n\n<!-- /generated:x -->\ntail\n",
  );
  assert.deepEqual(findBlocks(page).map((b) => b.name), ["x"]);
  assert.throws(() => findBlocks("<!-- generated:y -->\nopen\n"), /no closing/);
  assert.ok(Object.keys(BLOCKS).length >= 3);
});

Deno.test("slugs and anchors are GitHub's; the link check finds a missing file and anchor", () => {
  assert.equal(slug("What a run guarantees, and how"), "what-a-run-guarantees-and-how");
  assert.equal(slug("`PRISMQ_API_TOKEN` and the web UI"), "prismq_api_token-and-the-web-ui");
  assert.equal(slug("Levels, progress: a **result**!"), "levels-progress-a-result");
  assert.equal(slug("Triggers — schedules"), "triggers--schedules");
  const page = "# A\n\n## Twice\n\n## Twice\n\n```\n# not a heading\n```\n";
  assert.deepEqual([...anchors(page)], ["a", "twice", "twice-1"]);
  assert.deepEqual(
    links("[x](a.md#b) `[no](c.md)` ![img](p.png)\n```\n[no](d.md)\n```").map((l) => l.target),
    ["a.md#b", "p.png"],
  );
  const dir = Deno.makeTempDirSync();
  Deno.mkdirSync(join(dir, "docs"));
  Deno.writeTextFileSync(join(dir, "docs", "b.md"), "# Here\n");
  Deno.writeTextFileSync(
    join(dir, "README.md"),
    "[ok](docs/b.md#here) [gone](docs/c.md) [bad](docs/b.md#there) [web](https://x.org/#y)\n" +
      "[self](#top)\n",
  );
  assert.deepEqual(brokenLinks([join(dir, "README.md")], dir), [
    "README.md:1: docs/c.md: no such file",
    'README.md:1: docs/b.md#there: no heading "there" in docs/b.md',
    'README.md:2: #top: no heading "top" in README.md',
  ]);
});
