import assert from "node:assert/strict";
import { join } from "node:path";
import {
  candidateNames,
  defaultInterpreter,
  findExecutable,
  pathDirs,
  scriptCommand,
} from "../../src/process/interpreter.ts";
import { shutdownSignals } from "../../src/process/signals.ts";
import { stopAction } from "../../src/process/tree_kill.ts";

// --- interpreter -----------------------------------------------------------------------------

Deno.test("defaultInterpreter: python on Windows, python3 elsewhere", () => {
  assert.equal(defaultInterpreter("windows"), "python");
  assert.equal(defaultInterpreter("linux"), "python3");
  assert.equal(defaultInterpreter("darwin"), "python3");
  assert.equal(defaultInterpreter("freebsd"), "python3");
});

Deno.test("scriptCommand: a .py script runs through the interpreter", () => {
  assert.deepEqual(scriptCommand("python3", "/mods/a/cli.py"), {
    program: "python3",
    leadingArgs: ["/mods/a/cli.py"],
  });
  assert.deepEqual(scriptCommand("py", "C:\\mods\\CLI.PY"), {
    program: "py",
    leadingArgs: ["C:\\mods\\CLI.PY"],
  });
});

Deno.test("scriptCommand: any other script is executed directly", () => {
  assert.deepEqual(scriptCommand("python3", "/mods/run.sh"), {
    program: "/mods/run.sh",
    leadingArgs: [],
  });
  assert.deepEqual(scriptCommand("python", "C:\\mods\\tool.exe"), {
    program: "C:\\mods\\tool.exe",
    leadingArgs: [],
  });
  // Only the extension counts, not ".py" somewhere in the name.
  assert.deepEqual(scriptCommand("python3", "/mods/my.py.d/run"), {
    program: "/mods/my.py.d/run",
    leadingArgs: [],
  });
  assert.deepEqual(scriptCommand("python3", "/mods/notpy"), {
    program: "/mods/notpy",
    leadingArgs: [],
  });
});

Deno.test("candidateNames: POSIX tries the name as is", () => {
  assert.deepEqual(candidateNames("python3", "linux", ".EXE"), ["python3"]);
  assert.deepEqual(candidateNames("python3", "darwin", undefined), ["python3"]);
});

Deno.test("candidateNames: Windows adds the PATHEXT endings", () => {
  assert.deepEqual(candidateNames("python", "windows", ".COM;.EXE;.BAT"), [
    "python",
    "python.COM",
    "python.EXE",
    "python.BAT",
  ]);
  // Empty segments are ignored.
  assert.deepEqual(candidateNames("py", "windows", ";.EXE;;.CMD;"), ["py", "py.EXE", "py.CMD"]);
});

Deno.test("candidateNames: Windows without PATHEXT uses .COM;.EXE;.BAT;.CMD", () => {
  assert.deepEqual(candidateNames("python", "windows", undefined), [
    "python",
    "python.COM",
    "python.EXE",
    "python.BAT",
    "python.CMD",
  ]);
});

Deno.test("candidateNames: Windows keeps a name that already has a PATHEXT ending (any case)", () => {
  assert.deepEqual(candidateNames("python.exe", "windows", ".COM;.EXE"), ["python.exe"]);
  assert.deepEqual(candidateNames("RUN.CMD", "windows", ".exe;.cmd"), ["RUN.CMD"]);
});

Deno.test("pathDirs: ';' on Windows, the platform delimiter elsewhere, empties dropped", () => {
  assert.deepEqual(pathDirs("C:\\Python312;C:\\Windows\\system32;;", "windows"), [
    "C:\\Python312",
    "C:\\Windows\\system32",
  ]);
  assert.deepEqual(pathDirs(undefined, "windows"), []);
  assert.deepEqual(pathDirs("", "linux"), []);
  if (Deno.build.os !== "windows") {
    assert.deepEqual(pathDirs("/usr/local/bin:/usr/bin::/bin", "linux"), [
      "/usr/local/bin",
      "/usr/bin",
      "/bin",
    ]);
  }
});

