import type { FieldError } from "../errors.ts";
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

/** A value as one argument: numbers in plain decimal, text as it is. */
export function valueText(value: string | number): string {
  return typeof value === "number" ? formatNumber(value) : value;
}

/**
 * The parameter arguments for validated values, in definition order (`{params}`). Each is
 * written as its `arg` says: a flag (`--NAME` by default, or the one given), `positional` (the
 * value alone) or `none` (not written). A true checkbox is a bare flag; a value starting with `-`
 * is glued to its flag (`--NAME=VALUE`, `-nVALUE`) so it is never read as an option.
 */
export function buildArgs(
  parameters: readonly ParameterDef[],
  values: Readonly<Record<string, ParamValue>>,
): string[] {
  const args: string[] = [];
  for (const p of parameters) {
    if (!Object.hasOwn(values, p.name) || p.arg === "none") continue;
    const value = values[p.name];
    const flag = p.arg === undefined ? `--${p.name}` : p.arg;
    if (typeof value === "boolean") {
      if (value && flag !== "positional") args.push(flag);
      continue;
    }
    const text = valueText(value);
    if (flag === "positional") args.push(text);
    else if (!text.startsWith("-")) args.push(flag, text);
    else args.push(flag.startsWith("--") ? `${flag}=${text}` : `${flag}${text}`);
  }
  return args;
}

/**
 * The parameters whose text value would be written without a flag (`positional`, or named by
 * `{param:NAME}` in `templateNames`) and begins with `-`: a child would read it as an option.
 */
export function unsafeBareValues(
  parameters: readonly ParameterDef[],
  values: Readonly<Record<string, ParamValue>>,
  templateNames: ReadonlySet<string>,
): FieldError[] {
  return parameters.flatMap((p) => {
    const value = values[p.name];
    const bare = p.arg === "positional" || templateNames.has(p.name);
    if (!bare || typeof value !== "string" || !value.startsWith("-")) return [];
    return [{
      field: p.name,
      message: "must not begin with '-' (it is written without a flag and would read as an option)",
    }];
  });
}
