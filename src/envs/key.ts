import { createHash } from "node:crypto";
import { findExecutable } from "../process/interpreter.ts";

/** A module's `requirements`, its file resolved against the module file's folder. */
export type Requirements =
  | { kind: "file"; path: string }
  /** `baseDir`: the module file's folder, where the build runs (relative paths in lines). */
  | { kind: "list"; lines: readonly string[]; baseDir: string };

/** The interpreter an environment is made from. */
export interface InterpreterIdentity {
  /** The program as found (on PATH or by path): what builds the environment. */
  program: string;
  /** Its real path (symlinks followed): part of the key. */
  resolved: string;
  /** `major.minor.micro`. */
  version: string;
}

/** Why a module's environment cannot even be named (a missing file or interpreter). */
export class EnvironmentKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnvironmentKeyError";
  }
}

/**
 * The requirement lines that key an environment: each line trimmed, blank and comment lines
 * left out, so a file and a list with the same lines are the same environment. A file is read
 * now: a change of its content is a new environment.
 */
export function requirementLines(requirements: Requirements): string[] {
  let lines: readonly string[];
  if (requirements.kind === "list") {
    lines = requirements.lines;
  } else {
    try {
      lines = Deno.readTextFileSync(requirements.path).replace(/^\uFEFF/, "").split(/\r?\n/);
    } catch (err) {
      const why = err instanceof Deno.errors.NotFound ? "file not found" : (err as Error).message;
      throw new EnvironmentKeyError(`requirements ${requirements.path} could not be read: ${why}`);
    }
  }
  return lines.map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
}

const VERSION_SCRIPT = "import sys; print('.'.join(map(str, sys.version_info[:3])))";
/** Versions by real path and modification time: asked once per interpreter file. */
const versions = new Map<string, string>();

/** Finds the interpreter and asks its version (once per interpreter file). */
export function interpreterIdentity(python: string): InterpreterIdentity {
  const program = findExecutable(python);
  if (program === null) throw new EnvironmentKeyError(`interpreter not found: ${python}`);
  const resolved = Deno.realPathSync(program);
  const stamp = `${resolved}\0${Deno.statSync(resolved).mtime?.getTime() ?? 0}`;
  let version = versions.get(stamp);
  if (version === undefined) {
    const out = new Deno.Command(program, {
      args: ["-c", VERSION_SCRIPT],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).outputSync();
    version = new TextDecoder().decode(out.stdout).trim();
    if (!out.success || !/^\d+\.\d+\.\d+$/.test(version)) {
      throw new EnvironmentKeyError(`${program} did not tell its Python version`);
    }
    versions.set(stamp, version);
  }
  return { program, resolved, version };
}

/** The environment's id: a hash of the interpreter's real path and version and the lines. */
export function environmentKey(identity: InterpreterIdentity, lines: readonly string[]): string {
  const text = JSON.stringify([identity.resolved, identity.version, lines]);
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}
