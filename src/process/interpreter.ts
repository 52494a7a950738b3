import { delimiter as posixDelimiter, isAbsolute, join } from "node:path";

type Os = typeof Deno.build.os;

/** The Python interpreter name used when PRISMQ_PYTHON is not set. */
export function defaultInterpreter(os: Os): string {
  return os === "windows" ? "python" : "python3";
}

/** The argv that runs `script`: `.py` files through the interpreter, anything else directly. */
export function scriptCommand(
  interpreter: string,
  script: string,
): { program: string; leadingArgs: string[] } {
  return script.toLowerCase().endsWith(".py")
    ? { program: interpreter, leadingArgs: [script] }
    : { program: script, leadingArgs: [] };
}

/** File names to try for a command on PATH (Windows adds PATHEXT endings). */
export function candidateNames(command: string, os: Os, pathExt: string | undefined): string[] {
  if (os !== "windows") return [command];
  const exts = (pathExt ?? ".COM;.EXE;.BAT;.CMD").split(";").filter((e) => e !== "");
  const hasExt = exts.some((e) => command.toLowerCase().endsWith(e.toLowerCase()));
  return hasExt ? [command] : [command, ...exts.map((e) => command + e)];
}

/** Splits PATH with the platform's separator. */
export function pathDirs(pathVar: string | undefined, os: Os): string[] {
  const sep = os === "windows" ? ";" : posixDelimiter;
  return (pathVar ?? "").split(sep).filter((d) => d !== "");
}

/** Finds an executable by absolute/relative path or on PATH; null when it cannot be found. */
export function findExecutable(
  command: string,
  os: Os = Deno.build.os,
  env: { PATH?: string; PATHEXT?: string } = {
    PATH: Deno.env.get("PATH"),
    PATHEXT: Deno.env.get("PATHEXT"),
  },
): string | null {
  const names = candidateNames(command, os, env.PATHEXT);
  const hasSeparator = command.includes("/") || (os === "windows" && command.includes("\\"));
  const dirs = isAbsolute(command) || hasSeparator ? [""] : pathDirs(env.PATH, os);
  for (const dir of dirs) {
    for (const name of names) {
      const candidate = dir === "" ? name : join(dir, name);
      if (isExecutableFile(candidate, os)) return candidate;
    }
  }
  return null;
}

/** True when `path` is a file this platform may run (Windows: any file). */
export function isExecutableFile(path: string, os: Os = Deno.build.os): boolean {
  try {
    const info = Deno.statSync(path);
    if (!info.isFile) return false;
    return os === "windows" || info.mode === null || (info.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}
