import { DEFAULT_URL } from "./client.ts";
import { type CommandSpec, COMMON_OPTIONS, type OptionSpec } from "./spec.ts";

/** The program's name in the help. */
export const PROGRAM = "prismq-runner";

/** The help of the whole program: every command of the table with its summary. */
export function programHelp(commands: readonly CommandSpec[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `Usage: ${PROGRAM} [COMMAND] [ARGS]   (deno task cli COMMAND ARGS from the source)`,
    "",
    "The PrismQ Module Runner. With no command, or `serve`, it starts the server; with a",
    "command, it is a client of a running server.",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Environment:",
    `  PRISMQ_URL        The server (default ${DEFAULT_URL})`,
    "  PRISMQ_API_TOKEN  Sent as Authorization: Bearer when set",
    "  NO_COLOR          No colours even on a terminal",
    "",
    `Exit codes: 0 done, 2 error (the server's detail is printed), and with --follow the`,
    "run's exit code (1 when it failed without one, 130 when cancelled).",
    "",
    `Run \`${PROGRAM} COMMAND --help\` for a command's arguments.`,
    "",
  ].join("\n");
}

/** The help of one command, from its table entry. */
export function commandHelp(spec: CommandSpec): string {
  const options = spec.name === "serve" ? {} : { ...spec.options, ...COMMON_OPTIONS };
  const usage = [
    PROGRAM,
    spec.name,
    ...spec.positionals.map((p) => p.optional ? `[${p.name}]` : p.name),
  ];
  if (Object.keys(options).length > 0) usage.push("[OPTIONS]");
  const lines = [`Usage: ${usage.join(" ")}`, "", `${spec.summary}.`];
  if (spec.description) lines.push("", ...wrap(spec.description, 78));
  if (spec.positionals.length > 0) {
    lines.push("", "Arguments:");
    for (const p of spec.positionals) {
      const choices = p.choices ? ` (${p.choices.join(", ")})` : "";
      lines.push(`  ${p.name.padEnd(24)}${p.help}${choices}`);
    }
  }
  if (Object.keys(options).length > 0) {
    lines.push("", "Options:");
    for (const [name, o] of Object.entries(options)) lines.push(...optionLines(name, o));
  }
  return lines.join("\n") + "\n";
}

function optionLines(name: string, o: OptionSpec): string[] {
  const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.value ? ` ${o.value}` : ""}`;
  const text = wrap(o.help, 52);
  const first = flag.length <= 24
    ? `  ${flag.padEnd(24)}${text[0]}`
    : `  ${flag}\n${" ".repeat(26)}${text[0]}`;
  return [first, ...text.slice(1).map((t) => " ".repeat(26) + t)];
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
