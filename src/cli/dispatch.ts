/**
 * Whether the program's arguments name a client command (`modules`, `run`, `--help`...) rather
 * than the server (no arguments, `serve`, or server options such as `--port 8000`).
 */
export function isClientCommand(args: readonly string[]): boolean {
  const first = args[0];
  if (first === undefined) return false;
  if (first === "serve") return args.includes("--help") || args.includes("-h");
  return !first.startsWith("--") || first === "--help" || first === "--version";
}

/** The server's own arguments: everything after an optional leading `serve`. */
export function serverArgs(args: readonly string[]): string[] {
  return args[0] === "serve" ? args.slice(1) : [...args];
}
