// What `deno task docs` writes into the docs' marked blocks, derived from the zod schemas alone:
// a key added to a schema gets its row at the next `deno task docs`, with its type and default
// from the schema and its meaning from its `.describe()` (or `.meta({description})`).
import { z } from "zod";
import { ENV_DEFAULTS, settingsSchema } from "../../src/settings.ts";
import { moduleSchema, parameterSchema } from "../../src/modules/schema.ts";
import { HTTP_STATUS } from "../../src/http/errors.ts";
import { code, describeSchema, inlineRefs, type JsonSchema } from "./json_schema_text.ts";
import { importGraphText } from "./imports.ts";
import { runCoreText } from "./run_core.ts";
import { resolve } from "node:path";

/** Said in a row whose key has no description yet (the generator warns about such rows). */
export const UNDESCRIBED = "(not described yet)";

/** Escapes a table cell: a `|` would end the cell, a newline the row. */
function cell(text: string): string {
  return text.replaceAll("|", "\\|").replace(/\s*\n\s*/g, " ");
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/**
 * Mentions of other docs pages (`security.md`, `api.md#webhooks`) become links; the tables live
 * in docs/, next to those pages.
 */
function linkPages(text: string): string {
  return text.replace(/\b([a-z][a-z0-9-]*\.md)(#[a-z0-9-]+)?/g, "[$1]($1$2)");
}

function meaning(description: string | undefined): string {
  return description === undefined || description.trim() === ""
    ? UNDESCRIBED
    : linkPages(description);
}

/** The settings table: one row per environment variable of the settings schema. */
export function settingsTable(): string {
  const defaults: Record<string, string> = ENV_DEFAULTS;
  const rows = Object.entries(settingsSchema.shape).map(([name, schema]) => {
    const meta = (schema as z.ZodType).meta() ?? {};
    const given = defaults[name];
    const shown = typeof meta.shown_default === "string"
      ? meta.shown_default
      : given === undefined || given === ""
      ? "unset"
      : "`" + given + "`";
    return ["`" + name + "`", shown, meaning(meta.description)];
  });
  return table(["variable", "default", "meaning"], rows);
}

/** One row per key of an object schema: key, what it takes, default or required, meaning. */
function keyTable(schema: z.ZodType): string {
  const json = inlineRefs(z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    reused: "inline",
  })) as JsonSchema;
  const objects = json.anyOf ?? json.oneOf ?? [json];
  const rows = new Map<string, string[]>();
  for (const object of objects) {
    const required = new Set(object.required ?? []);
    for (const [key, field] of Object.entries(object.properties ?? {})) {
      if (rows.has(key)) continue;
      const taken = field.default !== undefined
        ? code(field.default)
        : required.has(key)
        ? "**required**"
        : "—";
      const { description: _, ...shape } = field;
      rows.set(key, [
        "`" + key + "`",
        describeSchema(shape),
        taken,
        meaning(field.description),
      ]);
    }
  }
  return table(["key", "value", "default", "meaning"], [...rows.values()]);
}

/** Each HTTP status the API answers errors with, and the contract's codes it carries. */
export function errorCodeTable(): string {
  const byStatus = new Map<number, string[]>();
  for (const [code, status] of Object.entries(HTTP_STATUS)) {
    byStatus.set(status, [...(byStatus.get(status) ?? []), "`" + code + "`"]);
  }
  const rows = [...byStatus].sort(([a], [b]) => a - b).map(([status, codes]) => [
    String(status),
    codes.join(", "),
  ]);
  return table(["status", "error_code"], rows);
}

/** Renderers of the marked blocks, by block name. */
export const BLOCKS: Record<string, () => string> = {
  settings: settingsTable,
  "module-keys": () => keyTable(moduleSchema),
  "parameter-keys": () => keyTable(parameterSchema),
  "error-codes": errorCodeTable,
  imports: () => importGraphText(resolve(import.meta.dirname!, "..", "..")),
  "run-core": () => runCoreText(resolve(import.meta.dirname!, "..", "..")),
};
