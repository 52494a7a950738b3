import { compilePattern } from "./pattern.ts";
import { z } from "zod";
import type { FieldError } from "../errors.ts";
import type { ParameterDef, ParamValue } from "./schema.ts";
import { batchArgumentProblem } from "../process/batch_args.ts";

/** How a module's values reach its program. */
export interface ValueRules {
  /** The program is a .bat/.cmd file on Windows: values with line breaks are refused. */
  batchArguments?: boolean;
}

/** Longest text or password value; with the total below it keeps a run record far under KV's 64 KiB. */
export const MAX_TEXT_CHARS = 10_000;
/** Most characters all text values of one run may have together. */
export const MAX_TOTAL_CHARS = 20_000;

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** The zod schema that checks and normalises one given value of a parameter. */
export function valueSchema(p: ParameterDef, rules: ValueRules = {}): z.ZodType<ParamValue> {
  switch (p.type) {
    case "number": {
      let num = z.number({ error: "must be a number" }).refine(
        Number.isFinite,
        "must be a finite number",
      );
      if (p.min !== undefined) num = num.refine((n) => n >= p.min!, `must be at least ${p.min}`);
      if (p.max !== undefined) num = num.refine((n) => n <= p.max!, `must be at most ${p.max}`);
      const fromString = z.string().trim().regex(NUMERIC, "must be a number").transform(Number);
      return z.union([z.number(), fromString], { error: "must be a number" }).pipe(num);
    }
    case "checkbox":
      return z.union([z.boolean(), z.enum(["true", "false"]).transform((s) => s === "true")], {
        error: "must be true or false",
      });
    case "select": {
      const options = p.options ?? [];
      return z.union([z.string(), z.number()], { error: "must be one of the options" }).transform(
        (v, ctx) => {
          const match = options.find((o) => String(o) === String(v));
          if (match === undefined) {
            ctx.addIssue({ code: "custom", message: `must be one of: ${options.join(", ")}` });
            return z.NEVER;
          }
          return match;
        },
      );
    }
    default: {
      const text = z.string({ error: "must be a string" }).max(
        MAX_TEXT_CHARS,
        `must be at most ${MAX_TEXT_CHARS} characters`,
      ).refine((s) => !s.includes("\0"), "must not contain a NUL byte").superRefine((s, ctx) => {
        const problem = rules.batchArguments ? batchArgumentProblem(s) : null;
        if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
      });
      if (!p.validation) return text;
      const pattern = compilePattern(p.validation.pattern);
      return text.refine(
        (s) => pattern.test(s),
        p.validation.message ?? `must match the pattern ${p.validation.pattern}`,
      );
    }
  }
}

/** A module's parameters compiled once for validating many runs. */
export class ParameterValidator {
  private readonly byName: Map<string, { def: ParameterDef; schema: z.ZodType<ParamValue> }>;

  constructor(readonly parameters: readonly ParameterDef[], rules: ValueRules = {}) {
    this.byName = new Map(
      parameters.map((p) => [p.name, { def: p, schema: valueSchema(p, rules) }]),
    );
  }

  /**
   * Checks given values against the parameters. Returns the applicable values (given or
   * default, normalised, in definition order) or every failing field.
   */
  validate(given: Readonly<Record<string, unknown>>):
    | { ok: true; values: Record<string, ParamValue> }
    | { ok: false; errors: FieldError[] } {
    const errors: FieldError[] = [];
    for (const name of Object.keys(given)) {
      if (!this.byName.has(name)) {
        errors.push({ field: name, message: "is not a parameter of this module" });
      }
    }
    const values: Record<string, ParamValue> = {};
    for (const p of this.parameters) {
      if (!this.applies(p, given, new Set())) continue;
      const raw = effectiveRaw(p, given);
      if (isMissing(raw)) {
        if (p.required) errors.push({ field: p.name, message: "is required" });
        continue;
      }
      const result = this.byName.get(p.name)!.schema.safeParse(raw);
      if (result.success) values[p.name] = result.data;
      else errors.push({ field: p.name, message: result.error.issues[0]?.message ?? "is invalid" });
    }
    const totalChars = Object.values(values).reduce<number>(
      (n, v) => n + (typeof v === "string" ? v.length : 0),
      0,
    );
    if (totalChars > MAX_TOTAL_CHARS) {
      errors.push({
        field: "parameters",
        message: `text values must be at most ${MAX_TOTAL_CHARS} characters in all`,
      });
    }
    return errors.length > 0 ? { ok: false, errors } : { ok: true, values };
  }

  /** True when the parameter's `conditional_display` holds (chains included) or it has none. */
  private applies(
    p: ParameterDef,
    given: Readonly<Record<string, unknown>>,
    seen: Set<string>,
  ): boolean {
    const cond = p.conditional_display;
    if (!cond) return true;
    const target = this.byName.get(cond.field)?.def;
    if (!target || seen.has(p.name)) return false;
    seen.add(p.name);
    if (!this.applies(target, given, seen)) return false;
    const raw = effectiveRaw(target, given);
    if (isMissing(raw)) return false;
    const parsed = this.byName.get(target.name)!.schema.safeParse(raw);
    return String(parsed.success ? parsed.data : raw) === String(cond.value);
  }
}

function effectiveRaw(p: ParameterDef, given: Readonly<Record<string, unknown>>): unknown {
  return Object.hasOwn(given, p.name) && given[p.name] !== null ? given[p.name] : p.default;
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}
