import type { ParameterDef, ParamValue } from "./schema.ts";

/** How a secret value is shown wherever a person could see it (run views, logged commands). */
export const MASK = "********";

/** Names of the `password` parameters that have a value in `values`, in definition order. */
export function secretNames(
  parameters: readonly ParameterDef[],
  values: Readonly<Record<string, ParamValue>>,
): string[] {
  return parameters.filter((p) => p.type === "password" && Object.hasOwn(values, p.name))
    .map((p) => p.name);
}

/** A copy of `values` without the listed secrets, for a record that no longer needs them. */
export function dropSecrets(
  values: Readonly<Record<string, ParamValue>>,
  names: readonly string[],
): Record<string, ParamValue> {
  const out = { ...values };
  for (const name of names) delete out[name];
  return out;
}

/**
 * A copy of `values` in which every listed secret reads MASK: the one masking function. A name
 * whose value is no longer stored (a finished run) still shows as MASK, so a view does not change
 * shape when the value is dropped.
 */
export function maskSecrets(
  values: Readonly<Record<string, ParamValue>>,
  names: Iterable<string>,
): Record<string, ParamValue> {
  const out = { ...values };
  for (const name of names) out[name] = MASK;
  return out;
}
