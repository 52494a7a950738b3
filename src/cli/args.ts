import { parseArgs } from "node:util";
import { type CommandSpec, COMMON_OPTIONS, type ParsedArgs } from "./spec.ts";
export type { ParsedArgs } from "./spec.ts";

/** The command line is wrong: said with a hint, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Parses a command's arguments (after its name) with node:util's parseArgs. */
export function parseCommandArgs(spec: CommandSpec, args: string[]): ParsedArgs {
  const options = Object.fromEntries(
    Object.entries({ ...spec.options, ...COMMON_OPTIONS }).map(([name, o]) => [
      name,
      {
        type: o.type,
        ...(o.short ? { short: o.short } : {}),
        ...(o.multiple ? { multiple: true } : {}),
      },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(
      err instanceof Error ? err.message.replace(/\. To specify.*$/s, "") : String(err),
    );
  }
  if (parsed.values.help) return { positionals: parsed.positionals, values: parsed.values };
  const required = spec.positionals.filter((p) => !p.optional);
  if (parsed.positionals.length < required.length) {
    throw new UsageError(`missing ${required[parsed.positionals.length].name}`);
  }
  if (parsed.positionals.length > spec.positionals.length) {
    throw new UsageError(`unexpected argument "${parsed.positionals[spec.positionals.length]}"`);
  }
  spec.positionals.forEach((p, i) => {
    const value = parsed.positionals[i];
    if (value !== undefined && p.choices && !p.choices.includes(value)) {
      throw new UsageError(`${p.name} must be one of: ${p.choices.join(", ")}`);
    }
  });
  return { positionals: parsed.positionals, values: parsed.values };
}

/** A whole number option within bounds, or undefined when not given. */
export function intOption(values: ParsedArgs["values"], name: string, min: number, max: number) {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== "string" || !/^\d+$/.test(raw) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  }
  return n;
}
