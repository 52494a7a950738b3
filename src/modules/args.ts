import type { ParameterDef, ParamValue } from "./schema.ts";

/** Writes a number in plain decimal, never in exponent notation. */
export function formatNumber(n: number): string {
  const text = String(n); // shortest round-trip form; "0" for -0
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (m === null) return text;
  const [, sign, int, frac = "", exp] = m;
  const digits = int + frac;
  const point = int.length + Number(exp);
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + "0".repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
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
