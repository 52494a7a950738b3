import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { parseCatalog } from "../../src/modules/catalog.ts";
import { buildSteps, pickTool } from "../../src/envs/tool.ts";
import { failureReason, runSteps } from "../../src/envs/builder.ts";
import { environmentKey, type InterpreterIdentity, requirementLines } from "../../src/envs/key.ts";
import { ConfigError } from "../../src/errors.ts";

const module = (extra: Record<string, unknown>) =>
  JSON.stringify({
    modules: [{
      id: "m",
      name: "m",
      description: "",
      category: "c",
      script_path: "m.py",
      ...extra,
    }],
  });

Deno.test("requirements: a file (against the module file's folder) or a list; venv with it is refused", () => {
  const filed = parseCatalog(
    module({ requirements: "req/requirements.txt" }),
    "/cfg/modules.json",
    "python3",
  );
  assert.deepEqual(filed.get("m")!.requirements, {
    kind: "file",
    // Resolved as the platform resolves it (Windows adds the drive).
    path: resolve("/cfg", "req", "requirements.txt"),
  });
  const listed = parseCatalog(
    module({ requirements: ["a==1", "b"] }),
    "/cfg/modules.json",
    "python3",
  );
  assert.deepEqual(listed.get("m")!.requirements, {
    kind: "list",
    lines: ["a==1", "b"],
    baseDir: "/cfg",
  });
  assert.equal(
    parseCatalog(module({}), "/cfg/modules.json", "python3").get("m")!.requirements,
    null,
  );
  assert.throws(
    () =>
      parseCatalog(module({ requirements: ["a"], venv: ".venv" }), "/cfg/modules.json", "python3"),
    (err: unknown) =>
      err instanceof ConfigError &&
      /field requirements: requirements and venv cannot both/.test(err.message),
  );
});

Deno.test("environment key: a file and a list with the same lines are one; another interpreter or line is another", () => {
  const dir = Deno.makeTempDirSync();
  const file = join(dir, "requirements.txt");
  Deno.writeTextFileSync(file, "\uFEFF# comment\r\n  a==1  \r\n\r\nb\r\n");
  const fromFile = requirementLines({ kind: "file", path: file });
  const fromList = requirementLines({ kind: "list", lines: ["a==1", "b", ""], baseDir: dir });
  assert.deepEqual(fromFile, ["a==1", "b"]);
  assert.deepEqual(fromList, fromFile);
  const py: InterpreterIdentity = {
    program: "python3",
    resolved: "/usr/bin/python3.12",
    version: "3.12.1",
  };
  assert.equal(environmentKey(py, fromFile), environmentKey(py, fromList));
  assert.notEqual(
    environmentKey(py, fromFile),
    environmentKey({ ...py, version: "3.12.2" }, fromFile),
  );
  assert.notEqual(
    environmentKey(py, fromFile),
    environmentKey({ ...py, resolved: "/opt/py" }, fromFile),
  );
  assert.notEqual(environmentKey(py, fromFile), environmentKey(py, ["a==2", "b"]));
  assert.throws(
    () => requirementLines({ kind: "file", path: join(dir, "missing.txt") }),
    /requirements .*missing\.txt could not be read: file not found/,
  );
});

Deno.test("env tool: auto takes uv when PRISMQ_UV or PATH has it, else pip; uv without uv is an error", () => {
  const none = () => null;
  const found = (c: string) => `/found/${c}`;
  assert.deepEqual(pickTool("auto", undefined, none), { kind: "pip" });
  assert.deepEqual(pickTool("auto", undefined, found), { kind: "uv", program: "/found/uv" });
  assert.deepEqual(pickTool("auto", "/opt/uv", found), { kind: "uv", program: "/found//opt/uv" });
  assert.deepEqual(pickTool("pip", "/opt/uv", found), { kind: "pip" });
  assert.deepEqual(pickTool("uv", undefined, found), { kind: "uv", program: "/found/uv" });
  assert.match(
    (pickTool("uv", "/opt/uv", none) as { error: string }).error,
    /\/opt\/uv was not found/,
  );
});

Deno.test("env tool: the command lines of uv and of pip (venv without pip, the interpreter's pip)", () => {
  const uv = buildSteps({ kind: "uv", program: "/bin/uv" }, {
    python: "/usr/bin/python3",
    target: "/d/envs/k/b-1",
    requirementsFile: "/m/requirements.txt",
    os: "linux",
  });
  assert.deepEqual(uv.map((s) => [s.program, ...s.args]), [
    ["/bin/uv", "venv", "--python", "/usr/bin/python3", "/d/envs/k/b-1"],
    [
      "/bin/uv",
      "pip",
      "install",
      "--python",
      "/d/envs/k/b-1/bin/python",
      "-r",
      "/m/requirements.txt",
    ],
  ]);
  const pip = buildSteps({ kind: "pip" }, {
    python: "C:\\Python312\\python.exe",
    target: "D:\\envs\\k\\b-1",
    requirementsFile: "r.txt",
    os: "windows",
  });
  assert.deepEqual(pip[0].args, ["-m", "venv", "--without-pip", "D:\\envs\\k\\b-1"]);
  assert.deepEqual(pip[1].args.slice(0, 4), [
    "-m",
    "pip",
    "--python",
    "D:\\envs\\k\\b-1\\Scripts\\python.exe",
  ]);
  assert.ok(pip[1].fallback!.when.test("no such option: --python"));
  assert.equal(pip[1].fallback!.steps[0].args.join(" "), "-m ensurepip --default-pip");
});

Deno.test("env build: a fake uv (PRISMQ_UV) is run with the arguments of each step, in the module's env", async () => {
  const dir = Deno.makeTempDirSync();
  const record = join(dir, "calls.txt");
  const fake = join(dir, "uv");
  Deno.writeTextFileSync(fake, `#!/bin/sh\necho "$FAKE_TAG $*" >> "${record}"\n`);
  Deno.chmodSync(fake, 0o755);
  if (Deno.build.os === "windows") return;
  const lines: string[] = [];
  const steps = buildSteps(pickTool("auto", fake) as { kind: "uv"; program: string }, {
    python: "python3",
    target: join(dir, "env"),
    requirementsFile: join(dir, "r.txt"),
  });
  const outcome = await runSteps(steps, {
    cwd: dir,
    env: { FAKE_TAG: "tagged" },
    say: (l) => lines.push(l),
    signal: new AbortController().signal,
  });
  assert.deepEqual(outcome, { ok: true });
  assert.deepEqual(Deno.readTextFileSync(record).trim().split("\n"), [
    `tagged venv --python python3 ${join(dir, "env")}`,
    `tagged pip install --python ${join(dir, "env", "bin", "python")} -r ${join(dir, "r.txt")}`,
  ]);
});

Deno.test("env build: a failure is told in pip's own words (its ERROR lines), else the last lines", () => {
  const step = { program: "python3", args: ["-m", "pip"] };
  assert.equal(
    failureReason(
      [
        "Looking in links: /w",
        "ERROR: Could not find a version that satisfies the requirement x==9 (from versions: none)",
        "ERROR: No matching distribution found for x==9",
      ],
      step,
      1,
    ),
    "ERROR: Could not find a version that satisfies the requirement x==9 (from versions: none) " +
      "ERROR: No matching distribution found for x==9",
  );
  assert.equal(failureReason(["a", "b", "c", "d"], step, 1), "b c d");
  assert.equal(failureReason([], step, 2), "python3 -m exited with code 2");
});
