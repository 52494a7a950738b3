import type { ApiClient } from "./client.ts";
import type { Terminal } from "./terminal.ts";

/** A command's arguments, parsed by its own option table (args.ts parses them). */
export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
}

/** One option of a command, as parseArgs takes it plus its help. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** The value's name in the help (`FILE|-`). */
  value?: string;
  help: string;
}

/** One positional argument. */
export interface PositionalSpec {
  name: string;
  help: string;
  optional?: boolean;
  choices?: string[];
}

/** What a command runs with. */
export interface CommandContext {
  client: ApiClient;
  term: Terminal;
  env: Record<string, string | undefined>;
}

/**
 * One command of the client: its arguments, its help and what it does (answering the exit
 * code). A new command (`pipelines`, `services`...) is one more entry of the table.
 */
export interface CommandSpec {
  name: string;
  summary: string;
  /** More words for `--help`. */
  description?: string;
  positionals: PositionalSpec[];
  options: Record<string, OptionSpec>;
  run(ctx: CommandContext, args: ParsedArgs): Promise<number>;
}

/** Options every command takes. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  json: { type: "boolean", help: "Print JSON instead of text" },
  help: { type: "boolean", short: "h", help: "Show this help" },
};
