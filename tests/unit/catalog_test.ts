import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { ConfigError } from "../../src/errors.ts";
import { loadCatalog, parseCatalog } from "../../src/modules/catalog.ts";

/** A module file in the shape of PrismQ's own configs/modules.json, written for these tests. */
const PRISMQ_LIKE = {
  modules: [
    {
      id: "content-sorter",
      name: "Content Sorter",
      description: "Sorts gathered ideas into buckets.",
      category: "Processing",
      version: "2.3.1",
      script_path: "../../Sorter/src/cli.py",
      parameters: [],
      tags: ["processing", "sorting"],
      status: "active",
      enabled: true,
    },
    {
      id: "shorts_collector",
      name: "Short Video Collector",
      description: "Collects short videos by trend, channel or keyword.",
      category: "Sources/Video",
      version: "1.4.0",
      script_path: "../../Sources/Video/Shorts/src/cli.py",
      parameters: [
        {
          name: "mode",
          type: "select",
          options: ["trending", "channel", "keyword"],
          default: "trending",
          label: "Collection Mode",
          description: "How to collect videos",
          required: true,
        },
        {
          name: "channel_url",
          type: "text",
          default: "",
          label: "Channel",
          description: "Channel URL, @handle or ID",
          placeholder: "https://www.youtube.com/@someone",
          required: false,
          conditional_display: { field: "mode", value: "channel" },
          validation: {
            pattern:
              "^(https?://)?(www\\.)?youtube\\.com/([@\\w-]+|channel/[\\w-]+)|@[\\w-]+|UC[\\w-]+$",
            message: "Must be a channel URL, handle, or ID",
          },
        },
        {
          name: "query",
          type: "text",
          default: "",
          label: "Keyword",
          placeholder: "cooking hacks",
          required: false,
          conditional_display: { field: "mode", value: "keyword" },
          warning: "⚠️ Keyword search is experimental.",
        },
        {
          name: "max_results",
          type: "number",
          default: 25,
          min: 1,
          max: 200,
          label: "How many",
          required: false,
        },
        {
          name: "region",
          type: "select",
          options: ["Any", "EU", "US"],
          default: "Any",
          required: false,
          conditional_display: { field: "mode", value: "trending" },
          ui_hint: "dropdown",
        },
      ],
      tags: ["video", "shorts"],
      status: "active",
      enabled: true,
      homepage: "https://example.invalid/shorts",
    },
    {
      id: "old-source",
      name: "Old Source",
      description: "Retired",
      category: "Sources",
      script_path: "../../Old/cli.py",
      status: "inactive",
      enabled: false,
    },
  ],
};

function tempDir(): string {
  return Deno.makeTempDirSync({ prefix: "prismq-catalog-unit-" });
}

/** A minimal valid module, with `extra` merged in. */
function mod(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: `Module ${id}`,
    description: "d",
    category: "c",
    script_path: `${id}.py`,
    ...extra,
  };
}

/** Asserts that parsing the file is refused with a ConfigError mentioning every fragment. */
function assertRefused(file: unknown, ...fragments: (string | RegExp)[]): void {
  const text = typeof file === "string" ? file : JSON.stringify(file);
  assert.throws(
    () => parseCatalog(text, "/cfg/modules.json", "python3"),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
      for (const f of fragments) {
        if (typeof f === "string") {
          assert.ok(err.message.includes(f), `"${err.message}" should include "${f}"`);
        } else assert.match(err.message, f);
      }
      return true;
    },
  );
}

