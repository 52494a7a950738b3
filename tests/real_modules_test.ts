// deno-lint-ignore-file no-explicit-any -- test code reads loosely typed JSON answers
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES, python, startServer, type TestServer, waitFinal } from "./helpers.ts";
import { parseCatalog } from "../src/modules/catalog.ts";

const PKG = join(FIXTURES, "clickpkg");

/** A module like PrismQ's sources: `python -m src.cli SUBCOMMAND ... --no-interactive`. */
function clickModule(extra: Record<string, unknown> = {}) {
  return {
    id: "collector",
    script: join(PKG, "src", "cli.py"),
    working_dir: PKG,
    command: ["{python}", "-m", "src.cli", "{param:mode}", "--no-interactive", "{params}"],
    parameters: [
      {
        name: "mode",
        type: "select",
        options: ["collect", "report"],
        default: "collect",
        arg: "none",
      },
      { name: "max_results", type: "number", default: 10, arg: "--max-results" },
      { name: "query", type: "text", default: "" },
      { name: "loud", type: "checkbox", default: false, arg: "--verbose" },
      { name: "word", type: "text", default: "", arg: "positional" },
    ],
    ...extra,
  };
}

async function runToEnd(server: TestServer, moduleId: string, body: unknown): Promise<any> {
  const started = await server.post(`/api/modules/${moduleId}/run`, body);
  assert.equal(started.status, 202, JSON.stringify(started.body));
  return await waitFinal(server, started.body.run_id, 30_000);
}

async function logText(server: TestServer, runId: string): Promise<string[]> {
  const { body } = await server.json(`/api/runs/${runId}/logs?limit=1000`);
  return body.logs.map((l: any) => `${l.stream} ${l.level} ${l.message}`);
}

Deno.test("a -m package runs from its root with a subcommand picked by a select and renamed flags", async () => {
  const server = await startServer([clickModule()]);
  try {
    const run = await runToEnd(server, "collector", {
      parameters: { mode: "report", max_results: 3, query: "-- q", loud: true, word: "alpha" },
    });
    assert.equal(run.status, "completed", (await logText(server, run.run_id)).join("\n"));
    const result = run.result;
    assert.equal(result.command, "report");
    assert.equal(result.cwd, PKG);
    assert.equal(result.options.max_results, 3);
    assert.equal(result.options.verbose, true);
    assert.equal(result.options.no_interactive, true);
    assert.equal(result.options.query, "-- q", "a value starting with - is glued to its flag");
    assert.deepEqual(result.options.extra, ["alpha"]);
    const started = (await logText(server, run.run_id)).find((l) => l.includes("started"))!;
    assert.match(
      started,
      /-m src\.cli report --no-interactive --max-results 3 --query=-- q --verbose alpha/,
    );
  } finally {
    await server.close();
  }
});

Deno.test("a value written without a flag that begins with '-' answers 422 naming the parameter", async () => {
  const server = await startServer([clickModule()]);
  try {
    const positional = await server.post("/api/modules/collector/run", {
      parameters: { word: "--delete-all" },
    });
    assert.equal(positional.status, 422);
    assert.equal(positional.body.errors[0].field, "word");
    // Schedules and saved values are validated like a run, so they refuse it too.
    const schedule = await server.post("/api/schedules", {
      module_id: "collector",
      cron: "0 0 1 1 *",
      enabled: false,
      parameters: { word: "--delete-all" },
    });
    assert.equal(schedule.status, 422, JSON.stringify(schedule.body));
    assert.equal(schedule.body.errors[0].field, "parameters.word");
    const saved = await server.post("/api/modules/collector/config", {
      parameters: { word: "--delete-all" },
    });
    assert.equal(saved.status, 422, JSON.stringify(saved.body));
    assert.equal(saved.body.errors[0].field, "word");
    const negative = await server.post("/api/modules/collector/run", {
      parameters: { max_results: -5 },
    });
    assert.equal(negative.status, 202, "a negative number is fine");
    await waitFinal(server, negative.body.run_id, 30_000);
  } finally {
    await server.close();
  }
});

Deno.test("the module file's new keys are checked at start, naming the module", () => {
  const refuse = (module: Record<string, unknown>, pattern: RegExp) => {
    const text = JSON.stringify({
      modules: [{
        id: "m1",
        name: "m",
        description: "",
        category: "c",
        script_path: "x.py",
        ...module,
      }],
    });
    assert.throws(() => parseCatalog(text, "/tmp/modules.json", "python3"), pattern);
  };
  refuse(
    { command: ["{python}", "{nope}"] },
    /module "m1", field command\[1\]: unknown placeholder \{nope\}/,
  );
  refuse(
    { command: ["{python}", "x{script}"] },
    /module "m1", field command\[1\]: \{script\} must be a whole/,
  );
  refuse({ command: ["{python}", "{param:ghost}"] }, /module "m1".*names no parameter/);
  refuse(
    { command: ["{python}", "{param:c}"], parameters: [{ name: "c", type: "checkbox" }] },
    /module "m1".*checkbox/,
  );
  refuse(
    { parameters: [{ name: "c", type: "checkbox", arg: "positional" }] },
    /module "m1".*checkbox cannot be positional/,
  );
  refuse({ venv: "v", interpreter: "python3" }, /module "m1", field venv/);
  refuse({ command: ["{params}"] }, /module "m1".*first element/);
  const ok = parseCatalog(
    JSON.stringify({
      modules: [{
        id: "m2",
        name: "m",
        description: "",
        category: "c",
        script_path: "x.py",
        command: ["{python}", "--tag=run-{run_id}-{replica}", "{{literal}}"],
      }],
    }),
    "/tmp/modules.json",
    "python3",
  );
  assert.ok(ok.get("m2")!.command);
});

