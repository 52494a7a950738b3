import assert from "node:assert/strict";
import { resolve } from "node:path";
import { decodeCursor, encodeCursor } from "../../src/runs/cursor.ts";
import { launchSpec } from "../../src/runs/launch_spec.ts";
import { parseCatalog } from "../../src/modules/catalog.ts";
import { newRunRecord, type RunRecord } from "../../src/runs/model.ts";
import { AppError } from "../../src/errors.ts";

const catalog = parseCatalog(
  JSON.stringify({
    modules: [{
      id: "m",
      name: "M",
      description: "",
      category: "",
      script_path: "scripts/run.py",
      env: { EXTRA: "1" },
      parameters: [
        { name: "q", type: "text" },
        { name: "key", type: "password" },
        { name: "n", type: "number" },
      ],
    }, { id: "sh", name: "S", description: "", category: "", script_path: "tool.sh" }],
  }),
  "/srv/prismq/modules.json",
  "python3",
);

function record(parameters: RunRecord["parameters"]): RunRecord {
  return newRunRecord({
    run_id: "abcdefghij012345",
    module_id: "m",
    module_name: "M",
    parameters,
    secret_parameters: Object.hasOwn(parameters, "key") ? ["key"] : [],
    order: 1,
    created_at: 0,
    startsOn: "h1",
  });
}

Deno.test("launchSpec: interpreter, script, arguments in definition order, cwd and environment", () => {
  const { spec, display } = launchSpec(
    catalog.get("m")!,
    record({ n: 3, key: "s3cret", q: "-x" }),
    "/data/artifacts/r1",
  );
  assert.equal(spec.program, "python3");
  // The module file's folder anchors the script; Windows makes that `C:\srv\...` (a drive).
  const script = resolve("/srv/prismq/scripts/run.py");
  assert.deepEqual(spec.args, [
    script,
    "--q=-x",
    "--key",
    "s3cret",
    "--n",
    "3",
  ]);
  assert.equal(spec.cwd, resolve("/srv/prismq/scripts"));
  assert.deepEqual(spec.env, {
    EXTRA: "1",
    PYTHONUNBUFFERED: "1",
    PYTHONIOENCODING: "utf-8",
    PRISMQ_RUN_ID: "abcdefghij012345",
    PRISMQ_MODULE_ID: "m",
    PRISMQ_OUTPUT_DIR: "/data/artifacts/r1",
  });
  assert.equal(display, `python3 ${script} --q=-x --key ******** --n 3`);
  const direct = launchSpec(catalog.get("sh")!, { ...record({}), module_id: "sh" }, "/out");
  assert.equal(direct.spec.program, resolve("/srv/prismq/tool.sh"));
  assert.deepEqual(direct.spec.args, []);
});

Deno.test("cursors round-trip and foreign ones are a 422", () => {
  const order = 1_764_140_000_000_123;
  assert.equal(decodeCursor(encodeCursor(order)), order);
  for (const bad of ["%%%", "bm9wZQ", encodeCursor(-1).replace(/./, "x")]) {
    assert.throws(
      () => decodeCursor(bad),
      (e) => e instanceof AppError && e.code === "VALIDATION_ERROR",
    );
  }
});