Deno.test("parseCatalog: a PrismQ-shaped module file loads unchanged", () => {
  const path = resolve("/opt/PrismQ/Client/Backend/configs/modules.json");
  const catalog = parseCatalog(JSON.stringify(PRISMQ_LIKE, null, 2), path, "python3");
  assert.deepEqual(catalog.modules.map((m) => m.def.id), [
    "content-sorter",
    "shorts_collector",
    "old-source",
  ]);
  const shorts = catalog.get("shorts_collector")!;
  assert.equal(shorts.def.version, "1.4.0");
  assert.equal(shorts.def.parameters.length, 5);
  const [mode, channel, query, max, region] = shorts.def.parameters;
  assert.equal(mode.label, "Collection Mode");
  assert.equal(mode.required, true);
  assert.deepEqual(mode.options, ["trending", "channel", "keyword"]);
  assert.equal(channel.placeholder, "https://www.youtube.com/@someone");
  assert.deepEqual(channel.conditional_display, { field: "mode", value: "channel" });
  assert.equal(channel.validation?.message, "Must be a channel URL, handle, or ID");
  assert.equal(query.warning, "⚠️ Keyword search is experimental.");
  assert.equal(max.min, 1);
  assert.equal(max.max, 200);
  assert.equal(max.default, 25);
  assert.equal(region.default, "Any");
  assert.deepEqual(shorts.def.tags, ["video", "shorts"]);
  assert.equal(catalog.get("nope"), undefined);
});

Deno.test("parseCatalog: the loaded validator applies PrismQ's rules", () => {
  const catalog = parseCatalog(JSON.stringify(PRISMQ_LIKE), "/x/modules.json", "python3");
  const v = catalog.get("shorts_collector")!.validator;
  const def = v.validate({});
  assert.ok(def.ok);
  assert.deepEqual(def.values, { mode: "trending", max_results: 25, region: "Any" });
  const good = v.validate({ mode: "channel", channel_url: "https://www.youtube.com/@someone" });
  assert.ok(good.ok);
  assert.deepEqual(good.values, {
    mode: "channel",
    channel_url: "https://www.youtube.com/@someone",
    max_results: 25,
  });
  const bad = v.validate({ mode: "channel", channel_url: "hello there", max_results: "500" });
  assert.ok(!bad.ok);
  assert.deepEqual(bad.errors, [
    { field: "channel_url", message: "Must be a channel URL, handle, or ID" },
    { field: "max_results", message: "must be at most 200" },
  ]);
});

Deno.test("parseCatalog: defaults for version, parameters, status, enabled, tags", () => {
  const catalog = parseCatalog(JSON.stringify({ modules: [mod("bare")] }), "/m.json", "python3");
  const { def } = catalog.get("bare")!;
  assert.equal(def.version, "1.0.0");
  assert.deepEqual(def.parameters, []);
  assert.equal(def.status, "active");
  assert.equal(def.enabled, true);
  assert.deepEqual(def.tags, []);
  assert.equal(def.interpreter, undefined);
});

Deno.test("parseCatalog: parameter defaults (required false)", () => {
  const file = { modules: [mod("p", { parameters: [{ name: "q", type: "text" }] })] };
  const { def } = parseCatalog(JSON.stringify(file), "/m.json", "python3").get("p")!;
  assert.equal(def.parameters[0].required, false);
  assert.equal(def.parameters[0].default, undefined);
});

Deno.test("parseCatalog: an empty module list is a valid file", () => {
  assert.equal(parseCatalog('{"modules": []}', "/m.json", "python3").modules.length, 0);
});

Deno.test("parseCatalog: script_path is resolved against the module file's folder, not the cwd", () => {
  const path = resolve("/opt/PrismQ/Client/Backend/configs/modules.json");
  const catalog = parseCatalog(JSON.stringify(PRISMQ_LIKE), path, "python3");
  assert.equal(
    catalog.get("content-sorter")!.scriptPath,
    resolve(dirname(path), "../../Sorter/src/cli.py"),
  );
  assert.equal(
    catalog.get("content-sorter")!.scriptPath,
    resolve("/opt/PrismQ/Client/Sorter/src/cli.py"),
  );
  assert.notEqual(
    catalog.get("content-sorter")!.scriptPath,
    resolve(Deno.cwd(), "../../Sorter/src/cli.py"),
  );
  const abs = resolve("/abs/tools/run.py");
  const withAbs = parseCatalog(
    JSON.stringify({ modules: [mod("a", { script_path: abs })] }),
    path,
    "python3",
  );
  assert.equal(withAbs.get("a")!.scriptPath, abs);
});

