type Os = typeof Deno.build.os;

/**
 * On Windows a `.bat` or `.cmd` program runs through cmd.exe, which reads its command line
 * again. Deno quotes each argument for it, and refuses to start the program at all ("batch file
 * arguments are invalid") when an argument holds a line break, since no quoting can keep cmd.exe
 * from ending the command there. Such a value is refused when the run is asked for, not at
 * spawn time, so it answers 422 naming the parameter instead of a failed run.
 */
export function runsThroughCmd(program: string, os: Os): boolean {
  return os === "windows" && /\.(bat|cmd)$/i.test(program);
}

/** Why this value cannot be passed to a batch file, or null when it can. */
export function batchArgumentProblem(value: string): string | null {
  return /[\r\n]/.test(value)
    ? "must not contain a line break: a .bat/.cmd script cannot be given one safely on Windows"
    : null;
}
