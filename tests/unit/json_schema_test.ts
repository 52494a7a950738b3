import assert from "node:assert/strict";
import { parametersJsonSchema } from "../../src/modules/json_schema.ts";
import { parameterSchema } from "../../src/modules/schema.ts";
import { isClientCommand, serverArgs } from "../../src/cli/dispatch.ts";

Deno.test("a module's parameters as JSON Schema: types, bounds, options, defaults, required", () => {
  const defs = [
    { name: "n", type: "number", min: 1, max: 9, default: 2, label: "Count" },
    { name: "mode", type: "select", options: ["a", "b", 3], required: true },
    { name: "loud", type: "checkbox" },
    { name: "key", type: "password", required: true },
    {
      name: "who",
      type: "text",
      required: true,
      validation: { pattern: "^\\w+$", message: "one word" },
      conditional_display: { field: "loud", value: true },
    },
  ].map((d) => parameterSchema.parse(d));
  assert.deepEqual(parametersJsonSchema(defs), {
    type: "object",
    properties: {
      n: { type: "number", minimum: 1, maximum: 9, default: 2, description: "Count" },
      mode: { enum: ["a", "b", 3] },
      loud: { type: "boolean" },
      key: { type: "string", format: "password", writeOnly: true },
      who: { type: "string", description: "one word. Must match the pattern ^\\w+$" },
    },
    required: ["mode", "key"],
    additionalProperties: false,
  });
});

Deno.test("the program serves with no arguments, `serve` or server options; else it is the client", () => {
  assert.equal(isClientCommand([]), false);
  assert.equal(isClientCommand(["serve"]), false);
  assert.equal(isClientCommand(["serve", "--port", "9000"]), false);
  assert.equal(isClientCommand(["--port", "9000"]), false);
  assert.equal(isClientCommand(["serve", "--help"]), true);
  assert.equal(isClientCommand(["--help"]), true);
  assert.equal(isClientCommand(["modules"]), true);
  assert.equal(isClientCommand(["run", "hello", "--follow"]), true);
  assert.deepEqual(serverArgs(["serve", "--port", "9000"]), ["--port", "9000"]);
  assert.deepEqual(serverArgs(["--port", "9000"]), ["--port", "9000"]);
});
