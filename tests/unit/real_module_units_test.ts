import assert from "node:assert/strict";
import { parseDotenv } from "../../src/modules/dotenv.ts";
import { expandTemplate, parseCommandTemplate } from "../../src/modules/command_template.ts";
import { buildArgs, unsafeBareValues } from "../../src/modules/args.ts";
import type { ParameterDef } from "../../src/modules/schema.ts";
import { venvEnvironment, venvInterpreter } from "../../src/process/venv.ts";

Deno.test("parseDotenv: quotes, export, comments, escapes only in double quotes, bad lines by number", () => {
  const { values, badLines } = parseDotenv(
    [
      "\uFEFF# comment",
      "A=1",
      "  export B = two words  # trailing comment",
      "C='single \\n ${X} # kept'",
      'D="x\\ny \\"q\\" \\\\ \\t"',
      "E=",
      'F="unclosed',
      "not a line",
      "G='x' trailing",
      "H=a#b",
      "A=last wins",
    ].join("\r\n"),
  );
  assert.deepEqual(values, {
    A: "last wins",
    B: "two words",
    C: "single \\n ${X} # kept",
    D: 'x\ny "q" \\ \\t',
    E: "",
    H: "a#b",
  });
  assert.deepEqual(badLines, [7, 8, 9]);
});

Deno.test("command templates: whole-element and inline placeholders, braces, dropped params", () => {
  const params = new Map([["mode", "select"], ["n", "number"], ["flag", "checkbox"]]);
  const parsed = parseCommandTemplate(
    [
      "{python}",
      "-m",
      "src.cli",
      "{param:mode}",
      "{param:n}",
      "id={run_id}/{replica}",
      "{{x}}",
      "{params}",
    ],
    params,
  );
  assert.ok(parsed.ok);
  const argv = expandTemplate(parsed.template, {
    python: "/py",
    script: "/s.py",
    params: ["--flag"],
    param: new Map([["mode", "collect"]]),
    runId: "r1",
    replica: 1,
  });
  assert.deepEqual(argv, ["/py", "-m", "src.cli", "collect", "id=r1/1", "{x}", "--flag"]);
  const bad = (elements: string[]) => {
    const r = parseCommandTemplate(elements, params);
    return r.ok ? null : r.error;
  };
  assert.match(bad(["{python}", "a{params}"])!.message, /whole element/);
  assert.match(bad(["x", "{param:flag}"])!.message, /checkbox/);
  assert.match(bad(["x", "{nope}"])!.message, /unknown placeholder/);
  assert.match(bad(["x", "a}"])!.message, /lone '\}'/);
  assert.match(bad(["x", "{run_id"])!.message, /lone '\{'/);
  assert.equal(bad(["x", "{param:ghost}"])!.index, 1);
});

Deno.test("buildArgs with arg: renamed flags, positional, none, short flags glue a dash value", () => {
  const defs = [
    { name: "max_results", type: "number", arg: "--max-results" },
    { name: "word", type: "text", arg: "positional" },
    { name: "hidden", type: "text", arg: "none" },
    { name: "n", type: "text", arg: "-n" },
    { name: "v", type: "checkbox", arg: "-v" },
  ] as ParameterDef[];
  assert.deepEqual(
    buildArgs(defs, { max_results: -3, word: "w", hidden: "h", n: "-5", v: true }),
    ["--max-results=-3", "w", "-n-5", "-v"],
  );
  assert.deepEqual(
    unsafeBareValues(defs, { word: "-w", hidden: "-h", n: "-5" }, new Set(["hidden"])).map((e) =>
      e.field
    ),
    ["word", "hidden"],
  );
});

Deno.test("venv: interpreter and environment per platform", () => {
  assert.equal(venvInterpreter("/v", "linux"), "/v/bin/python");
  assert.match(venvInterpreter("C:\\v", "windows"), /Scripts.python\.exe$/);
  assert.deepEqual(venvEnvironment("/v", "/usr/bin:/bin", "linux"), {
    VIRTUAL_ENV: "/v",
    PATH: "/v/bin:/usr/bin:/bin",
  });
  assert.match(venvEnvironment("C:\\v", "C:\\Windows", "windows").PATH, /Scripts;C:\\Windows$/);
});

Deno.test("an empty command array refuses the module file naming the module, never a TypeError", async () => {
  const { parseCatalog } = await import("../../src/modules/catalog.ts");
  const { ConfigError } = await import("../../src/errors.ts");
  const file = {
    modules: [{
      id: "m",
      name: "M",
      description: "d",
      category: "c",
      script_path: "x.py",
      command: [],
    }],
  };
  assert.throws(
    () => parseCatalog(JSON.stringify(file), "/tmp/none/modules.json", "python3"),
    (err: unknown) =>
      err instanceof ConfigError && /module "m", field command/.test((err as Error).message),
  );
});