Deno.test("parseCatalog: interpreter is the module's own, else the default, and null for non-.py", () => {
  const file = {
    modules: [
      mod("py"),
      mod("own", { interpreter: "/venv/bin/python" }),
      mod("sh", { script_path: "run.sh" }),
      mod("upper", { script_path: "TOOL.PY" }),
    ],
  };
  const c = parseCatalog(JSON.stringify(file), "/m/modules.json", "python3.12");
  assert.equal(c.get("py")!.interpreter, "python3.12");
  assert.equal(c.get("own")!.interpreter, "/venv/bin/python");
  assert.equal(c.get("sh")!.interpreter, null);
  assert.equal(c.get("upper")!.interpreter, "python3.12");
});

Deno.test("parseCatalog: runner additions are read (timeout, per-module limit, env)", () => {
  const file = {
    modules: [mod("x", { timeout_seconds: 30, max_concurrent_runs: 2, env: { A: "1" } })],
  };
  const { def } = parseCatalog(JSON.stringify(file), "/m.json", "python3").get("x")!;
  assert.equal(def.timeout_seconds, 30);
  assert.equal(def.max_concurrent_runs, 2);
  assert.deepEqual(def.env, { A: "1" });
});

// --- refusals --------------------------------------------------------------------------------

Deno.test("parseCatalog refuses: text that is not JSON", () => {
  assertRefused("{modules: [", "/cfg/modules.json", /not valid JSON/);
  assertRefused("", /not valid JSON/);
});

Deno.test("parseCatalog refuses: a file without a `modules` list", () => {
  assertRefused({}, "/cfg/modules.json", "modules");
  assertRefused({ modules: {} }, "modules");
  assertRefused([], "modules");
  assertRefused({ mods: [] }, "modules");
});

Deno.test("parseCatalog refuses: duplicate module id", () => {
  assertRefused({ modules: [mod("twin"), mod("other"), mod("twin")] }, '"twin"', "id", /duplicate/);
});

Deno.test("parseCatalog refuses: bad id characters", () => {
  assertRefused({ modules: [mod("bad id!")] }, "bad id!", "field id");
  assertRefused({ modules: [mod("a/b")] }, "a/b", "field id");
  assertRefused({ modules: [mod("")] }, "field id");
});

Deno.test("parseCatalog refuses: missing or empty script_path", () => {
  const m = mod("noscript");
  delete m.script_path;
  assertRefused({ modules: [m] }, '"noscript"', "script_path");
  assertRefused(
    { modules: [mod("emptyscript", { script_path: "" })] },
    "emptyscript",
    "script_path",
  );
});

Deno.test("parseCatalog refuses: missing name / description / category", () => {
  for (const field of ["name", "description", "category"]) {
    const m = mod("incomplete");
    delete m[field];
    assertRefused({ modules: [m] }, '"incomplete"', field);
  }
});

Deno.test("parseCatalog refuses: a module without an id is named by its position", () => {
  const m = mod("x");
  delete m.id;
  assertRefused({ modules: [mod("first"), m] }, "#2", "id");
  assertRefused({ modules: ["not an object"] }, "#1");
});

Deno.test("parseCatalog refuses: bad status, enabled, version, tags types", () => {
  assertRefused({ modules: [mod("s", { status: "retired" })] }, '"s"', "status");
  assertRefused({ modules: [mod("e", { enabled: "yes" })] }, '"e"', "enabled");
  assertRefused({ modules: [mod("v", { version: 2 })] }, '"v"', "version");
  assertRefused({ modules: [mod("t", { tags: "a,b" })] }, '"t"', "tags");
});

