// Short words for what a JSON Schema (as zod's `z.toJSONSchema` writes it) allows: "integer
// 0..10", "list of strings", "`active`, `inactive` or `maintenance`". Whatever shape a schema
// takes, something readable comes out, so new keys need no change here.

/** The parts of a JSON Schema this file reads. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  default?: unknown;
  description?: string;
  title?: string;
}

const NAMES: Record<string, [string, string]> = {
  string: ["string", "strings"],
  number: ["number", "numbers"],
  integer: ["integer", "integers"],
  boolean: ["boolean", "booleans"],
  null: ["null", "nulls"],
  object: ["object", "objects"],
  array: ["list", "lists"],
};

/**
 * The schema with every `{"$ref": "#/$defs/NAME"}` replaced by its definition (zod writes schemas
 * that carry an `id` as definitions), a definition inside itself left as its name.
 */
export function inlineRefs(
  schema: unknown,
  defs?: Record<string, unknown>,
  seen: string[] = [],
): unknown {
  const root = defs ?? ((schema as { $defs?: Record<string, unknown> })?.$defs ?? {});
  if (Array.isArray(schema)) return schema.map((s) => inlineRefs(s, root, seen));
  if (schema === null || typeof schema !== "object") return schema;
  const ref = (schema as { $ref?: unknown }).$ref;
  if (typeof ref === "string" && ref.startsWith("#/$defs/")) {
    const name = ref.slice("#/$defs/".length);
    if (seen.includes(name) || !(name in root)) return { title: name, type: "object" };
    return inlineRefs(root[name], root, [...seen, name]);
  }
  return Object.fromEntries(
    Object.entries(schema).filter(([k]) => k !== "$defs").map((
      [k, v],
    ) => [k, inlineRefs(v, root, seen)]),
  );
}

/** "a, b or c". */
export function orList(words: string[]): string {
  return words.length <= 1
    ? words.join("")
    : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/** A value as it is written in JSON, in backticks. */
export function code(value: unknown): string {
  return "`" + JSON.stringify(value) + "`";
}

function range(low: string | null, high: string | null): string {
  if (low !== null && high !== null) {
    return low.startsWith(">") ? `${low}, ≤ ${high}` : `${low}..${high}`;
  }
  if (low !== null) return low.startsWith(">") ? low : `≥ ${low}`;
  if (high !== null) return `≤ ${high}`;
  return "";
}

/** Bounds beyond JavaScript's safe integers are zod's "no bound": not worth saying. */
const bound = (n: number | undefined) =>
  n === undefined || Math.abs(n) >= Number.MAX_SAFE_INTEGER ? null : String(n);

function constraints(s: JsonSchema): string[] {
  const out: string[] = [];
  const low = s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : bound(s.minimum);
  const high = s.exclusiveMaximum !== undefined ? `< ${s.exclusiveMaximum}` : bound(s.maximum);
  const numbers = range(low, high);
  if (numbers) out.push(numbers);
  if (s.minLength === 1 && s.maxLength === undefined) out.push("not empty");
  else {
    const chars = range(bound(s.minLength), bound(s.maxLength));
    if (chars) out.push(`${chars} characters`);
  }
  const items = range(bound(s.minItems), bound(s.maxItems));
  if (items) out.push(`${items} items`);
  if (s.format === "uri") out.push("a URL");
  else if (s.format) out.push(s.format);
  if (s.pattern) out.push(`matching \`${s.pattern}\``);
  return out;
}

/** The words for one schema; `plural` for the items of a list. */
export function describeSchema(s: JsonSchema, plural = false): string {
  if (s.enum) return orList(s.enum.map(code));
  if (s.const !== undefined) return code(s.const);
  const branches = s.anyOf ?? s.oneOf;
  if (branches) return orList(branches.map((b) => describeSchema(b, plural)));
  if (s.allOf) return s.allOf.map((b) => describeSchema(b, plural)).join(" and ");
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  if (types.length === 0) return "any JSON value";
  const words = types.map((type) => typeWords(type, s, plural));
  const extra = constraints(s);
  return orList(words) + (extra.length ? ` (${extra.join(", ")})` : "");
}

function typeWords(type: string, s: JsonSchema, plural: boolean): string {
  const [one, many] = NAMES[type] ?? [type, `${type}s`];
  const noun = plural ? many : one;
  if (type === "array" && s.items) return `${noun} of ${describeSchema(s.items, true)}`;
  if (type !== "object") return noun;
  if (s.title) return plural ? `${s.title} objects` : `a ${s.title} object`;
  if (s.properties) {
    const required = new Set(s.required ?? []);
    const keys = Object.keys(s.properties).map((k) => required.has(k) ? k : `${k}?`);
    return `${noun} \`{${keys.join(", ")}}\``;
  }
  if (typeof s.additionalProperties === "object") {
    return `${noun} of names to ${describeSchema(s.additionalProperties, true)}`;
  }
  return noun;
}