Deno.test({
  name: "findExecutable: searches PATH for an executable file (POSIX)",
  ignore: Deno.build.os === "windows",
  fn() {
    const dir = Deno.makeTempDirSync({ prefix: "prismq-exe-unit-" });
    try {
      const empty = Deno.makeTempDirSync({ dir, prefix: "empty-" });
      const tool = join(dir, "mytool");
      Deno.writeTextFileSync(tool, "#!/bin/sh\n");
      Deno.chmodSync(tool, 0o755);
      const plain = join(dir, "plainfile");
      Deno.writeTextFileSync(plain, "data");
      Deno.chmodSync(plain, 0o644);
      Deno.mkdirSync(join(dir, "adir"));

      const env = { PATH: `${empty}:${dir}` };
      assert.equal(findExecutable("mytool", "linux", env), tool);
      assert.equal(findExecutable("plainfile", "linux", env), null, "not executable");
      assert.equal(findExecutable("adir", "linux", env), null, "a folder is not a program");
      assert.equal(findExecutable("missing", "linux", env), null);
      assert.equal(findExecutable("mytool", "linux", { PATH: empty }), null);
      assert.equal(findExecutable("mytool", "linux", {}), null);
      // An absolute path is checked as is, whatever PATH says.
      assert.equal(findExecutable(tool, "linux", { PATH: "" }), tool);
      assert.equal(findExecutable(plain, "linux", { PATH: "" }), null);
      assert.equal(findExecutable(join(dir, "nothere"), "linux", { PATH: dir }), null);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test("findExecutable: the Windows branch tries PATHEXT endings on ';'-separated PATH", () => {
  const dir = Deno.makeTempDirSync({ prefix: "prismq-exe-win-unit-" });
  try {
    const other = Deno.makeTempDirSync({ dir, prefix: "other-" });
    const exe = join(dir, "tool.EXE");
    Deno.writeTextFileSync(exe, "MZ");
    const env = { PATH: `${other};${dir}`, PATHEXT: ".COM;.EXE" };
    assert.equal(findExecutable("tool", "windows", env), exe);
    assert.equal(findExecutable("tool.EXE", "windows", env), exe);
    assert.equal(findExecutable("nothing", "windows", env), null);
    assert.equal(findExecutable(exe, "windows", { PATH: "" }), exe);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("findExecutable: finds the running deno by absolute path", () => {
  assert.equal(findExecutable(Deno.execPath()), Deno.execPath());
});

// --- tree_kill.stopAction --------------------------------------------------------------------

Deno.test("stopAction on Windows: taskkill /T, then /T /F", () => {
  assert.deepEqual(stopAction("windows", 42, "graceful", false), {
    kind: "command",
    program: "taskkill",
    args: ["/PID", "42", "/T"],
  });
  assert.deepEqual(stopAction("windows", 42, "kill", false), {
    kind: "command",
    program: "taskkill",
    args: ["/PID", "42", "/T", "/F"],
  });
  // useKillCommand does not change the Windows answer.
  assert.deepEqual(
    stopAction("windows", 7, "kill", true),
    stopAction("windows", 7, "kill", false),
  );
});

Deno.test("stopAction on POSIX: SIGTERM then SIGKILL to the whole process group", () => {
  for (const os of ["linux", "darwin"] as const) {
    assert.deepEqual(stopAction(os, 42, "graceful", false), {
      kind: "signal-group",
      pgid: 42,
      signal: "SIGTERM",
    });
    assert.deepEqual(stopAction(os, 42, "kill", false), {
      kind: "signal-group",
      pgid: 42,
      signal: "SIGKILL",
    });
  }
});

Deno.test("stopAction on POSIX with useKillCommand: kill -TERM / -KILL -- -PGID", () => {
  assert.deepEqual(stopAction("linux", 42, "graceful", true), {
    kind: "command",
    program: "kill",
    args: ["-TERM", "--", "-42"],
  });
  assert.deepEqual(stopAction("linux", 42, "kill", true), {
    kind: "command",
    program: "kill",
    args: ["-KILL", "--", "-42"],
  });
});

// --- signals ---------------------------------------------------------------------------------

Deno.test("shutdownSignals: SIGINT + SIGBREAK on Windows, SIGINT + SIGTERM elsewhere", () => {
  assert.deepEqual(shutdownSignals("windows"), ["SIGINT", "SIGBREAK"]);
  assert.deepEqual(shutdownSignals("linux"), ["SIGINT", "SIGTERM"]);
  assert.deepEqual(shutdownSignals("darwin"), ["SIGINT", "SIGTERM"]);
});

Deno.test("launchPlan: setsid on POSIX when present, detached without it, plain on Windows", async () => {
  const { launchPlan } = await import("../../src/process/spawn.ts");
  const spec = { program: "python3", args: ["s.py", "--x", "1"], cwd: "/tmp", env: {} };
  assert.deepEqual(launchPlan(spec, "linux", "/usr/bin/setsid"), {
    program: "/usr/bin/setsid",
    args: ["python3", "s.py", "--x", "1"],
    detached: false,
  });
  assert.deepEqual(launchPlan(spec, "darwin", null), {
    program: "python3",
    args: ["s.py", "--x", "1"],
    detached: true,
  });
  assert.deepEqual(launchPlan(spec, "windows", "/usr/bin/setsid"), {
    program: "python3",
    args: ["s.py", "--x", "1"],
    detached: false,
  });
});
