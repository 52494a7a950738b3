import type { ParameterDef } from "./schema.ts";

/** A JSON Schema object (draft 2020-12 keywords only). */
export type JsonSchema = Record<string, unknown>;

/**
 * A module's parameters as one JSON Schema object, for clients that build a call from it (an
 * AI agent through MCP). It describes the values; the run's own validation (params.ts) still
 * decides, so a pattern in RE2 syntax is described in words rather than as `pattern`.
 */
export function parametersJsonSchema(parameters: readonly ParameterDef[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const p of parameters) properties[p.name] = parameterJsonSchema(p);
  return {
    type: "object",
    properties,
    // A parameter shown only under a condition is required only then: left out here.
    required: parameters.filter((p) => p.required && p.default == null && !p.conditional_display)
      .map((p) => p.name),
    additionalProperties: false,
  };
}

function parameterJsonSchema(p: ParameterDef): JsonSchema {
  const words = [p.label, p.description, p.validation?.message].filter((s) => s);
  if (p.validation) words.push(`Must match the pattern ${p.validation.pattern}`);
  const out: JsonSchema = { ...typeOf(p) };
  if (words.length > 0) out.description = words.join(". ");
  if (p.default !== undefined && p.default !== null) out.default = p.default;
  return out;
}

function typeOf(p: ParameterDef): JsonSchema {
  switch (p.type) {
    case "number":
      return {
        type: "number",
        ...(p.min === undefined ? {} : { minimum: p.min }),
        ...(p.max === undefined ? {} : { maximum: p.max }),
      };
    case "checkbox":
      return { type: "boolean" };
    case "select":
      return { enum: [...(p.options ?? [])] };
    case "password":
      return { type: "string", format: "password", writeOnly: true };
    default:
      return { type: "string" };
  }
}