Deno.test("a venv made in the test runs the module: its interpreter, VIRTUAL_ENV and PATH", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-venv-" });
  const venv = join(dir, "venv");
  const made = await new Deno.Command(python(), { args: ["-m", "venv", "--without-pip", venv] })
    .output();
  assert.ok(made.success, new TextDecoder().decode(made.stderr));
  const server = await startServer([
    clickModule({ id: "in-venv", venv }),
    clickModule({ id: "no-venv", venv: join(dir, "missing") }),
  ]);
  try {
    const run = await runToEnd(server, "in-venv", {});
    assert.equal(run.status, "completed", (await logText(server, run.run_id)).join("\n"));
    assert.equal(run.result.prefix, venv, "the venv's interpreter ran it");
    assert.equal(run.result.virtual_env, venv);
    assert.equal(run.result.path_first, join(venv, "bin"));
    const missing = await server.json("/api/modules/no-venv");
    assert.equal(missing.body.available, false);
    assert.match(missing.body.unavailable_reason, /venv not found/);
    const refused = await server.post("/api/modules/no-venv/run", {});
    assert.equal(refused.status, 422);
  } finally {
    await server.close();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("an env_file is read at each start: quotes, export, comments; a bad line is named by number", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-env-" });
  const envFile = join(dir, "module.env");
  Deno.writeTextFileSync(
    envFile,
    [
      "# API keys",
      "DOT_PLAIN=plain value # a comment",
      "export DOT_EXPORTED=yes",
      "DOT_SINGLE='single # not a comment ${HOME}'",
      'DOT_DOUBLE="line1\\nline2 \\"quoted\\" back\\\\slash"',
      "this line is wrong SECRET_SHOULD_NOT_SHOW",
      "DOT_OVERRIDDEN=from-file",
      "",
    ].join("\n"),
  );
  const server = await startServer([
    clickModule({ id: "dotenv", env_file: envFile, env: { DOT_OVERRIDDEN: "from-env" } }),
    clickModule({ id: "gone", env_file: join(dir, "missing.env") }),
  ]);
  try {
    const view = await server.json("/api/modules/dotenv");
    assert.deepEqual(Object.keys(view.body.env_file_values).sort(), [
      "DOT_DOUBLE",
      "DOT_EXPORTED",
      "DOT_OVERRIDDEN",
      "DOT_PLAIN",
      "DOT_SINGLE",
    ]);
    assert.ok(Object.values(view.body.env_file_values).every((v) => v === "********"));
    assert.ok(!JSON.stringify(view.body).includes("plain value"), "values are never shown");
    const run = await runToEnd(server, "dotenv", {});
    assert.deepEqual(run.result.env, {
      DOT_PLAIN: "plain value",
      DOT_EXPORTED: "yes",
      DOT_SINGLE: "single # not a comment ${HOME}",
      DOT_DOUBLE: 'line1\nline2 "quoted" back\\slash',
      DOT_OVERRIDDEN: "from-env",
    });
    const lines = await logText(server, run.run_id);
    assert.ok(lines.some((l) => l.startsWith("system") && l.includes("line 6")), lines.join("\n"));
    assert.ok(!lines.some((l) => l.includes("SECRET_SHOULD_NOT_SHOW")), "never the line's content");
    // Read at each start: a change shows in the next run.
    Deno.writeTextFileSync(envFile, "DOT_PLAIN=changed\n");
    const again = await runToEnd(server, "dotenv", {});
    assert.equal(again.result.env.DOT_PLAIN, "changed");
    const failed = await runToEnd(server, "gone", {});
    assert.equal(failed.status, "failed");
    assert.match(failed.error_message, /missing\.env/);
  } finally {
    await server.close();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("GET /api/module-file.schema.json answers the module file's JSON Schema; OpenAPI documents the new routes and fields", async () => {
  const server = await startServer([clickModule()]);
  try {
    const { status, body } = await server.json("/api/module-file.schema.json");
    assert.equal(status, 200);
    assert.match(body.$schema, /json-schema\.org/);
    const module = body.properties.modules.items;
    for (const key of ["command", "working_dir", "venv", "env_file", "stdin"]) {
      assert.ok(module.properties[key], key);
    }
    assert.deepEqual(module.properties.stdin.enum, ["none", "input"]);
    assert.ok(module.properties.parameters.items.properties.arg);
    assert.deepEqual(module.required.sort(), [
      "category",
      "description",
      "id",
      "name",
      "script_path",
    ]);
    const doc = (await server.json("/openapi.json")).body;
    assert.ok(doc.paths["/api/module-file.schema.json"].get);
    const input = doc.paths["/api/runs/{run_id}/input"].get;
    assert.ok(input.responses["200"].content["text/plain; charset=utf-8"]);
    assert.ok(input.responses["404"]);
    assert.ok(doc.components.schemas.RunRequest.properties.input);
    assert.ok(doc.components.schemas.RerunRequest.properties.input);
    assert.ok(doc.components.schemas.Run.properties.input_bytes);
    assert.ok(doc.components.schemas.Module.properties.stdin);
    assert.ok(doc.paths["/api/modules/{id}/run"].post.responses["413"]);
  } finally {
    await server.close();
  }
});