Deno.test("parseCatalog refuses: unknown parameter type", () => {
  assertRefused(
    { modules: [mod("typed", { parameters: [{ name: "when", type: "date" }] })] },
    '"typed"',
    "parameters",
    "type",
  );
});

Deno.test("parseCatalog refuses: select without options", () => {
  assertRefused(
    { modules: [mod("sel", { parameters: [{ name: "pick", type: "select" }] })] },
    '"sel"',
    "options",
  );
  assertRefused(
    { modules: [mod("sel2", { parameters: [{ name: "pick", type: "select", options: [] }] })] },
    '"sel2"',
    "options",
  );
});

Deno.test("parseCatalog refuses: a validation pattern that is not a valid regex", () => {
  assertRefused(
    {
      modules: [
        mod("rx", {
          parameters: [{ name: "q", type: "text", validation: { pattern: "([a-z" } }],
        }),
      ],
    },
    '"rx"',
    "validation",
  );
});

Deno.test("parseCatalog refuses: duplicate parameter names", () => {
  assertRefused(
    {
      modules: [
        mod("dups", {
          parameters: [{ name: "q", type: "text" }, { name: "q", type: "number" }],
        }),
      ],
    },
    '"dups"',
    "name",
    /duplicate parameter "q"/,
  );
});

Deno.test("parseCatalog refuses: conditional_display to an unknown field (or itself)", () => {
  assertRefused(
    {
      modules: [
        mod("cond", {
          parameters: [
            { name: "q", type: "text", conditional_display: { field: "ghost", value: "x" } },
          ],
        }),
      ],
    },
    '"cond"',
    "conditional_display",
    "ghost",
  );
  assertRefused(
    {
      modules: [
        mod("self", {
          parameters: [{
            name: "q",
            type: "text",
            conditional_display: { field: "q", value: "x" },
          }],
        }),
      ],
    },
    '"self"',
    "conditional_display",
  );
});

Deno.test("parseCatalog refuses: a default that does not fit the type", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["num", { name: "n", type: "number", default: "ten" }],
    ["chk", { name: "c", type: "checkbox", default: "yes" }],
    ["txt", { name: "t", type: "text", default: 5 }],
    ["pwd", { name: "p", type: "password", default: false }],
    ["sel", { name: "s", type: "select", options: ["a", "b"], default: "c" }],
  ];
  for (const [id, param] of cases) {
    assertRefused({ modules: [mod(id, { parameters: [param] })] }, `"${id}"`, "default");
  }
});

Deno.test("parseCatalog accepts defaults that fit, including '' for select and numeric options", () => {
  const file = {
    modules: [
      mod("fits", {
        parameters: [
          { name: "n", type: "number", default: 0 },
          { name: "c", type: "checkbox", default: false },
          { name: "s", type: "select", options: ["a"], default: "" },
          { name: "k", type: "select", options: [10, 20], default: 20 },
          { name: "t", type: "text", default: "" },
          { name: "z", type: "text", default: null },
        ],
      }),
    ],
  };
  assert.equal(parseCatalog(JSON.stringify(file), "/m.json", "python3").modules.length, 1);
});

Deno.test("parseCatalog refuses: min greater than max", () => {
  assertRefused(
    { modules: [mod("range", { parameters: [{ name: "n", type: "number", min: 10, max: 1 }] })] },
    '"range"',
    "min",
  );
});

Deno.test("parseCatalog refuses: bad parameter names", () => {
  assertRefused(
    { modules: [mod("pn", { parameters: [{ name: "-flag", type: "text" }] })] },
    '"pn"',
    "name",
  );
  assertRefused(
    { modules: [mod("pn2", { parameters: [{ name: "has space", type: "text" }] })] },
    '"pn2"',
    "name",
  );
});

