import type { ParameterDef } from "./schema.ts";

/** A parameter value after validation. */
export type ParamValue = string | number | boolean;

/** Writes a number in plain decimal, never in exponent notation. */
export function formatNumber(n: number): string {
  return n.toLocaleString("en-US", { useGrouping: false, maximumFractionDigits: 20 });
}

/**
 * The `--NAME VALUE` arguments for validated values, in definition order. A true checkbox is a
 * bare `--NAME`; a value starting with `-` is glued as `--NAME=VALUE` so it is never a flag.
 */
export function buildArgs(
  parameters: readonly ParameterDef[],
  values: Readonly<Record<string, ParamValue>>,
): string[] {
  const args: string[] = [];
  for (const p of parameters) {
    if (!Object.hasOwn(values, p.name)) continue;
    const value = values[p.name];
    if (typeof value === "boolean") {
      if (value) args.push(`--${p.name}`);
      continue;
    }
    const text = typeof value === "number" ? formatNumber(value) : value;
    if (text.startsWith("-")) args.push(`--${p.name}=${text}`);
    else args.push(`--${p.name}`, text);
  }
  return args;
}
