import { posix, win32 } from "node:path";

type Os = typeof Deno.build.os;

/** The folder of a virtual environment's programs: `bin`, or `Scripts` on Windows. */
export function venvBinDir(venv: string, os: Os = Deno.build.os): string {
  return pathsOf(os).join(venv, os === "windows" ? "Scripts" : "bin");
}

/** A virtual environment's interpreter: `bin/python`, or `Scripts\python.exe` on Windows. */
export function venvInterpreter(venv: string, os: Os = Deno.build.os): string {
  return pathsOf(os).join(venvBinDir(venv, os), os === "windows" ? "python.exe" : "python");
}

/** The path rules of `os`, not of the machine the code runs on (tests ask for either). */
function pathsOf(os: Os): typeof posix {
  return os === "windows" ? win32 : posix;
}

/**
 * What a child of the venv gets besides the rest of its environment: `VIRTUAL_ENV`, and the
 * venv's program folder first on `PATH` (`basePath` is the PATH it would have had).
 */
export function venvEnvironment(
  venv: string,
  basePath: string | undefined,
  os: Os = Deno.build.os,
): Record<string, string> {
  const sep = os === "windows" ? ";" : ":";
  const bin = venvBinDir(venv, os);
  return {
    VIRTUAL_ENV: venv,
    PATH: basePath === undefined || basePath === "" ? bin : `${bin}${sep}${basePath}`,
  };
}
