/**
 * A module's `command`: the argv as an array of strings with placeholders. Parsed once at start
 * (a bad template refuses the module file) and expanded at each run start.
 */

/** One element of a parsed template. */
export type TemplatePart =
  | { kind: "python" }
  | { kind: "script" }
  | { kind: "params" }
  | { kind: "param"; name: string }
  /** Literal text with `{run_id}` and `{replica}` standing inside it. */
  | { kind: "text"; pieces: TextPiece[] };

/** A piece of a text element. */
export type TextPiece = string | { placeholder: "run_id" | "replica" };

/** A parsed `command`. */
export interface CommandTemplate {
  parts: TemplatePart[];
  /** True when `{python}` is used: the module's interpreter must then be found. */
  usesPython: boolean;
}

/** Why an element of a template is refused. */
export interface TemplateError {
  index: number;
  message: string;
}

const WHOLE = /^\{(python|script|params|param:([^{}]*))\}$/;
const INLINE = new Set(["run_id", "replica"]);
const WHOLE_ONLY = new Set(["python", "script", "params"]);

/**
 * Parses a `command`; `parameters` are the module's parameters by name with their type (a
 * `{param:NAME}` must name one that is not a checkbox). Returns the template or the first error.
 */
export function parseCommandTemplate(
  elements: readonly string[],
  parameters: ReadonlyMap<string, string>,
): { ok: true; template: CommandTemplate } | { ok: false; error: TemplateError } {
  const parts: TemplatePart[] = [];
  for (const [index, element] of elements.entries()) {
    const whole = WHOLE.exec(element);
    if (whole !== null) {
      if (whole[2] === undefined) {
        parts.push({ kind: whole[1] as "python" | "script" | "params" });
        continue;
      }
      const name = whole[2];
      const type = parameters.get(name);
      if (type === undefined) {
        return { ok: false, error: { index, message: `{param:${name}} names no parameter` } };
      }
      if (type === "checkbox") {
        return {
          ok: false,
          error: { index, message: `{param:${name}} names a checkbox (use {params})` },
        };
      }
      parts.push({ kind: "param", name });
      continue;
    }
    const pieces = parseText(element);
    if (typeof pieces === "string") return { ok: false, error: { index, message: pieces } };
    parts.push({ kind: "text", pieces });
  }
  return { ok: true, template: { parts, usesPython: parts.some((p) => p.kind === "python") } };
}

/** Splits a text element at `{{`, `}}`, `{run_id}` and `{replica}`; a string says what is wrong. */
function parseText(element: string): TextPiece[] | string {
  const pieces: TextPiece[] = [];
  let literal = "";
  for (let i = 0; i < element.length; i++) {
    const c = element[i];
    if (c === "}") {
      if (element[i + 1] !== "}") return "a lone '}' must be written '}}'";
      literal += "}";
      i++;
      continue;
    }
    if (c !== "{") {
      literal += c;
      continue;
    }
    if (element[i + 1] === "{") {
      literal += "{";
      i++;
      continue;
    }
    const close = element.indexOf("}", i);
    if (close === -1) return "a lone '{' must be written '{{'";
    const name = element.slice(i + 1, close);
    if (!INLINE.has(name)) {
      return WHOLE_ONLY.has(name) || name.startsWith("param:")
        ? `{${name}} must be a whole element of the array`
        : `unknown placeholder {${name}}`;
    }
    if (literal !== "") pieces.push(literal);
    literal = "";
    pieces.push({ placeholder: name as "run_id" | "replica" });
    i = close;
  }
  if (literal !== "" || pieces.length === 0) pieces.push(literal);
  return pieces;
}

/** What a template is expanded with at a run's start. */
export interface TemplateValues {
  python: string;
  script: string;
  /** The parameter arguments as `{params}` writes them. */
  params: string[];
  /** Each applicable parameter's value as one argument (absent: the element is dropped). */
  param: ReadonlyMap<string, string>;
  runId: string;
  replica: number;
}

/** The argv a template gives; its first element is the program. */
export function expandTemplate(template: CommandTemplate, values: TemplateValues): string[] {
  const argv: string[] = [];
  for (const part of template.parts) {
    switch (part.kind) {
      case "python":
        argv.push(values.python);
        break;
      case "script":
        argv.push(values.script);
        break;
      case "params":
        argv.push(...values.params);
        break;
      case "param": {
        const value = values.param.get(part.name);
        if (value !== undefined) argv.push(value);
        break;
      }
      case "text":
        argv.push(
          part.pieces.map((p) =>
            typeof p === "string"
              ? p
              : p.placeholder === "run_id"
              ? values.runId
              : String(values.replica)
          ).join(""),
        );
    }
  }
  return argv;
}
