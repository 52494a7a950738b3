import { findExecutable } from "../process/interpreter.ts";
import { venvInterpreter } from "../process/venv.ts";

/** PRISMQ_ENV_TOOL. */
export type EnvToolSetting = "auto" | "pip" | "uv";

/** The builder picked for a build: pip (venv + pip), or uv at this path. */
export type EnvTool = { kind: "pip" } | { kind: "uv"; program: string };

/** One step of a build. */
export interface BuildStep {
  program: string;
  args: string[];
  /** Steps run in its place when it fails saying `when` (an older pip). */
  fallback?: { when: RegExp; steps: BuildStep[] };
}

/**
 * The builder `PRISMQ_ENV_TOOL` picks: `auto` takes uv when `PRISMQ_UV` names it or it is on
 * PATH, else pip; `uv` without a uv found is an error (the build fails saying so).
 */
export function pickTool(
  setting: EnvToolSetting,
  uvSetting: string | undefined,
  find: (command: string) => string | null = findExecutable,
): EnvTool | { error: string } {
  if (setting === "pip") return { kind: "pip" };
  const uv = uvSetting !== undefined && uvSetting !== "" ? find(uvSetting) : find("uv");
  if (uv !== null) return { kind: "uv", program: uv };
  if (setting === "uv") {
    return { error: `PRISMQ_ENV_TOOL is uv but ${uvSetting || "uv"} was not found` };
  }
  return { kind: "pip" };
}

/**
 * The commands that build an environment into `target` from `python` with the requirements in
 * `requirementsFile`: `python -m venv`, then the venv's pip; or `uv venv`, then `uv pip install`.
 */
export function buildSteps(
  tool: EnvTool,
  options: { python: string; target: string; requirementsFile: string; os?: typeof Deno.build.os },
): BuildStep[] {
  const venvPython = venvInterpreter(options.target, options.os);
  if (tool.kind === "uv") {
    return [
      { program: tool.program, args: ["venv", "--python", options.python, options.target] },
      {
        program: tool.program,
        args: ["pip", "install", "--python", venvPython, "-r", options.requirementsFile],
      },
    ];
  }
  const install = [
    "install",
    "--disable-pip-version-check",
    "--no-input",
    "-r",
    options.requirementsFile,
  ];
  // A venv without pip is made in a second where ensurepip takes many; the interpreter's own pip
  // installs into it (`--python`, pip 22.3 and later). An older pip: the venv gets its own pip.
  return [
    { program: options.python, args: ["-m", "venv", "--without-pip", options.target] },
    {
      program: options.python,
      args: ["-m", "pip", "--python", venvPython, ...install],
      fallback: {
        when: /no such option: --python|No module named pip/,
        steps: [
          { program: venvPython, args: ["-m", "ensurepip", "--default-pip"] },
          { program: venvPython, args: ["-m", "pip", ...install] },
        ],
      },
    },
  ];
}
