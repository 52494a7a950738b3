/** `{{ EXPR }}` anywhere in a string. */
const INLINE = /\{\{\s*([^{}]*?)\s*\}\}/g;
/** A string that is exactly one template: it keeps the JSON type of its value. */
const WHOLE = /^\{\{\s*([^{}]*?)\s*\}\}$/;

/** A parsed template expression. */
export type Expr =
  | { kind: "param"; name: string }
  | { kind: "pipeline_run_id" }
  | { kind: "step"; step: string; field: "result"; path: (string | number)[] }
  | { kind: "step"; step: string; field: "output" | "run_id" | "status" };

/** Parses one expression; a string saying what is wrong when it is not one. */
export function parseExpr(text: string): Expr | string {
  const parts = text.split(".");
  if (parts.some((p) => p === "")) return `"${text}" is not a template expression`;
  if (parts[0] === "pipeline_run_id" && parts.length === 1) return { kind: "pipeline_run_id" };
  if (parts[0] === "params" && parts.length === 2) return { kind: "param", name: parts[1] };
  if (parts[0] === "steps" && parts.length >= 3) {
    const [, step, field, ...rest] = parts;
    if (field === "result") {
      return {
        kind: "step",
        step,
        field,
        path: rest.map((p) => /^\d+$/.test(p) ? Number(p) : p),
      };
    }
    if ((field === "output" || field === "run_id" || field === "status") && rest.length === 0) {
      return { kind: "step", step, field };
    }
  }
  return `"${text}" is not a template expression (params.NAME, steps.ID.result[.KEY...], ` +
    "steps.ID.output, steps.ID.run_id, steps.ID.status or pipeline_run_id)";
}

/** Every expression text in a value (strings inside arrays and objects too). */
export function expressionsIn(value: unknown): string[] {
  if (typeof value === "string") return [...value.matchAll(INLINE)].map((m) => m[1]);
  if (Array.isArray(value)) return value.flatMap(expressionsIn);
  if (value !== null && typeof value === "object") {
    return Object.values(value).flatMap(expressionsIn);
  }
  return [];
}

/** A template that names a value that is not there: fails its step. */
export class MissingValue extends Error {
  constructor(readonly expression: string, why: string) {
    super(`template {{ ${expression} }}: ${why}`);
  }
}

/** Looks an expression's value up; throws MissingValue when there is none. */
export type Resolve = (expr: Expr, text: string) => Promise<unknown>;

/** Fills every template in a value; a whole-string template keeps its value's JSON type. */
export async function fill(value: unknown, resolve: Resolve): Promise<unknown> {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole) return await resolveText(whole[1], resolve);
    let out = "";
    let last = 0;
    for (const m of value.matchAll(INLINE)) {
      const v = await resolveText(m[1], resolve);
      out += value.slice(last, m.index) + (typeof v === "string" ? v : JSON.stringify(v));
      last = m.index + m[0].length;
    }
    return out + value.slice(last);
  }
  if (Array.isArray(value)) {
    const out = [];
    for (const v of value) out.push(await fill(v, resolve));
    return out;
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await fill(v, resolve);
    return out;
  }
  return value;
}

async function resolveText(text: string, resolve: Resolve): Promise<unknown> {
  const expr = parseExpr(text);
  if (typeof expr === "string") throw new MissingValue(text, expr);
  return await resolve(expr, text);
}

/** The value at `path` inside `root`; throws MissingValue naming `text` when absent. */
export function valueAt(root: unknown, path: (string | number)[], text: string): unknown {
  let here = root;
  for (const key of path) {
    const ok = Array.isArray(here)
      ? typeof key === "number" && key < here.length
      : here !== null && typeof here === "object" && Object.hasOwn(here, String(key));
    if (!ok) throw new MissingValue(text, `the result has no ${JSON.stringify(String(key))}`);
    here = (here as Record<string, unknown>)[key as string];
  }
  return here;
}