Deno.test("parseCatalog refuses: bad runner additions", () => {
  assertRefused({ modules: [mod("t", { timeout_seconds: 0 })] }, '"t"', "timeout_seconds");
  assertRefused({ modules: [mod("m", { max_concurrent_runs: 0 })] }, '"m"', "max_concurrent_runs");
  assertRefused({ modules: [mod("e", { env: { A: 1 } })] }, '"e"', "env");
});

Deno.test("parseCatalog: the error names the module file", () => {
  assertRefused({ modules: [mod("twin"), mod("twin")] }, "/cfg/modules.json");
});

// --- loadCatalog -----------------------------------------------------------------------------

Deno.test("loadCatalog: a missing file is refused naming PRISMQ_MODULES", () => {
  const dir = tempDir();
  try {
    const missing = join(dir, "nope", "modules.json");
    assert.throws(
      () => loadCatalog(missing, "python3"),
      (err: unknown) =>
        err instanceof ConfigError && err.message.includes("PRISMQ_MODULES") &&
        // The path is quoted as JSON (Windows' `\` doubled).
        err.message.includes(JSON.stringify(missing)) && /not found/.test(err.message),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("loadCatalog: reads the file and anchors scripts at its folder", () => {
  const dir = tempDir();
  try {
    Deno.mkdirSync(join(dir, "configs"));
    const path = join(dir, "configs", "modules.json");
    Deno.writeTextFileSync(
      path,
      JSON.stringify({ modules: [mod("one", { script_path: "../scripts/one.py" })] }),
    );
    const catalog = loadCatalog(path, "python3");
    assert.equal(catalog.get("one")!.scriptPath, join(dir, "scripts", "one.py"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("loadCatalog: a malformed file is refused like parseCatalog", () => {
  const dir = tempDir();
  try {
    const path = join(dir, "modules.json");
    Deno.writeTextFileSync(path, "not json");
    assert.throws(() => loadCatalog(path, "python3"), ConfigError);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

// --- availability ----------------------------------------------------------------------------

Deno.test("availability: reasons for disabled, inactive, maintenance, missing script and interpreter", () => {
  const dir = tempDir();
  try {
    Deno.mkdirSync(join(dir, "scripts"));
    Deno.mkdirSync(join(dir, "scripts", "folder.py"));
    Deno.writeTextFileSync(join(dir, "scripts", "ok.py"), "print('hi')\n");
    Deno.writeTextFileSync(join(dir, "scripts", "tool.sh"), "#!/bin/sh\necho hi\n");
    const interpreter = Deno.execPath();
    const file = {
      modules: [
        mod("ready", { script_path: "scripts/ok.py", interpreter }),
        mod("direct", { script_path: "scripts/tool.sh" }),
        mod("off", { script_path: "scripts/ok.py", interpreter, enabled: false }),
        mod("inactive", { script_path: "scripts/ok.py", interpreter, status: "inactive" }),
        mod("maint", { script_path: "scripts/ok.py", interpreter, status: "maintenance" }),
        mod("gone", { script_path: "scripts/missing.py", interpreter }),
        mod("dir", { script_path: "scripts/folder.py", interpreter }),
        mod("nointerp", {
          script_path: "scripts/ok.py",
          interpreter: join(dir, "no", "such", "python"),
        }),
        mod("default-interp", { script_path: "scripts/ok.py" }),
      ],
    };
    const path = join(dir, "modules.json");
    Deno.writeTextFileSync(path, JSON.stringify(file));
    // The default interpreter cannot be found, so only modules with their own one can run .py.
    const catalog = loadCatalog(path, "prismq-no-such-python-for-tests");
    const reason = (id: string) => catalog.availability(catalog.get(id)!);

    assert.deepEqual(reason("ready"), { available: true, reason: null });
    assert.deepEqual(reason("direct"), { available: true, reason: null });

    const off = reason("off");
    assert.equal(off.available, false);
    assert.match(off.reason!, /disabled/);

    const inactive = reason("inactive");
    assert.equal(inactive.available, false);
    assert.match(inactive.reason!, /inactive/);

    const maint = reason("maint");
    assert.equal(maint.available, false);
    assert.match(maint.reason!, /maintenance/);

    const gone = reason("gone");
    assert.equal(gone.available, false);
    assert.match(gone.reason!, /script/);
    assert.ok(gone.reason!.includes(join(dir, "scripts", "missing.py")), gone.reason!);

    const folder = reason("dir");
    assert.equal(folder.available, false);
    assert.match(folder.reason!, /script/);

    const noInterp = reason("nointerp");
    assert.equal(noInterp.available, false);
    assert.match(noInterp.reason!, /interpreter/);
    assert.ok(noInterp.reason!.includes(join(dir, "no", "such", "python")), noInterp.reason!);

    const defInterp = reason("default-interp");
    assert.equal(defInterp.available, false);
    assert.ok(defInterp.reason!.includes("prismq-no-such-python-for-tests"), defInterp.reason!);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("availability: the default interpreter, by absolute path or by name on PATH", () => {
  const dir = tempDir();
  try {
    Deno.writeTextFileSync(join(dir, "ok.py"), "print('hi')\n");
    const path = join(dir, "modules.json");
    Deno.writeTextFileSync(path, JSON.stringify({ modules: [mod("ok")] }));
    const byPath = loadCatalog(path, Deno.execPath());
    assert.deepEqual(byPath.availability(byPath.get("ok")!), { available: true, reason: null });
    if (Deno.build.os !== "windows") {
      // `sh` is on PATH on every POSIX system.
      const byName = loadCatalog(path, "sh");
      assert.deepEqual(byName.availability(byName.get("ok")!), { available: true, reason: null });
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("availability: an interpreter found on PATH once is looked for again when it is gone", () => {
  const dir = tempDir();
  const pathBefore = Deno.env.get("PATH");
  try {
    Deno.writeTextFileSync(join(dir, "ok.py"), "print('hi')\n");
    const modulesPath = join(dir, "modules.json");
    Deno.writeTextFileSync(modulesPath, JSON.stringify({ modules: [mod("ok")] }));
    const [first, second] = [join(dir, "first"), join(dir, "second")];
    Deno.mkdirSync(first);
    Deno.mkdirSync(second);
    // Found by name on PATH (Windows adds an ending from PATHEXT).
    const name = "prismq-test-python";
    const file = (folder: string) =>
      join(folder, name + (Deno.build.os === "windows" ? ".cmd" : ""));
    const put = (folder: string) => Deno.writeTextFileSync(file(folder), "", { mode: 0o755 });
    const sep = Deno.build.os === "windows" ? ";" : ":";
    Deno.env.set("PATH", [first, second, pathBefore ?? ""].join(sep));
    const catalog = loadCatalog(modulesPath, name);
    const available = () => catalog.availability(catalog.get("ok")!);

    put(first);
    assert.deepEqual(available(), { available: true, reason: null });
    // Where it was found is remembered, but a remembered path that is gone is not trusted.
    Deno.removeSync(file(first));
    assert.deepEqual(available(), {
      available: false,
      reason: `interpreter not found: ${name}`,
    });
    put(second);
    assert.deepEqual(available(), { available: true, reason: null });
    Deno.removeSync(file(second));
    assert.equal(available().available, false);
  } finally {
    if (pathBefore === undefined) Deno.env.delete("PATH");
    else Deno.env.set("PATH", pathBefore);
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("availability is checked live: a script created later makes the module available", () => {
  const dir = tempDir();
  try {
    const path = join(dir, "modules.json");
    Deno.writeTextFileSync(
      path,
      JSON.stringify({ modules: [mod("late", { interpreter: Deno.execPath() })] }),
    );
    const catalog = loadCatalog(path, "python3");
    const m = catalog.get("late")!;
    assert.equal(catalog.availability(m).available, false);
    Deno.writeTextFileSync(join(dir, "late.py"), "");
    assert.equal(catalog.availability(m).available, true);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
